namespace SegLoss
{
    /// <summary>
    /// The spatial filter <see cref="NeighborAwareCalibrationLoss"/> applies to the one-hot target to get each pixel's
    /// neighbourhood class proportions (MONAI's <c>kernel_ops</c>).
    /// </summary>
    public enum NeighborhoodKernel
    {
        /// <summary>
        /// The mean over a cube of <c>kernelSize</c> pixels per side: weights 1/k^d (MONAI's <c>"mean"</c>, its
        /// <c>MeanFilter</c> divided by k^d).
        /// </summary>
        Mean,

        /// <summary>
        /// A separable Gaussian of standard deviation <c>sigma</c> over the same cube: per axis the weights
        /// ½·[erf((j + ½)/(σ√2)) − erf((j − ½)/(σ√2))] for |j| ≤ k/2 (MONAI's erf discretisation), normalised to sum
        /// 1. MONAI's <c>"gaussian"</c> ignores its kernel size, truncates at 4σ and does not normalise.
        /// </summary>
        Gaussian,
    }
}
