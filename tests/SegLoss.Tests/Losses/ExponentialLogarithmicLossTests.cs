using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class ExponentialLogarithmicLossTests
    {
        private const double Eps = 1e-8;


        /// <summary>The guarded power (u + ε)^γ − ε^γ the loss documents.</summary>
        private static double Power(double u, double gamma = 0.3) => Math.Pow(u + Eps, gamma) - Math.Pow(Eps, gamma);

        [Fact]
        public void MulticlassMatchesThePapersFormByHand()
        {
            // p(class 0) = [0.8, 0.3, 0.1], labels [0, 1, 1]; pseudocount 1.
            using var p = tensor(new[] { 0.8, 0.3, 0.1, 0.2, 0.7, 0.9 }, new long[] { 1, 2, 3 });
            using var y = tensor(new long[] { 0, 1, 1 }, new long[] { 1, 3 });
            double d0 = (2 * 0.8 + 1) / (1.2 + 1 + 1), d1 = (2 * 1.6 + 1) / (1.8 + 2 + 1);
            double diceTerm = (Power(-Math.Log(d0)) + Power(-Math.Log(d1))) / 2;
            double w0 = Math.Sqrt(3.0 / 1), w1 = Math.Sqrt(3.0 / 2); // label frequencies 1 and 2
            double crossTerm = (w0 * Power(-Math.Log(0.8)) + w1 * Power(-Math.Log(0.7)) + w1 * Power(-Math.Log(0.9))) / 3;
            using var loss = new ExponentialLogarithmicLoss(fromLogits: false);
            Value(loss, p, y).Should().BeApproximately(0.8 * diceTerm + 0.2 * crossTerm, 1e-12);

            using var fixedWeights = new ExponentialLogarithmicLoss(fromLogits: false, labelWeights: tensor(new[] { 1.0, 2.0 }));
            double fixedCross = (Power(-Math.Log(0.8)) + 2 * Power(-Math.Log(0.7)) + 2 * Power(-Math.Log(0.9))) / 3;
            Value(fixedWeights, p, y).Should().BeApproximately(0.8 * diceTerm + 0.2 * fixedCross, 1e-12);

            using var gammas = new ExponentialLogarithmicLoss(fromLogits: false, diceWeight: 1, crossWeight: 0, diceGamma: 1);
            Value(gammas, p, y).Should().BeApproximately((-Math.Log(d0) - Math.Log(d1)) / 2, 1e-7, "γ = 1 gives the mean log-Dice");
        }

        [Fact]
        public void BinaryTreatsEachChannelAsTwoLabels()
        {
            // p = [0.9, 0.2, 0.6, 0.1], t = [1, 0, 1, 0]: two positives, two negatives, so w_1 = w_0 = √2.
            using var p = tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 1, 1, 4 });
            using var t = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            double dice = (3.0 + 1) / (3.8 + 1);
            double cross = Math.Sqrt(2) * (Power(-Math.Log(0.9)) + Power(-Math.Log(0.8)) + Power(-Math.Log(0.6)) + Power(-Math.Log(0.9))) / 4;
            using var loss = new ExponentialLogarithmicLoss(LossMode.Binary, fromLogits: false);
            Value(loss, p, t).Should().BeApproximately(0.8 * Power(-Math.Log(dice)) + 0.2 * cross, 1e-12);
        }

        [Fact]
        public void PerfectPredictionScoresZeroWithFiniteGradient()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(5, 3, 2, 4, 4);
            var oneHot = OneHot.Encode(y, 3, dtype: ScalarType.Float64);
            using var probabilities = new ExponentialLogarithmicLoss(fromLogits: false);
            Value(probabilities, oneHot, y).Should().BeApproximately(0.0, 1e-12);
            var perfect = TestData.PerfectLogits(y, 3);
            using var logits = new ExponentialLogarithmicLoss();
            Value(logits, perfect, y).Should().BeApproximately(0.0, 1e-3);
            GradCheck.Gradient(v => logits.call(v, y), perfect).Should().OnlyContain(v => double.IsFinite(v));
            double previous = Value(logits, perfect, y);
            foreach (var flatten in new[] { 4.0, 16.0, 64.0 })
            {
                double value = Value(logits, perfect * (1.0 / flatten), y);
                value.Should().BeGreaterThan(previous);
                previous = value;
            }
        }

        [Fact]
        public void ConstructorRejectsBadOptions()
        {
            FluentActions.Invoking(() => new ExponentialLogarithmicLoss(reduction: nn.Reduction.None)).Should().Throw<ArgumentException>().WithParameterName("reduction").WithMessage("*Mean*None*");
            FluentActions.Invoking(() => new ExponentialLogarithmicLoss(diceGamma: 0)).Should().Throw<ArgumentException>().WithParameterName("diceGamma");
            FluentActions.Invoking(() => new ExponentialLogarithmicLoss(crossWeight: -1)).Should().Throw<ArgumentException>().WithParameterName("crossWeight");
            FluentActions.Invoking(() => new ExponentialLogarithmicLoss(LossMode.Binary, labelWeights: tensor(new[] { 1.0, 2.0 }))).Should().Throw<ArgumentException>().WithParameterName("labelWeights");
            using var loss = new ExponentialLogarithmicLoss(labelWeights: tensor(new[] { 1.0, 2.0 }));
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => loss.call(TestData.Logits(1, 1, 3, 2, 2), TestData.Labels(2, 3, 1, 2, 2)))
                .Should().Throw<ArgumentException>().WithParameterName("labelWeights").WithMessage("*2 entries*3 channels*");
        }
    }
}
