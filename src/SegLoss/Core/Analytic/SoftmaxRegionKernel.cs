using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Managed CPU kernels of <see cref="SoftmaxRegionSums"/> over one image's pixels in blocks: the forward sums
    /// Σ p_c·[y = c]·v, Σ p_c·v and Σ [y = c]·v per class from p = softmax(x); the backward writes
    /// ∂L/∂x_c = v·p_c·(w_c − Σ_k p_k·w_k) with w_c = a_c·[y = c] + b_c.
    /// </summary>
    /// <remarks>
    /// The softmax itself is libtorch's: on libtorch 2.10's CPU build it is several times faster than the same softmax
    /// from <c>TensorPrimitives</c> blocks over the channel slices (1.1 against 3.2 ms for 2 M float32 values). The labels are integers as wide as the input's values (int32 for float32), so that [y = c] is a vector
    /// comparison whose result is a bit mask on the values. Block sums are kept apart and added in block order, so the
    /// result does not depend on the thread count.
    /// </remarks>
    internal static class SoftmaxRegionKernel
    {
        internal const int Block = 1024;

        /// <summary>
        /// <paramref name="sums"/> (3·N·C: the TP, P and G blocks) receives the sums per (image, class) of
        /// p = softmax(x) (N, C, S). <paramref name="labels"/> (N, S) hold classes in [0, C) as integers of T's width
        /// (int32 for float32, int64 for float64; ignored pixels hold any class, with v = 0).
        /// </summary>
        public static void Forward<T, TLabel>(Tensor p, Tensor labels, Tensor? v, long n, long c, long s, double[] sums)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TLabel : unmanaged, IBinaryInteger<TLabel>
        {
            int blocks = (int)((s + Block - 1) / Block);
            var partial = new double[3 * c * n * blocks];
            IntraOpParallel.For(checked((int)(n * blocks)), n * c * s,
                item => ForwardBlock<T, TLabel>(p, labels, v, new Geometry(c, s, item / blocks, item % blocks), partial.AsSpan((int)(3 * c * item), (int)(3 * c))));
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
        /// ∂L/∂x written over <paramref name="p"/> (N, C, S), with a = ∂L/∂TP and b = ∂L/∂P per (image, class) in
        /// <paramref name="a"/> and <paramref name="b"/> (N·C each).
        /// </summary>
        public static void Backward<T, TLabel>(Tensor p, Tensor labels, Tensor? v, long n, long c, long s, T[] a, T[] b)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TLabel : unmanaged, IBinaryInteger<TLabel>
        {
            int blocks = (int)((s + Block - 1) / Block);
            IntraOpParallel.For(checked((int)(n * blocks)), n * c * s,
                item => BackwardBlock<T, TLabel>(p, labels, v, new Geometry(c, s, item / blocks, item % blocks), a, b));
        }

        /// <summary>Where one block lies: its image, its first pixel and its pixel count.</summary>
        private readonly struct Geometry
        {
            public Geometry(long c, long s, long image, int block)
            {
                C = (int)c;
                S = s;
                Image = image;
                Offset = (long)block * Block;
                Count = (int)Math.Min(Block, s - Offset);
            }

            public int C { get; }
            public long S { get; }
            public long Image { get; }
            public long Offset { get; }
            public int Count { get; }

            /// <summary>The block's values of channel k in an (N, C, S) tensor.</summary>
            public Span<T> BatchChannel<T>(Tensor t, int k) where T : unmanaged => AnalyticKernels.Values<T>(t, (Image * C + k) * S + Offset, Count);

            /// <summary>The block's values in an (N, S) or (N, 1, S) tensor.</summary>
            public Span<T> Pixels<T>(Tensor t) where T : unmanaged => AnalyticKernels.Values<T>(t, Image * S + Offset, Count);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ForwardBlock<T, TLabel>(Tensor p, Tensor labels, Tensor? v, Geometry at, Span<double> sums)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TLabel : unmanaged, IBinaryInteger<TLabel>
        {
            int c = at.C;
            var classes = at.Pixels<TLabel>(labels);
            var valid = v is null ? default : at.Pixels<T>(v);
            for (int k = 0; k < c; k++)
            {
                var (tp, mass, target) = ClassSums(at.BatchChannel<T>(p, k), classes, valid, v is not null, k);
                sums[k] = tp;
                sums[c + k] = mass;
                sums[2 * c + k] = target;
            }
        }

        /// <summary>[y = k] as a lane mask of T.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<T> Hit<T, TLabel>(Vector<TLabel> y, Vector<TLabel> k) where T : unmanaged where TLabel : unmanaged =>
            Vector.Equals(y, k).As<TLabel, T>();

        /// <summary>Σ p·[y = k]·v, Σ p·v and Σ [y = k]·v over one block.</summary>
        /// <remarks>
        /// Two vectors per step with their own accumulators, and [y = k] as an integer comparison used as a bit mask: on
        /// this project's build machine 0.22 ms for the four classes of 8x4x256x256 float32, against 0.7 ms with the
        /// labels converted to floats and a select.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static (double Tp, double Mass, double Target) ClassSums<T, TLabel>(Span<T> p, Span<TLabel> classes, Span<T> valid, bool masked, int k)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TLabel : unmanaged, IBinaryInteger<TLabel>
        {
            var pv = MemoryMarshal.Cast<T, Vector<T>>(p);
            var yv = MemoryMarshal.Cast<TLabel, Vector<TLabel>>(classes);
            var vv = MemoryMarshal.Cast<T, Vector<T>>(masked ? valid : p);
            var kv = new Vector<TLabel>(TLabel.CreateTruncating(k));
            var one = Vector<T>.One;
            Vector<T> tp0 = default, tp1 = default, mass0 = default, mass1 = default, target0 = default, target1 = default;
            int i = 0;
            if (masked)
            {
                for (; i + 1 < pv.Length; i += 2)
                {
                    var hit0 = vv[i] & Hit<T, TLabel>(yv[i], kv);
                    var hit1 = vv[i + 1] & Hit<T, TLabel>(yv[i + 1], kv);
                    tp0 += pv[i] * hit0;
                    tp1 += pv[i + 1] * hit1;
                    mass0 += pv[i] * vv[i];
                    mass1 += pv[i + 1] * vv[i + 1];
                    target0 += hit0;
                    target1 += hit1;
                }
            }
            else
            {
                for (; i + 1 < pv.Length; i += 2)
                {
                    var hit0 = Hit<T, TLabel>(yv[i], kv);
                    var hit1 = Hit<T, TLabel>(yv[i + 1], kv);
                    tp0 += pv[i] & hit0;
                    tp1 += pv[i + 1] & hit1;
                    mass0 += pv[i];
                    mass1 += pv[i + 1];
                    target0 += one & hit0;
                    target1 += one & hit1;
                }
            }
            T tps = Vector.Sum(tp0 + tp1), masses = Vector.Sum(mass0 + mass1), targets = Vector.Sum(target0 + target1);
            var label = TLabel.CreateTruncating(k);
            for (int j = i * Vector<T>.Count; j < p.Length; j++)
            {
                T weight = masked ? valid[j] : T.One;
                T hit = classes[j] == label ? weight : T.Zero;
                tps += p[j] * hit;
                masses += p[j] * weight;
                targets += hit;
            }
            return (double.CreateTruncating(tps), double.CreateTruncating(masses), double.CreateTruncating(targets));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void BackwardBlock<T, TLabel>(Tensor p, Tensor labels, Tensor? v, Geometry at, T[] a, T[] b)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TLabel : unmanaged, IBinaryInteger<TLabel>
        {
            int c = at.C, count = at.Count;
            var buffer = ArrayPool<T>.Shared.Rent(Block);
            try
            {
                var dot = buffer.AsSpan(0, count);
                var classes = at.Pixels<TLabel>(labels);
                // dot = Σ_k p_k·w_k with w_k = a_k·[y = k] + b_k.
                dot.Clear();
                int first = (int)(at.Image * c);
                for (int k = 0; k < c; k++) AddWeighted(at.BatchChannel<T>(p, k), classes, k, a[first + k], b[first + k], dot);
                // ∂L/∂x_k = v·p_k·(w_k − dot), over p_k (each value is read before it is written).
                var valid = v is null ? default : at.Pixels<T>(v);
                for (int k = 0; k < c; k++)
                {
                    var pk = at.BatchChannel<T>(p, k);
                    WriteGradient(pk, classes, k, a[first + k], b[first + k], dot, valid, v is not null, pk);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(buffer);
            }
        }

        /// <summary>dot += p·(a·[y = k] + b).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AddWeighted<T, TLabel>(Span<T> p, Span<TLabel> classes, int k, T a, T b, Span<T> dot)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TLabel : unmanaged, IBinaryInteger<TLabel>
        {
            var pv = MemoryMarshal.Cast<T, Vector<T>>(p);
            var yv = MemoryMarshal.Cast<TLabel, Vector<TLabel>>(classes);
            var dv = MemoryMarshal.Cast<T, Vector<T>>(dot);
            var kv = new Vector<TLabel>(TLabel.CreateTruncating(k));
            var av = new Vector<T>(a);
            var bv = new Vector<T>(b);
            for (int i = 0; i < pv.Length; i++) dv[i] += pv[i] * ((av & Hit<T, TLabel>(yv[i], kv)) + bv);
            var label = TLabel.CreateTruncating(k);
            for (int i = pv.Length * Vector<T>.Count; i < p.Length; i++) dot[i] += p[i] * (classes[i] == label ? a + b : b);
        }

        /// <summary>output = v·p·(a·[y = k] + b − dot).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void WriteGradient<T, TLabel>(Span<T> p, Span<TLabel> classes, int k, T a, T b, Span<T> dot, Span<T> valid, bool masked, Span<T> output)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TLabel : unmanaged, IBinaryInteger<TLabel>
        {
            var pv = MemoryMarshal.Cast<T, Vector<T>>(p);
            var yv = MemoryMarshal.Cast<TLabel, Vector<TLabel>>(classes);
            var dv = MemoryMarshal.Cast<T, Vector<T>>(dot);
            var ov = MemoryMarshal.Cast<T, Vector<T>>(output);
            var kv = new Vector<TLabel>(TLabel.CreateTruncating(k));
            var av = new Vector<T>(a);
            var bv = new Vector<T>(b);
            if (masked)
            {
                var vv = MemoryMarshal.Cast<T, Vector<T>>(valid);
                for (int i = 0; i < pv.Length; i++) ov[i] = vv[i] * pv[i] * ((av & Hit<T, TLabel>(yv[i], kv)) + bv - dv[i]);
            }
            else
            {
                for (int i = 0; i < pv.Length; i++) ov[i] = pv[i] * ((av & Hit<T, TLabel>(yv[i], kv)) + bv - dv[i]);
            }
            var label = TLabel.CreateTruncating(k);
            for (int i = pv.Length * Vector<T>.Count; i < p.Length; i++)
                output[i] = (masked ? valid[i] : T.One) * p[i] * ((classes[i] == label ? a + b : b) - dot[i]);
        }
    }
}
