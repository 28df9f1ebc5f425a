namespace SegLoss
{
    /// <summary>
    /// How <see cref="GeneralizedWassersteinDiceLoss"/> weighs the pixels of each true class c (the weight α_c of
    /// its generalised true positives).
    /// </summary>
    public enum WassersteinDiceWeighting
    {
        /// <summary>
        /// α_c = 0 for the background (class 0) and 1 for every other class, as in Fidon et al. (2017); the
        /// denominator is 2·TP + Σ W over all pixels. MONAI's <c>weighting_mode="default"</c>.
        /// </summary>
        Foreground,

        /// <summary>
        /// α_c = 1 / (V_c + 1), V_c the number of (non-ignored) pixels labelled c in the image, for every class
        /// including the background; the denominator is Σ α_y·(2 − W). The GDL-like variant of the appendix of
        /// Tilborghs et al. (2020), MONAI's <c>weighting_mode="GDL"</c>.
        /// </summary>
        InverseVolume,
    }
}
