using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Pixel-wise cross-entropy: softmax CE for Multiclass, binary CE with logits for Binary/Multilabel.
    /// </summary>
    /// <remarks>
    /// <para>Multiclass, hard labels y: ℓ(x) = −w_y·log p_y(x) with p = softmax(z) and class weights w (1 when none).
    /// Mean is PyTorch's weighted mean Σ_x ℓ(x) / Σ_x w_{y(x)} over non-ignored pixels. With label smoothing ε,
    /// ℓ(x) = (1 − ε)·w_y·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c), still divided by Σ w_y (as torch's
    /// <c>cross_entropy(weight, ignore_index, label_smoothing)</c>).</para>
    /// <para>Multiclass, soft targets g (N, C, *spatial): ℓ(x) = −Σ_c w_c·g'_c·log p_c with g' = (1 − ε)·g + ε/C;
    /// Mean divides by the number of pixels (as torch does for probability targets).</para>
    /// <para>Binary/Multilabel: ℓ = −[w⁺·t'·log σ(z) + (1 − t')·log(1 − σ(z))]·w_c per channel entry, with
    /// w⁺ = <c>posWeight</c>, t' = (1 − ε)·t + ε/2 and w_c the class weight of the channel; Mean is over non-ignored
    /// entries (N·C·pixels), as torch's <c>binary_cross_entropy_with_logits(weight, pos_weight)</c>.</para>
    /// <para>Logs come from log_softmax / logsigmoid, so logits of ±1e4 give finite values and gradients; with
    /// <c>fromLogits: false</c> probabilities are clamped to [1e-7, 1] before the log.</para>
    /// <para>Reduction None returns (N, *spatial) for Multiclass and (N, C, *spatial) for Binary/Multilabel (class
    /// weights applied, ignored pixels 0). If every pixel is ignored (or the non-ignored pixels all have class
    /// weight 0), Mean returns 0 with a zero gradient instead of PyTorch's 0/0 = NaN.</para>
    /// <para><c>pixelMean</c> (<see cref="PixelMean"/>) chooses what Mean divides by: the non-ignored elements
    /// (default, PyTorch's weighted mean above), all elements with ignored ones as zeros (smp's
    /// <c>SoftCrossEntropyLoss</c> and <c>SoftBCEWithLogitsLoss</c> with <c>ignore_index</c>), or C × the non-ignored
    /// pixels (MONAI's softmax focal mean at γ = 0). With class weights the latter two divide by counts: the weights
    /// scale the per-pixel loss but do not normalise it (as torch's <c>reduction="none"</c> followed by <c>.mean()</c>).</para>
    /// <para>Porting smp: <c>SoftCrossEntropyLoss(smooth_factor=ε, ignore_index=i)</c> is
    /// <c>new CrossEntropyLoss(labelSmoothing: ε, ignoreIndex: i, pixelMean: PixelMean.AllElements)</c>;
    /// <c>SoftBCEWithLogitsLoss(smooth_factor=s, ignore_index=i, pos_weight=w)</c> is
    /// <c>new CrossEntropyLoss(LossMode.Binary or Multilabel, labelSmoothing: 2·s, ignoreIndex: i, posWeight: w,
    /// pixelMean: PixelMean.AllElements)</c>, because smp's target (1 − y)·s + y·(1 − s) = (1 − 2s)·y + s is
    /// (1 − ε)·y + ε/2 with ε = 2s (so s ≤ 0.5; smp smooths the ignored entries too, but masks their loss, so
    /// that changes nothing).</para>
    /// <para>On the CPU, plain binary cross-entropy (Binary, Multilabel) of logits against 0/1 targets, without class weights,
    /// posWeight or label smoothing, runs as one autograd node, the focal operation with γ = 0
    /// (<see cref="SegLossSettings.AnalyticBackward"/>): the same values and gradients in fewer passes.</para>
    /// </remarks>
    public sealed class CrossEntropyLoss : SegmentationLoss
    {
        // Buffers; each field is named like its buffer so that module.to(...) rewrites it.
        private Tensor? classWeights;
        private Tensor? posWeight;
        private readonly bool _weightsPositive;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax CE), Binary or Multilabel (BCE with logits).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="classWeights">Optional per-class weights (C): finite, non-negative, not all zero.</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out of value, gradient and mean, or null.</param>
        /// <param name="labelSmoothing">ε in [0, 1]: the target becomes (1 − ε)·target + ε/C (ε/2 for Binary/Multilabel).</param>
        /// <param name="posWeight">Binary/Multilabel only: weight of positive targets, a scalar or one value per channel (C).</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        /// <param name="pixelMean">What Mean divides by: ValidElements (default), AllElements or ChannelEntries (see <see cref="PixelMean"/>).</param>
        public CrossEntropyLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, Tensor? classWeights = null,
            long? ignoreIndex = null, double labelSmoothing = 0.0, Tensor? posWeight = null,
            nn.Reduction reduction = nn.Reduction.Mean, PixelMean pixelMean = PixelMean.ValidElements)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.Defined(pixelMean, nameof(pixelMean));
            Arguments.UnitInterval(labelSmoothing, nameof(labelSmoothing));
            if (posWeight is not null && mode == LossMode.Multiclass)
                throw new ArgumentException($"{nameof(posWeight)} applies to Binary and Multilabel modes only, got mode {mode} (use classWeights for Multiclass)", nameof(posWeight));
            Mode = mode;
            FromLogits = fromLogits;
            IgnoreIndex = ignoreIndex;
            LabelSmoothing = labelSmoothing;
            PixelMean = pixelMean;
            // The float64 copies come after every other check; if posWeight is rejected, the classWeights copy is
            // disposed here rather than left to the finalizer.
            var weights = ClassReduction.ValidateWeights(classWeights, nameof(classWeights));
            Tensor? positive;
            try { positive = Arguments.ChannelWeights(posWeight, nameof(posWeight)); }
            catch { weights?.Dispose(); throw; }
            this.classWeights = weights;
            this.posWeight = positive;
            if (this.classWeights is not null) register_buffer(nameof(classWeights), this.classWeights);
            using (NewDisposeScope()) _weightsPositive = this.classWeights is null || this.classWeights.gt(0).all().item<bool>();
            if (this.posWeight is not null) register_buffer(nameof(posWeight), this.posWeight);
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>The label-smoothing factor ε.</summary>
        public double LabelSmoothing { get; }

        /// <summary>What the Mean reduction divides by.</summary>
        public PixelMean PixelMean { get; }

        /// <summary>The class weights (C) as a float64 buffer, or null.</summary>
        public Tensor? ClassWeights => classWeights;

        /// <summary>The positive-target weight (1 or C entries) as a float64 buffer, or null.</summary>
        public Tensor? PosWeight => posWeight;

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            ClassReduction.CheckWeightCount(classWeights, inputs.C, nameof(classWeights));
            Arguments.ChannelCount(posWeight, inputs.C, nameof(posWeight));
            // Plain binary cross-entropy of CPU logits against 0/1 targets is the focal loss with γ = 0: one analytic operation.
            if (classWeights is null && posWeight is null && LabelSmoothing == 0)
            {
                var analytic = SigmoidFocalTerms.TryReduced(inputs, 0.0, null, reduction, PixelMean);
                if (analytic is not null) return analytic;
            }
            // Binary/Multilabel elements already are channel entries: ChannelEntries is the default there.
            bool counted = reduction == nn.Reduction.Mean && PixelMean != PixelMean.ValidElements
                && !(PixelMean == PixelMean.ChannelEntries && Mode != LossMode.Multiclass);
            var sumOrReduction = counted ? nn.Reduction.Sum : reduction;
            // Beside other losses of the same input, the log_softmax and true-class gather they share beat the fused kernel.
            var value = Mode == LossMode.Multiclass && SharedActivations.Serves(inputs) ? null : FusedCrossEntropy.TryCompute(inputs, FromLogits, IgnoreIndex, classWeights, _weightsPositive, posWeight, LabelSmoothing, sumOrReduction);
            if (value is null)
            {
                var (loss, denominator) = PixelCrossEntropy.Compute(inputs, FromLogits, classWeights, posWeight, LabelSmoothing);
                value = PixelReduction.Reduce(loss, inputs, sumOrReduction, denominator);
            }
            return counted ? PixelReduction.CountedMean(value, inputs, Mode == LossMode.Multiclass, PixelMean) : value;
        }
    }
}
