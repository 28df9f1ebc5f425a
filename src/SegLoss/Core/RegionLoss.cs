using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Shared configuration and plumbing of the overlap ("region") losses — Dice family, Tversky, generalized
    /// Dice, exp-log: validation, activation, per-class statistics and class reduction.
    /// </summary>
    public abstract class RegionLoss : SegmentationLoss
    {
        /// <summary>Lower clamp of a score before its logarithm in <see cref="ScoreLoss"/>.</summary>
        private const double LogClamp = 1e-7;

        /// <summary>Name of the class-weight buffer.</summary>
        private const string ClassWeightsBuffer = "classWeights";

        /// <summary>Configures the shared options; see the derived losses for their meaning.</summary>
        /// <param name="mode">Binary, Multiclass or Multilabel.</param>
        /// <param name="fromLogits">True: the input holds logits; false: probabilities.</param>
        /// <param name="smoothNumerator">s_n, added to each ratio's numerator; finite, ≥ 0.</param>
        /// <param name="smoothDenominator">s_d, added to each ratio's denominator; finite, ≥ 0.</param>
        /// <param name="includeBackground">Whether channel 0 counts (Multiclass/Multilabel).</param>
        /// <param name="batch">Sum statistics over the batch before the ratio.</param>
        /// <param name="classWeights">Optional per-class weights (C), registered as a buffer.</param>
        /// <param name="ignoreIndex">Target value to ignore, or null.</param>
        /// <param name="reduction">Mean, Sum or None.</param>
        /// <param name="classMean">How per-class values become the Mean, and whether classes absent from the target count
        /// (<see cref="SegLoss.ClassMean"/>); applied by <see cref="ReduceClasses(Tensor, Tensor)"/>. Losses that pool
        /// classes themselves leave it at <see cref="ClassMean.WeightSum"/>.</param>
        protected RegionLoss(LossMode mode, bool fromLogits, double smoothNumerator, double smoothDenominator,
            bool includeBackground, bool batch, Tensor? classWeights, long? ignoreIndex, nn.Reduction reduction,
            ClassMean classMean = ClassMean.WeightSum)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.Defined(classMean, nameof(classMean));
            CheckNonNegative(smoothNumerator, nameof(smoothNumerator));
            CheckNonNegative(smoothDenominator, nameof(smoothDenominator));
            Mode = mode;
            FromLogits = fromLogits;
            SmoothNumerator = smoothNumerator;
            SmoothDenominator = smoothDenominator;
            IncludeBackground = includeBackground;
            Batch = batch;
            IgnoreIndex = ignoreIndex;
            ClassMean = classMean;
            // Kept only in the buffer registry (no field): TorchSharp's to(device) replaces registered buffers
            // but rewrites only fields of the concrete class, so a base-class field would go stale.
            var weights = ClassReduction.ValidateWeights(classWeights, nameof(classWeights));
            if (weights is not null) register_buffer(ClassWeightsBuffer, weights);
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits (activation applied inside), false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>Constant added to the numerator of each ratio.</summary>
        public double SmoothNumerator { get; }

        /// <summary>Constant added to the denominator of each ratio.</summary>
        public double SmoothDenominator { get; }

        /// <summary>Whether channel 0 (background) counts in the class average (ignored in Binary mode).</summary>
        public bool IncludeBackground { get; }

        /// <summary>Whether the statistics are summed over the batch before the ratio (nnU-Net's batch Dice).</summary>
        public bool Batch { get; }

        /// <summary>Target value whose pixels are left out of every sum, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>How per-class values become the Mean and whether absent classes count (<see cref="SegLoss.ClassMean"/>).</summary>
        public ClassMean ClassMean { get; }

        /// <summary>The class weights (a registered buffer), or null.</summary>
        public Tensor? ClassWeights => get_buffer(ClassWeightsBuffer);

        /// <summary>Validates the pair and computes per-class statistics from the activated input.</summary>
        /// <remarks>
        /// Where <see cref="FusedRegionStatistics"/> applies (CPU logits with 0/1 targets or labels), the sums and their
        /// backward run as one analytic operation; elsewhere as autograd operations, with the same values and gradients.
        /// </remarks>
        private protected (SegmentationInputs inputs, RegionStatistics stats) Statistics(Tensor input, Tensor target, bool squared = false)
        {
            var inputs = ValidatedInputs(input, target);
            return (inputs, StatisticsOf(inputs, squared));
        }

        /// <summary>The validated pair, with the class weights checked against its channel count.</summary>
        private protected SegmentationInputs ValidatedInputs(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            ClassReduction.CheckWeightCount(ClassWeights, inputs.C, "classWeights");
            return inputs;
        }

        /// <summary>The statistics of validated inputs: fused where <see cref="FusedRegionStatistics"/> applies.</summary>
        private protected RegionStatistics StatisticsOf(SegmentationInputs inputs, bool squared = false) =>
            FusedRegionStatistics.TryCompute(inputs, squared, Batch) ?? StatisticsAndProbabilities(inputs, squared).stats;

        /// <summary>
        /// The whole loss as one analytic operation: the sums and <paramref name="head"/>, which must equal
        /// <paramref name="tensorHead"/> (the loss's own tensor form from the statistics, also used for second derivatives).
        /// Null where the fused sums do not apply or the reduction is None (per-entry losses stay tensor operations).
        /// </summary>
        private protected Tensor? FusedLoss(SegmentationInputs inputs, Func<IRegionHead> head, Func<RegionStatistics, Tensor> tensorHead) =>
            reduction == nn.Reduction.None ? null : FusedRegionStatistics.TryLoss(inputs, Batch, head, tensorHead);

        /// <summary>Whether channel 0 is left out of the class reduction for <paramref name="classes"/> channels.</summary>
        private protected bool DropsBackground(long classes) => !IncludeBackground && Mode != LossMode.Binary && classes > 1;

        /// <summary>The class weights as float64 values, or null.</summary>
        private protected double[]? ClassWeightValues() => ClassWeights is null ? null : TensorData.ToArray<double>(ClassWeights.to(ScalarType.Float64));

        /// <summary>Like <see cref="Statistics"/>, also returning the probabilities (N, C, S) for losses with a pixel term.</summary>
        private protected (SegmentationInputs inputs, Tensor probabilities, RegionStatistics stats) StatisticsAndProbabilities(Tensor input, Tensor target, bool squared = false)
        {
            var inputs = ValidatedInputs(input, target);
            var (probabilities, stats) = StatisticsAndProbabilities(inputs, squared);
            return (inputs, probabilities, stats);
        }

        private (Tensor probabilities, RegionStatistics stats) StatisticsAndProbabilities(SegmentationInputs inputs, bool squared)
        {
            var probabilities = Activation.Probabilities(inputs);
            // Inside a sharing context the true-class probabilities come from the shared log p_y gather.
            Tensor? trueClass = inputs.HasLabels && FromLogits && Mode == LossMode.Multiclass && SharedActivations.Serves(inputs)
                ? Activation.TrueClassLogProbability(inputs).exp()
                : null;
            return (probabilities, RegionStatistics.Compute(inputs, probabilities, squared, Batch, trueClass));
        }

        /// <summary>
        /// numerator / denominator per class (or image). The denominator is 0 only when <see cref="SmoothDenominator"/>
        /// is 0 and the class is absent from both prediction and target; that 0/0 (or s_n/0) counts as a perfect
        /// score 1, as the smoothed ratio tends to, instead of NaN. With s_d &gt; 0 this is the plain division.
        /// </summary>
        private protected Tensor Ratio(Tensor numerator, Tensor denominator)
        {
            if (SmoothDenominator > 0) return numerator / denominator;
            var empty = denominator.eq(0);
            // The safe denominator keeps the masked entries' gradient finite (masked_fill then zeroes it).
            return (numerator / denominator.masked_fill(empty, 1.0)).masked_fill(empty, 1.0);
        }

        /// <summary>
        /// Selects and weights classes, then applies the reduction by the <see cref="ClassMean"/> rule;
        /// <paramref name="targetSum"/> (Σ g per entry, the shape of <paramref name="perClass"/>) tells which classes
        /// are absent from the target.
        /// </summary>
        private protected Tensor ReduceClasses(Tensor perClass, Tensor targetSum) =>
            ClassReduction.Reduce(perClass, ClassWeights, IncludeBackground, Mode, reduction, ClassMean, targetSum);

        /// <summary>
        /// Selects and weights classes, then applies the reduction, for losses that do not offer
        /// <see cref="ClassMean.AbsentAsZero"/> (which needs the target sums: use the other overload).
        /// </summary>
        private protected Tensor ReduceClasses(Tensor perClass) =>
            ClassReduction.Reduce(perClass, ClassWeights, IncludeBackground, Mode, reduction, ClassMean, null);

        /// <summary>
        /// The soft Jaccard index (TP + s_n) / (P + G − TP + s_d) per entry, through <see cref="Ratio"/> (0/0 = 1):
        /// the one computation behind <see cref="JaccardLoss"/> and <c>DiceLoss(jaccard: true)</c>.
        /// </summary>
        private protected Tensor JaccardIndex(RegionStatistics stats) =>
            Ratio(stats.TruePositive + SmoothNumerator, stats.PredictionSum + stats.TargetSum - stats.TruePositive + SmoothDenominator);

        /// <summary>
        /// The loss of an overlap score S in [0, 1]: 1 − S, or −ln(max(S, 1e-7)) with <paramref name="logLoss"/> (smp's
        /// <c>log_loss</c>, whose clamp is its eps = 1e-7).
        /// </summary>
        private protected static Tensor ScoreLoss(Tensor score, bool logLoss) =>
            logLoss ? score.clamp_min(LogClamp).log().neg() : 1.0 - score;

        /// <summary>
        /// Drops channel 0 along <paramref name="axis"/> (the class axis) when the background is excluded, for losses
        /// that pool classes themselves instead of reducing per-class values through <see cref="ReduceClasses(Tensor, Tensor)"/>.
        /// </summary>
        private protected Tensor ExcludeBackground(Tensor values, long axis = -1)
        {
            long c = values.shape[axis < 0 ? values.dim() + axis : axis];
            return !IncludeBackground && Mode != LossMode.Binary && c > 1 ? values.narrow(axis, 1, c - 1) : values;
        }

        private protected static void CheckNonNegative(double value, string name)
        {
            if (!(value >= 0) || double.IsInfinity(value))
                throw new ArgumentException($"{name} must be finite and non-negative, got {value}", name);
        }

        private protected static void CheckPositive(double value, string name)
        {
            if (!(value > 0) || double.IsInfinity(value))
                throw new ArgumentException($"{name} must be finite and positive, got {value}", name);
        }
    }
}
