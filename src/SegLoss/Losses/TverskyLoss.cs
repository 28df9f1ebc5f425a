using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Tversky loss (Salehi et al., "Tversky loss function for image segmentation using 3D fully convolutional deep
    /// networks", MLMI 2017) and its focal form (Abraham and Khan, "A novel focal Tversky loss function with improved
    /// attention U-Net for lesion segmentation", ISBI 2019).
    /// </summary>
    /// <remarks>
    /// <para>Per class c (per image, or over the batch with <c>batch: true</c>), with TP = Σ p·g, FP = Σ p·(1 − g)
    /// and FN = Σ (1 − p)·g: TI_c = (TP + s_n) / (TP + α·FP + β·FN + s_d); loss per class (1 − TI_c)^γ, then the
    /// (weighted) class mean as in <see cref="DiceLoss"/>.</para>
    /// <para>Conventions: α weighs false positives and β false negatives (MONAI, smp, kornia, Salehi); the defaults
    /// α = 0.3, β = 0.7 are Salehi's best setting and penalise missed foreground more. α = β = 0.5 is Dice and
    /// α = β = 1 Jaccard. Abraham and Khan's code writes α = 0.7 on FN: the same default with the letters
    /// swapped.</para>
    /// <para>γ is the exponent applied to (1 − TI) per class, before the class mean (as in Abraham and Khan; smp
    /// raises the class mean instead). γ = 1 is plain Tversky; the focal Tversky paper uses 0.75 (its 1/γ with
    /// γ = 4/3). For γ &lt; 1 the derivative of x^γ is unbounded at x = 0, so (1 − TI) is clamped at 1e-7 before the
    /// power: a perfect prediction gets a zero, not infinite, gradient.</para>
    /// <para>Absent classes behave as in <see cref="DiceLoss"/> (same smoothing defaults, 1e-5).</para>
    /// </remarks>
    public sealed class TverskyLoss : RegionLoss
    {
        private const double PowerClamp = 1e-7;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary, Multiclass (default) or Multilabel.</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="alpha">Weight α of false positives (0.3).</param>
        /// <param name="beta">Weight β of false negatives (0.7).</param>
        /// <param name="gamma">Exponent γ &gt; 0 applied to (1 − TI) per class (1 = Tversky; 0.75 = focal Tversky).</param>
        /// <param name="smoothNumerator">s_n, added to the numerator (1e-5).</param>
        /// <param name="smoothDenominator">s_d, added to the denominator (1e-5).</param>
        /// <param name="includeBackground">Whether channel 0 counts (Multiclass/Multilabel).</param>
        /// <param name="batch">Sum statistics over the batch before the ratio.</param>
        /// <param name="classWeights">Optional per-class weights (C).</param>
        /// <param name="ignoreIndex">Target value to ignore, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None ((N, C), or (C) with <c>batch</c>).</param>
        public TverskyLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double alpha = 0.3, double beta = 0.7,
            double gamma = 1.0, double smoothNumerator = 1e-5, double smoothDenominator = 1e-5, bool includeBackground = true,
            bool batch = false, Tensor? classWeights = null, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(Checked(mode, alpha, beta, gamma, reduction), fromLogits, smoothNumerator, smoothDenominator, includeBackground, batch, classWeights, ignoreIndex, reduction)
        {
            Alpha = alpha;
            Beta = beta;
            Gamma = gamma;
        }

        /// <summary>
        /// Checks this loss's own options and returns <paramref name="mode"/>. It runs as a base-constructor argument,
        /// before <see cref="RegionLoss"/> registers the classWeights buffer, so a rejected option leaves no tensor behind.
        /// </summary>
        private static LossMode Checked(LossMode mode, double alpha, double beta, double gamma, nn.Reduction reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.NonNegative(alpha, nameof(alpha));
            Arguments.NonNegative(beta, nameof(beta));
            CheckPositive(gamma, nameof(gamma));
            return mode;
        }

        /// <summary>Weight of false positives.</summary>
        public double Alpha { get; }

        /// <summary>Weight of false negatives.</summary>
        public double Beta { get; }

        /// <summary>Exponent applied to (1 − TI) per class.</summary>
        public double Gamma { get; }

        /// <inheritdoc/>
        public override string DisplayName => Gamma == 1.0 ? "Tversky" : "FocalTversky";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var (_, stats) = Statistics(input, target);
            var tp = stats.TruePositive;
            var denominator = tp + stats.FalsePositive * Alpha + stats.FalseNegative * Beta + SmoothDenominator;
            var index = Ratio(tp + SmoothNumerator, denominator);
            var perClass = 1.0 - index;
            if (Gamma != 1.0) perClass = perClass.clamp_min(PowerClamp).pow(Gamma);
            return ReduceClasses(perClass);
        }
    }
}
