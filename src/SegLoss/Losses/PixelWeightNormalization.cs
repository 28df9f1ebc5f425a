namespace SegLoss
{
    /// <summary>How <see cref="PixelWeightedCrossEntropyLoss"/> normalises Σ w·ℓ for the Mean reduction.</summary>
    public enum PixelWeightNormalization
    {
        /// <summary>
        /// Σ w·ℓ / Σ w over non-ignored elements: a weighted mean, invariant to the scale of the weight map
        /// (0 when every weight is 0).
        /// </summary>
        WeightSum,

        /// <summary>
        /// Σ w·ℓ / (number of non-ignored elements): the mean of w·ℓ, so the loss grows with the weights (the
        /// normalisation of the U-Net energy, Ronneberger et al., MICCAI 2015).
        /// </summary>
        PixelCount,
    }
}
