using System;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Top-k ("bootstrapped") cross-entropy: the mean of the k% largest per-pixel cross-entropy values (Wu, Shen and
    /// van den Hengel, "Bridging Category-level and Instance-level Semantic Image Segmentation", 2016; nnU-Net's
    /// <c>TopKLoss</c>, Isensee et al., Nature Methods 18, 2021).
    /// </summary>
    /// <remarks>
    /// <para>Per-element loss ℓ as in <see cref="CrossEntropyLoss"/>: Multiclass softmax CE per pixel,
    /// ℓ(x) = −w_y·log p_y(x) (with label smoothing ε: (1 − ε)·w_y·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c), soft
    /// targets −Σ_c w_c·g'_c·log p_c); Binary/Multilabel BCE per channel entry (each (image, channel, pixel) entry
    /// is one candidate).</para>
    /// <para>Selection: the K = max(1, ⌊V·k/100⌋) largest values of ℓ are kept, V being the number of
    /// candidates, over the whole batch (default) or per image (<c>perImage: true</c>, V and K per image). The
    /// selection itself carries no gradient; the kept values do.</para>
    /// <para>Ignored pixels and the budget (<c>pixelMean</c>, <see cref="PixelMean"/>): by default
    /// (<see cref="PixelMean.ValidElements"/>) ignored pixels are never candidates and V counts the non-ignored ones.
    /// <see cref="PixelMean.AllElements"/> is nnU-Net's <c>TopKLoss(ignore_index, k)</c>: every element is a candidate,
    /// an ignored one with loss 0, so V counts all N·S pixels of the pool (N·C·S entries in the sigmoid modes) and the
    /// ignored zeros dilute the budget; nnU-Net pools the whole batch (its <c>res.view(-1)</c>), which is
    /// <c>perImage: false</c>. <see cref="PixelMean.ChannelEntries"/> has no meaning here (the selection is over
    /// pixels) and is rejected. K is at least 1 whenever the pool has a candidate: nnU-Net's <c>int(V·k/100)</c>
    /// can be 0 and its empty mean NaN; that is the one difference.</para>
    /// <para>Reductions: Mean is Σ kept ℓ / Σ K (nnU-Net's plain mean of the kept values; with class weights this
    /// is not CE's Σ w_y-normalised mean, because the weights scale ℓ before the selection). With
    /// <c>perImage</c>, Mean is over all kept values of all images. Sum is Σ kept ℓ. None returns the per-element
    /// map — (N, *spatial) for Multiclass, (N, C, *spatial) otherwise — with ℓ at kept elements and 0 elsewhere.
    /// If no pixel is valid the result is 0 with a zero gradient.</para>
    /// <para>With k = 100 and no class weights, Mean equals <see cref="CrossEntropyLoss"/>'s Mean. Exactly K values
    /// are kept: every value above the K-th largest and, among values tied with it, the first ones by position; the
    /// value does not depend on which tied entries are kept, the gradient does.</para>
    /// <para>Selection cost: on the CPU the K-th largest value comes from a managed radix select bracketed by a strided
    /// sample (one vectorised pass over the candidates, no sort), about a third of the time of libtorch 2.10's
    /// <c>topk</c> and scatter; CUDA tensors use <c>topk</c>.</para>
    /// </remarks>
    public sealed class TopKCrossEntropyLoss : SegmentationLoss
    {
        // Buffers; each field is named like its buffer so that module.to(...) rewrites it.
        private Tensor? classWeights;
        private Tensor? posWeight;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax CE), Binary or Multilabel (BCE with logits).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="k">Percentage of the valid pixels (entries) kept, in (0, 100]; 10 as nnU-Net.</param>
        /// <param name="perImage">False (default): select over the whole batch; true: k% of each image.</param>
        /// <param name="classWeights">Optional per-class weights (C): finite, non-negative, not all zero.</param>
        /// <param name="ignoreIndex">Target value whose pixels are never selected, or null.</param>
        /// <param name="labelSmoothing">ε in [0, 1]: the target becomes (1 − ε)·target + ε/C (ε/2 for Binary/Multilabel).</param>
        /// <param name="posWeight">Binary/Multilabel only: weight of positive targets, a scalar or one value per channel (C).</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        /// <param name="pixelMean">ValidElements (default): ignored pixels are no candidates; AllElements: nnU-Net's budget over all pixels, ignored ones as zeros. ChannelEntries is rejected.</param>
        public TopKCrossEntropyLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double k = 10.0,
            bool perImage = false, Tensor? classWeights = null, long? ignoreIndex = null, double labelSmoothing = 0.0,
            Tensor? posWeight = null, nn.Reduction reduction = nn.Reduction.Mean, PixelMean pixelMean = PixelMean.ValidElements)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.Defined(pixelMean, nameof(pixelMean));
            if (pixelMean == PixelMean.ChannelEntries)
                throw new ArgumentException($"{nameof(pixelMean)} {pixelMean} has no meaning for the top-k selection, which keeps k% of the pixels (entries); use ValidElements (ignored pixels are no candidates) or AllElements (nnU-Net: they are candidates with loss 0)", nameof(pixelMean));
            if (!(k > 0 && k <= 100))
                throw new ArgumentException($"{nameof(k)} is a percentage and must be in (0, 100], got {k}", nameof(k));
            Arguments.UnitInterval(labelSmoothing, nameof(labelSmoothing));
            if (posWeight is not null && mode == LossMode.Multiclass)
                throw new ArgumentException($"{nameof(posWeight)} applies to Binary and Multilabel modes only, got mode {mode} (use classWeights for Multiclass)", nameof(posWeight));
            Mode = mode;
            FromLogits = fromLogits;
            K = k;
            PerImage = perImage;
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
            if (this.posWeight is not null) register_buffer(nameof(posWeight), this.posWeight);
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>The percentage k of valid pixels (entries) kept, in (0, 100].</summary>
        public double K { get; }

        /// <summary>Whether k% is taken per image (true) or over the whole batch (false).</summary>
        public bool PerImage { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>The label-smoothing factor ε.</summary>
        public double LabelSmoothing { get; }

        /// <summary>Whether ignored pixels are candidates (AllElements, with loss 0) or not (ValidElements).</summary>
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
            var loss = FusedCrossEntropy.TryPerElement(inputs, FromLogits, classWeights, posWeight, LabelSmoothing)
                ?? PixelCrossEntropy.Compute(inputs, FromLogits, classWeights, posWeight, LabelSmoothing).loss;

            // Candidates as rows: one row for the batch, or one per image; entries of (N, S) or (N, C, S).
            long rows = PerImage ? inputs.N : 1;
            var flat = loss.reshape(rows, -1);
            long perRow = flat.shape[1];
            // nnU-Net's convention: ignored elements stay candidates, with their loss 0, so nothing is masked out.
            var mask = PixelMean == PixelMean.AllElements ? null : PixelReduction.Mask(inputs, loss);
            long[] valid = mask is null
                ? Enumerable.Repeat(perRow, (int)rows).ToArray()
                : TensorData.ToArray<long>(mask.reshape(rows, -1).sum(1, false, ScalarType.Int64));
            long[] budget = valid.Select(Budget).ToArray();
            long maxBudget = budget.Max();
            long total = budget.Sum();

            if (maxBudget == 0)
            {
                // No valid pixel: 0 with a zero gradient, in every reduction.
                var none = loss * 0.0;
                return reduction == nn.Reduction.None ? PixelReduction.Reduce(none, inputs, reduction) : none.sum();
            }
            var scores = flat.detach();
            if (mask is not null) scores = scores.masked_fill(mask.reshape(rows, -1).eq(0), double.NegativeInfinity);
            // Times the bool mask itself (type promotion): no cast pass.
            var selected = flat * TopSelection.Mask(scores, budget);
            if (reduction == nn.Reduction.None) return PixelReduction.Reduce(selected.reshape(loss.shape), inputs, reduction);
            var sum = selected.sum();
            return reduction == nn.Reduction.Sum ? sum : sum / (double)total;
        }

        /// <summary>K = max(1, ⌊V·k/100⌋) for V &gt; 0 valid candidates, else 0.</summary>
        private long Budget(long validCount)
        {
            if (validCount == 0) return 0;
            // The tiny relative slack makes e.g. 30 · 10 / 100 = 3 exact despite rounding in k / 100.
            long kept = (long)Math.Floor(validCount * K / 100.0 * (1 + 1e-12));
            return Math.Clamp(kept, 1, validCount);
        }
    }
}
