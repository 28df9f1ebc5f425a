using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;
using Primitives = System.Numerics.Tensors.TensorPrimitives;

namespace SegLoss
{
    /// <summary>
    /// Managed CPU kernels of <see cref="SoftmaxRegionSums"/> over one image's pixels in blocks: the forward sums
    /// Σ p_c·[y = c]·v, Σ p_c·v and Σ [y = c]·v per class from p = softmax(x); the backward writes
    /// ∂L/∂x_c = v·p_c·(w_c − Σ_k p_k·w_k) with w_c = a_c·[y = c] + b_c.
    /// </summary>
    /// <remarks>
    /// The softmax itself is libtorch's: on libtorch 2.10's CPU build it is several times faster than the same softmax
    /// from <c>TensorPrimitives</c> blocks over the channel slices (1.1 against 3.2 ms for 2 M float32 values). The
    /// labels of a block are converted once to the input's dtype, so that [y = c] is a vector comparison. Block sums are
    /// kept apart and added in block order, so the result does not depend on the thread count.
    /// </remarks>
    internal static class SoftmaxRegionKernel
    {
        internal const int Block = 1024;

        /// <summary>
        /// <paramref name="sums"/> (3·N·C) receives TP, P and G per (image, class) of p = softmax(x) (N, C, S).
        /// <paramref name="labels"/> (N, S) int64 lie in [0, C) (ignored pixels hold any class, with v = 0).
        /// </summary>
        public static void Forward<T>(Tensor p, Tensor labels, Tensor? v, long n, long c, long s, double[] sums)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int blocks = (int)((s + Block - 1) / Block);
            var partial = new double[3 * c * n * blocks];
            IntraOpParallel.For(checked((int)(n * blocks)), n * c * s,
                item => ForwardBlock<T>(p, labels, v, new Geometry(c, s, item, blocks), partial.AsSpan((int)(3 * c * item), (int)(3 * c))));
            for (long image = 0; image < n; image++)
                for (long j = 0; j < 3 * c; j++)
                {
                    double value = 0;
                    for (long b = 0; b < blocks; b++) value += partial[3 * c * (image * blocks + b) + j];
                    long kind = j / c, k = j % c;
                    sums[(kind * n + image) * c + k] = value;
                }
        }

