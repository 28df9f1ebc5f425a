using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class GeneralizedDiceLossTests
    {
        // One image, 2 classes, 3 pixels: p(class 0) = [0.8, 0.3, 0.1], labels [0, 1, 1].
        // G = [1, 2], TP = [0.8, 1.6], P = [1.2, 1.8].
        private static Tensor Probabilities() => tensor(new[] { 0.8, 0.3, 0.1, 0.2, 0.7, 0.9 }, new long[] { 1, 2, 3 });

        private static Tensor Labels() => tensor(new long[] { 0, 1, 1 }, new long[] { 1, 3 });

        [Theory]
        [InlineData(GeneralizedDiceWeighting.Square, 1.0, 0.25)]
        [InlineData(GeneralizedDiceWeighting.Simple, 1.0, 0.5)]
        [InlineData(GeneralizedDiceWeighting.Uniform, 1.0, 1.0)]
        public void WeightingsMatchHandComputedValues(GeneralizedDiceWeighting weighting, double w0, double w1)
        {
            using var p = Probabilities();
            using var y = Labels();
            using var loss = new GeneralizedDiceLoss(fromLogits: false, weighting: weighting, smoothNumerator: 0, smoothDenominator: 0);
            double expected = 1 - 2 * (w0 * 0.8 + w1 * 1.6) / (w0 * (1.2 + 1) + w1 * (1.8 + 2));
            Value(loss, p, y).Should().BeApproximately(expected, 1e-12);
        }

        [Fact]
        public void OneClassReducesToDice()
        {
            using var p = tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 1, 1, 4 });
            using var g = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            using var gdl = new GeneralizedDiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
            using var dice = new DiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
            Value(gdl, p, g).Should().BeApproximately(Value(dice, p, g), 1e-12, "a single class's weight cancels");
        }

        [Fact]
        public void AbsentClassTakesTheLargestFiniteWeight()
        {
            // 3 classes; class 2 absent but predicted with mass 0.5 on pixel 0.
            using var p = tensor(new[] { 0.5, 0.3, 0.1, /* c1 */ 0.0, 0.7, 0.9, /* c2 */ 0.5, 0.0, 0.0 }, new long[] { 1, 3, 3 });
            using var y = Labels();
            using var loss = new GeneralizedDiceLoss(fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
            // w = [1, 1/4, max finite = 1]; TP = [0.5, 1.6, 0], P = [0.9, 1.6, 0.5], G = [1, 2, 0].
            double expected = 1 - 2 * (0.5 + 0.25 * 1.6) / (1.9 + 0.25 * 3.6 + 0.5);
            Value(loss, p, y).Should().BeApproximately(expected, 1e-12);
            var g = GradCheck.Gradient(v => loss.call(v, y), p);
            g.Should().OnlyContain(v => double.IsFinite(v));
        }

        [Fact]
        public void NoPresentClassGivesOneMinusSmoothingRatio()
        {
            using var p = tensor(new[] { 0.2, 0.4 }, new long[] { 1, 1, 2 });
            using var g = zeros(new long[] { 1, 1, 2 }, ScalarType.Float64);
            using var loss = new GeneralizedDiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 1, smoothDenominator: 2);
            Value(loss, p, g).Should().BeApproximately(0.5, 1e-12, "every weight is 0, leaving 1 − s_n/s_d");
        }

        [Fact]
        public void ReductionsAndBackgroundExclusion()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 3, 3, 4, 4);
            var y = TestData.Labels(4, 3, 3, 4, 4);
            using var none = new GeneralizedDiceLoss(reduction: nn.Reduction.None);
            var perImage = none.call(x, y);
            perImage.shape.Should().Equal(3);
            var v = perImage.data<double>().ToArray();
            using var mean = new GeneralizedDiceLoss();
            Value(mean, x, y).Should().BeApproximately(v.Average(), 1e-12);
            using var sum = new GeneralizedDiceLoss(reduction: nn.Reduction.Sum);
            Value(sum, x, y).Should().BeApproximately(v.Sum(), 1e-12);
            using var pooled = new GeneralizedDiceLoss(batch: true, reduction: nn.Reduction.None);
            pooled.call(x, y).shape.Should().Equal(1);

            // Without background: the same as dropping channel 0 from probabilities and one-hot target by hand.
            var p = x.softmax(1);
            var oneHot = OneHot.Encode(y, 3, dtype: ScalarType.Float64);
            using var noBg = new GeneralizedDiceLoss(fromLogits: false, includeBackground: false);
            using var multilabel = new GeneralizedDiceLoss(LossMode.Multilabel, fromLogits: false);
            Value(noBg, p, y).Should().BeApproximately(Value(multilabel, p[.., 1..], oneHot[.., 1..]), 1e-12);
        }

        [Fact]
        public void PerfectPredictionIsTheMinimumAndMoreErrorCostsMore()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(5, 3, 2, 4, 4);
            var perfect = TestData.PerfectLogits(y, 3);
            using var loss = new GeneralizedDiceLoss();
            double previous = Value(loss, perfect, y);
            previous.Should().BeApproximately(0.0, 1e-9);
            foreach (var flatten in new[] { 4.0, 16.0, 64.0 })
            {
                double value = Value(loss, perfect * (1.0 / flatten), y);
                value.Should().BeGreaterThan(previous);
                previous = value;
            }
        }

        [Fact]
        public void ConstructorRejectsBadOptions()
        {
            FluentActions.Invoking(() => new GeneralizedDiceLoss(weighting: (GeneralizedDiceWeighting)9)).Should().Throw<ArgumentException>().WithParameterName("weighting");
            FluentActions.Invoking(() => new GeneralizedDiceLoss(smoothDenominator: -1)).Should().Throw<ArgumentException>().WithParameterName("smoothDenominator");
            FluentActions.Invoking(() => new GeneralizedDiceLoss(reduction: (nn.Reduction)9)).Should().Throw<ArgumentException>().WithParameterName("reduction");
        }
    }
}
