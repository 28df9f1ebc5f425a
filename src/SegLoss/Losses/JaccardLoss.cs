using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Soft Jaccard (intersection-over-union) loss: one minus the soft Jaccard index per class (Rahman and Wang,
    /// "Optimizing intersection-over-union in deep neural networks for image segmentation", ISVC 2016; smp
    /// <c>JaccardLoss</c>, MONAI <c>DiceLoss(jaccard=True)</c>).
    /// </summary>
    /// <remarks>
    /// <para>Per class c (per image, or over the batch with <c>batch: true</c>), with TP = Σ p·g, P = Σ p and G = Σ g
    /// (for soft targets TP = (P + G − Σ|p − g|)/2, zero loss exactly at p = g): J = (TP + s_n) / (P + G − TP + s_d). A
    /// denominator of 0 (s_d = 0, class absent from prediction and target) counts as J = 1. Loss per class 1 − J,
    /// or −ln(max(J, 1e-7)) with <c>logLoss</c>; then the class mean by the <c>classMean</c> rule
    /// (<see cref="SegLoss.ClassMean"/>). None returns (N, C) per image and class, or (C) with <c>batch</c>.</para>
    /// <para>This is <c>DiceLoss(jaccard: true)</c> under its own name, computed by the same code.</para>
    /// <para>Peers: smp <c>JaccardLoss(mode, log_loss=…, from_logits=…)</c> with its defaults (smooth = 0,
    /// eps = 1e-7, J = (TP + smooth)/(TP + FP + FN + smooth).clamp_min(eps), the batch pooled, classes absent from the
    /// batch zeroed) is <c>JaccardLoss(mode, smoothNumerator: 0, smoothDenominator: 0, batch: true,
    /// classMean: ClassMean.AbsentAsZero)</c>: a present class has a denominator ≥ 1 for hard targets, so eps never
    /// acts, and an absent one is zeroed whichever value it had. smp's <c>class_weights</c> map to
    /// <c>classWeights</c>. MONAI <c>DiceLoss(jaccard=True, smooth_nr=a, smooth_dr=b)</c> computes
    /// (2TP + a)/(2(P + G − TP) + b), i.e. s_n = a/2 and s_d = b/2 here.</para>
    /// <para>Defaults s_n = s_d = 1e-5 as <see cref="DiceLoss"/>: an absent class predicted absent scores J = 1 (loss 0),
    /// predicted present J ≈ 0 (loss ≈ 1) with a vanishing gradient.</para>
    /// <para>On the CPU, with logits against 0/1 targets or hard labels and a Mean or Sum reduction, the whole loss runs as
    /// one autograd node with a hand-written backward (<see cref="SegLossSettings.AnalyticBackward"/>): the same values and
    /// gradients in fewer passes.</para>
    /// </remarks>
    public sealed class JaccardLoss : RegionLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary, Multiclass (default) or Multilabel.</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="smoothNumerator">s_n, added to the numerator (1e-5).</param>
        /// <param name="smoothDenominator">s_d, added to the denominator (1e-5).</param>
        /// <param name="logLoss">−ln J instead of 1 − J.</param>
        /// <param name="includeBackground">Whether channel 0 counts (Multiclass/Multilabel).</param>
        /// <param name="batch">Sum statistics over the batch before the ratio.</param>
        /// <param name="classWeights">Optional per-class weights (C).</param>
        /// <param name="ignoreIndex">Target value to ignore, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        /// <param name="classMean">How per-class values become the Mean and whether absent classes count
        /// (<see cref="ClassMean.WeightSum"/> by default).</param>
        public JaccardLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double smoothNumerator = 1e-5,
            double smoothDenominator = 1e-5, bool logLoss = false, bool includeBackground = true, bool batch = false,
            Tensor? classWeights = null, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean,
            ClassMean classMean = ClassMean.WeightSum)
            : base(mode, fromLogits, smoothNumerator, smoothDenominator, includeBackground, batch, classWeights, ignoreIndex, reduction, classMean)
        {
            LogLoss = logLoss;
        }

        /// <summary>−ln J instead of 1 − J.</summary>
        public bool LogLoss { get; }

        /// <inheritdoc/>
        public override string DisplayName => "Jaccard";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = ValidatedInputs(input, target);
            var fused = FusedLoss(inputs,
                () => new DiceHead(1.0, true, LogLoss, SmoothNumerator, SmoothDenominator, DropsBackground(inputs.C), ClassWeightValues(), ClassMean, reduction),
                Head);
            return fused ?? Head(StatisticsOf(inputs));
        }

        /// <summary>The loss from the statistics (the tensor form of <see cref="DiceHead"/> with the Jaccard index).</summary>
        private Tensor Head(RegionStatistics stats) => ReduceClasses(ScoreLoss(JaccardIndex(stats), LogLoss), stats.TargetSum);
    }
}