        /// <summary>
        /// ∂L/∂x into <paramref name="gradient"/> from the saved p, with a = ∂L/∂TP and b = ∂L/∂P per (image, class)
        /// taken from <paramref name="outputGradient"/> (3·N·C: TP, P, G; G's has no effect).
        /// </summary>
        public static void Backward<T>(Tensor p, Tensor labels, Tensor? v, Tensor gradient, long n, long c, long s, double[] outputGradient)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int blocks = (int)((s + Block - 1) / Block);
            IntraOpParallel.For(checked((int)(n * blocks)), n * c * s, item =>
            {
                var geometry = new Geometry(c, s, item, blocks);
                var a = new T[c];
                var b = new T[c];
                for (long k = 0; k < c; k++)
                {
                    a[k] = T.CreateTruncating(outputGradient[geometry.Image * c + k]);
                    b[k] = T.CreateTruncating(outputGradient[(n + geometry.Image) * c + k]);
                }
                BackwardBlock<T>(p, labels, v, gradient, geometry, a, b);
            });
        }

        /// <summary>Where one block lies: its image, its first pixel and its pixel count.</summary>
        private readonly struct Geometry
        {
            public Geometry(long c, long s, int item, int blocks)
            {
                C = (int)c;
                S = s;
                Image = item / blocks;
                Offset = (long)(item % blocks) * Block;
                Count = (int)Math.Min(Block, s - Offset);
            }

            public int C { get; }
            public long S { get; }
            public long Image { get; }
            public long Offset { get; }
            public int Count { get; }

            /// <summary>The block's values of channel k in an (N, C, S) tensor.</summary>
            public Span<T> Channel<T>(Tensor t, int k) where T : unmanaged => SigmoidRegionKernel.Values<T>(t, (Image * C + k) * S + Offset, Count);

            /// <summary>The block's values in an (N, S) or (N, 1, S) tensor.</summary>
            public Span<T> Pixels<T>(Tensor t) where T : unmanaged => SigmoidRegionKernel.Values<T>(t, Image * S + Offset, Count);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ForwardBlock<T>(Tensor p, Tensor labels, Tensor? v, Geometry at, Span<double> sums)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int c = at.C;
            var buffer = ArrayPool<T>.Shared.Rent(Block);
            try
            {
                var classes = buffer.AsSpan(0, at.Count);
                Primitives.ConvertTruncating<long, T>(at.Pixels<long>(labels), classes);
                var valid = v is null ? default : at.Pixels<T>(v);
                for (int k = 0; k < c; k++)
                {
                    var (tp, mass, target) = ClassSums(at.Channel<T>(p, k), classes, valid, v is not null, T.CreateTruncating(k));
                    sums[k] = tp;
                    sums[c + k] = mass;
                    sums[2 * c + k] = target;
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(buffer);
            }
        }

        /// <summary>Σ p·[y = k]·v, Σ p·v and Σ [y = k]·v over one block.</summary>
        /// <remarks>Two vectors per step with their own accumulators, as <see cref="SigmoidRegionKernel"/>'s sums.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static (double Tp, double Mass, double Target) ClassSums<T>(Span<T> p, Span<T> classes, Span<T> valid, bool masked, T k)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var pv = MemoryMarshal.Cast<T, Vector<T>>(p);
            var yv = MemoryMarshal.Cast<T, Vector<T>>(classes);
            var vv = MemoryMarshal.Cast<T, Vector<T>>(masked ? valid : p);
            var kv = new Vector<T>(k);
            Vector<T> tp0 = default, tp1 = default, mass0 = default, mass1 = default, target0 = default, target1 = default;
            int i = 0;
            for (; i + 1 < pv.Length; i += 2)
            {
                var weight0 = masked ? vv[i] : Vector<T>.One;
                var weight1 = masked ? vv[i + 1] : Vector<T>.One;
                var hit0 = Vector.ConditionalSelect(Vector.Equals(yv[i], kv), weight0, Vector<T>.Zero);
                var hit1 = Vector.ConditionalSelect(Vector.Equals(yv[i + 1], kv), weight1, Vector<T>.Zero);
                tp0 += pv[i] * hit0;
                tp1 += pv[i + 1] * hit1;
                mass0 += masked ? pv[i] * weight0 : pv[i];
                mass1 += masked ? pv[i + 1] * weight1 : pv[i + 1];
                target0 += hit0;
                target1 += hit1;
            }
            for (; i < pv.Length; i++)
            {
                var weight = masked ? vv[i] : Vector<T>.One;
                var hit = Vector.ConditionalSelect(Vector.Equals(yv[i], kv), weight, Vector<T>.Zero);
                tp0 += pv[i] * hit;
                mass0 += masked ? pv[i] * weight : pv[i];
                target0 += hit;
            }
            T tps = Vector.Sum(tp0 + tp1), masses = Vector.Sum(mass0 + mass1), targets = Vector.Sum(target0 + target1);
            for (int j = pv.Length * Vector<T>.Count; j < p.Length; j++)
            {
                T weight = masked ? valid[j] : T.One;
                T hit = classes[j] == k ? weight : T.Zero;
                tps += p[j] * hit;
                masses += p[j] * weight;
                targets += hit;
            }
            return (double.CreateTruncating(tps), double.CreateTruncating(masses), double.CreateTruncating(targets));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void BackwardBlock<T>(Tensor p, Tensor labels, Tensor? v, Tensor gradient, Geometry at, T[] a, T[] b)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int c = at.C, count = at.Count;
            var buffer = ArrayPool<T>.Shared.Rent(2 * Block);
            try
            {
                var dot = buffer.AsSpan(0, count);
                var classes = buffer.AsSpan(Block, count);
                Primitives.ConvertTruncating<long, T>(at.Pixels<long>(labels), classes);
                // dot = Σ_k p_k·w_k with w_k = a_k·[y = k] + b_k.
                dot.Clear();
                for (int k = 0; k < c; k++) AddWeighted(at.Channel<T>(p, k), classes, T.CreateTruncating(k), a[k], b[k], dot);
                // ∂L/∂x_k = v·p_k·(w_k − dot).
                var valid = v is null ? default : at.Pixels<T>(v);
                for (int k = 0; k < c; k++)
                    WriteGradient(at.Channel<T>(p, k), classes, T.CreateTruncating(k), a[k], b[k], dot, valid, v is not null, at.Channel<T>(gradient, k));
            }
            finally
            {
                ArrayPool<T>.Shared.Return(buffer);
            }
        }

        /// <summary>dot += p·(a·[y = k] + b).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AddWeighted<T>(Span<T> p, Span<T> classes, T k, T a, T b, Span<T> dot)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var pv = MemoryMarshal.Cast<T, Vector<T>>(p);
            var yv = MemoryMarshal.Cast<T, Vector<T>>(classes);
            var dv = MemoryMarshal.Cast<T, Vector<T>>(dot);
            var kv = new Vector<T>(k);
            var hitWeight = new Vector<T>(a + b);
            var missWeight = new Vector<T>(b);
            for (int i = 0; i < pv.Length; i++) dv[i] += pv[i] * Vector.ConditionalSelect(Vector.Equals(yv[i], kv), hitWeight, missWeight);
            for (int i = pv.Length * Vector<T>.Count; i < p.Length; i++) dot[i] += p[i] * (classes[i] == k ? a + b : b);
        }

        /// <summary>output = v·p·(a·[y = k] + b − dot).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void WriteGradient<T>(Span<T> p, Span<T> classes, T k, T a, T b, Span<T> dot, Span<T> valid, bool masked, Span<T> output)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var pv = MemoryMarshal.Cast<T, Vector<T>>(p);
            var yv = MemoryMarshal.Cast<T, Vector<T>>(classes);
            var dv = MemoryMarshal.Cast<T, Vector<T>>(dot);
            var ov = MemoryMarshal.Cast<T, Vector<T>>(output);
            var kv = new Vector<T>(k);
            var hitWeight = new Vector<T>(a + b);
            var missWeight = new Vector<T>(b);
            if (masked)
            {
                var vv = MemoryMarshal.Cast<T, Vector<T>>(valid);
                for (int i = 0; i < pv.Length; i++)
                    ov[i] = vv[i] * pv[i] * (Vector.ConditionalSelect(Vector.Equals(yv[i], kv), hitWeight, missWeight) - dv[i]);
            }
            else
            {
                for (int i = 0; i < pv.Length; i++)
                    ov[i] = pv[i] * (Vector.ConditionalSelect(Vector.Equals(yv[i], kv), hitWeight, missWeight) - dv[i]);
            }
            for (int i = pv.Length * Vector<T>.Count; i < p.Length; i++)
                output[i] = (masked ? valid[i] : T.One) * p[i] * ((classes[i] == k ? a + b : b) - dot[i]);
        }
    }
}
