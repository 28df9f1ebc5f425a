using System;
using System.Collections.Generic;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The region sums of softmax logits against hard labels as one analytic operation (<see cref="RegionSumsOperation"/>):
    /// TP = Σ p_c·[y = c]·v, P = Σ p_c·v and G = Σ [y = c]·v, with p = softmax(x) over the channels and
    /// ∂L/∂x_c = v·p_c·(w_c − Σ_k p_k·w_k), w_c = a_c·[y = c] + b_c for a = ∂L/∂TP and b = ∂L/∂P.
    /// </summary>
    /// <remarks>
    /// Why: autograd's backward of the softmax, p·onehot and the two sums makes five passes over input-sized tensors
    /// (and the forward builds the one-hot target); this makes one, reading the p saved by the forward and the labels.
    /// v is the validity mask (N, 1, S), or none.
    /// </remarks>
    internal sealed class SoftmaxRegionSums : RegionSumsOperation
    {
        private Tensor? _labels;
        private Tensor? _valid;

        private SoftmaxRegionSums(Tensor labels, Tensor? valid, bool batch, IRegionHead? head, Func<RegionStatistics, Tensor>? tensorHead)
            : base(batch, head, tensorHead)
        {
            _labels = labels;
            _valid = valid;
        }

        /// <summary>(3, N, C): TP, P and G of softmax(<paramref name="logits"/>) (N, C, S) against <paramref name="labels"/> (N, S).</summary>
        public static Tensor Compute(Tensor logits, Tensor labels, Tensor? valid) =>
            AnalyticFunction.Apply(new SoftmaxRegionSums(labels, valid, false, null, null), logits);

        /// <summary>The loss <paramref name="head"/> computes from the sums (pooled over the batch when <paramref name="batch"/>), as one value.</summary>
        public static Tensor Loss(Tensor logits, Tensor labels, Tensor? valid, bool batch, IRegionHead head, Func<RegionStatistics, Tensor> tensorHead) =>
            AnalyticFunction.Apply(new SoftmaxRegionSums(labels, valid, batch, head, tensorHead), logits);

        /// <summary>Whether the managed kernels take these tensors: CPU, contiguous, int64 labels (N, S), mask (N, 1, S).</summary>
        public static bool Supports(Tensor logits, Tensor labels, Tensor? valid) =>
            AnalyticKernels.Supports(logits) && labels.dtype == ScalarType.Int64 && labels.device_type == DeviceType.CPU
            && labels.is_contiguous() && labels.numel() == logits.shape[0] * logits.shape[2]
            && (valid is null || (valid.dtype == logits.dtype && valid.device_type == DeviceType.CPU && valid.is_contiguous() && valid.numel() == labels.numel()));

        /// <remarks>Saved: x, the labels as integers of the values' width (int32 for float32, the int64 labels for float64), the mask or null, p.</remarks>
        protected override double[] Sums(Tensor input, long n, long c, long s, List<Tensor> saved)
        {
            var (labels, valid) = (_labels!, _valid);
            _labels = _valid = null;
            bool single = input.dtype == ScalarType.Float32;
            var lanes = single ? labels.to(ScalarType.Int32) : labels;
            var p = input.softmax(1).contiguous();
            saved.Add(lanes);
            saved.Add(valid!);
            saved.Add(p);
            var sums = new double[3 * n * c];
            if (single) SoftmaxRegionKernel.Forward<float, int>(p, lanes, valid, n, c, s, sums);
            else SoftmaxRegionKernel.Forward<double, long>(p, lanes, valid, n, c, s, sums);
            return sums;
        }

        protected override Tensor KernelBackward(IReadOnlyList<Tensor> saved, double[] outputGradient)
        {
            var (x, lanes, v) = (saved[0], saved[1], saved[2]);
            // The gradient overwrites p, which no later step reads; a second backward of a retained graph recomputes p.
            var gradient = TakeSaved(saved[3], () => x.softmax(1).contiguous());
            if (x.dtype == ScalarType.Float32) Backward<float, int>(gradient, lanes, v, outputGradient);
            else Backward<double, long>(gradient, lanes, v, outputGradient);
            return gradient;
        }

        private static void Backward<T, TLabel>(Tensor p, Tensor lanes, Tensor? v, double[] outputGradient)
            where T : unmanaged, IFloatingPointIeee754<T>
            where TLabel : unmanaged, IBinaryInteger<TLabel>
        {
            long n = p.shape[0], c = p.shape[1], s = p.shape[2];
            var a = new T[n * c];
            var b = new T[n * c];
            for (long e = 0; e < n * c; e++)
            {
                a[e] = T.CreateTruncating(outputGradient[e]);
                b[e] = T.CreateTruncating(outputGradient[n * c + e]);
            }
            SoftmaxRegionKernel.Backward<T, TLabel>(p, lanes, v, n, c, s, a, b);
        }

        protected override (Tensor Tp, Tensor P, Tensor G) DifferentiableSums(IReadOnlyList<Tensor> saved)
        {
            var (x, lanes, v) = (saved[0], saved[1], saved[2]);
            long n = x.shape[0], c = x.shape[1], s = x.shape[2];
            var p = x.softmax(1);
            var oneHot = zeros(new[] { n, c, s }, x.dtype, x.device).scatter_(1, lanes.to(ScalarType.Int64).unsqueeze(1), v ?? ones(new[] { n, 1, s }, x.dtype, x.device));
            return ((p * oneHot).sum(2), (v is null ? p : p * v).sum(2), oneHot.sum(2));
        }
    }
}
