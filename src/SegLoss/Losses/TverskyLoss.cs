using System;
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
    /// (weighted) class mean by the <c>classMean</c> rule as in <see cref="DiceLoss"/> (<see cref="SegLoss.ClassMean"/>).
    /// With <c>gammaPlacement: OnClassMean</c> the power comes after the mean instead: (mean_c (1 − TI_c))^γ.</para>
    /// <para>Conventions: α weighs false positives and β false negatives (MONAI, smp, kornia, Salehi); the defaults
    /// α = 0.3, β = 0.7 are Salehi's best setting and penalise missed foreground more. α = β = 0.5 is Dice and
    /// α = β = 1 Jaccard. Abraham and Khan's code writes α = 0.7 on FN: the same default with the letters
    /// swapped.</para>
    /// <para>γ is by default the exponent applied to (1 − TI) per class, before the class mean (as in Abraham and Khan,
    /// <see cref="GammaPlacement.PerClass"/>); smp <c>TverskyLoss(gamma=γ)</c> and JunMa11/SegLoss
    /// <c>FocalTversky_loss</c> raise the class mean instead (<see cref="GammaPlacement.OnClassMean"/>, Mean reduction
    /// only). γ = 1 is plain Tversky, where both placements agree; the focal Tversky paper uses 0.75 (its 1/γ with
    /// γ = 4/3). For γ &lt; 1 the derivative of x^γ is unbounded at x = 0, so the base (1 − TI, or the class mean) is
    /// clamped at 1e-7 before the power: a perfect prediction gets a zero, not infinite, gradient (smp's and
    /// JunMa11's powers are unclamped: infinite there).</para>
    /// <para>Porting: smp <c>TverskyLoss(mode, alpha=a, beta=b, gamma=γ)</c> (smooth = 0) is
    /// <c>TverskyLoss(mode, alpha: a, beta: b, gamma: γ, smoothNumerator: 0, smoothDenominator: 0, batch: true,
    /// classMean: ClassMean.AbsentAsZero, gammaPlacement: GammaPlacement.OnClassMean)</c>; JunMa11
    /// <c>FocalTversky_loss({smooth: 1, batch_dice: False, do_bg: True}, gamma=γ)</c> on softmax probabilities is
    /// <c>TverskyLoss(fromLogits: false, gamma: γ, smoothNumerator: 1, smoothDenominator: 1,
    /// gammaPlacement: GammaPlacement.OnClassMean)</c> (its α = 0.3 on FP and β = 0.7 on FN are the defaults here).</para>
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
        /// <param name="reduction">Mean (default), Sum or None ((N, C), or (C) with <c>batch</c>); only Mean with
        /// <see cref="GammaPlacement.OnClassMean"/>.</param>
        /// <param name="classMean">How per-class values become the Mean and whether absent classes count
        /// (<see cref="ClassMean.WeightSum"/> by default).</param>
        /// <param name="gammaPlacement">Where γ goes: on each class (<see cref="GammaPlacement.PerClass"/>, default) or on
        /// the class mean (<see cref="GammaPlacement.OnClassMean"/>, smp and JunMa11/SegLoss).</param>
        public TverskyLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double alpha = 0.3, double beta = 0.7,
            double gamma = 1.0, double smoothNumerator = 1e-5, double smoothDenominator = 1e-5, bool includeBackground = true,
            bool batch = false, Tensor? classWeights = null, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean,
            ClassMean classMean = ClassMean.WeightSum, GammaPlacement gammaPlacement = GammaPlacement.PerClass)
            : base(Checked(mode, alpha, beta, gamma, reduction, gammaPlacement), fromLogits, smoothNumerator, smoothDenominator, includeBackground, batch, classWeights, ignoreIndex, reduction, classMean)
        {
            Alpha = alpha;
            Beta = beta;
            Gamma = gamma;
            GammaPlacement = gammaPlacement;
        }

        /// <summary>
        /// Checks this loss's own options and returns <paramref name="mode"/>. It runs as a base-constructor argument,
        /// before <see cref="RegionLoss"/> registers the classWeights buffer, so a rejected option leaves no tensor behind.
        /// </summary>
        private static LossMode Checked(LossMode mode, double alpha, double beta, double gamma, nn.Reduction reduction, GammaPlacement gammaPlacement)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.NonNegative(alpha, nameof(alpha));
            Arguments.NonNegative(beta, nameof(beta));
            CheckPositive(gamma, nameof(gamma));
            Arguments.Defined(gammaPlacement, nameof(gammaPlacement));
            // (mean L)^γ is one number: there is no per-entry map for None, and a "sum" of it would only rename the mean.
            if (gammaPlacement == GammaPlacement.OnClassMean && reduction != nn.Reduction.Mean)
                throw new ArgumentException($"{nameof(gammaPlacement)} OnClassMean raises the class mean to γ and needs {nameof(reduction)} Mean, got {nameof(reduction)} {reduction}", nameof(gammaPlacement));
            return mode;
        }

        /// <summary>Weight of false positives.</summary>
        public double Alpha { get; }

        /// <summary>Weight of false negatives.</summary>
        public double Beta { get; }

        /// <summary>The exponent γ, applied to (1 − TI) per class or to the class mean (<see cref="GammaPlacement"/>).</summary>
        public double Gamma { get; }

        /// <summary>Where γ is applied.</summary>
        public GammaPlacement GammaPlacement { get; }

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
            if (Gamma == 1.0) return ReduceClasses(perClass, stats.TargetSum);
            if (GammaPlacement == GammaPlacement.OnClassMean)
                return ReduceClasses(perClass, stats.TargetSum).clamp_min(PowerClamp).pow(Gamma);
            return ReduceClasses(perClass.clamp_min(PowerClamp).pow(Gamma), stats.TargetSum);
        }
    }
}
