using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class TverskyLossTests
    {
        private static TverskyLoss Binary(double alpha, double beta, double gamma = 1.0) =>
            new(LossMode.Binary, fromLogits: false, alpha: alpha, beta: beta, gamma: gamma, smoothNumerator: 0, smoothDenominator: 0);

        [Fact]
        public void FalsePositivesMoveWithAlphaAndFalseNegativesWithBeta()
        {
            // FP only: p = [1, 1, 0, 0], g = [1, 0, 0, 0] gives TP = 1, FP = 1, FN = 0 and TI = 1 / (1 + alpha).
            using var pFp = tensor(new[] { 1.0, 1, 0, 0 }, new long[] { 1, 1, 4 });
            using var gFp = tensor(new[] { 1.0, 0, 0, 0 }, new long[] { 1, 1, 4 });
            // FN only: p = [1, 0, 0, 0], g = [1, 1, 0, 0] gives TP = 1, FP = 0, FN = 1 and TI = 1 / (1 + beta).
            using var pFn = tensor(new[] { 1.0, 0, 0, 0 }, new long[] { 1, 1, 4 });
            using var gFn = tensor(new[] { 1.0, 1, 0, 0 }, new long[] { 1, 1, 4 });
            foreach (var (alpha, beta) in new[] { (0.3, 0.7), (0.7, 0.3), (0.5, 0.5), (0.1, 0.9) })
            {
                using var loss = Binary(alpha, beta);
                Value(loss, pFp, gFp).Should().BeApproximately(1 - 1 / (1 + alpha), 1e-12, $"FP-only error is weighted by alpha = {alpha}");
                Value(loss, pFn, gFn).Should().BeApproximately(1 - 1 / (1 + beta), 1e-12, $"FN-only error is weighted by beta = {beta}");
            }
            using var defaults = new TverskyLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
            Value(defaults, pFn, gFn).Should().BeGreaterThan(Value(defaults, pFp, gFp), "the defaults (0.3 on FP, 0.7 on FN) punish missed foreground more");
        }

        [Fact]
        public void SoftValuesMatchHandComputedIndex()
        {
            // p = [0.9, 0.2, 0.6, 0.1], g = [1, 0, 1, 0]: TP = 1.5, FP = 0.3, FN = 0.5.
            using var p = tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 1, 1, 4 });
            using var g = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            double ti = 1.5 / (1.5 + 0.3 * 0.3 + 0.7 * 0.5);
            using var plain = Binary(0.3, 0.7);
            Value(plain, p, g).Should().BeApproximately(1 - ti, 1e-12);
            using var focal = Binary(0.3, 0.7, gamma: 0.75);
            Value(focal, p, g).Should().BeApproximately(Math.Pow(1 - ti, 0.75), 1e-12);
            using var smoothed = new TverskyLoss(LossMode.Binary, fromLogits: false);
            Value(smoothed, p, g).Should().BeApproximately(1 - (1.5 + 1e-5) / (1.5 + 0.09 + 0.35 + 1e-5), 1e-12);
        }

        [Fact]
        public void HalfAndHalfEqualsDiceAndOneAndOneEqualsJaccard()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(7, 2, 3, 4, 4);
            var y = TestData.Labels(8, 3, 2, 4, 4);
            using var t05 = new TverskyLoss(alpha: 0.5, beta: 0.5, smoothNumerator: 0, smoothDenominator: 0);
            using var dice = new DiceLoss(smoothNumerator: 0, smoothDenominator: 0);
            Value(t05, x, y).Should().BeApproximately(Value(dice, x, y), 1e-12);
            using var t11 = new TverskyLoss(alpha: 1, beta: 1, smoothNumerator: 0, smoothDenominator: 0);
            using var jaccard = new DiceLoss(jaccard: true, smoothNumerator: 0, smoothDenominator: 0);
            Value(t11, x, y).Should().BeApproximately(Value(jaccard, x, y), 1e-12);
        }

        [Fact]
        public void FocalExponentAppliesPerClassBeforeTheMean()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(9, 2, 3, 4, 4);
            var y = TestData.Labels(10, 3, 2, 4, 4);
            using var none = new TverskyLoss(reduction: nn.Reduction.None);
            var perClass = none.call(x, y).data<double>().ToArray();
            using var focal = new TverskyLoss(gamma: 0.75);
            Value(focal, x, y).Should().BeApproximately(perClass.Select(v => Math.Pow(v, 0.75)).Average(), 1e-12);
        }

        [Fact]
        public void PerfectPredictionGivesFiniteGradientEvenForGammaBelowOne()
        {
            using var scope = NewDisposeScope();
            var g = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            using var focal = new TverskyLoss(LossMode.Binary, fromLogits: false, gamma: 0.5, smoothNumerator: 0, smoothDenominator: 0);
            var grad = GradCheck.Gradient(v => focal.call(v, g), g.clone());
            grad.Should().OnlyContain(v => v == 0.0, "the clamp at 1e-7 leaves a zero, not infinite, gradient at the optimum");
            Value(focal, g, g).Should().BeLessThan(1e-3);
        }

        [Fact]
        public void ConstructorRejectsBadOptions()
        {
            FluentActions.Invoking(() => new TverskyLoss(alpha: -0.1)).Should().Throw<ArgumentException>().WithParameterName("alpha");
            FluentActions.Invoking(() => new TverskyLoss(beta: double.PositiveInfinity)).Should().Throw<ArgumentException>().WithParameterName("beta");
            FluentActions.Invoking(() => new TverskyLoss(gamma: 0)).Should().Throw<ArgumentException>().WithParameterName("gamma");
        }
    }
}
