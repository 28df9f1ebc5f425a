using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Masking and reduction of pixel-wise losses (cross-entropy, focal, balanced and pixel-weighted CE). Values are
    /// per pixel (N, S) for Multiclass or per entry (N, C', S) for Binary/Multilabel, in the canonical layout of
    /// <see cref="SegmentationInputs"/>; C' = C − <c>firstChannel</c> when a loss leaves out its leading channels
    /// (the background of <see cref="FocalLoss"/> with <c>includeBackground: false</c>).
    /// </summary>
    /// <remarks>
    /// Mean is Σ values / denominator, the denominator following <see cref="PixelMean"/>: the number of non-ignored
    /// elements unless the loss gives its own (e.g. Σ class weights) for <see cref="PixelMean.ValidElements"/>, the
    /// number of all elements for <see cref="PixelMean.AllElements"/>, and for <see cref="PixelMean.ChannelEntries"/>
    /// the non-ignored pixels times C' (per-pixel values) or the non-ignored entries (per-entry values). A zero
    /// denominator (every pixel ignored, zero total weight, or an empty input) gives 0 with a zero gradient instead
    /// of 0/0 = NaN. Sum is Σ values; None returns the values reshaped to (N, *spatial) or (N, C', *spatial).
    /// </remarks>
    internal static class PixelReduction
    {
        /// <summary>
        /// The validity mask (1 = used, 0 = ignored) shaped like <paramref name="values"/>; null when nothing is
        /// ignored. Per-entry values that start at channel <paramref name="firstChannel"/> get the matching channels.
        /// </summary>
        internal static Tensor? Mask(SegmentationInputs inputs, Tensor values, long firstChannel = 0)
        {
            if (inputs.Valid is null) return null;
            // Multiclass labels keep a (N, 1, S) mask; per-pixel values are (N, S).
            if (values.dim() == 2 && inputs.Valid.dim() == 3) return inputs.Valid.squeeze(1);
            return firstChannel > 0 && inputs.Valid.shape[1] > 1
                ? inputs.Valid.narrow(1, firstChannel, inputs.Valid.shape[1] - firstChannel)
                : inputs.Valid;
        }

        /// <summary>Zeroes ignored elements, so that they change neither the value nor the gradient.</summary>
        internal static Tensor Masked(SegmentationInputs inputs, Tensor values, long firstChannel = 0)
        {
            var mask = Mask(inputs, values, firstChannel);
            return mask is null ? values : values * mask;
        }

        /// <summary>numerator / denominator, or 0 where the denominator is 0.</summary>
        internal static Tensor SafeDivide(Tensor numerator, Tensor denominator)
        {
            var safe = denominator.where(denominator.gt(0), ones_like(denominator));
            return numerator / safe;
        }

        /// <summary>
        /// Reduces masked values (zero at ignored elements). <paramref name="denominator"/> replaces the count of
        /// non-ignored elements for Mean under <see cref="PixelMean.ValidElements"/> (and only there: the other
        /// conventions count elements, class weights scaling the loss without normalising it).
        /// </summary>
        /// <param name="values">Masked loss values, (N, S) per pixel or (N, C', S) per entry.</param>
        /// <param name="inputs">The validated inputs the values come from.</param>
        /// <param name="reduction">The reduction.</param>
        /// <param name="denominator">The loss's own ValidElements denominator, or null for the count of non-ignored elements.</param>
        /// <param name="pixelMean">What Mean divides by.</param>
        /// <param name="firstChannel">Leading channels left out of the loss (0, or 1 without the background).</param>
        internal static Tensor Reduce(Tensor values, SegmentationInputs inputs, nn.Reduction reduction, Tensor? denominator = null,
            PixelMean pixelMean = PixelMean.ValidElements, long firstChannel = 0)
        {
            switch (reduction)
            {
                case nn.Reduction.None:
                    return values.reshape(values.dim() == 2
                        ? new[] { inputs.N }.Concat(inputs.Spatial)
                        : new[] { inputs.N, values.shape[1] }.Concat(inputs.Spatial));
                case nn.Reduction.Sum:
                    return values.sum();
                default:
                    return Mean(values, inputs, denominator, pixelMean, firstChannel);
            }
        }

        /// <summary>Σ values / the denominator of <paramref name="pixelMean"/> (see <see cref="Reduce"/>).</summary>
        internal static Tensor Mean(Tensor values, SegmentationInputs inputs, Tensor? denominator, PixelMean pixelMean, long firstChannel = 0)
        {
            // Ignored elements are zeros in the values, so counting every element is the plain mean.
            if (pixelMean == PixelMean.AllElements) return values.mean();
            if (pixelMean == PixelMean.ChannelEntries && values.dim() == 2)
            {
                long channels = inputs.C - firstChannel;
                var pixels = Mask(inputs, values);
                return pixels is null ? values.mean() / channels : SafeDivide(values.sum(), pixels.sum() * channels);
            }
            if (pixelMean == PixelMean.ValidElements && denominator is not null) return SafeDivide(values.sum(), denominator);
            var mask = Mask(inputs, values, firstChannel);
            return mask is null ? values.mean() : SafeDivide(values.sum(), mask.sum());
        }

        /// <summary>
        /// Mean from the sum alone (what the fused kernels return): <paramref name="sum"/> divided by the count of
        /// <paramref name="pixelMean"/> — all elements, C' × non-ignored pixels (ChannelEntries, per pixel) or the
        /// non-ignored elements — 0 when that count is 0.
        /// </summary>
        /// <param name="sum">Σ of the masked per-element loss.</param>
        /// <param name="inputs">The validated inputs.</param>
        /// <param name="perPixel">True for per-pixel (Multiclass) values, false for per-entry values.</param>
        /// <param name="pixelMean">What Mean divides by.</param>
        /// <param name="firstChannel">Leading channels left out of the loss.</param>
        internal static Tensor CountedMean(Tensor sum, SegmentationInputs inputs, bool perPixel, PixelMean pixelMean, long firstChannel = 0)
        {
            long channels = inputs.C - firstChannel;
            long all = inputs.N * inputs.S * (perPixel ? 1 : channels);
            if (pixelMean == PixelMean.AllElements || inputs.Valid is null)
            {
                long count = pixelMean == PixelMean.ChannelEntries && perPixel ? all * channels : all;
                return count == 0 ? sum * 0.0 : sum / (double)count;
            }
            var valid = perPixel ? inputs.Valid : Mask(inputs, inputs.Valid, firstChannel)!;
            var denominator = valid.sum();
            if (pixelMean == PixelMean.ChannelEntries && perPixel) denominator = denominator * channels;
            return SafeDivide(sum, denominator);
        }
    }
}
