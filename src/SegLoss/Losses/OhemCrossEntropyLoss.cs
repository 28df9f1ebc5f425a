using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Online hard example mining (OHEM) cross-entropy: cross-entropy averaged over the pixels whose true-class
    /// probability is below a threshold, and over at least a minimum number of the hardest pixels (Shrivastava,
    /// Gupta and Girshick, "Training Region-based Object Detectors with Online Hard Example Mining", CVPR 2016;
    /// pixel form of mmsegmentation's <c>OHEMPixelSampler</c>).
    /// </summary>
    /// <remarks>
    /// <para>Per pixel, ℓ(x) = −w_y·log p_y(x) (Multiclass, softmax, hard labels only) or
    /// ℓ(x) = −w·[t·log σ(z) + (1 − t)·log(1 − σ(z))] (Binary), and the true-class probability
    /// p_true(x) = exp(−ℓ(x)/w): p_y for Multiclass, σ(z) for t = 1 and 1 − σ(z) for t = 0 in Binary mode
    /// (σ(z)^t·(1 − σ(z))^(1 − t) for a soft t).</para>
    /// <para>Selection (gradient-free, over the whole batch as mmseg): with M = min(<c>minKept</c>·N, V), V the
    /// number of valid pixels and p_(M) the M-th smallest p_true among them, a valid pixel is kept when
    /// p_true &lt; <c>threshold</c> or p_true ≤ p_(M); i.e. the effective threshold is max(threshold, p_(M)) and at
    /// least M pixels are kept (every pixel tied with p_(M) is kept). Ignored pixels are never kept.
    /// <c>threshold</c> = 0 keeps exactly the M hardest pixels (plus ties); M = V keeps every valid pixel.</para>
    /// <para>Differences from mmseg: mmseg compares strictly with its element at 0-based index min_kept (so with
    /// min_kept at least the pixel count it drops the most confident pixel) and averages the 0/1-weighted loss
    /// over all pixels, not over the kept ones. Here Mean is Σ_kept ℓ / Σ_kept w_y (CE's weighted mean over the
    /// kept pixels; Σ_kept 1 without class weights or in Binary mode, as CE's BCE mean), so with every pixel
    /// kept the loss equals <see cref="CrossEntropyLoss"/>. Sum is Σ_kept ℓ; None returns ℓ at kept pixels and 0
    /// elsewhere, (N, *spatial) for Multiclass and (N, 1, *spatial) for Binary. If nothing is kept the result is
    /// 0 with a zero gradient.</para>
    /// <para><c>pixelMean</c> (<see cref="PixelMean"/>): ValidElements (default) is the mean over the kept pixels
    /// above; AllElements divides Σ_kept ℓ by all N·spatial pixels (the pixels not kept and the ignored ones count as
    /// zeros), which is mmseg's reduction — its <c>CrossEntropyLoss(avg_non_ignore=False)</c> (the default) multiplies
    /// the per-pixel loss by the sampler's 0/1 weight and takes <c>.mean()</c>. ChannelEntries has no meaning for a
    /// pixel selection and is rejected.</para>
    /// <para>The default <c>minKept</c> = 100000 per image is mmseg's Cityscapes value; on images with fewer
    /// pixels every valid pixel is kept and the loss is plain cross-entropy, so lower it for small crops.</para>
    /// </remarks>
    public sealed class OhemCrossEntropyLoss : SegmentationLoss
    {
        // Buffer; the field is named like the buffer so that module.to(...) rewrites it.
        private Tensor? classWeights;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax CE on integer labels) or Binary (BCE with logits).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="threshold">Pixels with true-class probability below it are kept, in [0, 1] (0.7 as mmseg configs).</param>
        /// <param name="minKept">At least this many hardest valid pixels per image in the batch are kept (≥ 0; 100000 as mmseg).</param>
        /// <param name="classWeights">Optional per-class weights (C): finite, non-negative, not all zero.</param>
        /// <param name="ignoreIndex">Target value whose pixels are never kept, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        /// <param name="pixelMean">ValidElements (default): Mean over the kept pixels; AllElements: over all pixels (mmseg). ChannelEntries is rejected.</param>
        public OhemCrossEntropyLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double threshold = 0.7,
            long minKept = 100000, Tensor? classWeights = null, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean,
            PixelMean pixelMean = PixelMean.ValidElements)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode), LossMode.Multiclass, LossMode.Binary);
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.Defined(pixelMean, nameof(pixelMean));
            if (pixelMean == PixelMean.ChannelEntries)
                throw new ArgumentException($"{nameof(pixelMean)} {pixelMean} has no meaning for the OHEM pixel selection; use ValidElements (mean over the kept pixels) or AllElements (over all pixels, as mmseg)", nameof(pixelMean));
            Arguments.UnitInterval(threshold, nameof(threshold));
            if (minKept < 0)
                throw new ArgumentException($"{nameof(minKept)} must be non-negative, got {minKept}", nameof(minKept));
            Mode = mode;
            FromLogits = fromLogits;
            Threshold = threshold;
            MinKept = minKept;
            IgnoreIndex = ignoreIndex;
            PixelMean = pixelMean;
            this.classWeights = ClassReduction.ValidateWeights(classWeights, nameof(classWeights));
            if (this.classWeights is not null) register_buffer(nameof(classWeights), this.classWeights);
        }

        /// <summary>How channels relate to the target (Multiclass or Binary).</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>Pixels whose true-class probability is below this value are kept.</summary>
        public double Threshold { get; }

        /// <summary>The minimum number of kept pixels per image in the batch (before capping at the valid count).</summary>
        public long MinKept { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>What the Mean reduction divides by: the kept pixels (ValidElements) or all pixels (AllElements).</summary>
        public PixelMean PixelMean { get; }

        /// <summary>The class weights (C) as a float64 buffer, or null.</summary>
        public Tensor? ClassWeights => classWeights;

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            if (Mode == LossMode.Multiclass && !inputs.HasLabels)
                throw new ArgumentException($"target has shape {Shapes.Format(target.shape)} (soft labels) but {nameof(OhemCrossEntropyLoss)} selects pixels by their true class and needs integer labels of shape {Shapes.Format(new[] { inputs.N }.Concat(inputs.Spatial))}", nameof(target));
            ClassReduction.CheckWeightCount(classWeights, inputs.C, nameof(classWeights));

            // Unweighted per-pixel CE (N, S) or (N, 1, S), zero at ignored pixels; p_true = exp(−CE).
            var ce = FusedCrossEntropy.TryPerElement(inputs, FromLogits, null, null, 0.0)
                ?? PixelCrossEntropy.Compute(inputs, FromLogits).loss;
            var nll = ce.reshape(inputs.N, inputs.S);
            var mask = PixelReduction.Mask(inputs, ce)?.reshape(inputs.N, inputs.S);
            Tensor? weight = classWeights?.to(nll.dtype, nll.device);
            if (weight is not null && inputs.Labels is not null)
                weight = weight.index_select(0, inputs.Labels.reshape(-1)).reshape(inputs.N, inputs.S);

            var keep = Select(nll, mask, inputs.N);
            var loss = weight is null ? nll : nll * weight;
            var kept = loss * keep;
            switch (reduction)
            {
                case nn.Reduction.None:
                    return PixelReduction.Reduce(kept.reshape(ce.shape), inputs, reduction);
                case nn.Reduction.Sum:
                    return kept.sum();
                default:
                    if (PixelMean == PixelMean.AllElements) return kept.mean();
                    var denominator = weight is not null && inputs.Labels is not null ? (keep * weight).sum() : keep.sum();
                    return PixelReduction.SafeDivide(kept.sum(), denominator);
            }
        }

        /// <summary>The 0/1 keep mask (N, S) in the loss dtype, computed without gradient.</summary>
        private Tensor Select(Tensor nll, Tensor? mask, long images)
        {
            var probability = nll.detach().neg().exp();
            long valid = mask is null ? nll.numel() : mask.sum(ScalarType.Int64).item<long>();
            // M = min(minKept·N, V) without overflow: minKept > ⌊V/N⌋ implies minKept·N > V.
            long budget = MinKept > valid / images ? valid : Math.Min(MinKept * images, valid);
            var keep = probability.lt(Threshold);
            if (budget == valid)
            {
                keep = ones_like(keep);
            }
            else if (budget > 0)
            {
                var scores = (mask is null ? probability : probability.masked_fill(mask.eq(0), double.PositiveInfinity)).flatten();
                var mth = budget <= int.MaxValue
                    ? scores.topk((int)budget, largest: false, sorted: false).values.max()
                    : scores.sort().Values[budget - 1];
                keep = keep.logical_or_(probability.le(mth));
            }
            if (mask is not null) keep = keep.logical_and_(mask.ne(0));
            return keep.to(nll.dtype);
        }
    }
}
