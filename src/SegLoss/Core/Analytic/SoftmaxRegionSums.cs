using System;
using System.Collections.Generic;
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

        protected override Tensor Activate(Tensor input) => input.softmax(1).contiguous();

        protected override double[] Sums(Tensor p, long n, long c, long s, List<Tensor> saved)
        {
            var (labels, valid) = (_labels!, _valid);
            _labels = _valid = null;
            var sums = new double[3 * n * c];
            if (p.dtype == ScalarType.Float32) SoftmaxRegionKernel.Forward<float>(p, labels, valid, n, c, s, sums);
            else SoftmaxRegionKernel.Forward<double>(p, labels, valid, n, c, s, sums);
            saved.Add(labels);
            if (valid is not null) saved.Add(valid);
            return sums;
        }

        protected override Tensor KernelBackward(Tensor p, IReadOnlyList<Tensor> extra, double[] outputGradient)
        {
            var (labels, v) = (extra[0], extra.Count > 1 ? extra[1] : null);
            long n = p.shape[0], c = p.shape[1], s = p.shape[2];
            var gradient = empty_like(p);
            if (p.dtype == ScalarType.Float32) SoftmaxRegionKernel.Backward<float>(p, labels, v, gradient, n, c, s, outputGradient);
            else SoftmaxRegionKernel.Backward<double>(p, labels, v, gradient, n, c, s, outputGradient);
            return gradient;
        }

        protected override (Tensor Tp, Tensor P, Tensor G) DifferentiableSums(Tensor x, IReadOnlyList<Tensor> extra)
        {
            var (labels, v) = (extra[0], extra.Count > 1 ? extra[1] : null);
            long n = x.shape[0], c = x.shape[1], s = x.shape[2];
            var p = x.softmax(1);
            var oneHot = zeros(new[] { n, c, s }, x.dtype, x.device).scatter_(1, labels.unsqueeze(1), v ?? ones(new[] { n, 1, s }, x.dtype, x.device));
            return ((p * oneHot).sum(2), (v is null ? p : p * v).sum(2), oneHot.sum(2));
        }
    }
}
