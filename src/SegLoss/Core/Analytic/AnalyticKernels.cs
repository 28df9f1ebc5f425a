using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>What the managed CPU kernels of the analytic operations accept, and the small tensors they exchange.</summary>
    internal static class AnalyticKernels
    {
        /// <summary>
        /// A contiguous, non-empty float32 or float64 CPU tensor whose bytes fit one span (the kernels read
        /// <see cref="Tensor.bytes"/>, which is int-sized).
        /// </summary>
        public static bool Supports(Tensor t) =>
            t.device_type == DeviceType.CPU && (t.dtype == ScalarType.Float32 || t.dtype == ScalarType.Float64)
            && t.numel() > 0 && t.is_contiguous() && t.numel() * t.element_size() <= int.MaxValue;

        /// <summary><paramref name="other"/> has <paramref name="t"/>'s dtype, device, shape and is contiguous.</summary>
        public static bool Matches(Tensor t, Tensor other) =>
            other.dtype == t.dtype && other.device_type == DeviceType.CPU && other.is_contiguous() && SameShape(t.shape, other.shape);

        private static bool SameShape(long[] a, long[] b) => a.AsSpan().SequenceEqual(b);

        /// <summary>The values [start, start + count) of a contiguous CPU tensor, as a span over its memory (no copy).</summary>
        public static Span<T> Values<T>(Tensor t, long start, int count) where T : unmanaged =>
            MemoryMarshal.Cast<byte, T>(t.bytes).Slice(checked((int)start), count);

        /// <summary>A CPU tensor of <paramref name="shape"/> in <paramref name="dtype"/> holding <paramref name="values"/>.</summary>
        public static Tensor FromValues(double[] values, long[] shape, ScalarType dtype)
        {
            var result = empty(shape, dtype);
            if (dtype == ScalarType.Float64) values.AsSpan().CopyTo(MemoryMarshal.Cast<byte, double>(result.bytes));
            else
            {
                var target = MemoryMarshal.Cast<byte, float>(result.bytes);
                for (int i = 0; i < values.Length; i++) target[i] = (float)values[i];
            }
            return result;
        }

        /// <summary>
        /// A new tensor over the storage of <paramref name="saved"/> (a saved variable the backward may overwrite), with its
        /// own version counter.
        /// </summary>
        /// <remarks>
        /// Why not a view (<c>alias</c>, <c>detach</c>): a view shares the saved tensor's version counter, so libtorch's
        /// in-place accumulation of a second backward's gradient into <c>x.grad</c> (which is this tensor, or a view of it)
        /// would mark the saved variable as modified, and a third backward of a retained graph would refuse to unpack it.
        /// </remarks>
        public static Tensor SameStorage(Tensor saved) => empty(0, saved.dtype, saved.device).set_(saved);

        /// <summary>
        /// Multiplies every value of a contiguous CPU tensor by <paramref name="factor"/> through its memory, so that
        /// libtorch's version counter (which guards saved tensors) does not move.
        /// </summary>
        public static void Scale<T>(Tensor t, T factor) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            const int Block = 1 << 14;
            long count = t.numel();
            int blocks = (int)((count + Block - 1) / Block);
            IntraOpParallel.For(blocks, count, block =>
            {
                long start = (long)block * Block;
                Multiply(Values<T>(t, start, (int)Math.Min(Block, count - start)), factor);
            });
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private static void Multiply<T>(Span<T> values, T factor) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var vectors = MemoryMarshal.Cast<T, System.Numerics.Vector<T>>(values);
            var f = new System.Numerics.Vector<T>(factor);
            for (int i = 0; i < vectors.Length; i++) vectors[i] *= f;
            for (int i = vectors.Length * System.Numerics.Vector<T>.Count; i < values.Length; i++) values[i] *= factor;
        }

        /// <summary>Every value of a small tensor, as float64.</summary>
        public static double[] ToDoubles(Tensor t)
        {
            using var scope = NewDisposeScope();
            return TensorData.ToArray<double>(t.dtype == ScalarType.Float64 ? t : t.to(ScalarType.Float64));
        }
    }
}
