namespace SegLoss
{
    /// <summary>
    /// How <see cref="LovaszHingeLoss"/> pools the channels of a Multilabel input into hinge problems (each problem:
    /// one sort of its errors and one Jaccard extension).
    /// </summary>
    public enum LovaszHingePooling
    {
        /// <summary>
        /// Each channel is its own binary problem (per image with <c>perImage</c>, or over the batch), and the channel
        /// losses are averaged: the Lovász hinge of each label's Jaccard index (Berman's binary hinge applied per label).
        /// </summary>
        PerChannel,

        /// <summary>
        /// Every channel of an image (or, without <c>perImage</c>, of the whole batch) goes into one hinge problem, as
        /// if the (C, *spatial) entries were the pixels of one binary mask: smp's <c>LovaszLoss(mode="multilabel")</c>,
        /// which calls the binary hinge on the whole (N, C, H, W) tensor. The Jaccard index is then that of the pooled
        /// foreground of all labels, so a rare label weighs by its pixel count rather than as one label of C.
        /// Identical to <see cref="PerChannel"/> for Binary (C = 1).
        /// </summary>
        AllChannels,
    }
}
