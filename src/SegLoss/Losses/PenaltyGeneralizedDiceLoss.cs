using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Penalty generalized Dice loss (Su et al., "Major Vessel Segmentation on X-ray Coronary Angiography using Deep
    /// Networks with a Novel Penalty Loss Function", MIDL 2019, OpenReview H1lTh8unKN; JunMa11/SegLoss
    /// <c>PenaltyGDiceLoss</c>): the generalized Dice loss divided by 1 + k·(1 − GDL), which steepens it where the
    /// prediction is poor, so false positives and false negatives are penalised harder than by GDL alone.
    /// </summary>
    /// <remarks>
    /// <para>Per image (or over the batch with <c>batch: true</c>): pGDL = GDL / (1 + k·(1 − GDL)) with k = 2.5 by
    /// default, where GDL = 1 − (2·Σ_c w_c·TP_c + s_n) / (Σ_c w_c·(P_c + G_c) + s_d) is exactly
    /// <see cref="GeneralizedDiceLoss"/>'s value with the same options (weights w_c = 1/G_c², 1/G_c or 1 from the
    /// target, absent classes taking the largest finite weight, background, batch, smoothing and ignored pixels as
    /// there). pGDL is 0 exactly when GDL is, 1 when GDL is 1, and increasing in GDL; its slope is (1 + k)/(1 + k(1 −
    /// GDL))², from 1/(1 + k) at the optimum to 1 + k for a prediction with no overlap. The denominator is at least 1
    /// (GDL ≤ 1), so the ratio is always finite. k = 0 gives GDL.</para>
    /// <para>The penalty applies per image before the reduction: None returns (N), or (1) with <c>batch</c>; Mean and
    /// Sum reduce those. JunMa11's code divides its negated coefficient instead (−GD / (1 + k·(1 + GD)) of the batch
    /// mean), a different function of GD with values in [−1/(1 + 2k), 0]; this class follows the paper's loss form.</para>
    /// </remarks>
    public sealed class PenaltyGeneralizedDiceLoss : RegionLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary, Multiclass (default) or Multilabel.</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="weighting">Class weights from target volumes: Square (default), Simple or Uniform.</param>
        /// <param name="k">Penalty factor k (2.5, the paper's and JunMa11's); finite, ≥ 0.</param>
        /// <param name="smoothNumerator">s_n, added to the numerator (1e-5).</param>
        /// <param name="smoothDenominator">s_d, added to the denominator (1e-5).</param>
        /// <param name="includeBackground">Whether channel 0 counts (Multiclass/Multilabel).</param>
        /// <param name="batch">Pool the statistics (and weights) over the batch before the ratio.</param>
        /// <param name="ignoreIndex">Target value to ignore, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        public PenaltyGeneralizedDiceLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true,
            GeneralizedDiceWeighting weighting = GeneralizedDiceWeighting.Square, double k = 2.5, double smoothNumerator = 1e-5,
            double smoothDenominator = 1e-5, bool includeBackground = true, bool batch = false, long? ignoreIndex = null,
            nn.Reduction reduction = nn.Reduction.Mean)
            : base(mode, fromLogits, smoothNumerator, smoothDenominator, includeBackground, batch, null, ignoreIndex, reduction)
        {
            // The base registers no tensor (no classWeights here), so checking after it leaves nothing behind.
            Weighting = Arguments.Defined(weighting, nameof(weighting));
            Arguments.NonNegative(k, nameof(k));
            K = k;
        }

        /// <summary>How classes are weighted from their target volumes.</summary>
        public GeneralizedDiceWeighting Weighting { get; }

        /// <summary>The penalty factor k.</summary>
        public double K { get; }

        /// <inheritdoc/>
        public override string DisplayName => "PenaltyGeneralizedDice";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var (_, stats) = Statistics(input, target);
            var gdl = GeneralizedDiceRatio.PerImage(ExcludeBackground(stats.TruePositive), ExcludeBackground(stats.PredictionSum),
                ExcludeBackground(stats.TargetSum), Weighting, SmoothNumerator, SmoothDenominator, Ratio);
            var penalized = K == 0 ? gdl : gdl / ((1.0 - gdl) * K + 1.0);
            return GeneralizedDiceRatio.Reduce(penalized, reduction);
        }
    }
}
