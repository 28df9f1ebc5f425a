using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class JaccardLossTests
    {
        [Fact]
        public void BinaryProbabilitiesMatchHandComputedJaccard()
        {
            // p = [0.9, 0.2, 0.6, 0.1], g = [1, 0, 1, 0]: TP = 1.5, P = 1.8, G = 2, union P + G − TP = 2.3.
            using var p = tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 1, 1, 4 });
            using var g = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            using var plain = new JaccardLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
            Value(plain, p, g).Should().BeApproximately(1 - 1.5 / 2.3, 1e-12);
            using var smoothed = new JaccardLoss(LossMode.Binary, fromLogits: false);
            Value(smoothed, p, g).Should().BeApproximately(1 - (1.5 + 1e-5) / (2.3 + 1e-5), 1e-12);
            using var log = new JaccardLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, logLoss: true);
            Value(log, p, g).Should().BeApproximately(-Math.Log(1.5 / 2.3), 1e-12);
        }

        [Fact]
        public void MulticlassWeightedMeanAndPerClassMap()
        {
            // One image, 2 classes, 2 pixels, probabilities: pixel 0 = [0.8, 0.2], pixel 1 = [0.3, 0.7]; labels [0, 1].
            // Class 0: TP = 0.8, P = 1.1, G = 1 → J = 0.8 / 1.3; class 1: TP = 0.7, P = 0.9, G = 1 → J = 0.7 / 1.2.
            using var p = tensor(new[] { 0.8, 0.3, 0.2, 0.7 }, new long[] { 1, 2, 2 });
            using var y = tensor(new long[] { 0, 1 }, new long[] { 1, 2 });
            double l0 = 1 - 0.8 / 1.3, l1 = 1 - 0.7 / 1.2;
            using var none = new JaccardLoss(fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, reduction: nn.Reduction.None);
            using var map = none.call(p, y);
            map.shape.Should().Equal(1, 2);
            map.data<double>().ToArray().Should().Equal(new[] { l0, l1 }, (a, b) => Math.Abs(a - b) < 1e-12);
            using var w = tensor(new[] { 1.0, 3.0 });
            using var weighted = new JaccardLoss(fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, classWeights: w);
            Value(weighted, p, y).Should().BeApproximately((l0 + 3 * l1) / 4, 1e-12);
        }

        [Theory]
        [MemberData(nameof(DiceLossTests.GradCases), MemberType = typeof(DiceLossTests))]
        public void EqualsDiceLossWithJaccardTrue(LossMode mode, long[] shape, bool withIgnored)
        {
            // DiceLoss(jaccard: true) is the shipped spelling of the same loss: same values, maps and gradients.
            using var scope = NewDisposeScope();
            var x = TestData.Logits(81, shape);
            var target = DiceLossTests.MakeTarget(mode, shape, withIgnored, 82);
            long? ignore = withIgnored ? -1 : null;
            var w = ones(shape[1], ScalarType.Float64) + arange(shape[1], ScalarType.Float64);
            var pairs = new (SegmentationLoss jaccard, SegmentationLoss dice)[]
            {
                (new JaccardLoss(mode, ignoreIndex: ignore), new DiceLoss(mode, jaccard: true, ignoreIndex: ignore)),
                (new JaccardLoss(mode, logLoss: true, batch: true, smoothNumerator: 0, smoothDenominator: 0, ignoreIndex: ignore, classMean: ClassMean.AbsentAsZero),
                 new DiceLoss(mode, jaccard: true, logLoss: true, batch: true, smoothNumerator: 0, smoothDenominator: 0, ignoreIndex: ignore, classMean: ClassMean.AbsentAsZero)),
                (new JaccardLoss(mode, includeBackground: false, classWeights: w, ignoreIndex: ignore, reduction: nn.Reduction.None),
                 new DiceLoss(mode, jaccard: true, includeBackground: false, classWeights: w, ignoreIndex: ignore, reduction: nn.Reduction.None)),
            };
            foreach (var (jaccard, dice) in pairs)
            {
                using (jaccard)
                using (dice)
                {
                    var (a, ga) = ValueAndGradient(jaccard, x, target);
                    var (b, gb) = ValueAndGradient(dice, x, target);
                    a.Should().Equal(b);
                    ga.Should().Equal(gb);
                }
            }
        }

        [Fact]
        public void DisplayNameIsJaccardAsForDiceLossWithJaccardTrue()
        {
            using var j = new JaccardLoss();
            using var d = new DiceLoss(jaccard: true);
            j.DisplayName.Should().Be("Jaccard").And.Be(d.DisplayName);
        }

        [Fact]
        public void EqualsTverskyWithAlphaAndBetaOne()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(83, 2, 3, 4, 4);
            var y = TestData.Labels(84, 3, 2, 4, 4);
            using var jaccard = new JaccardLoss(smoothNumerator: 0.1, smoothDenominator: 0.2);
            using var tversky = new TverskyLoss(alpha: 1, beta: 1, smoothNumerator: 0.1, smoothDenominator: 0.2);
            Value(jaccard, x, y).Should().BeApproximately(Value(tversky, x, y), 1e-12);
        }

        public static TheoryData<LossMode, bool, bool> ModeCases() => PixelLossChecks.ModeCases();

        [Theory]
        [MemberData(nameof(ModeCases))]
        public void GradientsMatchFiniteDifferences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            long? ig = ignore ? PixelLossChecks.IgnoreValue : null;
            long c = x.shape[1];
            var w = arange(1, c + 1, ScalarType.Float64);
            GradCheck.EachLoss(new SegmentationLoss[]
            {
                new JaccardLoss(mode, ignoreIndex: ig),
                new JaccardLoss(mode, logLoss: true, batch: true, ignoreIndex: ig),
                new JaccardLoss(mode, smoothNumerator: 0, smoothDenominator: 0, includeBackground: false, classWeights: w, ignoreIndex: ig, classMean: ClassMean.AbsentAsZero),
                new JaccardLoss(mode, classWeights: w, ignoreIndex: ig, reduction: nn.Reduction.None, classMean: ClassMean.EntryCount),
            }, x, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode) =>
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new JaccardLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue));

        [Fact]
        public void PerfectPredictionScoresTheMinimumAndMoreErrorScoresMore()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(85, 3, 2, 4, 4);
            using var loss = new JaccardLoss();
            Value(loss, TestData.PerfectLogits(y, 3, 40), y).Should().BeApproximately(0.0, 1e-9);
            var right = TestData.PerfectLogits(y, 3, 1);
            var wrong = TestData.PerfectLogits(y.add(1).remainder(3), 3, 1);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, y);
        }

        [Fact]
        public void ConstructorRejectsBadOptions()
        {
            FluentActions.Invoking(() => new JaccardLoss(smoothNumerator: -1)).Should().Throw<ArgumentException>().WithParameterName("smoothNumerator").WithMessage("*-1*");
            FluentActions.Invoking(() => new JaccardLoss(smoothDenominator: double.PositiveInfinity)).Should().Throw<ArgumentException>().WithParameterName("smoothDenominator");
            FluentActions.Invoking(() => new JaccardLoss(mode: (LossMode)7)).Should().Throw<ArgumentException>().WithParameterName("mode");
            FluentActions.Invoking(() => new JaccardLoss(reduction: (nn.Reduction)9)).Should().Throw<ArgumentException>().WithParameterName("reduction");
            FluentActions.Invoking(() => new JaccardLoss(classMean: (ClassMean)9)).Should().Throw<ArgumentException>().WithParameterName("classMean")
                .WithMessage("*WeightSum, EntryCount or AbsentAsZero*9*");
            using var bad = tensor(new[] { 0.0, 0.0 });
            FluentActions.Invoking(() => new JaccardLoss(classWeights: bad)).Should().Throw<ArgumentException>().WithParameterName("classWeights");
        }

        [Fact]
        public void ClassWeightsAreARegisteredBuffer()
        {
            using var w = tensor(new[] { 1.0, 2.0, 3.0 });
            using var loss = new JaccardLoss(classWeights: w);
            loss.named_buffers().Select(b => b.name).Should().Contain("classWeights");
            loss.to(ScalarType.Float32);
            loss.ClassWeights!.dtype.Should().Be(ScalarType.Float32);
            loss.LogLoss.Should().BeFalse();
            loss.ClassMean.Should().Be(ClassMean.WeightSum);
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(86, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(87, 2, 3, 5, 5).requires_grad_(true);
                using var w = tensor(new[] { 1.0, 1.0, 2.0 });
                using var loss = new JaccardLoss(ignoreIndex: -1, classWeights: w, classMean: ClassMean.AbsentAsZero);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
            }
        }

        /// <summary>The output entries and the gradient of the weighted sum of the output.</summary>
        internal static (double[] values, double[] gradient) ValueAndGradient(SegmentationLoss loss, Tensor x, Tensor target)
        {
            using var scope = NewDisposeScope();
            var leaf = x.detach().clone().requires_grad_(true);
            var y = loss.call(leaf, target);
            var weights = arange(y.numel(), ScalarType.Float64).reshape(y.shape) * 0.1 + 1.0;
            (y * weights).sum().backward();
            return (y.detach().flatten().data<double>().ToArray(), leaf.grad!.flatten().data<double>().ToArray());
        }
    }
}
