using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Asymmetric focal Tversky loss (Yeung, Sala, Schönlieb and Rundo, "Unified Focal loss: Generalising Dice and
    /// cross entropy-based losses to handle class imbalanced medical image segmentation", Computerized Medical Imaging
    /// and Graphics 95, 102026, 2022): a Tversky loss whose focal exponent enhances the foreground classes only.
    /// </summary>
    /// <remarks>
    /// <para>Per image and class c (over the batch with <c>batch: true</c>), with TP = Σ p·g, FN = Σ (1 − p)·g and
    /// FP = Σ p·(1 − g): TI_c = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s). The background (channel 0) contributes
    /// 1 − TI_0, each foreground class (1 − TI_c)^(1 − γ), which for 0 &lt; γ &lt; 1 lifts small losses and so enhances
    /// the rare classes. Mean is the mean over images and classes (as MONAI's and the author code's
    /// <c>mean(stack([back, fore]))</c>), Sum the sum, None returns (N, C) — or (C) with <c>batch</c>; Binary mode has
    /// the two columns [background, foreground].</para>
    /// <para>Modes: Multiclass (softmax; channel 0 is the background, channels 1…C−1 every foreground class) is the
    /// paper's multiclass form — MONAI's class handles channels 0 and 1 only. Binary (sigmoid) is the two channels
    /// [1 − p, p]. Soft targets use <see cref="TverskyLoss"/>'s TP, (P + G − Σ|p − g|)/2, which equals Σ p·g for 0/1
    /// targets and makes p = g a perfect score.</para>
    /// <para>Conventions: δ weighs false negatives and 1 − δ false positives (the author code and MONAI; δ &gt; 0.5
    /// penalises missed foreground more). Defaults δ = 0.7, γ = 0.75 and s = 1e-7 (MONAI's epsilon) are MONAI's and
    /// the author code's. γ must lie in [0, 1): γ = 1 would make the foreground term constant and γ &gt; 1 reward
    /// errors. The derivative of u^(1 − γ) is unbounded at u = 1 − TI = 0, so the foreground's 1 − TI is clamped at
    /// 1e-7 before the power, as in <see cref="TverskyLoss"/> and MONAI's current code: a perfect prediction gets a
    /// zero, not infinite, gradient, and each foreground class there scores 1e-7^(1 − γ) (0.018 at γ = 0.75), which
    /// remains the minimum. MONAI's first version writes (1 − TI)·(1 − TI)^(−γ) unclamped (finite only because it
    /// clamps probabilities to [1e-7, 1 − 1e-7]); the values agree whenever 1 − TI ≥ 1e-7 and every probability lies
    /// in that range.</para>
    /// </remarks>
    public sealed class AsymmetricFocalTverskyLoss : SegmentationLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax; channel 0 is the background) or Binary (sigmoid, the two channels [1 − p, p]).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities (as MONAI takes them).</param>
        /// <param name="delta">δ ∈ [0, 1], the weight of false negatives; 1 − δ weighs false positives (0.7).</param>
        /// <param name="gamma">γ ∈ [0, 1), the foreground classes' loss is raised to 1 − γ (0.75).</param>
        /// <param name="smooth">s ≥ 0, added to the numerator and denominator of each Tversky index (1e-7).</param>
        /// <param name="batch">Sum the statistics over the batch before the index.</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None ((N, C), or (C) with <c>batch</c>).</param>
        public AsymmetricFocalTverskyLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double delta = 0.7,
            double gamma = 0.75, double smooth = 1e-7, bool batch = false, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode), LossMode.Multiclass, LossMode.Binary);
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.UnitInterval(delta, nameof(delta));
            CheckEnhancement(gamma, nameof(gamma));
            Arguments.NonNegative(smooth, nameof(smooth));
            Mode = mode;
            FromLogits = fromLogits;
            Delta = delta;
            Gamma = gamma;
            Smooth = smooth;
            Batch = batch;
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>Multiclass or Binary.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>Weight δ of false negatives (1 − δ for false positives).</summary>
        public double Delta { get; }

        /// <summary>γ: the foreground classes' 1 − TI is raised to 1 − γ.</summary>
        public double Gamma { get; }

        /// <summary>Constant added to the numerator and denominator of each index.</summary>
        public double Smooth { get; }

        /// <summary>Whether the statistics are summed over the batch before the index.</summary>
        public bool Batch { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var perClass = AsymmetricFocalTerms.TverskyPerClass(inputs, Delta, Gamma, Smooth, Batch);
            return reduction switch
            {
                nn.Reduction.None => perClass,
                nn.Reduction.Sum => perClass.sum(),
                _ => perClass.mean(),
            };
        }

        /// <summary>γ ∈ [0, 1): the enhancing exponent 1 − γ must be positive.</summary>
        internal static void CheckEnhancement(double gamma, string paramName)
        {
            if (!(gamma >= 0 && gamma < 1))
                throw new ArgumentException($"{paramName} must be in [0, 1) (the foreground term is (1 − TI)^(1 − {paramName})), got {gamma}", paramName);
        }
    }
}
