using System;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Cross-entropy weighted per pixel by a map given as a third input, e.g. the U-Net border weight map
    /// (Ronneberger et al., "U-Net", MICCAI 2015) or any precomputed distance penalty.
    /// </summary>
    /// <remarks>
    /// <para>ℓ(x) is the per-pixel cross-entropy of <see cref="CrossEntropyLoss"/> (softmax CE for Multiclass hard
    /// or soft labels; BCE with logits per channel for Binary/Multilabel, the pixel's weight applying to every
    /// channel). The loss is Σ_x w(x)·ℓ(x), normalised for Mean by <see cref="PixelWeightNormalization"/>:</para>
    /// <para><see cref="PixelWeightNormalization.WeightSum"/> (default): Σ w·ℓ / Σ w over non-ignored elements.
    /// <see cref="PixelWeightNormalization.PixelCount"/>: Σ w·ℓ / (number of non-ignored elements).</para>
    /// <para>For Binary/Multilabel both sums run over the non-ignored (pixel, channel) entries. A zero denominator
    /// (all pixels ignored, or all weights 0) gives 0 with a zero gradient. Sum is Σ w·ℓ; None returns w·ℓ as
    /// (N, *spatial) for Multiclass or (N, C, *spatial) otherwise.</para>
    /// <para>The weight map is a constant: it is detached, so no gradient flows into it. It must have shape
    /// (N, *spatial) or (N, 1, *spatial) and hold finite, non-negative values, at most 1e30 for float32 input (1e300
    /// for float64), so that no product w·ℓ overflows; the sums Σ w·ℓ and Σ w are accumulated in float64. This loss takes three inputs, so it
    /// derives from TorchSharp's 3-input <see cref="Loss{T1, T2, T3, TResult}"/> rather than
    /// <see cref="SegmentationLoss"/> and does not take part in <c>+</c>/<c>*</c> composition.</para>
    /// </remarks>
    public sealed class PixelWeightedCrossEntropyLoss : Loss<Tensor, Tensor, Tensor, Tensor>
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax CE), Binary or Multilabel (BCE with logits).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="normalization">How Mean normalises Σ w·ℓ (default: by Σ w).</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        public PixelWeightedCrossEntropyLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true,
            PixelWeightNormalization normalization = PixelWeightNormalization.WeightSum, long? ignoreIndex = null,
            nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Mode = mode;
            FromLogits = fromLogits;
            Normalization = Arguments.Defined(normalization, nameof(normalization));
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>How Mean normalises the weighted sum.</summary>
        public PixelWeightNormalization Normalization { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>
        /// Computes the loss in a dispose scope so that only the result outlives the call.
        /// </summary>
        /// <param name="input">Logits or probabilities (N, C, *spatial).</param>
        /// <param name="target">Labels or targets as for <see cref="CrossEntropyLoss"/>.</param>
        /// <param name="weightMap">Per-pixel weights (N, *spatial) or (N, 1, *spatial), finite and non-negative.</param>
        /// <exception cref="ObjectDisposedException">The loss has been disposed.</exception>
        public override Tensor forward(Tensor input, Tensor target, Tensor weightMap)
        {
            if (_disposed) throw new ObjectDisposedException(nameof(PixelWeightedCrossEntropyLoss), $"{nameof(PixelWeightedCrossEntropyLoss)} has been disposed and cannot be called");
            using var scope = NewDisposeScope();
            var result = Compute(input, target, weightMap);
            // The non-finite policy of every SegLoss loss (SegLossSettings.ThrowOnNonFinite).
            if (SegLossSettings.ThrowOnNonFinite && !NonFinite.IsFinite(result))
                throw NonFinite.Explain(nameof(PixelWeightedCrossEntropyLoss), (nameof(input), input), (nameof(target), target), (nameof(weightMap), weightMap));
            return result.MoveToOuterDisposeScope();
        }

        private bool _disposed;

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }

        private Tensor Compute(Tensor input, Tensor target, Tensor weightMap)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var w = CanonicalWeights(weightMap, inputs);
            var loss = FusedCrossEntropy.TryPerElement(inputs, FromLogits, null, null, 0.0)
                ?? PixelCrossEntropy.Compute(inputs, FromLogits).loss;
            var pixelWeights = loss.dim() == 2 ? w : w.unsqueeze(1);
            var weighted = loss * pixelWeights;
            if (reduction == nn.Reduction.None) return PixelReduction.Reduce(weighted, inputs, reduction);
            // Σ w·ℓ and Σ w accumulate in float64: over a large map they leave float32's range long before any
            // single product does (the weights are bounded by MaxWeight for that reason).
            var total = weighted.sum(ScalarType.Float64);
            if (reduction == nn.Reduction.Sum) return total.to(loss.dtype);
            var mask = PixelReduction.Mask(inputs, loss);
            var denominator = Normalization == PixelWeightNormalization.WeightSum
                ? (mask is null ? pixelWeights.expand_as(loss) : pixelWeights * mask).sum(ScalarType.Float64)
                : mask is null ? tensor((double)loss.numel(), ScalarType.Float64, loss.device) : mask.sum(ScalarType.Float64);
            return PixelReduction.SafeDivide(total, denominator).to(loss.dtype);
        }

        /// <summary>
        /// The largest weight accepted for float32 (float64) inputs: with it, a weight times any cross-entropy a float32
        /// logit can produce stays finite, so only the sums need float64.
        /// </summary>
        private static double MaxWeight(ScalarType computeType) => computeType == ScalarType.Float64 ? 1e300 : 1e30;

        /// <summary>Validates the weight map and returns it as a detached (N, S) tensor in the input's dtype.</summary>
        private static Tensor CanonicalWeights(Tensor weightMap, SegmentationInputs inputs)
        {
            if (weightMap is null) throw new ArgumentNullException(nameof(weightMap));
            var pixelShape = new[] { inputs.N }.Concat(inputs.Spatial);
            var channelShape = new[] { inputs.N, 1L }.Concat(inputs.Spatial);
            var shape = weightMap.shape;
            if (!SameShape(shape, pixelShape) && !SameShape(shape, channelShape))
                throw new ArgumentException($"weightMap has shape {Shapes.Format(shape)} but input {Shapes.Format(inputs.InputShape)} needs {Shapes.Format(pixelShape)} or {Shapes.Format(channelShape)}", nameof(weightMap));
            if (weightMap.device_type != inputs.Input.device_type || weightMap.device_index != inputs.Input.device_index)
                throw new ArgumentException($"weightMap is on {weightMap.device} but input is on {inputs.Input.device}", nameof(weightMap));
            if (weightMap.is_complex())
                throw new ArgumentException($"weightMap has dtype {weightMap.dtype} but must hold real, non-negative weights", nameof(weightMap));
            // One read-back: NaN propagates to all three, ±∞ to the float64 sum, negatives show in the minimum.
            var detached = weightMap.detach();
            var summary = TensorData.ToArray<double>(cat(new[] { SegmentationInputs.MinAndMax(detached).to(ScalarType.Float64), detached.sum(ScalarType.Float64).unsqueeze(0) }));
            if (!double.IsFinite(summary[2])) NonFinite.Require(detached, nameof(weightMap));
            if (!(summary[0] >= 0))
                throw new ArgumentException($"weightMap must be non-negative, got values in [{summary[0]}, {summary[1]}]", nameof(weightMap));
            double limit = MaxWeight(inputs.Input.dtype);
            if (summary[1] > limit)
                throw new ArgumentException($"weightMap holds weights up to {summary[1]:G4} but at most {limit:G1} is supported for {inputs.Input.dtype} input (larger products overflow); rescale the map (Mean with WeightSum normalisation does not depend on its scale)", nameof(weightMap));
            return detached.to(inputs.Input.dtype).reshape(inputs.N, inputs.S);
        }

        private static bool SameShape(long[] a, long[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }
    }
}
