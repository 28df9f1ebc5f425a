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
    /// The managed CPU kernel of <see cref="SigmoidFocalTerms"/>: for 0/1 targets, with z = x·(2t − 1), p_t = σ(z),
    /// q = 1 − p_t and BCE = softplus(−z), each entry's loss ℓ = v·α_t·q^γ·BCE and its derivative
    /// ∂ℓ/∂x = v·(2t − 1)·α_t·q^γ·(−γ·p_t·BCE − q), in one pass over blocks of the input.
    /// </summary>
    /// <remarks>
    /// The derivative has no q^(γ − 1): it is finite for every γ ≥ 0, also at q = 0. One exponential and one log1p per
    /// entry (two exponentials for a γ other than 0, 1 and 2). Block sums are added in block order, so the total does not
    /// depend on the thread count.
    /// </remarks>
    internal static class SigmoidFocalKernel
    {
        internal const int Block = 2048;

        /// <summary>The focal parameters: γ, α (null: no weighting).</summary>
        internal readonly record struct Parameters(double Gamma, double? Alpha);

        /// <summary>
        /// Writes ∂ℓ/∂x into <paramref name="derivative"/> and, when <paramref name="losses"/> is given, ℓ into it; returns Σ ℓ.
        /// </summary>
        public static double Forward<T>(Tensor x, Tensor t, Tensor? v, Parameters parameters, Tensor derivative, Tensor? losses)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            long count = x.numel();
            int blocks = checked((int)((count + Block - 1) / Block));
            var partial = new double[blocks];
            IntraOpParallel.For(blocks, count, block =>
            {
                long start = (long)block * Block;
                int length = (int)Math.Min(Block, count - start);
                partial[block] = ForwardBlock<T>(
                    AnalyticKernels.Values<T>(x, start, length), AnalyticKernels.Values<T>(t, start, length),
                    v is null ? default : AnalyticKernels.Values<T>(v, start, length), v is not null, parameters,
                    AnalyticKernels.Values<T>(derivative, start, length),
                    losses is null ? default : AnalyticKernels.Values<T>(losses, start, length), losses is not null);
            });
            double total = 0;
            foreach (var s in partial) total += s;
            return total;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double ForwardBlock<T>(Span<T> x, Span<T> t, Span<T> v, bool masked, Parameters parameters, Span<T> derivative, Span<T> losses, bool perEntry)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int n = x.Length;
            var buffer = ArrayPool<T>.Shared.Rent(4 * Block);
            try
            {
                var z = buffer.AsSpan(0, n);
                var e = buffer.AsSpan(Block, n);
                var log1p = buffer.AsSpan(2 * Block, n);
                var power = buffer.AsSpan(3 * Block, n);
                SignedLogits(x, t, z);
                // e = exp(−|z|), log1p(e); softplus(±z) = max(±z, 0) + log1p(e).
                Primitives.Abs<T>(z, e);
                Primitives.Negate<T>(e, e);
                Primitives.Exp<T>(e, e);
                Primitives.LogP1<T>(e, log1p);
                bool general = parameters.Gamma != 0 && parameters.Gamma != 1 && parameters.Gamma != 2;
                if (general)
                {
                    // q^γ = exp(−γ·softplus(z)).
                    Primitives.Max<T>(z, T.Zero, power);
                    Primitives.Add<T>(power, log1p, power);
                    Primitives.Multiply<T>(power, T.CreateTruncating(-parameters.Gamma), power);
                    Primitives.Exp<T>(power, power);
                }
                return Combine(z, e, log1p, power, general, t, v, masked, parameters, derivative, losses, perEntry);
            }
            finally
            {
                ArrayPool<T>.Shared.Return(buffer);
            }
        }

        /// <summary>z = x where t = 1, −x where t = 0.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void SignedLogits<T>(Span<T> x, Span<T> t, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
            var tv = MemoryMarshal.Cast<T, Vector<T>>(t);
            var zv = MemoryMarshal.Cast<T, Vector<T>>(z);
            for (int i = 0; i < xv.Length; i++) zv[i] = Vector.ConditionalSelect(Vector.GreaterThan(tv[i], Vector<T>.Zero), xv[i], -xv[i]);
            for (int i = xv.Length * Vector<T>.Count; i < x.Length; i++) z[i] = t[i] > T.Zero ? x[i] : -x[i];
        }

        /// <summary>ℓ and ∂ℓ/∂x from z, e = exp(−|z|), log1p(e) and (for a general γ) q^γ; returns Σ ℓ.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double Combine<T>(Span<T> z, Span<T> e, Span<T> log1p, Span<T> power, bool general, Span<T> t, Span<T> v, bool masked,
            Parameters parameters, Span<T> derivative, Span<T> losses, bool perEntry)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            double g = parameters.Gamma;
            T gamma = T.CreateTruncating(g);
            bool weighted = parameters.Alpha.HasValue;
            T alpha = T.CreateTruncating(parameters.Alpha ?? 1.0);
            var zv = MemoryMarshal.Cast<T, Vector<T>>(z);
            var ev = MemoryMarshal.Cast<T, Vector<T>>(e);
            var lv = MemoryMarshal.Cast<T, Vector<T>>(log1p);
            var wv = MemoryMarshal.Cast<T, Vector<T>>(power);
            var tv = MemoryMarshal.Cast<T, Vector<T>>(t);
            var vv = MemoryMarshal.Cast<T, Vector<T>>(v);
            var dv = MemoryMarshal.Cast<T, Vector<T>>(derivative);
            var ov = MemoryMarshal.Cast<T, Vector<T>>(losses);
            var gammaV = new Vector<T>(-gamma);
            var alphaHit = new Vector<T>(alpha);
            var alphaMiss = new Vector<T>(T.One - alpha);
            var sum = Vector<T>.Zero;
            int vectors = zv.Length;
            for (int i = 0; i < vectors; i++)
            {
                var zi = zv[i];
                var ei = ev[i];
                var r = Vector<T>.One / (Vector<T>.One + ei);
                var positive = Vector.GreaterThanOrEqual(zi, Vector<T>.Zero);
                var q = Vector.ConditionalSelect(positive, ei * r, r);  // σ(−z) = 1 − p_t
                var p = Vector.ConditionalSelect(positive, r, ei * r);  // σ(z) = p_t
                var bce = Vector.Max(-zi, Vector<T>.Zero) + lv[i];      // softplus(−z) = −log p_t
                var w = g == 0 ? Vector<T>.One : g == 1 ? q : g == 2 ? q * q : wv[i];
                var hit = Vector.GreaterThan(tv[i], Vector<T>.Zero);
                var scale = weighted ? Vector.ConditionalSelect(hit, alphaHit, alphaMiss) : Vector<T>.One;
                if (masked) scale *= vv[i];
                var sw = scale * w;
                var loss = sw * bce;
                var slope = sw * (gammaV * p * bce - q);
                dv[i] = Vector.ConditionalSelect(hit, slope, -slope);
                if (perEntry) ov[i] = loss;
                sum += loss;
            }
            T total = Vector.Sum(sum);
            for (int i = vectors * Vector<T>.Count; i < z.Length; i++)
            {
                T zi = z[i], ei = e[i];
                T r = T.One / (T.One + ei);
                bool positive = zi >= T.Zero;
                T q = positive ? ei * r : r;
                T p = positive ? r : ei * r;
                T bce = T.Max(-zi, T.Zero) + log1p[i];
                T w = g == 0 ? T.One : g == 1 ? q : g == 2 ? q * q : power[i];
                bool hit = t[i] > T.Zero;
                T scale = weighted ? (hit ? alpha : T.One - alpha) : T.One;
                if (masked) scale *= v[i];
                T loss = scale * w * bce;
                T slope = scale * w * (-gamma * p * bce - q);
                derivative[i] = hit ? slope : -slope;
                if (perEntry) losses[i] = loss;
                total += loss;
            }
            return double.CreateTruncating(total);
        }
    }
}
