using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Sensitivity-specificity loss (Brosch et al., "Deep Convolutional Encoder Networks for Multiple Sclerosis
    /// Lesion Segmentation", MICCAI 2015; NiftyNet <c>sensitivity_specificity_loss</c>, JunMa11/SegLoss
    /// <c>SSLoss</c>): the mean squared error on the object and on the background, each normalised by its own size
    /// and mixed by r, so a tiny object is not swamped by the background.
    /// </summary>
    /// <remarks>
    /// <para>Per image and class (or per class over the batch with <c>batch: true</c>), with p the softmax
    /// (Multiclass) or sigmoid (Binary/Multilabel) probabilities and g the target (one-hot for labels):
    /// SS_c = r·Σ(g − p)²·g / (Σg + s) + (1 − r)·Σ(g − p)²·(1 − g) / (Σ(1 − g) + s), r = 0.1 and s = 1e-5 by
    /// default. The first term is the error on the object (1 − sensitivity for hard predictions), the second the
    /// error on the background (1 − specificity). SS is in [0, 1] and 0 exactly when p = g.</para>
    /// <para>Empty sets: a class absent from the image (Σg = 0) has no object error, so its first term is 0; a class
    /// covering every pixel (Σ(1 − g) = 0) has no background term. With s &gt; 0 this is what the formula gives; with
    /// s = 0 the 0/0 is defined as 0, with a zero gradient, so finite inputs never give NaN.</para>
    /// <para>Ignored pixels (<c>ignoreIndex</c>) are left out of all four sums. Classes: all channels by default
    /// (<c>includeBackground: true</c>, JunMa11's <c>do_bg=True</c>). Reduction None returns (N, K) per image and
    /// selected class, or (K) with <c>batch</c>; Mean and Sum reduce those.</para>
    /// <para>Peers: JunMa11's <c>SSLoss</c> smooths both denominators with 1 (<c>smoothDenominator: 1</c> here)
    /// and calls the object term "specificity"; the formula is the same.</para>
    /// </remarks>
    public sealed class SensitivitySpecificityLoss : RegionLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary, Multiclass (default) or Multilabel.</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="r">Weight r of the object (sensitivity) term, 1 − r of the background term; in [0, 1], 0.1 by default.</param>
        /// <param name="smoothDenominator">s, added to both denominators (1e-5); finite, ≥ 0.</param>
        /// <param name="includeBackground">Whether channel 0 counts (Multiclass/Multilabel).</param>
        /// <param name="batch">Sum over the batch before the ratios (one value per class).</param>
        /// <param name="ignoreIndex">Target value to ignore, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        /// <param name="classMean">How per-class values become the Mean: the plain mean (default; this loss has no class
        /// weights, so <see cref="ClassMean.EntryCount"/> is the same), or <see cref="ClassMean.AbsentAsZero"/> to drop the
        /// background error of classes absent from the target (it still counts in the mean).</param>
        public SensitivitySpecificityLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double r = 0.1,
            double smoothDenominator = 1e-5, bool includeBackground = true, bool batch = false, long? ignoreIndex = null,
            nn.Reduction reduction = nn.Reduction.Mean, ClassMean classMean = ClassMean.WeightSum)
            : base(mode, fromLogits, 0.0, smoothDenominator, includeBackground, batch, null, ignoreIndex, reduction, classMean)
        {
            // The base registers no tensor (no classWeights here), so checking after it leaves nothing behind.
            Arguments.UnitInterval(r, nameof(r));
            R = r;
        }

        /// <summary>The weight r of the object (sensitivity) term.</summary>
        public double R { get; }

        /// <inheritdoc/>
        public override string DisplayName => "SensitivitySpecificity";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var p = Activation.Probabilities(inputs);
            var g = inputs.DenseTarget(); // ignored entries are 0
            var valid = inputs.Valid;
            var error = (g - p).square();
            if (valid is not null) error = error * valid;
            var complement = 1.0 - g;
            var objectError = (error * g).sum(2);
            var backgroundError = (error * complement).sum(2);
            var objectSize = g.sum(2);
            var backgroundSize = valid is null
                ? inputs.S - objectSize
                : (complement * valid).sum(2);
            if (Batch)
            {
                objectError = objectError.sum(dim: 0);
                backgroundError = backgroundError.sum(dim: 0);
                objectSize = objectSize.sum(dim: 0);
                backgroundSize = backgroundSize.sum(dim: 0);
            }
            var sensitivity = PixelReduction.SafeDivide(objectError, objectSize + SmoothDenominator);
            var specificity = PixelReduction.SafeDivide(backgroundError, backgroundSize + SmoothDenominator);
            return ReduceClasses(sensitivity * R + specificity * (1 - R), objectSize);
        }
    }
}
