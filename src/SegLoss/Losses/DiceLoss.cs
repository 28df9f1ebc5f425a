using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Soft Dice loss and its variants (F-β, Jaccard, V-Net squared denominator, log-Dice).
    /// </summary>
    /// <remarks>
    /// <para>Per class c (per image, or over the batch with <c>batch: true</c>), with TP = Σ p·g, P = Σ p, G = Σ g:</para>
    /// <para>Dice / F-β: D = ((1+β²)·TP + s_n) / (β²·G + P + s_d); β = 1 is the Sørensen–Dice coefficient
    /// 2TP/(P+G) (Milletari et al., V-Net, 3DV 2016); β ≠ 1 is the F-β form of Hashemi et al., IEEE Access 2018.</para>
    /// <para>Jaccard: J = (TP + s_n) / (P + G − TP + s_d) — <see cref="JaccardLoss"/>, the class to prefer; <c>jaccard: true</c>
    /// computes exactly the same value through the same code, with <see cref="DiceLoss"/>'s option list.</para>
    /// <para><c>squaredDenominator</c> replaces P and G by Σp² and Σg² (V-Net's form, as MONAI's squared_pred).</para>
    /// <para>Loss per class: 1 − D, or −ln(max(D, 1e-7)) with <c>logLoss</c>; then classes are weighted and
    /// averaged by the <c>classMean</c> rule (<see cref="SegLoss.ClassMean"/>): by default Mean is the (weighted) mean over
    /// images and classes, Σ w_c·L / (Σ w_c · images); None returns (N, C) per image and class, or (C) with
    /// <c>batch</c>, after the rule (w_c·L; 0 for absent classes with <see cref="ClassMean.AbsentAsZero"/>).</para>
    /// <para>Peers: MONAI <c>DiceLoss(weight=w)</c> divides by the entry count (<see cref="ClassMean.EntryCount"/>; its
    /// weight list omits channel 0 when <c>include_background=False</c>, while <c>classWeights</c> always has C entries).
    /// smp <c>DiceLoss</c> pools the batch and zeroes classes absent from it (<c>batch: true</c>,
    /// <see cref="ClassMean.AbsentAsZero"/>); its score is (TP + s)/((P + G)/2 + s), so its <c>smooth</c> s is
    /// s_n = s_d = 2s here (0 by default), and its <c>classes=[…]</c> subset is <c>classWeights</c> 0 on the other classes.</para>
    /// <para>Absent classes: with the default s_n = s_d = 1e-5 (MONAI's), a class absent from both target and
    /// prediction scores D = 1 (loss 0); absent from the target but predicted, D ≈ 0 (loss ≈ 1) with a vanishing
    /// gradient. With s_n = 0 such a class scores loss 1 whatever is predicted.</para>
    /// <para>On the CPU, with logits against 0/1 targets or hard labels and a Mean or Sum reduction (not V-Net's squares),
    /// the whole loss runs as one autograd node with a hand-written backward (<see cref="SegLossSettings.AnalyticBackward"/>):
    /// the same values and gradients in fewer passes.</para>
    /// </remarks>
    public sealed class DiceLoss : RegionLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary, Multiclass (default) or Multilabel.</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="smoothNumerator">s_n, added to the numerator (1e-5).</param>
        /// <param name="smoothDenominator">s_d, added to the denominator (1e-5).</param>
        /// <param name="squaredDenominator">V-Net: Σp² + Σg² in the denominator.</param>
        /// <param name="jaccard">Soft Jaccard (IoU) instead of Dice; requires beta = 1. Kept for compatibility:
        /// <see cref="JaccardLoss"/> is the same loss under its own name.</param>
        /// <param name="logLoss">−ln D instead of 1 − D.</param>
        /// <param name="beta">F-β weight of recall; 1 gives Dice.</param>
        /// <param name="includeBackground">Whether channel 0 counts (Multiclass/Multilabel).</param>
        /// <param name="batch">Sum statistics over the batch before the ratio.</param>
        /// <param name="classWeights">Optional per-class weights (C).</param>
        /// <param name="ignoreIndex">Target value to ignore, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        /// <param name="classMean">How per-class values become the Mean and whether absent classes count
        /// (<see cref="ClassMean.WeightSum"/> by default).</param>
        public DiceLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double smoothNumerator = 1e-5,
            double smoothDenominator = 1e-5, bool squaredDenominator = false, bool jaccard = false, bool logLoss = false,
            double beta = 1.0, bool includeBackground = true, bool batch = false, Tensor? classWeights = null,
            long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean, ClassMean classMean = ClassMean.WeightSum)
            : base(Checked(mode, beta, jaccard, reduction), fromLogits, smoothNumerator, smoothDenominator, includeBackground, batch, classWeights, ignoreIndex, reduction, classMean)
        {
            SquaredDenominator = squaredDenominator;
            Jaccard = jaccard;
            LogLoss = logLoss;
            Beta = beta;
        }

        /// <summary>
        /// Checks this loss's own options and returns <paramref name="mode"/>. It runs as a base-constructor argument,
        /// before <see cref="RegionLoss"/> registers the classWeights buffer, so a rejected option leaves no tensor behind.
        /// </summary>
        private static LossMode Checked(LossMode mode, double beta, bool jaccard, nn.Reduction reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            CheckPositive(beta, nameof(beta));
            if (jaccard && beta != 1.0)
                throw new ArgumentException($"beta must be 1 with jaccard: true (the Jaccard index has no F-β form here), got {beta}", nameof(beta));
            return mode;
        }

        /// <summary>V-Net's squared denominator.</summary>
        public bool SquaredDenominator { get; }

        /// <summary>Soft Jaccard instead of Dice (the same computation as <see cref="JaccardLoss"/>).</summary>
        public bool Jaccard { get; }

        /// <summary>−ln D instead of 1 − D.</summary>
        public bool LogLoss { get; }

        /// <summary>The F-β weight (1 = Dice).</summary>
        public double Beta { get; }

        /// <inheritdoc/>
        public override string DisplayName => Jaccard ? "Jaccard" : Beta == 1.0 ? "Dice" : "FBetaDice";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = ValidatedInputs(input, target);
            var fused = SquaredDenominator ? null : FusedLoss(inputs,
                () => new DiceHead(Beta, Jaccard, LogLoss, SmoothNumerator, SmoothDenominator, DropsBackground(inputs.C), ClassWeightValues(), ClassMean, reduction),
                Head);
            return fused ?? Head(StatisticsOf(inputs, SquaredDenominator));
        }

        /// <summary>The loss from the statistics (the tensor form of <see cref="DiceHead"/>).</summary>
        private Tensor Head(RegionStatistics stats)
        {
            Tensor score;
            if (Jaccard)
            {
                score = JaccardIndex(stats);
            }
            else
            {
                double b2 = Beta * Beta;
                var numerator = stats.TruePositive * (1 + b2) + SmoothNumerator;
                var denominator = (b2 == 1.0 ? stats.TargetSum : stats.TargetSum * b2) + stats.PredictionSum + SmoothDenominator;
                score = Ratio(numerator, denominator);
            }
            return ReduceClasses(ScoreLoss(score, LogLoss), stats.TargetSum);
        }
    }
}
