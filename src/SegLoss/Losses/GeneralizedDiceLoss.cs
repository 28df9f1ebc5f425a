using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Generalized Dice loss (Sudre et al., "Generalised Dice overlap as a deep learning loss function for highly
    /// unbalanced segmentations", DLMIA 2017): one Dice ratio over all classes, each class weighted by the inverse
    /// (square) of its target volume so that small structures count as much as large ones.
    /// </summary>
    /// <remarks>
    /// <para>Per image (or over the batch with <c>batch: true</c>), with TP_c = Σ p·g, P_c = Σ p and G_c = Σ g:
    /// GDL = 1 − (2·Σ_c w_c·TP_c + s_n) / (Σ_c w_c·(P_c + G_c) + s_d), w_c = 1/G_c², 1/G_c or 1
    /// (<see cref="GeneralizedDiceWeighting"/>). The weights come from the target only and carry no gradient.</para>
    /// <para>Absent classes (G_c = 0) would get an infinite weight; as MONAI does, it is replaced (out of place) by
    /// the largest finite weight of the same image (of the batch with <c>batch</c>), so predicting an absent class
    /// is penalised like the rarest present one. If no selected class is present the weights are all 0 and the
    /// loss is 1 − s_n/s_d (0 with the default equal smoothing).</para>
    /// <para>Reduction: None returns one value per image (N), or a single value (1) with <c>batch</c>; Mean and Sum
    /// reduce those. <c>includeBackground: false</c> leaves channel 0 out of every sum (Multiclass/Multilabel).</para>
    /// <para>On the CPU, with logits against 0/1 targets or hard labels and a Mean or Sum reduction, the whole loss runs as
    /// one autograd node with a hand-written backward (<see cref="SegLossSettings.AnalyticBackward"/>): the same values and
    /// gradients in fewer passes.</para>
    /// </remarks>
    public sealed class GeneralizedDiceLoss : RegionLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary, Multiclass (default) or Multilabel.</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="weighting">Class weights from target volumes: Square (default), Simple or Uniform.</param>
        /// <param name="smoothNumerator">s_n, added to the numerator (1e-5).</param>
        /// <param name="smoothDenominator">s_d, added to the denominator (1e-5).</param>
        /// <param name="includeBackground">Whether channel 0 counts (Multiclass/Multilabel).</param>
        /// <param name="batch">Pool the statistics (and weights) over the batch before the ratio.</param>
        /// <param name="ignoreIndex">Target value to ignore, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        public GeneralizedDiceLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true,
            GeneralizedDiceWeighting weighting = GeneralizedDiceWeighting.Square, double smoothNumerator = 1e-5,
            double smoothDenominator = 1e-5, bool includeBackground = true, bool batch = false, long? ignoreIndex = null,
            nn.Reduction reduction = nn.Reduction.Mean)
            : base(mode, fromLogits, smoothNumerator, smoothDenominator, includeBackground, batch, null, ignoreIndex, reduction)
        {
            // The base registers no tensor (no classWeights here), so checking after it leaves nothing behind.
            Weighting = Arguments.Defined(weighting, nameof(weighting));
            Arguments.Reduction(reduction, nameof(reduction));
        }

        /// <summary>How classes are weighted from their target volumes.</summary>
        public GeneralizedDiceWeighting Weighting { get; }

        /// <inheritdoc/>
        public override string DisplayName => "GeneralizedDice";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = ValidatedInputs(input, target);
            var fused = FusedLoss(inputs,
                () => new GeneralizedDiceHead(Weighting, SmoothNumerator, SmoothDenominator, DropsBackground(inputs.C), reduction),
                Head);
            return fused ?? Head(StatisticsOf(inputs));
        }

        /// <summary>The loss from the statistics (the tensor form of <see cref="GeneralizedDiceHead"/>).</summary>
        private Tensor Head(RegionStatistics stats)
        {
            var perImage = GeneralizedDiceRatio.PerImage(ExcludeBackground(stats.TruePositive), ExcludeBackground(stats.PredictionSum),
                ExcludeBackground(stats.TargetSum), Weighting, SmoothNumerator, SmoothDenominator, Ratio);
            return GeneralizedDiceRatio.Reduce(perImage, reduction);
        }
    }
}
