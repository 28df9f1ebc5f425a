using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Region statistics, or a whole region loss, through one analytic operation (<see cref="SigmoidRegionSums"/>,
    /// <see cref="SoftmaxRegionSums"/>) where its managed kernels apply: logits on the CPU, contiguous, float32 or
    /// float64, with 0/1 targets (Binary, Multilabel) or hard labels (Multiclass), plain sums (not V-Net's squares).
    /// Everything else takes <see cref="RegionStatistics.Compute"/>, whose values and gradients these equal.
    /// </summary>
    internal static class FusedRegionStatistics
    {
        /// <summary>The statistics, or null when the fused operation does not apply to these inputs.</summary>
        public static RegionStatistics? TryCompute(SegmentationInputs inputs, bool squared, bool batch)
        {
            var sums = TryApply(inputs, squared, (logits, target) => SigmoidRegionSums.Compute(logits, target, inputs.Valid),
                (logits, labels) => SoftmaxRegionSums.Compute(logits, labels, inputs.Valid));
            if (sums is null) return null;
            if (batch) sums = sums.sum(dim: 1);
            // One unbind (one backward node) rather than three selects, each of which would zero-fill its own gradient.
            var parts = sums.unbind(0);
            return RegionStatistics.Of(parts[0], parts[1], parts[2]);
        }

        /// <summary>
        /// The loss <paramref name="head"/> computes from the statistics (the same as <paramref name="tensorHead"/> on
        /// <see cref="TryCompute"/>'s), as one value; null when the fused operation does not apply.
        /// </summary>
        /// <remarks><paramref name="head"/> is called only when the operation applies.</remarks>
        public static Tensor? TryLoss(SegmentationInputs inputs, bool batch, Func<IRegionHead> head, Func<RegionStatistics, Tensor> tensorHead) =>
            TryApply(inputs, false, (logits, target) => SigmoidRegionSums.Loss(logits, target, inputs.Valid, batch, head(), tensorHead),
                (logits, labels) => SoftmaxRegionSums.Loss(logits, labels, inputs.Valid, batch, head(), tensorHead));

        private static Tensor? TryApply(SegmentationInputs inputs, bool squared, Func<Tensor, Tensor, Tensor> sigmoid, Func<Tensor, Tensor, Tensor> softmax)
        {
            if (squared || !inputs.FromLogits || !AnalyticFunction.Enabled) return null;
            // Beside other terms of the same Multiclass input (Dice + CE) the autograd path stays: there the terms share one
            // log_softmax and its backward, which measured faster (11.4 against 10.1 ms at 8x4x256x256, one thread) than
            // this operation beside the CE term's own path, with or without exp(log p) from the shared log_softmax.
            if (inputs.Mode == LossMode.Multiclass && inputs.Labels is not null && !SharedActivations.Serves(inputs)
                && SoftmaxRegionSums.Supports(inputs.Input, inputs.Labels, inputs.Valid))
                return softmax(inputs.Input, inputs.Labels);
            if (inputs.Mode != LossMode.Multiclass && inputs.Target is not null && inputs.HardTargets && SigmoidRegionSums.Supports(inputs.Input, inputs.Target, inputs.Valid))
                return sigmoid(inputs.Input, inputs.Target);
            return null;
        }
    }
}
