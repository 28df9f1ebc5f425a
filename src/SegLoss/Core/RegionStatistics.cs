using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Per-class sums shared by the region losses (Dice family, Tversky, exp-log, combo): the soft intersection
    /// TP = Σ p·g, the prediction mass P = Σ p (or Σ p²) and the target mass G = Σ g (or Σ g²), over the spatial
    /// axis per image, or over the batch too. FP = P − TP and FN = G − TP.
    /// </summary>
    /// <remarks>
    /// For hard labels TP = Σ p·onehot and G = Σ onehot with a one-hot target built without gradient (ignored pixels
    /// all zero); inside a sharing context that already holds p_y, TP is a scatter-add of p_y and G of ones instead. For floating targets TP uses the L1 form (P + G − Σ|p − g|)/2 (Wang and Blaschko,
    /// MICCAI 2023), identical to Σ p·g for 0/1 targets (which take Σ p·g itself) and exactly 0 loss at p = g for soft
    /// labels.
    /// Ignored pixels contribute to none of the three sums.
    /// </remarks>
    internal sealed class RegionStatistics
    {
        private RegionStatistics(Tensor tp, Tensor predSum, Tensor targetSum)
        {
            TruePositive = tp;
            PredictionSum = predSum;
            TargetSum = targetSum;
        }

        /// <summary>Statistics computed elsewhere (<see cref="FusedRegionStatistics"/>).</summary>
        internal static RegionStatistics Of(Tensor tp, Tensor predSum, Tensor targetSum) => new(tp, predSum, targetSum);

        /// <summary>Σ p·g per (image, class) or per class.</summary>
        public Tensor TruePositive { get; }

        /// <summary>Σ p (or Σ p²) per (image, class) or per class.</summary>
        public Tensor PredictionSum { get; }

        /// <summary>Σ g (or Σ g²) per (image, class) or per class.</summary>
        public Tensor TargetSum { get; }

        /// <summary>P − TP.</summary>
        public Tensor FalsePositive => PredictionSum - TruePositive;

        /// <summary>G − TP.</summary>
        public Tensor FalseNegative => TargetSum - TruePositive;

        /// <summary>
        /// Computes the sums from probabilities (N, C, S). <paramref name="squared"/> gives V-Net's Σp² and Σg²;
        /// <paramref name="batch"/> sums over the images as well, giving (C) instead of (N, C).
        /// </summary>
        /// <param name="inputs">Validated inputs.</param>
        /// <param name="probabilities">p (N, C, S).</param>
        /// <param name="squared">Σp² and Σg² instead of Σp and Σg.</param>
        /// <param name="batch">Sum over the images too.</param>
        /// <param name="trueClass">p_y (N, S) at the labels when the caller has it (shared with a CE term), else null.</param>
        public static RegionStatistics Compute(SegmentationInputs inputs, Tensor probabilities, bool squared = false, bool batch = false, Tensor? trueClass = null)
        {
            var p = inputs.Valid is null ? probabilities : probabilities * inputs.Valid;
            Tensor tp, predSum, targetSum;
            if (inputs.Labels is not null && trueClass is null)
            {
                // A one-hot target built without gradient and multiplied in: on libtorch 2.10 this is about 18 % faster
                // forward + backward than gathering p_y and scatter-adding it (whose backward zero-fills and scatters
                // the whole input): 5.4 against 6.6 ms for Dice at 8x4x256x256, one thread. Inside a sharing context,
                // where p_y is gathered anyway for a log term, the gather path below stays the faster one.
                Tensor oneHot;
                using (no_grad())
                {
                    var index = inputs.Labels.unsqueeze(1);
                    var src = inputs.Valid ?? ones(1, p.dtype, p.device).expand(index.shape);
                    oneHot = zeros(inputs.N, inputs.C, inputs.S, p.dtype, p.device).scatter_(1, index, src);
                }
                tp = (p * oneHot).sum(2);
                targetSum = oneHot.sum(2);
                predSum = squared ? (p * probabilities).sum(2) : p.sum(2);
            }
            else if (inputs.Labels is not null)
            {
                var labels = inputs.Labels;
                trueClass = trueClass is null
                    ? p.gather(1, labels.unsqueeze(1)).squeeze(1)
                    : inputs.Valid is null ? trueClass : trueClass * inputs.Valid.squeeze(1);
                tp = zeros(inputs.N, inputs.C, p.dtype, p.device).scatter_add(1, labels, trueClass);
                var counts = inputs.Valid is null ? ones_like(trueClass) : inputs.Valid.squeeze(1);
                targetSum = zeros(inputs.N, inputs.C, p.dtype, p.device).scatter_add_(1, labels, counts);
                predSum = squared ? (p * probabilities).sum(2) : p.sum(2);
            }
            else
            {
                var g = inputs.Target!;
                if (squared)
                {
                    tp = (p * g).sum(2);
                    predSum = (p * probabilities).sum(2);
                    targetSum = g.square().sum(2);
                }
                else
                {
                    predSum = p.sum(2);
                    targetSum = g.sum(2);
                    // For 0/1 targets the L1 form is Σ p·g, which costs fewer passes forward and backward.
                    tp = inputs.HardTargets ? (p * g).sum(2) : (predSum + targetSum - (p - g).abs().sum(2)) * 0.5;
                }
            }
            if (batch)
            {
                tp = tp.sum(dim: 0);
                predSum = predSum.sum(dim: 0);
                targetSum = targetSum.sum(dim: 0);
            }
            return new RegionStatistics(tp, predSum, targetSum);
        }
    }
}
