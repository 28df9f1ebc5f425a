using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary>
    /// The <see cref="ClassMean"/> option of the region losses that reduce per-class values (Dice, Jaccard, Tversky,
    /// sensitivity-specificity, the Dice term of exp-log): hand-computed means and maps, absent classes, gradients.
    /// </summary>
    public class ClassMeanTests
    {
        // Multilabel probabilities (N = 2, C = 2, S = 2):
        //   image 0: c0 p [1, 0]     g [1, 0]  → TP 1, P 1, G 1 → Dice 1,   L = 0
        //            c1 p [.5, .5]   g [0, 0]  → TP 0, P 1, G 0 → Dice 0,   L = 1   (absent from image 0)
        //   image 1: c0 p [.5, .5]   g [1, 1]  → TP 1, P 1, G 2 → Dice 2/3, L = 1/3
        //            c1 p [0, 1]     g [0, 1]  → TP 1, P 1, G 1 → Dice 1,   L = 0
        private static readonly double[] P = { 1, 0, 0.5, 0.5, 0.5, 0.5, 0, 1 };
        private static readonly double[] G = { 1, 0, 0, 0, 1, 1, 0, 1 };
        private static readonly long[] Shape = { 2, 2, 2 };

        private static DiceLoss Dice(ClassMean classMean, Tensor? w = null, bool includeBackground = true, bool batch = false,
            nn.Reduction reduction = nn.Reduction.Mean) =>
            new(LossMode.Multilabel, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, includeBackground: includeBackground,
                batch: batch, classWeights: w, reduction: reduction, classMean: classMean);

        [Fact]
        public void MeansMatchHandComputedValues()
        {
            using var scope = NewDisposeScope();
            var p = tensor(P, Shape);
            var g = tensor(G, Shape);
            var w = tensor(new[] { 1.0, 3.0 });
            // Weighted: Σ w·L = 3·1 + 1·(1/3) = 10/3; Σ w · images = 4 · 2 = 8; entries = 4.
            Value(Dice(ClassMean.WeightSum, w), p, g).Should().BeApproximately(10.0 / 3 / 8, 1e-12);
            Value(Dice(ClassMean.EntryCount, w), p, g).Should().BeApproximately(10.0 / 3 / 4, 1e-12);
            // The absent (image 0, c1) entry becomes 0 and still counts: (1/3) / 8.
            Value(Dice(ClassMean.AbsentAsZero, w), p, g).Should().BeApproximately(1.0 / 3 / 8, 1e-12);
            // Unweighted: WeightSum and EntryCount are both the plain mean (1 + 1/3) / 4; AbsentAsZero (1/3) / 4.
            Value(Dice(ClassMean.WeightSum), p, g).Should().BeApproximately(1.0 / 3, 1e-12);
            Value(Dice(ClassMean.EntryCount), p, g).Should().BeApproximately(1.0 / 3, 1e-12);
            Value(Dice(ClassMean.AbsentAsZero), p, g).Should().BeApproximately(1.0 / 12, 1e-12);
            // Without the background only c1 stays, L = [1, 0] with w = 3: (3 + 0) / (3 · 2), 3 / 2, and 0.
            Value(Dice(ClassMean.WeightSum, w, includeBackground: false), p, g).Should().BeApproximately(0.5, 1e-12);
            Value(Dice(ClassMean.EntryCount, w, includeBackground: false), p, g).Should().BeApproximately(1.5, 1e-12);
            Value(Dice(ClassMean.AbsentAsZero, w, includeBackground: false), p, g).Should().Be(0.0);
        }

        [Fact]
        public void BatchPoolsThePresenceTest()
        {
            using var scope = NewDisposeScope();
            var p = tensor(P, Shape);
            var w = tensor(new[] { 1.0, 3.0 });
            // Pooled over the batch: c0 TP 2, P 2, G 3 → L = 1/5; c1 TP 1, P 2, G 1 → L = 1/3: c1 is present in the
            // batch, so AbsentAsZero changes nothing: (0.2 + 3/3) / 4 = 0.3; EntryCount 1.2 / 2.
            var g = tensor(G, Shape);
            Value(Dice(ClassMean.WeightSum, w, batch: true), p, g).Should().BeApproximately(0.3, 1e-12);
            Value(Dice(ClassMean.AbsentAsZero, w, batch: true), p, g).Should().BeApproximately(0.3, 1e-12);
            Value(Dice(ClassMean.EntryCount, w, batch: true), p, g).Should().BeApproximately(0.6, 1e-12);
            // With c1 empty in image 1 too it is absent from the batch: c1 TP 0, P 2, G 0 → L = 1, zeroed by AbsentAsZero.
            var g2 = tensor(new double[] { 1, 0, 0, 0, 1, 1, 0, 0 }, Shape);
            Value(Dice(ClassMean.WeightSum, w, batch: true), p, g2).Should().BeApproximately((0.2 + 3) / 4, 1e-12);
            Value(Dice(ClassMean.AbsentAsZero, w, batch: true), p, g2).Should().BeApproximately(0.2 / 4, 1e-12);
            Value(Dice(ClassMean.EntryCount, w, batch: true), p, g2).Should().BeApproximately(3.2 / 2, 1e-12);
        }

        [Fact]
        public void NoneAndSumApplyTheRuleToTheEntries()
        {
            using var scope = NewDisposeScope();
            var p = tensor(P, Shape);
            var g = tensor(G, Shape);
            var w = tensor(new[] { 1.0, 3.0 });
            static double[] Map(SegmentationLoss loss, Tensor p, Tensor g)
            {
                using (loss) return loss.call(p, g).data<double>().ToArray();
            }
            bool Close(double a, double b) => Math.Abs(a - b) < 1e-12;
            Map(Dice(ClassMean.WeightSum, w, reduction: nn.Reduction.None), p, g).Should().Equal(new[] { 0, 3, 1.0 / 3, 0 }, Close);
            Map(Dice(ClassMean.EntryCount, w, reduction: nn.Reduction.None), p, g).Should().Equal(new[] { 0, 3, 1.0 / 3, 0 }, Close);
            Map(Dice(ClassMean.AbsentAsZero, w, reduction: nn.Reduction.None), p, g).Should().Equal(new[] { 0, 0, 1.0 / 3, 0 }, Close);
            Map(Dice(ClassMean.AbsentAsZero, reduction: nn.Reduction.None), p, g).Should().Equal(new[] { 0, 0, 1.0 / 3, 0 }, Close);
            Value(Dice(ClassMean.EntryCount, w, reduction: nn.Reduction.Sum), p, g).Should().BeApproximately(10.0 / 3, 1e-12);
            Value(Dice(ClassMean.AbsentAsZero, w, reduction: nn.Reduction.Sum), p, g).Should().BeApproximately(1.0 / 3, 1e-12);
        }

        [Fact]
        public void OtherRegionLossesFollowTheSameRule()
        {
            using var scope = NewDisposeScope();
            var p = tensor(P, Shape);
            var g = tensor(G, Shape);
            // Tversky (α 0.3 on FP, β 0.7 on FN, s = 0): entries [0, 1 (absent), 1 − 1/1.7, 0].
            using var tversky = new TverskyLoss(LossMode.Multilabel, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, classMean: ClassMean.AbsentAsZero);
            Value(tversky, p, g).Should().BeApproximately((1 - 1 / 1.7) / 4, 1e-12);
            using var jaccard = new JaccardLoss(LossMode.Multilabel, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, classMean: ClassMean.AbsentAsZero);
            // Jaccard: image 1, c0 has TP 1, union 2 → 1/2; the absent entry (1) is zeroed.
            Value(jaccard, p, g).Should().BeApproximately(0.5 / 4, 1e-12);
            // Sensitivity-specificity (r = 0.1, s = 0): the absent entry is 0.9 · Σ(g − p)²(1 − g)/Σ(1 − g) = 0.9 · 0.5/2;
            // the others: image 0 c0 exact → 0; image 1 c0: 0.1 · (0.25 + 0.25)/2 = 0.025; image 1 c1 exact → 0.
            using var ss = new SensitivitySpecificityLoss(LossMode.Multilabel, fromLogits: false, smoothDenominator: 0);
            using var ssAbsent = new SensitivitySpecificityLoss(LossMode.Multilabel, fromLogits: false, smoothDenominator: 0, classMean: ClassMean.AbsentAsZero);
            Value(ss, p, g).Should().BeApproximately((0.225 + 0.025) / 4, 1e-12);
            Value(ssAbsent, p, g).Should().BeApproximately(0.025 / 4, 1e-12);
            // Exp-log Dice term alone (w_Cross = 0, γ = 1, s = 0): E[−ln max(D, 1e-7)] − the ε guard cancels for γ = 1.
            using var expLog = new ExponentialLogarithmicLoss(LossMode.Multilabel, fromLogits: false, diceWeight: 1, crossWeight: 0, diceGamma: 1,
                smoothNumerator: 0, smoothDenominator: 0);
            using var expLogAbsent = new ExponentialLogarithmicLoss(LossMode.Multilabel, fromLogits: false, diceWeight: 1, crossWeight: 0, diceGamma: 1,
                smoothNumerator: 0, smoothDenominator: 0, classMean: ClassMean.AbsentAsZero);
            Value(expLog, p, g).Should().BeApproximately((-Math.Log(1e-7) + Math.Log(1.5)) / 4, 1e-6);
            Value(expLogAbsent, p, g).Should().BeApproximately(Math.Log(1.5) / 4, 1e-6);
        }

        [Fact]
        public void AnAbsentClassGetsNoGradientUnderAbsentAsZero()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(91, 2, 2, 2);
            var g = tensor(G, Shape);
            using var absent = new DiceLoss(LossMode.Multilabel, classMean: ClassMean.AbsentAsZero);
            using var counted = new DiceLoss(LossMode.Multilabel);
            // Flat index of (image 0, c1, *) is 2..3.
            var ga = GradCheck.Gradient(v => absent.call(v, g), x);
            var gc = GradCheck.Gradient(v => counted.call(v, g), x);
            ga.Skip(2).Take(2).Should().OnlyContain(v => v == 0.0, "false positives on an absent class are not penalised");
            gc.Skip(2).Take(2).Should().OnlyContain(v => v > 0, "the default penalises them (the smoothed Dice of an absent class falls as p grows)");
            ga.Where((_, i) => i < 2 || i > 3).Should().Equal(gc.Where((_, i) => i < 2 || i > 3), (a, b) => Math.Abs(a - b) < 1e-15);
        }

        public static TheoryData<LossMode, bool, bool> ModeCases() => PixelLossChecks.ModeCases();

        private static IEnumerable<SegmentationLoss> Variants(LossMode mode, long? ignore, Tensor w)
        {
            foreach (var classMean in new[] { ClassMean.EntryCount, ClassMean.AbsentAsZero })
            {
                yield return new DiceLoss(mode, classWeights: w, ignoreIndex: ignore, classMean: classMean);
                yield return new DiceLoss(mode, logLoss: true, batch: true, includeBackground: false, classWeights: w, ignoreIndex: ignore, classMean: classMean, reduction: nn.Reduction.None);
                yield return new JaccardLoss(mode, smoothNumerator: 0, smoothDenominator: 0, classWeights: w, ignoreIndex: ignore, classMean: classMean);
                yield return new TverskyLoss(mode, gamma: 0.75, classWeights: w, ignoreIndex: ignore, classMean: classMean);
                yield return new TverskyLoss(mode, gamma: 1.5, batch: true, classWeights: w, ignoreIndex: ignore, classMean: classMean, gammaPlacement: GammaPlacement.OnClassMean);
                yield return new SensitivitySpecificityLoss(mode, ignoreIndex: ignore, classMean: classMean, reduction: nn.Reduction.Sum);
                yield return new ExponentialLogarithmicLoss(mode, ignoreIndex: ignore, classMean: classMean);
            }
        }

        [Theory]
        [MemberData(nameof(ModeCases))]
        public void GradientsMatchFiniteDifferencesWithAnAbsentClass(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore, seed: 93);
            target = WithAbsentClass(mode, target, x.shape[1]);
            var w = arange(1, x.shape[1] + 1, ScalarType.Float64) * 0.5;
            GradCheck.EachLoss(Variants(mode, ignore ? PixelLossChecks.IgnoreValue : null, w), x, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInertUnderEachRule(LossMode mode)
        {
            foreach (var classMean in new[] { ClassMean.EntryCount, ClassMean.AbsentAsZero })
            {
                PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new DiceLoss(mode, batch: true, ignoreIndex: PixelLossChecks.IgnoreValue, classMean: classMean));
                PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new TverskyLoss(mode, gamma: 0.5, ignoreIndex: PixelLossChecks.IgnoreValue, classMean: classMean, gammaPlacement: GammaPlacement.OnClassMean));
            }
        }

        [Fact]
        public void AbsentAsZeroNeverExceedsWeightSumAndEntryCountScalesWithTheWeights()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(94, 3, 4, 4, 4);
            var y = TestData.Labels(95, 3, 3, 4, 4); // class 3 never occurs
            var w = tensor(new[] { 1.0, 2.0, 0.5, 4.0 });
            using var weightSum = new DiceLoss(classWeights: w);
            using var absent = new DiceLoss(classWeights: w, classMean: ClassMean.AbsentAsZero);
            using var entryCount = new DiceLoss(classWeights: w, classMean: ClassMean.EntryCount);
            Value(absent, x, y).Should().BeLessThan(Value(weightSum, x, y));
            Value(entryCount, x, y).Should().BeApproximately(Value(weightSum, x, y) * 7.5 / 4, 1e-12);
        }

        [Fact]
        public void EveryLossWithTheOptionRejectsAnUndefinedValue()
        {
            var undefined = (ClassMean)9;
            var makers = new Func<IDisposable>[]
            {
                () => new DiceLoss(classMean: undefined),
                () => new JaccardLoss(classMean: undefined),
                () => new TverskyLoss(classMean: undefined),
                () => new SensitivitySpecificityLoss(classMean: undefined),
                () => new ExponentialLogarithmicLoss(classMean: undefined),
            };
            foreach (var make in makers)
                FluentActions.Invoking(make).Should().Throw<ArgumentException>().WithParameterName("classMean").WithMessage("*WeightSum, EntryCount or AbsentAsZero, got 9*");
        }

        [Fact]
        public void ThePropertyReportsTheRule()
        {
            using var dice = new DiceLoss(classMean: ClassMean.EntryCount);
            dice.ClassMean.Should().Be(ClassMean.EntryCount);
            using var ss = new SensitivitySpecificityLoss();
            ss.ClassMean.Should().Be(ClassMean.WeightSum);
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(96, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(97, 2, 3, 5, 5).requires_grad_(true);
                using var w = tensor(new[] { 1.0, 1.0, 2.0 });
                foreach (var classMean in new[] { ClassMean.EntryCount, ClassMean.AbsentAsZero })
                {
                    using var dice = new DiceLoss(ignoreIndex: -1, classWeights: w, classMean: classMean);
                    LiveTensors.AssertForwardAndBackwardLeaveNothing(dice, x, y);
                    using var tversky = new TverskyLoss(gamma: 0.75, ignoreIndex: -1, classWeights: w, classMean: classMean, gammaPlacement: GammaPlacement.OnClassMean);
                    LiveTensors.AssertForwardAndBackwardLeaveNothing(tversky, x, y);
                    using var ss = new SensitivitySpecificityLoss(ignoreIndex: -1, classMean: classMean);
                    LiveTensors.AssertForwardAndBackwardLeaveNothing(ss, x, y);
                }
            }
        }

        /// <summary>
        /// Makes the last class absent from image 0 (from the whole batch when N = 1): its labels become 0 (Multiclass),
        /// or its target channel 0 where not ignored (Binary/Multilabel).
        /// </summary>
        internal static Tensor WithAbsentClass(LossMode mode, Tensor target, long classes)
        {
            var t = target.clone();
            var image = t.select(0, 0);
            if (mode == LossMode.Multiclass)
            {
                image.masked_fill_(image.eq(classes - 1), 0);
            }
            else
            {
                var channel = image.select(0, classes - 1);
                channel.masked_fill_(channel.ne(PixelLossChecks.IgnoreValue), 0.0);
            }
            return t;
        }
    }
}
