using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Combo loss (Taghanaki et al., "Combo loss: Handling input and output imbalance in multi-organ segmentation",
    /// Computerized Medical Imaging and Graphics 75, 2019): a weighted binary cross-entropy that trades false
    /// positives against false negatives, minus the Dice coefficient.
    /// </summary>
    /// <remarks>
    /// <para>L = α·L_mBCE − (1 − α)·Σ_c DSC_c with
    /// L_mBCE = −(1/|E|) Σ_{e∈E} [β·t_e·ln p_e + (1 − β)·(1 − t_e)·ln(1 − p_e)] over the (pixel, class) entries E and
    /// DSC_c = (2·Σ p·t + s)/(Σ p + Σ t + s). β &gt; 0.5 penalises false negatives more, β &lt; 0.5 false positives
    /// (the author code's comment). Defaults α = β = 0.5 and s = 1 are the author code's (asgsaeid/ComboLoss);
    /// the background term uses (1 − β) as in the paper, not the code's β·(1 − β).</para>
    /// <para>Modes: Binary and Multilabel apply it per sigmoid channel; Multiclass uses the softmax probabilities
    /// against the one-hot target, summing Dice over classes (the paper's multi-organ form), computed from the labels
    /// without building a one-hot tensor. ln p comes from log_softmax / logsigmoid and sigmoid ln(1 − p) from
    /// logsigmoid(−z), so logits of ±1e4 stay finite; the softmax ln(1 − p) and probability inputs clamp at 1e-7 as
    /// the author code clips probabilities.</para>
    /// <para>The value is negative at the optimum: −(1 − α)·K for K classes. With <c>batch: true</c> (default, as
    /// the author code flattens the whole batch) one value is computed for the batch; with <c>batch: false</c> one
    /// per image. None returns those values, (N) or (1); Mean and Sum reduce them. <c>includeBackground:
    /// false</c> leaves channel 0 out of both terms.</para>
    /// </remarks>
    public sealed class ComboLoss : RegionLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary, Multiclass (default) or Multilabel.</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="alpha">α ∈ [0, 1], the weight of the cross-entropy term (0.5); 1 − α weighs Dice.</param>
        /// <param name="beta">β ∈ [0, 1], the weight of positive entries in the cross-entropy (0.5).</param>
        /// <param name="smooth">s, added to the Dice numerator and denominator (1).</param>
        /// <param name="includeBackground">Whether channel 0 counts (Multiclass/Multilabel).</param>
        /// <param name="batch">One value for the whole batch (default, the author code's) or one per image.</param>
        /// <param name="ignoreIndex">Target value to ignore, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        public ComboLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double alpha = 0.5, double beta = 0.5,
            double smooth = 1.0, bool includeBackground = true, bool batch = true, long? ignoreIndex = null,
            nn.Reduction reduction = nn.Reduction.Mean)
            : base(mode, fromLogits, CheckedSmooth(smooth), smooth, includeBackground, batch, null, ignoreIndex, reduction)
        {
            Arguments.UnitInterval(alpha, nameof(alpha));
            Arguments.UnitInterval(beta, nameof(beta));
            Arguments.Reduction(reduction, nameof(reduction));
            Alpha = alpha;
            Beta = beta;
        }

        /// <summary>Weight of the cross-entropy term.</summary>
        public double Alpha { get; }

        /// <summary>Weight of positive entries in the cross-entropy term.</summary>
        public double Beta { get; }

        /// <inheritdoc/>
        public override string DisplayName => "Combo";

        /// <summary>
        /// mBCE from Multiclass labels without a one-hot tensor: per pixel, Σ_c over the selected classes of
        /// β·[c = y]·ln p_c + (1 − β)·[c ≠ y]·ln(1 − p_c) = (1 − β)·Σ_c ln(1 − p_c) + [y selected]·(β·ln p_y − (1 − β)·ln(1 − p_y)).
        /// ln(1 − p) clamps 1 − p at 1e-7, as the author code clips probabilities.
        /// </summary>
        private Tensor LabelCrossEntropy(SegmentationInputs inputs, Tensor probabilities)
        {
            var logQ = (1.0 - probabilities).clamp_min(Activation.ProbabilityEpsilon).log();
            var index = inputs.Labels!.unsqueeze(1);
            var own = Activation.TrueClassLogProbability(inputs) * Beta - logQ.gather(1, index).squeeze(1) * (1.0 - Beta);
            var selected = ExcludeBackground(logQ, 1);
            long classes = selected.shape[1];
            if (classes < inputs.C) own = own * inputs.Labels.ne(0).to(own.dtype);
            var perPixel = (selected.sum(1) * (1.0 - Beta) + own).neg();
            var valid = inputs.Valid?.squeeze(1);
            if (valid is not null) perPixel = perPixel * valid;
            long[] axes = Batch ? new long[] { 0, 1 } : new long[] { 1 };
            var count = valid is null
                ? tensor((double)(Batch ? inputs.N * inputs.S : inputs.S) * classes, perPixel.dtype, perPixel.device)
                : valid.sum(axes) * (double)classes;
            return PixelReduction.SafeDivide(perPixel.sum(axes), count);
        }

        /// <summary>mBCE from per-entry targets (sigmoid modes, soft labels): the mean over the selected, non-ignored entries.</summary>
        private Tensor DenseCrossEntropy(SegmentationInputs inputs)
        {
            var x = inputs.Input;
            var logP = Activation.LogProbabilities(x, Mode, FromLogits);
            var logQ = Activation.LogOneMinusProbabilities(x, Mode, FromLogits, FromLogits && Mode == LossMode.Multiclass ? logP : null);
            var t = inputs.DenseTarget();
            var entries = (t * logP * Beta + (1.0 - t) * logQ * (1.0 - Beta)).neg();
            var valid = inputs.Valid is null ? ones_like(t) : inputs.Valid.expand_as(t);
            if (inputs.Valid is not null) entries = entries * valid;
            entries = ExcludeBackground(entries, 1);
            valid = ExcludeBackground(valid, 1);
            long[] axes = Batch ? new long[] { 0, 1, 2 } : new long[] { 1, 2 };
            return PixelReduction.SafeDivide(entries.sum(axes), valid.sum(axes));
        }

        /// <summary>Validates s under its own name before the base class stores it as both smoothing terms.</summary>
        private static double CheckedSmooth(double smooth)
        {
            Arguments.NonNegative(smooth, nameof(smooth));
            return smooth;
        }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target) => WithSharedActivations(input, target, () => Terms(input, target));

        /// <summary>The region and pixel terms, sharing one activation of the input.</summary>
        private Tensor Terms(Tensor input, Tensor target)
        {
            var (inputs, probabilities, stats) = StatisticsAndProbabilities(input, target);
            var dice = Ratio(stats.TruePositive * 2.0 + SmoothNumerator, stats.PredictionSum + stats.TargetSum + SmoothDenominator);
            var diceSum = ExcludeBackground(dice).sum(-1);
            var bce = inputs.HasLabels ? LabelCrossEntropy(inputs, probabilities) : DenseCrossEntropy(inputs);
            var perValue = bce * Alpha - diceSum * (1.0 - Alpha);
            if (perValue.dim() == 0) perValue = perValue.unsqueeze(0);
            return reduction switch
            {
                nn.Reduction.None => perValue,
                nn.Reduction.Sum => perValue.sum(),
                _ => perValue.mean(),
            };
        }
    }
}
