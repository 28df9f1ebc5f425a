using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class PenaltyGeneralizedDiceLossTests
    {
        [Fact]
        public void SmallExampleMatchesHandComputation()
        {
            using var scope = NewDisposeScope();
            // One class, p = [0.5, 0.5], g = [1, 0]: w = 1/G² = 1, TP = 0.5, P = 1, G = 1, GDL = 1 − 1/2 = 0.5;
            // pGDL = 0.5 / (1 + 2.5·0.5) = 2/9.
            var p = tensor(new[] { 0.5, 0.5 }, new long[] { 1, 1, 2 });
            var g = tensor(new[] { 1.0, 0.0 }, new long[] { 1, 1, 2 });
            using var loss = new PenaltyGeneralizedDiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
            Value(loss, p, g).Should().BeApproximately(2.0 / 9, 1e-12);
            using var k1 = new PenaltyGeneralizedDiceLoss(LossMode.Binary, fromLogits: false, k: 1, smoothNumerator: 0, smoothDenominator: 0);
            Value(k1, p, g).Should().BeApproximately(0.5 / 1.5, 1e-12);
            using var k0 = new PenaltyGeneralizedDiceLoss(LossMode.Binary, fromLogits: false, k: 0, smoothNumerator: 0, smoothDenominator: 0);
            Value(k0, p, g).Should().BeApproximately(0.5, 1e-12, "k = 0 is the generalized Dice loss");
            // No overlap at all: GDL = 1 and pGDL = 1.
            Value(loss, tensor(new[] { 0.0, 1.0 }, new long[] { 1, 1, 2 }), g).Should().BeApproximately(1, 1e-12);
        }

        [Fact]
        public void AbsentClassesAndAllBackgroundImages()
        {
            using var scope = NewDisposeScope();
            // All background, background excluded: no selected class is present, the weights are all 0 and
            // GDL = 1 − s_n/s_d = 0, so pGDL = 0.
            var y = zeros(new long[] { 1, 2, 2 }, ScalarType.Int64);
            var x = TestData.Logits(3, 1, 3, 2, 2);
            using var noBackground = new PenaltyGeneralizedDiceLoss(includeBackground: false);
            Value(noBackground, x, y).Should().BeApproximately(0, 1e-12);
            // With the background, absent classes take the background's weight (as in GDL).
            using var gdl = new GeneralizedDiceLoss();
            using var penalty = new PenaltyGeneralizedDiceLoss();
            double l = Value(gdl, x, y);
            Value(penalty, x, y).Should().BeApproximately(l / (1 + 2.5 * (1 - l)), 1e-12);
        }

        [Fact]
        public void EqualsThePenaltyOfTheGeneralizedDiceLossPerImage()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(5, 3, 4, 5, 4);
            var y = TestData.LabelsWithIgnored(6, 4, 255, 3, 5, 4);
            foreach (var weighting in new[] { GeneralizedDiceWeighting.Square, GeneralizedDiceWeighting.Simple, GeneralizedDiceWeighting.Uniform })
            {
                foreach (bool batch in new[] { false, true })
                {
                    using var gdl = new GeneralizedDiceLoss(weighting: weighting, batch: batch, includeBackground: !batch, ignoreIndex: 255, reduction: nn.Reduction.None);
                    var l = gdl.call(x, y);
                    var expected = l / (1 + 1.5 * (1 - l));
                    using var none = new PenaltyGeneralizedDiceLoss(weighting: weighting, k: 1.5, batch: batch, includeBackground: !batch, ignoreIndex: 255, reduction: nn.Reduction.None);
                    var actual = none.call(x, y);
                    actual.shape.Should().Equal(expected.shape);
                    actual.shape.Should().Equal(batch ? new long[] { 1 } : new long[] { 3 });
                    (actual - expected).abs().max().item<double>().Should().BeLessThan(1e-14);
                    using var mean = new PenaltyGeneralizedDiceLoss(weighting: weighting, k: 1.5, batch: batch, includeBackground: !batch, ignoreIndex: 255);
                    Value(mean, x, y).Should().BeApproximately(expected.mean().item<double>(), 1e-12);
                    using var sum = new PenaltyGeneralizedDiceLoss(weighting: weighting, k: 1.5, batch: batch, includeBackground: !batch, ignoreIndex: 255, reduction: nn.Reduction.Sum);
                    Value(sum, x, y).Should().BeApproximately(expected.sum().item<double>(), 1e-12);
                }
            }
        }

        [Theory]
        [MemberData(nameof(DiceLossTests.GradCases), MemberType = typeof(DiceLossTests))]
        public void GradientsMatchFiniteDifferences(LossMode mode, long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(21, shape);
            var target = DiceLossTests.MakeTarget(mode, shape, withIgnored, 22);
            long? ignore = withIgnored ? -1 : null;
            var variants = new[]
            {
                new PenaltyGeneralizedDiceLoss(mode, ignoreIndex: ignore),
                new PenaltyGeneralizedDiceLoss(mode, weighting: GeneralizedDiceWeighting.Simple, k: 4, batch: true, includeBackground: false, ignoreIndex: ignore, reduction: nn.Reduction.None),
                new PenaltyGeneralizedDiceLoss(mode, weighting: GeneralizedDiceWeighting.Uniform, smoothNumerator: 0, smoothDenominator: 0, ignoreIndex: ignore, reduction: nn.Reduction.Sum),
            };
            GradCheck.EachLoss(variants, x, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode)
        {
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new PenaltyGeneralizedDiceLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue));
        }

        [Fact]
        public void PerfectPredictionIsTheMinimumAndMoreErrorCostsMore()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(7, 3, 2, 5, 5);
            using var loss = new PenaltyGeneralizedDiceLoss();
            Value(loss, TestData.PerfectLogits(y, 3, 40), y).Should().BeApproximately(0, 1e-9);
            PixelLossChecks.AssertErrorLadderIncreases(loss, TestData.PerfectLogits(y, 3, 1), TestData.PerfectLogits((y + 1).remainder(3), 3, 1), y);
            // Below GDL everywhere but at 0 and 1, and steeper for poor predictions.
            using var gdl = new GeneralizedDiceLoss();
            var x = TestData.Logits(8, 2, 3, 5, 5);
            Value(loss, x, y).Should().BeLessThan(Value(gdl, x, y));
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            FluentActions.Invoking(() => new PenaltyGeneralizedDiceLoss(k: -1)).Should().Throw<ArgumentException>().WithParameterName("k").WithMessage("*-1*");
            FluentActions.Invoking(() => new PenaltyGeneralizedDiceLoss(k: double.PositiveInfinity)).Should().Throw<ArgumentException>().WithParameterName("k");
            FluentActions.Invoking(() => new PenaltyGeneralizedDiceLoss(k: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("k");
            FluentActions.Invoking(() => new PenaltyGeneralizedDiceLoss(weighting: (GeneralizedDiceWeighting)3)).Should().Throw<ArgumentException>().WithParameterName("weighting").WithMessage("*Square, Simple or Uniform*");
            FluentActions.Invoking(() => new PenaltyGeneralizedDiceLoss(smoothDenominator: -1)).Should().Throw<ArgumentException>().WithParameterName("smoothDenominator");
            FluentActions.Invoking(() => new PenaltyGeneralizedDiceLoss(mode: (LossMode)3)).Should().Throw<ArgumentException>().WithParameterName("mode");
            FluentActions.Invoking(() => new PenaltyGeneralizedDiceLoss(reduction: (nn.Reduction)3)).Should().Throw<ArgumentException>().WithParameterName("reduction");
            using var scope = NewDisposeScope();
            using var loss = new PenaltyGeneralizedDiceLoss();
            loss.Invoking(l => l.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 4, 2, 4, 4))).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*label 3*");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(91, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(92, 2, 3, 5, 5).requires_grad_(true);
                using var loss = new PenaltyGeneralizedDiceLoss(ignoreIndex: -1);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
            }
        }
    }
}
