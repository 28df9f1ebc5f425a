using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Matthews correlation coefficient loss (Abhishek and Hamarneh, "Matthews Correlation Coefficient Loss for Deep
    /// Convolutional Networks: Application to Skin Lesion Segmentation", ISBI 2021; smp <c>MCCLoss</c>): 1 − MCC from
    /// soft confusion counts, which, unlike Dice, also rewards the true negatives.
    /// </summary>
    /// <remarks>
    /// <para>Per class c (per image, or over the batch with <c>batch: true</c>), with p the probabilities (sigmoid for
    /// Binary/Multilabel, softmax for Multiclass, one class against the rest), g the target (one-hot for labels) and n
    /// the number of non-ignored pixels: TP = Σ p·g, FP = Σ p − TP, FN = Σ g − TP and TN = n − TP − FP − FN (= Σ (1 − p)(1 − g)).
    /// With each count shifted by ε (<c>epsilon</c>, 1e-5 as in smp), X' = X + ε:
    /// MCC = (TP'·TN' − FP'·FN') / sqrt((TP' + FP')(TP' + FN')(TN' + FP')(TN' + FN')), and the loss is 1 − MCC, in
    /// [0, 2], 0 for a perfect prediction. The square root is taken of two products of two factors each, so that large
    /// volumes do not overflow float32. Soft targets use the L1 form of TP shared by the region losses
    /// (Σ min(p, g) instead of Σ p·g; identical for 0/1 targets), so that p = g scores 1.</para>
    /// <para>Empty and full classes: MCC is a correlation, undefined when the target (or the prediction) is constant.
    /// With ε &gt; 0 the value is smp's: for an image without foreground (per-image statistics) a perfect prediction
    /// gives MCC = n / (2(n + 2ε)) ≈ 0.5 (loss ≈ 0.5, the least that image can score) and any false positive mass F
    /// gives about sqrt(ε / (2F)), so such images are best pooled with <c>batch: true</c> (as smp and the paper do).
    /// With ε = 0 the denominator vanishes there; its 0/0 is defined as MCC = 1 when the prediction matches the target
    /// exactly (FP = FN = 0) and 0 otherwise (scikit-learn's convention), with a zero, finite gradient.</para>
    /// <para>Classes: all channels by default (<c>includeBackground: true</c>); for Multiclass with C = 2 the two
    /// classes have the same MCC. Ignored pixels (<c>ignoreIndex</c>) are in none of the four counts. Class weights and
    /// the reduction follow <see cref="DiceLoss"/>: None returns (N, K) per image and selected class, or (K) with
    /// <c>batch</c>.</para>
    /// <para>smp's <c>MCCLoss(eps)</c> takes probabilities (no sigmoid), flattens every channel of the batch into one
    /// binary problem and adds eps to each count: <c>new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false,
    /// epsilon: eps, batch: true)</c>. The defaults here follow the other region losses instead (logits, per-image
    /// statistics, Multiclass).</para>
    /// </remarks>
    public sealed class MatthewsCorrelationLoss : RegionLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary, Multiclass (default, one class against the rest) or Multilabel.</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="epsilon">ε added to each of TP, FP, FN and TN (1e-5, smp's eps); finite, ≥ 0.</param>
        /// <param name="includeBackground">Whether channel 0 counts (Multiclass/Multilabel).</param>
        /// <param name="batch">Sum the counts over the batch before the coefficient (smp, the paper).</param>
        /// <param name="classWeights">Optional per-class weights (C).</param>
        /// <param name="ignoreIndex">Target value to ignore, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None ((N, C), or (C) with <c>batch</c>).</param>
        public MatthewsCorrelationLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double epsilon = 1e-5,
            bool includeBackground = true, bool batch = false, Tensor? classWeights = null, long? ignoreIndex = null,
            nn.Reduction reduction = nn.Reduction.Mean)
            : base(Checked(mode, epsilon, reduction), fromLogits, 0.0, 0.0, includeBackground, batch, classWeights, ignoreIndex, reduction)
        {
            Epsilon = epsilon;
        }

        /// <summary>
        /// Checks this loss's own option and returns <paramref name="mode"/>, as a base-constructor argument: before
        /// <see cref="RegionLoss"/> registers the classWeights buffer, so a rejected option leaves no tensor behind.
        /// </summary>
        private static LossMode Checked(LossMode mode, double epsilon, nn.Reduction reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.NonNegative(epsilon, nameof(epsilon));
            return mode;
        }

        /// <summary>ε added to each confusion count.</summary>
        public double Epsilon { get; }

        /// <inheritdoc/>
        public override string DisplayName => "MatthewsCorrelation";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var (inputs, stats) = Statistics(input, target);
            var tp = stats.TruePositive;
            var fp = stats.FalsePositive;
            var fn = stats.FalseNegative;
            var tn = ValidPixels(inputs) - stats.PredictionSum - stats.TargetSum + tp;
            var (tpe, fpe, fne, tne) = (tp + Epsilon, fp + Epsilon, fn + Epsilon, tn + Epsilon);
            var numerator = tpe * tne - fpe * fne;
            var predicted = (tpe + fpe) * (tne + fne); // P'·(n − P)'
            var actual = (tpe + fne) * (tne + fpe);    // G'·(n − G)'
            // A vanishing factor (possible only with ε = 0: a constant target or prediction) gives 0/0. The safe
            // denominators keep the discarded branch's gradient finite; where() then gives the convention's constant.
            var undefined = predicted.eq(0).logical_or(actual.eq(0));
            var one = ones_like(predicted);
            var mcc = numerator / (predicted.where(undefined.logical_not(), one).sqrt() * actual.where(undefined.logical_not(), one).sqrt());
            Tensor perfect;
            using (no_grad()) perfect = (fp + fn).eq(0).to(mcc.dtype);
            mcc = mcc.where(undefined.logical_not(), perfect);
            return ReduceClasses(1.0 - mcc);
        }

        /// <summary>n, the non-ignored pixels per (image, class) — per image for labels — or summed over the batch.</summary>
        private Tensor ValidPixels(SegmentationInputs inputs)
        {
            var x = inputs.Input;
            Tensor count = inputs.Valid is null
                ? full(new long[] { inputs.N, 1 }, (double)inputs.S, x.dtype, x.device)
                : inputs.Valid.sum(2);
            return Batch ? count.sum(dim: 0) : count;
        }
    }
}
