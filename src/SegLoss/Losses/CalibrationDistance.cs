namespace SegLoss
{
    /// <summary>
    /// The penalty <see cref="NeighborAwareCalibrationLoss"/> takes between the neighbourhood class proportions and
    /// the input (MONAI's <c>distance_type</c>).
    /// </summary>
    public enum CalibrationDistance
    {
        /// <summary>|τ − z|, the paper's linear penalty (MONAI's <c>"l1"</c>).</summary>
        L1,

        /// <summary>(τ − z)² (MONAI's <c>"l2"</c>).</summary>
        L2,
    }
}
