using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Asymmetric focal loss (Yeung, Sala, Schönlieb and Rundo, "Unified Focal loss: Generalising Dice and cross
    /// entropy-based losses to handle class imbalanced medical image segmentation", Computerized Medical Imaging and
    /// Graphics 95, 102026, 2022): a cross-entropy whose focal down-weighting applies to the background only, so that
    /// the rare foreground classes keep their full gradient.
    /// </summary>
    /// <remarks>
    /// <para>Per pixel, with channel 0 the background: ℓ = (1 − δ)·(1 − p_0)^γ·(−g_0·ln p_0) + δ·Σ_{c≥1} (−g_c·ln p_c);
    /// the background is suppressed by the focal factor, every foreground class enhanced (no focal factor, weight δ).
    /// Mean is the mean over non-ignored pixels (the paper's 1/N and the author code's <c>mean(sum over classes)</c>);
    /// Sum the sum; None returns (N, *spatial). If every pixel is ignored Mean returns 0 with a zero gradient.</para>
    /// <para>Modes: Multiclass (softmax; hard labels or soft targets g) is the paper's multiclass form — MONAI and the
    /// author code index only channels 0 and 1 (binary segmentation), and channels 1…C−1 are here every foreground
    /// class. Binary (sigmoid) is the two channels [1 − p, p]: ℓ = (1 − δ)·p^γ·(−(1 − t)·ln(1 − p)) + δ·(−t·ln p).</para>
    /// <para>Defaults δ = 0.7 and γ = 2 are the author code's and MONAI's. Numerics: ln p comes from log_softmax /
    /// logsigmoid and 1 − p_0 = −expm1(ln p_0) without cancellation, its power floored at 1e-30 so that γ &lt; 1 keeps
    /// finite gradients; MONAI instead clamps every probability to [1e-7, 1 − 1e-7] first, so the two agree whenever
    /// every probability lies in that range. Probability inputs (<c>fromLogits: false</c>, MONAI's convention) clamp
    /// at 1e-7 before the logs.</para>
    /// </remarks>
    public sealed class AsymmetricFocalLoss : SegmentationLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax; channel 0 is the background) or Binary (sigmoid, the two channels [1 − p, p]).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities (as MONAI takes them).</param>
        /// <param name="delta">δ ∈ [0, 1], the weight of the foreground classes; 1 − δ weighs the background (0.7).</param>
        /// <param name="gamma">γ ≥ 0, the focal exponent that suppresses the background (2).</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None ((N, *spatial)).</param>
        public AsymmetricFocalLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double delta = 0.7, double gamma = 2.0,
            long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode), LossMode.Multiclass, LossMode.Binary);
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.UnitInterval(delta, nameof(delta));
            Arguments.NonNegative(gamma, nameof(gamma));
            Mode = mode;
            FromLogits = fromLogits;
            Delta = delta;
            Gamma = gamma;
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>Multiclass or Binary.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>Weight δ of the foreground classes (1 − δ for the background).</summary>
        public double Delta { get; }

        /// <summary>Focal exponent γ of the background term.</summary>
        public double Gamma { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            return PixelReduction.Reduce(AsymmetricFocalTerms.FocalPerPixel(inputs, Delta, Gamma), inputs, reduction);
        }
    }
}
