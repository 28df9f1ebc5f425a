using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Soft Dice plus soft clDice (Shit et al., "clDice — a Novel Topology-Preserving Loss Function for Tubular
    /// Structure Segmentation", CVPR 2021; MONAI <c>SoftDiceclDiceLoss</c>): L = (1 − α)·(1 − Dice) + α·(1 − clDice),
    /// the combination the paper trains with.
    /// </summary>
    /// <remarks>
    /// <para>Dice = (2·Σ p·g + s) / (Σ p + Σ g + s) and the clDice term of <see cref="SoftClDiceLoss"/>, both over the
    /// same groups (by default one ratio over the batch and the selected classes together, as MONAI's
    /// <c>soft_dice</c>), the same classes (channel 0 left out unless <c>includeBackground</c> or a single channel)
    /// and the same s = <c>smooth</c> = 1; α = <c>alpha</c> = 0.5 weighs clDice. The Dice sums are SegLoss's
    /// per-class statistics: for soft targets Σ p·g takes the L1 form (Σ p + Σ g − Σ|p − g|)/2 as in
    /// <see cref="DiceLoss"/>, identical to MONAI's product for 0/1 targets.</para>
    /// <para>How <c>iterations</c> relates to thickness, the pooling options, the ignore handling and the differences
    /// from MONAI (argument order, activation) are those of <see cref="SoftClDiceLoss"/>: each soft erosion peels about
    /// one pixel from every side, so about half the thickest structure's thickness in pixels is needed.</para>
    /// </remarks>
    public sealed class SoftDiceClDiceLoss : ClDiceLossBase
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax), Binary or Multilabel (sigmoid).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities (MONAI's input).</param>
        /// <param name="iterations">
        /// Soft-skeleton steps K (3, MONAI's <c>iter_</c>), 0 to 1000. Each soft erosion peels about one pixel from every
        /// side, so use about half the thickness in pixels of the thickest structure; more steps change nothing for
        /// thinner structures.
        /// </param>
        /// <param name="alpha">Weight α of the clDice term, 1 − α of the Dice term (0.5, MONAI's); in [0, 1].</param>
        /// <param name="smooth">s added to each ratio's numerator and denominator (1, MONAI's); finite and positive.</param>
        /// <param name="includeBackground">Whether channel 0 counts (false, as MONAI's <c>[:, 1:]</c>; ignored with one channel).</param>
        /// <param name="batch">Pool the images of the batch in one ratio (true, as MONAI); false: one ratio per image.</param>
        /// <param name="poolClasses">Pool the selected classes in one ratio (true, as MONAI); false: one ratio per class.</param>
        /// <param name="ignoreIndex">Target value whose pixels are ignored, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None (one value per pooled group).</param>
        public SoftDiceClDiceLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, int iterations = 3, double alpha = 0.5,
            double smooth = 1.0, bool includeBackground = false, bool batch = true, bool poolClasses = true, long? ignoreIndex = null,
            nn.Reduction reduction = nn.Reduction.Mean)
            : base(mode, fromLogits, iterations, smooth, includeBackground, batch, poolClasses, ignoreIndex, reduction)
        {
            Arguments.UnitInterval(alpha, nameof(alpha));
            Alpha = alpha;
        }

        /// <summary>The weight α of the clDice term.</summary>
        public double Alpha { get; }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var (inputs, probabilities, p, g) = Prepare(input, target);
            var (first, k) = SelectedClasses(inputs.C);
            // Per-(image, class) sums of every channel (ignored pixels left out), then the selected classes.
            var stats = RegionStatistics.Compute(inputs, probabilities);
            var tp = Pool(stats.TruePositive.narrow(1, first, k));
            var sums = Pool(stats.PredictionSum.narrow(1, first, k) + stats.TargetSum.narrow(1, first, k));
            var dice = 1.0 - (tp * 2.0 + Smooth) / (sums + Smooth);
            var clDice = ClDiceLossPerGroup(p, g);
            return Reduce(dice * (1.0 - Alpha) + clDice * Alpha);
        }
    }
}
