using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>How <see cref="GeneralizedDiceLoss"/> weighs each class from its target volume G_c = Σ g_c.</summary>
    public enum GeneralizedDiceWeighting
    {
        /// <summary>w_c = 1 / G_c² (Sudre et al.'s choice, MONAI's default "square").</summary>
        Square,

        /// <summary>w_c = 1 / G_c (MONAI's "simple").</summary>
        Simple,

        /// <summary>w_c = 1: the classes' statistics are pooled unweighted (MONAI's "uniform").</summary>
        Uniform,
    }

    /// <summary>
    /// The generalized Dice loss per image (or pooled over the batch) from per-class statistics, shared by
    /// <see cref="GeneralizedDiceLoss"/> and <see cref="PenaltyGeneralizedDiceLoss"/>:
    /// GDL = 1 − (2·Σ_c w_c·TP_c + s_n) / (Σ_c w_c·(P_c + G_c) + s_d), with w_c from the target volumes.
    /// </summary>
    internal static class GeneralizedDiceRatio
    {
        /// <summary>
        /// GDL per image (N), or (1) when the statistics are pooled over the batch (C). The statistics are those of
        /// the selected classes (last axis = classes); <paramref name="ratio"/> is the region loss's numerator /
        /// denominator rule (0/0 counts as 1 with zero smoothing).
        /// </summary>
        internal static Tensor PerImage(Tensor tp, Tensor predSum, Tensor targetSum, GeneralizedDiceWeighting weighting,
            double smoothNumerator, double smoothDenominator, Func<Tensor, Tensor, Tensor> ratio)
        {
            var w = ClassWeightsFromVolumes(targetSum.detach(), weighting);
            var numerator = (w * tp).sum(-1) * 2.0 + smoothNumerator;
            var denominator = (w * (predSum + targetSum)).sum(-1) + smoothDenominator;
            var perImage = 1.0 - ratio(numerator, denominator);
            return perImage.dim() == 0 ? perImage.unsqueeze(0) : perImage;
        }

        /// <summary>None: the per-image values; Sum: their sum; Mean: their mean.</summary>
        internal static Tensor Reduce(Tensor perImage, nn.Reduction reduction) => reduction switch
        {
            nn.Reduction.None => perImage,
            nn.Reduction.Sum => perImage.sum(),
            _ => perImage.mean(),
        };

        /// <summary>w_c from G_c (last axis = classes); infinite weights become the row's largest finite weight.</summary>
        private static Tensor ClassWeightsFromVolumes(Tensor targetSum, GeneralizedDiceWeighting weighting)
        {
            if (weighting == GeneralizedDiceWeighting.Uniform) return ones_like(targetSum);
            var w = weighting == GeneralizedDiceWeighting.Square ? targetSum.square().reciprocal() : targetSum.reciprocal();
            var absent = w.isinf();
            var finite = w.masked_fill(absent, 0.0);
            var rowMax = finite.amax(new long[] { -1 }, keepdim: true);
            return finite.where(absent.logical_not(), rowMax.expand_as(finite));
        }
    }
}
