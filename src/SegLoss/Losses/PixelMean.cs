namespace SegLoss
{
    /// <summary>
    /// What the Mean reduction of a pixel-wise loss (<see cref="CrossEntropyLoss"/>, <see cref="FocalLoss"/>,
    /// <see cref="TopKCrossEntropyLoss"/>) divides the summed loss by. The peers disagree on it, so a ported pipeline
    /// picks the peer's convention here; the summed loss itself (and so the direction of the gradient) is the same for
    /// all three.
    /// </summary>
    /// <remarks>
    /// "Elements" are pixels for Multiclass (one loss value per pixel) and (pixel, channel) entries for Binary and
    /// Multilabel (one value per channel entry). Ignored elements always contribute 0 to the sum; the options differ
    /// only in whether they count in the denominator and in whether a Multiclass pixel counts once or once per channel.
    /// </remarks>
    public enum PixelMean
    {
        /// <summary>
        /// The number of non-ignored elements (default): pixels for Multiclass, (pixel, channel) entries for
        /// Binary/Multilabel. For <see cref="CrossEntropyLoss"/> with Multiclass hard labels and class weights it is
        /// PyTorch's weighted mean, Σ w_y over the non-ignored pixels. Matches torch's <c>cross_entropy</c> /
        /// <c>binary_cross_entropy_with_logits</c> with <c>ignore_index</c>.
        /// </summary>
        ValidElements,

        /// <summary>
        /// The number of all elements, ignored ones included (they count as zeros): N·spatial for Multiclass,
        /// N·C·spatial for Binary/Multilabel. Class weights scale the per-pixel loss but do not normalise. This is
        /// smp's <c>SoftCrossEntropyLoss(ignore_index)</c> and <c>SoftBCEWithLogitsLoss(ignore_index)</c> (masked
        /// loss, then <c>.mean()</c>) and, for <see cref="TopKCrossEntropyLoss"/>, nnU-Net's <c>TopKLoss</c>, whose
        /// budget K counts the ignored voxels as candidates with loss 0.
        /// </summary>
        AllElements,

        /// <summary>
        /// For Multiclass, the number of non-ignored pixels times the number of class channels in the loss (C, or
        /// C − 1 when <see cref="FocalLoss"/> drops the background): MONAI's softmax focal loss, whose loss tensor is
        /// (N, C, *spatial) with zeros off the true class before <c>.mean()</c>. Class weights scale, not normalise.
        /// For Binary/Multilabel the elements already are channel entries, so this equals
        /// <see cref="ValidElements"/>. Rejected where it has no meaning (<see cref="TopKCrossEntropyLoss"/>, which
        /// selects pixels, not channel entries).
        /// </summary>
        ChannelEntries,
    }
}
