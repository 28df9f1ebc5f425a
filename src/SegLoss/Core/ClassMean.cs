namespace SegLoss
{
    /// <summary>
    /// How a region loss turns its per-(image, class) values L (per class with <c>batch: true</c>) and the class
    /// weights w into the Mean reduction; the peers disagree on both the denominator and on classes absent from the
    /// target. Without class weights, w = 1 for every class.
    /// </summary>
    public enum ClassMean
    {
        /// <summary>
        /// Σ w_c·L / (Σ w_c · rows), rows being the number of images (1 with <c>batch: true</c>): a weighted mean,
        /// invariant to the scale of the weights; without weights, the plain mean over images and classes (MONAI,
        /// nnU-Net and smp without weights; smp's <c>class_weights</c>, whose batch is always pooled). The default.
        /// </summary>
        WeightSum,

        /// <summary>
        /// Σ w_c·L / (number of (image, class) entries): the mean of w·L, so the loss scales with the weights — MONAI's
        /// <c>DiceLoss(weight=w)</c>, which multiplies each entry by its weight and then takes <c>torch.mean</c>.
        /// Equals <see cref="WeightSum"/> without weights.
        /// </summary>
        EntryCount,

        /// <summary>
        /// smp's rule: an entry whose class is absent from the target in its pool (Σ g = 0 over the image's non-ignored
        /// pixels, or over the whole batch with <c>batch: true</c>) contributes 0 — false positives on it are not
        /// penalised — and still counts in the denominator, which is that of <see cref="WeightSum"/>. smp applies
        /// <c>loss *= y_true.sum(dims) &gt; 0</c> with the batch always pooled (dims (0, 2)), so its losses correspond to
        /// <c>batch: true</c> with this rule.
        /// </summary>
        AbsentAsZero,
    }
}
