using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Masking and reduction of pixel-wise losses (cross-entropy, focal, balanced and pixel-weighted CE). Values are
    /// per pixel (N, S) for Multiclass or per entry (N, C, S) for Binary/Multilabel, in the canonical layout of
    /// <see cref="SegmentationInputs"/>.
    /// </summary>
    /// <remarks>
    /// Mean is Σ values / denominator, the denominator being the number of non-ignored elements unless the loss
    /// gives its own (e.g. Σ class weights). A zero denominator (every pixel ignored, or zero total weight) gives 0
    /// with a zero gradient instead of 0/0 = NaN. Sum is Σ values; None returns the values reshaped to
    /// (N, *spatial) or (N, C, *spatial).
    /// </remarks>
    internal static class PixelReduction
    {
        /// <summary>The validity mask (1 = used, 0 = ignored) shaped like <paramref name="values"/>; null when nothing is ignored.</summary>
        internal static Tensor? Mask(SegmentationInputs inputs, Tensor values)
        {
            if (inputs.Valid is null) return null;
            // Multiclass labels keep a (N, 1, S) mask; per-pixel values are (N, S).
            return values.dim() == 2 && inputs.Valid.dim() == 3 ? inputs.Valid.squeeze(1) : inputs.Valid;
        }

        /// <summary>Zeroes ignored elements, so that they change neither the value nor the gradient.</summary>
        internal static Tensor Masked(SegmentationInputs inputs, Tensor values)
        {
            var mask = Mask(inputs, values);
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
        /// non-ignored elements for Mean.
        /// </summary>
        internal static Tensor Reduce(Tensor values, SegmentationInputs inputs, nn.Reduction reduction, Tensor? denominator = null)
        {
            switch (reduction)
            {
                case nn.Reduction.None:
                    return values.dim() == 2 ? values.reshape(new[] { inputs.N }.Concat(inputs.Spatial)) : values.reshape(inputs.InputShape);
                case nn.Reduction.Sum:
                    return values.sum();
                default:
                    if (denominator is null)
                    {
                        var mask = Mask(inputs, values);
                        if (mask is null) return values.mean();
                        denominator = mask.sum();
                    }
                    return SafeDivide(values.sum(), denominator);
            }
        }
    }
}
