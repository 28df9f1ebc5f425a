using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Soft clDice loss (Shit et al., "clDice — a Novel Topology-Preserving Loss Function for Tubular Structure
    /// Segmentation", CVPR 2021; MONAI <c>SoftclDiceLoss</c>): the harmonic mean of topology precision (how much of the
    /// predicted skeleton lies in the target) and topology sensitivity (how much of the target's skeleton is covered
    /// by the prediction), on soft skeletons made by iterated max-pool erosion and dilation.
    /// </summary>
    /// <remarks>
    /// <para>With p the softmax (Multiclass) or sigmoid (Binary/Multilabel) probabilities, g the target (one-hot for
    /// labels, soft labels as given) and S(·) the soft skeleton after K = <c>iterations</c> steps (min-pool erosion
    /// over the pixel and its axis neighbours, 3×3(×3) max-pool dilation; see <see cref="ClDiceLossBase.Iterations"/>):
    /// Tprec = (Σ S(p)·g + s) / (Σ S(p) + s), Tsens = (Σ S(g)·p + s) / (Σ S(g) + s), and
    /// L = 1 − 2·Tprec·Tsens / (Tprec + Tsens), s = <c>smooth</c> = 1.</para>
    /// <para>How <c>iterations</c> relates to thickness: each soft erosion peels about one pixel from every side of a
    /// structure, so the skeleton reaches the centre line of structures t pixels thick after about t/2 steps
    /// (⌈t/2⌉ − 1 for an axis-aligned bar: the default 3 covers vessels up to 8 pixels across). In a hard (0/1) map a
    /// structure thicker than that keeps an empty skeleton and adds nothing to the sums (alone, its ratio is s/s = 1);
    /// for thinner ones more steps only cost time (3 max-pools per step in 2D, 5 in 3D, for the prediction's skeleton,
    /// and a few cheaper passes without gradient for the target's) and change nothing.</para>
    /// <para>Conventions, matching MONAI's snapshot by default: the sums run over space, the whole batch and all
    /// selected classes together (<c>batch: true</c>, <c>poolClasses: true</c>: one ratio); channel 0 is left out
    /// (<c>includeBackground: false</c>, MONAI's <c>[:, 1:]</c>) unless the input has a single channel — in Binary
    /// mode, or Multilabel with one channel, that channel is used (MONAI's slice would leave nothing). Differences
    /// from MONAI, on purpose: the arguments are (input, target), not MONAI's (y_true, y_pred); logits go through
    /// softmax/sigmoid unless <c>fromLogits: false</c> (MONAI applies no activation); labels are one-hot encoded
    /// inside. No gradient flows to the target.</para>
    /// <para>Ignored pixels (<c>ignoreIndex</c>): prediction and target are set to 0 there before the skeletons are
    /// made, since pooling spreads each value to its neighbours; the input at an ignored pixel then changes neither
    /// the value nor the gradient. The morphology sees an ignored pixel as background, so an ignored band across a
    /// vessel splits it in both maps alike.</para>
    /// <para>Cost: the morphology dominates, above all the max-pools of the prediction's skeleton (libtorch 2.10's CPU
    /// max-pool computes its indices, about 18 to 40 ms per pool at this size). Forward + backward on one libtorch
    /// thread of this project's 2-core machine (shared, so ±10 %): 8x4x256x256 float32 about 370 to 480 ms, against
    /// 5 ms for F.cross_entropy and 5.4 ms for <see cref="DiceLoss"/>; 8x1x256x256 about 120 ms; 2x3x64x64x64 about
    /// 430 ms. It grows linearly with <c>iterations</c>.</para>
    /// <para>clDice alone does not measure area: any prediction that covers the target's skeleton and whose own skeleton
    /// lies inside the target scores 0 — the target's centre line alone, or the target thickened by a pixel. Shit et al.
    /// therefore train with <see cref="SoftDiceClDiceLoss"/> (or clDice beside another region loss). Max-pooling has
    /// subgradients at ties.</para>
    /// </remarks>
    public sealed class SoftClDiceLoss : ClDiceLossBase
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax), Binary or Multilabel (sigmoid).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities (MONAI's input).</param>
        /// <param name="iterations">
        /// Soft-skeleton steps K (3, MONAI's <c>iter_</c>), 0 to 1000. Each soft erosion peels about one pixel from every
        /// side, so use about half the thickness in pixels of the thickest structure; more steps change nothing for
        /// thinner structures.
        /// </param>
        /// <param name="smooth">s added to each ratio's numerator and denominator (1, MONAI's); finite and positive.</param>
        /// <param name="includeBackground">Whether channel 0 counts (false, as MONAI's <c>[:, 1:]</c>; ignored with one channel).</param>
        /// <param name="batch">Pool the images of the batch in one ratio (true, as MONAI); false: one ratio per image.</param>
        /// <param name="poolClasses">Pool the selected classes in one ratio (true, as MONAI); false: one ratio per class.</param>
        /// <param name="ignoreIndex">Target value whose pixels are ignored, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None (one value per pooled group).</param>
        public SoftClDiceLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, int iterations = 3, double smooth = 1.0,
            bool includeBackground = false, bool batch = true, bool poolClasses = true, long? ignoreIndex = null,
            nn.Reduction reduction = nn.Reduction.Mean)
            : base(mode, fromLogits, iterations, smooth, includeBackground, batch, poolClasses, ignoreIndex, reduction)
        {
        }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var (_, _, p, g) = Prepare(input, target);
            return Reduce(ClDiceLossPerGroup(p, g));
        }
    }
}
