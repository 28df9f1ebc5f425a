using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary><see cref="TverskyLoss"/>'s <see cref="GammaPlacement"/>: γ on each class or on the class mean.</summary>
    public class TverskyGammaPlacementTests
    {
        [Fact]
        public void OnClassMeanRaisesTheMeanOfThePlainLoss()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(101, 2, 3, 4, 4);
            var y = TestData.Labels(102, 3, 2, 4, 4);
            using var none = new TverskyLoss(reduction: nn.Reduction.None);
            var perEntry = none.call(x, y).data<double>().ToArray(); // (N, C) = 6 entries, γ = 1
            double mean = perEntry.Average();
            foreach (double gamma in new[] { 0.75, 2.0 })
            {
                using var onMean = new TverskyLoss(gamma: gamma, gammaPlacement: GammaPlacement.OnClassMean);
                Value(onMean, x, y).Should().BeApproximately(Math.Pow(mean, gamma), 1e-12);
                using var perClass = new TverskyLoss(gamma: gamma);
                Value(perClass, x, y).Should().BeApproximately(perEntry.Select(v => Math.Pow(v, gamma)).Average(), 1e-12);
            }
            // Weighted: ((Σ w·L) / (Σ w · images))^γ with the entries above; w = [1, 2, 5].
            var w = tensor(new[] { 1.0, 2.0, 5.0 });
            double weighted = Enumerable.Range(0, 6).Sum(i => perEntry[i] * new[] { 1.0, 2, 5 }[i % 3]) / (8 * 2);
            using var weightedOnMean = new TverskyLoss(gamma: 0.75, classWeights: w, gammaPlacement: GammaPlacement.OnClassMean);
            Value(weightedOnMean, x, y).Should().BeApproximately(Math.Pow(weighted, 0.75), 1e-12);
        }

        [Fact]
        public void BothPlacementsAgreeForGammaOne()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(103, 2, 3, 4, 4);
            var y = TestData.Labels(104, 3, 2, 4, 4);
            using var a = new TverskyLoss(gammaPlacement: GammaPlacement.PerClass);
            using var b = new TverskyLoss(gammaPlacement: GammaPlacement.OnClassMean);
            Value(a, x, y).Should().Be(Value(b, x, y));
        }

        [Fact]
        public void HandComputedBinaryValue()
        {
            // Two images, one channel: p = [0.9, 0.2 | 0.6, 0.1], g = [1, 0 | 1, 0], s = 0, α 0.3 (FP), β 0.7 (FN).
            // Image 0: TP 0.9, FP 0.2, FN 0.1 → TI = 0.9 / (0.9 + 0.06 + 0.07); image 1: TP 0.6, FP 0.1, FN 0.4 → TI = 0.6 / (0.6 + 0.03 + 0.28).
            using var p = tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 2, 1, 2 });
            using var g = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 2, 1, 2 });
            double l0 = 1 - 0.9 / 1.03, l1 = 1 - 0.6 / 0.91;
            using var onMean = new TverskyLoss(LossMode.Binary, fromLogits: false, gamma: 0.75, smoothNumerator: 0, smoothDenominator: 0, gammaPlacement: GammaPlacement.OnClassMean);
            Value(onMean, p, g).Should().BeApproximately(Math.Pow((l0 + l1) / 2, 0.75), 1e-12);
            using var perClass = new TverskyLoss(LossMode.Binary, fromLogits: false, gamma: 0.75, smoothNumerator: 0, smoothDenominator: 0);
            Value(perClass, p, g).Should().BeApproximately((Math.Pow(l0, 0.75) + Math.Pow(l1, 0.75)) / 2, 1e-12);
        }

        [Fact]
        public void PerfectPredictionGivesAFiniteZeroGradientForGammaBelowOne()
        {
            using var scope = NewDisposeScope();
            var g = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            using var loss = new TverskyLoss(LossMode.Binary, fromLogits: false, gamma: 0.5, smoothNumerator: 0, smoothDenominator: 0, gammaPlacement: GammaPlacement.OnClassMean);
            Value(loss, g, g).Should().BeApproximately(Math.Pow(1e-7, 0.5), 1e-12, "the mean is clamped at 1e-7 before the power");
            var grad = GradCheck.Gradient(v => loss.call(v, g), g.clone());
            grad.Should().OnlyContain(v => v == 0.0);
        }

        public static TheoryData<LossMode, bool, bool> ModeCases() => PixelLossChecks.ModeCases();

        [Theory]
        [MemberData(nameof(ModeCases))]
        public void GradientsMatchFiniteDifferences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore, seed: 105);
            long? ig = ignore ? PixelLossChecks.IgnoreValue : null;
            var w = arange(1, x.shape[1] + 1, ScalarType.Float64);
            GradCheck.EachLoss(new SegmentationLoss[]
            {
                new TverskyLoss(mode, gamma: 0.75, ignoreIndex: ig, gammaPlacement: GammaPlacement.OnClassMean),
                new TverskyLoss(mode, gamma: 2, alpha: 0.5, beta: 0.5, batch: true, includeBackground: false, classWeights: w, ignoreIndex: ig, gammaPlacement: GammaPlacement.OnClassMean),
            }, x, target);
        }

        [Fact]
        public void MoreErrorScoresMore()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(106, 3, 2, 4, 4);
            using var loss = new TverskyLoss(gamma: 0.75, gammaPlacement: GammaPlacement.OnClassMean);
            var right = TestData.PerfectLogits(y, 3, 1);
            var wrong = TestData.PerfectLogits(y.add(1).remainder(3), 3, 1);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, y);
        }

        [Theory]
        [InlineData(nn.Reduction.None)]
        [InlineData(nn.Reduction.Sum)]
        public void OnClassMeanRefusesReductionsOtherThanMean(nn.Reduction reduction)
        {
            FluentActions.Invoking(() => new TverskyLoss(gamma: 0.75, reduction: reduction, gammaPlacement: GammaPlacement.OnClassMean))
                .Should().Throw<ArgumentException>().WithParameterName("gammaPlacement").WithMessage($"*reduction Mean*got reduction {reduction}*");
            using var perClass = new TverskyLoss(gamma: 0.75, reduction: reduction);
            perClass.GammaPlacement.Should().Be(GammaPlacement.PerClass);
        }

        [Fact]
        public void UndefinedPlacementIsRejected()
        {
            FluentActions.Invoking(() => new TverskyLoss(gammaPlacement: (GammaPlacement)5)).Should().Throw<ArgumentException>()
                .WithParameterName("gammaPlacement").WithMessage("*PerClass or OnClassMean, got 5*");
        }
    }
}
