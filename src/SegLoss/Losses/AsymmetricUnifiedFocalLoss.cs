using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Asymmetric unified focal loss (Yeung, Sala, Schönlieb and Rundo, "Unified Focal loss: Generalising Dice and
    /// cross entropy-based losses to handle class imbalanced medical image segmentation", Computerized Medical Imaging
    /// and Graphics 95, 102026, 2022): λ·<see cref="AsymmetricFocalLoss"/> + (1 − λ)·<see cref="AsymmetricFocalTverskyLoss"/>
    /// with one δ and one γ shared by both parts.
    /// </summary>
    /// <remarks>
    /// <para>L = λ·L_aF + (1 − λ)·L_aFT, L_aF the mean over pixels of
    /// (1 − δ)·(1 − p_0)^γ·(−g_0·ln p_0) + δ·Σ_{c≥1} (−g_c·ln p_c) and L_aFT the mean over images and classes of
    /// 1 − TI_0 (background) and (1 − TI_c)^(1 − γ) (foreground), TI_c = (TP + s)/(TP + δ·FN + (1 − δ)·FP + s). So γ
    /// both suppresses the background's cross-entropy and enhances the foreground's Tversky term, and δ weighs the
    /// foreground in the first part and false negatives in the second — as the paper, the author code and MONAI pass
    /// their gamma and delta to both parts. The two parts come from one activation of the input (one log_softmax and
    /// one gather for logits and labels). Numerics and modes as in the two parts; see there.</para>
    /// <para>Defaults λ = 0.5, δ = 0.6, γ = 0.5 are the paper's and the author code's (and MONAI's current ones);
    /// MONAI's first, binary-only version defaults to δ = 0.7. The author code weighs the Tversky part by λ; with the
    /// default 0.5 the difference vanishes. MONAI's current class averages the focal part over classes too, giving
    /// (λ/C)·L_aF + (1 − λ)·L_aFT: that is <c>(λ / C) * new AsymmetricFocalLoss(...) + (1 − λ) * new
    /// AsymmetricFocalTverskyLoss(...)</c>.</para>
    /// <para>Reduction: Mean only — the parts average over different sets (pixels, and images × classes), so no
    /// per-element map exists; None and Sum are rejected (compose the two parts for other reductions).</para>
    /// </remarks>
    public sealed class AsymmetricUnifiedFocalLoss : SegmentationLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax; channel 0 is the background) or Binary (sigmoid, the two channels [1 − p, p]).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities (as MONAI takes them).</param>
        /// <param name="weight">λ ∈ [0, 1], the weight of the asymmetric focal part; 1 − λ weighs the focal Tversky part (0.5).</param>
        /// <param name="delta">δ ∈ [0, 1], shared by both parts (0.6).</param>
        /// <param name="gamma">γ ∈ [0, 1), shared by both parts (0.5).</param>
        /// <param name="smooth">s ≥ 0 of the Tversky index (1e-7).</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out of both parts, or null.</param>
        /// <param name="reduction">Mean (the only one supported).</param>
        public AsymmetricUnifiedFocalLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double weight = 0.5,
            double delta = 0.6, double gamma = 0.5, double smooth = 1e-7, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode), LossMode.Multiclass, LossMode.Binary);
            Arguments.UnitInterval(weight, nameof(weight));
            Arguments.UnitInterval(delta, nameof(delta));
            AsymmetricFocalTverskyLoss.CheckEnhancement(gamma, nameof(gamma));
            Arguments.NonNegative(smooth, nameof(smooth));
            // An undefined value is reported as such (with the defined ones) before the Mean-only rule.
            Arguments.Reduction(reduction, nameof(reduction));
            if (reduction != nn.Reduction.Mean)
                throw new ArgumentException($"{nameof(reduction)} must be Mean for the asymmetric unified focal loss (its parts average over pixels and over images × classes respectively), got {reduction}", nameof(reduction));
            Mode = mode;
            FromLogits = fromLogits;
            Weight = weight;
            Delta = delta;
            Gamma = gamma;
            Smooth = smooth;
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>Multiclass or Binary.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>Weight λ of the asymmetric focal part.</summary>
        public double Weight { get; }

        /// <summary>δ of both parts.</summary>
        public double Delta { get; }

        /// <summary>γ of both parts.</summary>
        public double Gamma { get; }

        /// <summary>Constant added to the numerator and denominator of each Tversky index.</summary>
        public double Smooth { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target) => WithSharedActivations(input, target, () => Terms(input, target));

        /// <summary>Both parts from one validation and one activation of the input.</summary>
        private Tensor Terms(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var focal = PixelReduction.Reduce(AsymmetricFocalTerms.FocalPerPixel(inputs, Delta, Gamma), inputs, nn.Reduction.Mean);
            var tversky = AsymmetricFocalTerms.TverskyPerClass(inputs, Delta, Gamma, Smooth, batch: false).mean();
            return focal * Weight + tversky * (1.0 - Weight);
        }
    }
}
