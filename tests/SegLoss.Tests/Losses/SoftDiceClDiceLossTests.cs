using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class SoftDiceClDiceLossTests
    {
        [Fact]
        public void OneDimensionalExampleMatchesHandComputation()
        {
            using var scope = NewDisposeScope();
            var (p, g) = SoftClDiceLossTests.LineExample();
            // Dice: Σ p·g = 0.9, Σ p = 1.5, Σ g = 1, so 1 − (2·0.9 + 1)/(1.5 + 1 + 1) = 1 − 2.8/3.5 = 0.2.
            // clDice term: SoftClDiceLossTests.LineExampleClDice (worked there).
            using var loss = new SoftDiceClDiceLoss(LossMode.Binary, fromLogits: false);
            Value(loss, p, g).Should().BeApproximately(0.5 * 0.2 + 0.5 * SoftClDiceLossTests.LineExampleClDice, 1e-12);
            using var mostlyClDice = new SoftDiceClDiceLoss(LossMode.Binary, fromLogits: false, alpha: 0.8);
            Value(mostlyClDice, p, g).Should().BeApproximately(0.2 * 0.2 + 0.8 * SoftClDiceLossTests.LineExampleClDice, 1e-12);
        }

        [Fact]
        public void AlphaZeroIsMonaiSoftDiceAndAlphaOneIsSoftClDice()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(11, 2, 3, 6, 7) * 2;
            var y = TestData.Labels(12, 3, 2, 6, 7);
            var p = ClDiceReference.From(x.softmax(1));
            var g = ClDiceReference.From(OneHot.Encode(y, 3, dtype: ScalarType.Float64));
            using var dice = new SoftDiceClDiceLoss(alpha: 0);
            Value(dice, x, y).Should().BeApproximately(ClDiceReference.MonaiSoftDice(g, p), 1e-12);
            using var clDiceOnly = new SoftDiceClDiceLoss(alpha: 1, iterations: 2);
            using var clDice = new SoftClDiceLoss(iterations: 2);
            Value(clDiceOnly, x, y).Should().BeApproximately(Value(clDice, x, y), 1e-12);
            // Binary and batch: false with one class is DiceLoss's per-image Dice with s_n = s_d = 1.
            var xb = TestData.Logits(13, 2, 1, 6, 7);
            var tb = TestData.BinaryTargets(14, 2, 1, 6, 7);
            using var binaryDice = new SoftDiceClDiceLoss(LossMode.Binary, alpha: 0, batch: false);
            using var diceLoss = new DiceLoss(LossMode.Binary, smoothNumerator: 1, smoothDenominator: 1);
            Value(binaryDice, xb, tb).Should().BeApproximately(Value(diceLoss, xb, tb), 1e-12);
        }

        [Fact]
        public void PerGroupValuesAreTheWeightedSumOfBothTerms()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(15, 2, 3, 5, 6) * 2;
            var t = TestData.BinaryTargets(16, 2, 3, 5, 6);
            using var combined = new SoftDiceClDiceLoss(LossMode.Multilabel, alpha: 0.3, includeBackground: true, batch: false, poolClasses: false, reduction: nn.Reduction.None);
            using var dice = new SoftDiceClDiceLoss(LossMode.Multilabel, alpha: 0, includeBackground: true, batch: false, poolClasses: false, reduction: nn.Reduction.None);
            using var clDice = new SoftClDiceLoss(LossMode.Multilabel, includeBackground: true, batch: false, poolClasses: false, reduction: nn.Reduction.None);
            var values = combined.call(x, t);
            values.shape.Should().Equal(2, 3);
            var expected = dice.call(x, t) * 0.7 + clDice.call(x, t) * 0.3;
            values.allclose(expected, rtol: 0, atol: 1e-12).Should().BeTrue();
            // Each Dice entry is the image's and class's own soft Dice with smooth 1.
            var s = x.sigmoid();
            var dice00 = 1 - (2 * (s[1, 2] * t[1, 2]).sum().item<double>() + 1) / (s[1, 2].sum().item<double>() + t[1, 2].sum().item<double>() + 1);
            dice.call(x, t)[1, 2].item<double>().Should().BeApproximately(dice00, 1e-12);
        }

        [Fact]
        public void PerfectPredictionScoresZero()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(17, 3, 2, 6, 6);
            using var loss = new SoftDiceClDiceLoss(smooth: 1e-3);
            Value(loss, TestData.PerfectLogits(labels, 3, 40), labels).Should().BeApproximately(0, 1e-9);
            Value(loss, TestData.Logits(18, 2, 3, 6, 6), labels).Should().BeGreaterThan(0.1);
        }

        [Fact]
        public void MoreErrorScoresMore()
        {
            using var scope = NewDisposeScope();
            var (_, target, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: false);
            var right = TestData.PerfectLogits(target, 3, 1);
            var wrong = TestData.PerfectLogits((target + 1).remainder(3), 3, 1);
            using var loss = new SoftDiceClDiceLoss(includeBackground: true);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, target);
        }

        [Theory]
        [MemberData(nameof(PixelLossChecks.ModeCases), MemberType = typeof(PixelLossChecks))]
        public void GradientMatchesFiniteDifferences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            long? ignoreIndex = ignore ? PixelLossChecks.IgnoreValue : null;
            GradCheck.EachLoss(new SegmentationLoss[]
            {
                new SoftDiceClDiceLoss(mode, ignoreIndex: ignoreIndex),
                new SoftDiceClDiceLoss(mode, iterations: 2, alpha: 0.7, smooth: 0.2, includeBackground: true, batch: false, poolClasses: false, ignoreIndex: ignoreIndex, reduction: nn.Reduction.None),
            }, x, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode) =>
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new SoftDiceClDiceLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue));

        [Fact]
        public void ConstructorRejectsBadOptionsByName()
        {
            foreach (double a in new[] { -0.1, 1.1, double.NaN })
                FluentActions.Invoking(() => new SoftDiceClDiceLoss(alpha: a)).Should().Throw<ArgumentException>().WithParameterName("alpha");
            FluentActions.Invoking(() => new SoftDiceClDiceLoss(iterations: -2)).Should().Throw<ArgumentException>().WithParameterName("iterations");
            FluentActions.Invoking(() => new SoftDiceClDiceLoss(smooth: 0)).Should().Throw<ArgumentException>().WithParameterName("smooth");
        }
    }
}
