using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The region sums of sigmoid logits against 0/1 targets as one analytic operation (<see cref="RegionSumsOperation"/>):
    /// TP = Σ σ(x)·g, P = Σ σ(x)·v and G = Σ g per image and channel, with ∂L/∂x = (a·g + b·v)·σ(1 − σ) for
    /// a = ∂L/∂TP and b = ∂L/∂P (G does not depend on x).
    /// </summary>
    /// <remarks>
    /// Why: autograd's backward of σ, p·g, Σ p·g and Σ p makes four passes over the input-sized tensors and allocates
    /// three; this makes one, reading the p saved by the forward. v is the validity mask (1 where an entry counts); g must
    /// already be 0 where v is 0, as <see cref="SegmentationInputs.Target"/> is.
    /// </remarks>
    internal sealed class SigmoidRegionSums : RegionSumsOperation
    {
        private Tensor? _target;
        private Tensor? _valid;

        private SigmoidRegionSums(Tensor target, Tensor? valid, bool batch, IRegionHead? head, Func<RegionStatistics, Tensor>? tensorHead)
            : base(batch, head, tensorHead)
        {
            _target = target;
            _valid = valid;
        }

        /// <summary>(3, N, C): TP, P and G of σ(<paramref name="logits"/>) (N, C, S) against <paramref name="target"/>.</summary>
        public static Tensor Compute(Tensor logits, Tensor target, Tensor? valid) =>
            AnalyticFunction.Apply(new SigmoidRegionSums(target, valid, false, null, null), logits);

        /// <summary>The loss <paramref name="head"/> computes from the sums (pooled over the batch when <paramref name="batch"/>), as one value.</summary>
        public static Tensor Loss(Tensor logits, Tensor target, Tensor? valid, bool batch, IRegionHead head, Func<RegionStatistics, Tensor> tensorHead) =>
            AnalyticFunction.Apply(new SigmoidRegionSums(target, valid, batch, head, tensorHead), logits);

        /// <summary>Whether the managed kernels take these tensors: CPU, contiguous, one floating dtype, one shape.</summary>
        public static bool Supports(Tensor logits, Tensor target, Tensor? valid) =>
            AnalyticKernels.Supports(logits) && AnalyticKernels.Matches(logits, target) && (valid is null || AnalyticKernels.Matches(logits, valid));

        protected override double[] Sums(Tensor input, long n, long c, long s, List<Tensor> saved)
        {
            var (target, valid) = (_target!, _valid);
            _target = _valid = null;
            var p = input.sigmoid().contiguous();
            var sums = new double[3 * n * c];
            if (p.dtype == ScalarType.Float32) SigmoidRegionKernel.Forward<float>(p, target, valid, n * c, s, sums);
            else SigmoidRegionKernel.Forward<double>(p, target, valid, n * c, s, sums);
            saved.Add(p);
            saved.Add(target);
            if (valid is not null) saved.Add(valid);
            return sums;
        }

        protected override Tensor KernelBackward(IReadOnlyList<Tensor> saved, double[] outputGradient)
        {
            var (x, g, v) = (saved[0], saved[2], saved.Count > 3 ? saved[3] : null);
            long rows = x.shape[0] * x.shape[1], s = x.shape[2];
            // The gradient overwrites p, which no later step reads; a second backward of a retained graph recomputes p.
            var p = TakeSaved(saved[1], () => x.sigmoid().contiguous());
            if (p.dtype == ScalarType.Float32) SigmoidRegionKernel.Backward<float>(p, g, v, p, rows, s, outputGradient);
            else SigmoidRegionKernel.Backward<double>(p, g, v, p, rows, s, outputGradient);
            return p;
        }

        protected override (Tensor Tp, Tensor P, Tensor G) DifferentiableSums(IReadOnlyList<Tensor> saved)
        {
            var (x, g, v) = (saved[0], saved[2], saved.Count > 3 ? saved[3] : null);
            var p = x.sigmoid();
            return ((p * g).sum(2), (v is null ? p : p * v).sum(2), g.sum(2));
        }
    }
}
