namespace SegLoss
{
    /// <summary>Where <see cref="TverskyLoss"/> applies its focal exponent γ.</summary>
    public enum GammaPlacement
    {
        /// <summary>
        /// To each per-(image, class) value, before the class mean: mean_c (1 − TI_c)^γ — Abraham and Khan's focal
        /// Tversky loss (ISBI 2019). Works with every reduction. The default.
        /// </summary>
        PerClass,

        /// <summary>
        /// To the class mean: (mean_c (1 − TI_c))^γ, the mean taken by the loss's <see cref="ClassMean"/> rule — smp
        /// <c>TverskyLoss(gamma=γ)</c> and JunMa11/SegLoss <c>FocalTversky_loss</c>. A single scalar, so only with the
        /// Mean reduction.
        /// </summary>
        OnClassMean,
    }
}
