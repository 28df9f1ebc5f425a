using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Class-balanced binary cross-entropy of HED (Xie and Tu, "Holistically-Nested Edge Detection", ICCV 2015),
    /// for Binary and Multilabel inputs.
    /// </summary>
    /// <remarks>
    /// <para>ℓ = −β·Σ_{Y+} log σ(z) − (1 − β)·Σ_{Y−} log(1 − σ(z)), β = |Y−| / |Y|, 1 − β = |Y+| / |Y|: the rarer
    /// class gets the larger weight, so positives and negatives contribute equal total weight. Soft targets t
    /// count fractionally: |Y+| = Σ t, |Y−| = Σ (1 − t), and each entry contributes
    /// −β·t·log σ(z) − (1 − β)·(1 − t)·log(1 − σ(z)).</para>
    /// <para>β is computed from the target (no gradient) per image and channel (<c>perImage: true</c>, default)
    /// or per channel over the whole batch (<c>perImage: false</c>), counting only non-ignored pixels; or it is the
    /// fixed <c>beta</c> given to the constructor.</para>
    /// <para>Degenerate images: where the counted pixels have no positives or no negatives (or no pixels at all,
    /// everything ignored), the literal formula would weight the only class present by 0 (β = 1 with no
    /// positives), leaving false positives on empty images unpenalised. This implementation uses β = 0.5 there:
    /// positives and negatives both weigh 0.5, i.e. half the plain BCE, which is the value a perfectly balanced
    /// image gets.</para>
    /// <para>Normalisation: Mean is the mean over the non-ignored (pixel, channel) entries of the weighted
    /// per-entry loss, i.e. Σ ℓ / (non-ignored entries); 0 with a zero gradient when all are ignored. Sum is the
    /// sum; None returns the weighted per-entry loss (N, C, *spatial) with ignored entries 0.</para>
    /// <para>Logs come from logsigmoid (stable at logits ±1e4); with <c>fromLogits: false</c> the arguments of
    /// log p and log(1 − p) are clamped at 1e-7.</para>
    /// </remarks>
    public sealed class BalancedCrossEntropyLoss : SegmentationLoss
    {
        /// <summary>β used where an image has no positives or no negatives.</summary>
        public const double DegenerateBeta = 0.5;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary (default) or Multilabel; Multiclass is rejected.</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="beta">A fixed β ∈ [0, 1] (weight of positives, 1 − β for negatives), or null (default) to compute β from the target.</param>
        /// <param name="perImage">When β is computed: per image and channel (default) or per channel over the batch.</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out of the counts and the sums, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        public BalancedCrossEntropyLoss(LossMode mode = LossMode.Binary, bool fromLogits = true, double? beta = null,
            bool perImage = true, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode), LossMode.Binary, LossMode.Multilabel);
            Arguments.Reduction(reduction, nameof(reduction));
            if (beta.HasValue) Arguments.UnitInterval(beta.Value, nameof(beta));
            Mode = mode;
            FromLogits = fromLogits;
            Beta = beta;
            PerImage = perImage;
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>Binary or Multilabel.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>The fixed β, or null when it is computed from the target.</summary>
        public double? Beta { get; }

        /// <summary>Whether a computed β is per image (and channel) rather than per channel over the batch.</summary>
        public bool PerImage { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var x = inputs.Input;
            var t = inputs.Target!.detach();
            var positive = t;
            var negative = 1.0 - t;
            if (inputs.Valid is not null)
            {
                positive = positive * inputs.Valid;
                negative = negative * inputs.Valid;
            }
            var logP = Activation.LogProbabilities(x, Mode, FromLogits);
            var logQ = Activation.LogComplement(x, FromLogits);
            Tensor loss;
            if (Beta.HasValue)
            {
                loss = (positive * logP * Beta.Value + negative * logQ * (1.0 - Beta.Value)).neg();
            }
            else
            {
                var beta = ComputeBeta(positive, negative);
                loss = (positive * logP * beta + negative * logQ * (1.0 - beta)).neg();
            }
            return PixelReduction.Reduce(loss, inputs, reduction);
        }

        /// <summary>β = |Y−| / |Y| per (image, channel) (N, C, 1) or per channel (1, C, 1); 0.5 where degenerate.</summary>
        private Tensor ComputeBeta(Tensor positive, Tensor negative)
        {
            Tensor positives, negatives;
            if (PerImage)
            {
                positives = positive.sum(2, keepdim: true);
                negatives = negative.sum(2, keepdim: true);
            }
            else
            {
                positives = positive.sum(0, 2, keepdim: true);
                negatives = negative.sum(0, 2, keepdim: true);
            }
            var degenerate = positives.le(0).logical_or(negatives.le(0));
            var beta = PixelReduction.SafeDivide(negatives, positives + negatives);
            return beta.where(degenerate.logical_not(), full_like(beta, DegenerateBeta));
        }
    }
}
