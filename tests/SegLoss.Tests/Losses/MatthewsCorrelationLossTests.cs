using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class MatthewsCorrelationLossTests
    {
        /// <summary>1 − MCC from plain counts with ε added to each, as a reference.</summary>
        private static double Reference(double tp, double fp, double fn, double tn, double eps)
        {
            tp += eps; fp += eps; fn += eps; tn += eps;
            return 1 - (tp * tn - fp * fn) / Math.Sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
        }

        [Fact]
        public void SmallExampleMatchesHandComputation()
        {
            using var scope = NewDisposeScope();
            // g = [1, 1, 0, 0], p = [0.8, 0.4, 0.1, 0.3]: TP = 1.2, FP = 0.4, FN = 0.8, TN = 0.9 + 0.7 = 1.6.
            // MCC = (1.2·1.6 − 0.4·0.8) / sqrt(1.6·2.0·2.0·2.4) = 1.6 / sqrt(15.36) = 1/√6.
            var p = tensor(new[] { 0.8, 0.4, 0.1, 0.3 }, new long[] { 1, 1, 4 });
            var g = tensor(new[] { 1.0, 1, 0, 0 }, new long[] { 1, 1, 4 });
            using var exact = new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false, epsilon: 0);
            Value(exact, p, g).Should().BeApproximately(1 - 1 / Math.Sqrt(6), 1e-12);
            using var defaults = new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false);
            Value(defaults, p, g).Should().BeApproximately(Reference(1.2, 0.4, 0.8, 1.6, 1e-5), 1e-12);
            using var large = new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false, epsilon: 0.5);
            // Counts 1.7, 0.9, 1.3, 2.1: MCC = (3.57 − 1.17) / sqrt(2.6·3.0·3.0·3.4).
            Value(large, p, g).Should().BeApproximately(1 - 2.4 / Math.Sqrt(2.6 * 3.0 * 3.0 * 3.4), 1e-12);
            // The sigmoid of logits gives the same as its probabilities.
            using var logits = new MatthewsCorrelationLoss(LossMode.Binary, epsilon: 0);
            Value(logits, (p / (1 - p)).log(), g).Should().BeApproximately(1 - 1 / Math.Sqrt(6), 1e-12);
        }

        [Fact]
        public void AnInvertedPredictionScoresTwoAndAPerfectOneZero()
        {
            using var scope = NewDisposeScope();
            var g = tensor(new[] { 1.0, 0, 0, 1, 0 }, new long[] { 1, 1, 5 });
            using var loss = new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false, epsilon: 0);
            Value(loss, 1 - g, g).Should().BeApproximately(2.0, 1e-12, "MCC = −1");
            Value(loss, g, g).Should().BeApproximately(0.0, 1e-12);
        }

        [Fact]
        public void AVanishingDenominatorHasAFiniteGradientAndTheDocumentedValue()
        {
            using var scope = NewDisposeScope();
            var background = zeros(new long[] { 1, 1, 4 }, ScalarType.Float64);
            using var exact = new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false, epsilon: 0);
            // All-background image predicted perfectly (p = 0): 0/0 defined as MCC = 1.
            var (perfect, g1) = PixelLossChecks.ValueAndGradient(v => exact.call(v, background), zeros(new long[] { 1, 1, 4 }, ScalarType.Float64));
            perfect.Should().Be(0.0);
            g1.Should().OnlyContain(v => v == 0.0);
            // All-background image with false positive mass: MCC = 0 (scikit-learn's convention), zero gradient.
            var (wrong, g2) = PixelLossChecks.ValueAndGradient(v => exact.call(v, background), full(new long[] { 1, 1, 4 }, 0.3, ScalarType.Float64));
            wrong.Should().Be(1.0);
            g2.Should().OnlyContain(v => v == 0.0);
            // A full object predicted perfectly (TN + FP = 0), and an empty prediction of an object (TP + FP = 0).
            var foreground = ones(new long[] { 1, 1, 4 }, ScalarType.Float64);
            Value(exact, foreground, foreground).Should().Be(0.0);
            Value(exact, background, tensor(new[] { 1.0, 0, 0, 0 }, new long[] { 1, 1, 4 })).Should().Be(1.0);
            // With the default ε the background-only image scores smp's value n / (2(n + 2ε)) at best, with a finite gradient.
            using var smoothed = new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false);
            var (value, g3) = PixelLossChecks.ValueAndGradient(v => smoothed.call(v, background), zeros(new long[] { 1, 1, 4 }, ScalarType.Float64));
            value.Should().BeApproximately(1 - 4 / (2 * (4 + 2e-5)), 1e-12);
            g3.Should().OnlyContain(v => double.IsFinite(v));
            Value(smoothed, full(new long[] { 1, 1, 4 }, 0.3, ScalarType.Float64), background).Should().BeApproximately(Reference(0, 1.2, 0, 2.8, 1e-5), 1e-12);
            // Logits: a confident all-background prediction is finite too.
            using var logits = new MatthewsCorrelationLoss(LossMode.Binary, epsilon: 0);
            var (_, g4) = PixelLossChecks.ValueAndGradient(v => logits.call(v, background), full(new long[] { 1, 1, 4 }, -40.0, ScalarType.Float64));
            g4.Should().OnlyContain(v => double.IsFinite(v));
        }

        [Fact]
        public void MulticlassIsOneAgainstTheRestPerImageAndOverTheBatch()
        {
            using var scope = NewDisposeScope();
            const long n = 2, c = 3, s = 20;
            var x = TestData.Logits(11, n, c, 4, 5);
            var y = TestData.LabelsWithIgnored(12, c, 255, n, 4, 5);
            var p = x.softmax(1).reshape(n, c, s).data<double>().ToArray();
            var labels = y.reshape(n, s).data<long>().ToArray();
            const double eps = 1e-3;
            // Plain confusion counts per image and class, and pooled over the batch.
            var counts = new double[n + 1, c, 4];
            for (long b = 0; b < n; b++)
                for (long k = 0; k < c; k++)
                    for (long i = 0; i < s; i++)
                    {
                        long label = labels[b * s + i];
                        if (label == 255) continue;
                        double pk = p[(b * c + k) * s + i], gk = label == k ? 1 : 0;
                        double[] add = { pk * gk, pk * (1 - gk), (1 - pk) * gk, (1 - pk) * (1 - gk) };
                        for (int j = 0; j < 4; j++) { counts[b, k, j] += add[j]; counts[n, k, j] += add[j]; }
                    }
            double Expected(long row, long k) => Reference(counts[row, k, 0], counts[row, k, 1], counts[row, k, 2], counts[row, k, 3], eps);

            using var perImage = new MatthewsCorrelationLoss(epsilon: eps, ignoreIndex: 255, reduction: nn.Reduction.None);
            var values = perImage.call(x, y);
            values.shape.Should().Equal(n, c);
            for (long b = 0; b < n; b++)
                for (long k = 0; k < c; k++)
                    values[b, k].item<double>().Should().BeApproximately(Expected(b, k), 1e-12, $"image {b}, class {k}");
            using var pooled = new MatthewsCorrelationLoss(epsilon: eps, includeBackground: false, batch: true, ignoreIndex: 255, reduction: nn.Reduction.None);
            var batch = pooled.call(x, y);
            batch.shape.Should().Equal(c - 1);
            for (long k = 1; k < c; k++) batch[k - 1].item<double>().Should().BeApproximately(Expected(n, k), 1e-12, $"class {k} over the batch");
            using var weights = tensor(new[] { 1.0, 2.0, 3.0 });
            using var weighted = new MatthewsCorrelationLoss(epsilon: eps, classWeights: weights, ignoreIndex: 255);
            double weightedMean = Enumerable.Range(0, (int)n).Sum(b => Expected(b, 0) + 2 * Expected(b, 1) + 3 * Expected(b, 2)) / (6.0 * n);
            Value(weighted, x, y).Should().BeApproximately(weightedMean, 1e-12);
            using var sum = new MatthewsCorrelationLoss(epsilon: eps, ignoreIndex: 255, reduction: nn.Reduction.Sum);
            Value(sum, x, y).Should().BeApproximately(values.sum().item<double>(), 1e-12);
        }

        [Fact]
        public void MultilabelIsPerChannelAndSoftTargetsEqualToThePredictionScoreZero()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(21, 2, 2, 3, 3);
            var t = TestData.BinaryTargets(22, 2, 2, 3, 3);
            using var multilabel = new MatthewsCorrelationLoss(LossMode.Multilabel, reduction: nn.Reduction.None);
            using var binary = new MatthewsCorrelationLoss(LossMode.Binary, reduction: nn.Reduction.None);
            var all = multilabel.call(x, t);
            for (long k = 0; k < 2; k++)
            {
                var single = binary.call(x.narrow(1, k, 1), t.narrow(1, k, 1)).squeeze(1);
                (all.select(1, k) - single).abs().max().item<double>().Should().BeLessThan(1e-14, $"channel {k}");
            }
            // Soft targets: the L1 form of TP makes p = g a perfect score.
            var soft = x.sigmoid();
            using var exact = new MatthewsCorrelationLoss(LossMode.Multilabel, epsilon: 0);
            Value(exact, x, soft).Should().BeApproximately(0.0, 1e-12);
        }

        [Theory]
        [MemberData(nameof(DiceLossTests.GradCases), MemberType = typeof(DiceLossTests))]
        public void GradientsMatchFiniteDifferences(LossMode mode, long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(31, shape);
            var target = DiceLossTests.MakeTarget(mode, shape, withIgnored, 32);
            long? ignore = withIgnored ? -1 : null;
            var variants = new[]
            {
                new MatthewsCorrelationLoss(mode, ignoreIndex: ignore),
                new MatthewsCorrelationLoss(mode, epsilon: 0, batch: true, includeBackground: false, ignoreIndex: ignore, reduction: nn.Reduction.None),
                new MatthewsCorrelationLoss(mode, epsilon: 0.5, ignoreIndex: ignore, reduction: nn.Reduction.Sum),
            };
            GradCheck.EachLoss(variants, x, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode)
        {
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new MatthewsCorrelationLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue));
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new MatthewsCorrelationLoss(mode, batch: true, ignoreIndex: PixelLossChecks.IgnoreValue));
        }

        [Fact]
        public void PerfectPredictionIsTheMinimumAndMoreErrorCostsMore()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(41, 3, 2, 5, 5);
            using var loss = new MatthewsCorrelationLoss();
            using var exact = new MatthewsCorrelationLoss(epsilon: 0);
            Value(exact, TestData.PerfectLogits(y, 3, 40), y).Should().BeApproximately(0, 1e-9);
            // ε shifts the perfect score by about ε·(1/G + 1/(n − G)) per class: here below 1e-5.
            Value(loss, TestData.PerfectLogits(y, 3, 40), y).Should().BeInRange(0, 1e-5);
            PixelLossChecks.AssertErrorLadderIncreases(loss, TestData.PerfectLogits(y, 3, 1), TestData.PerfectLogits((y + 1).remainder(3), 3, 1), y);
            var g = TestData.BinaryTargets(42, 2, 1, 5, 5);
            using var binary = new MatthewsCorrelationLoss(LossMode.Binary, batch: true);
            Value(binary, (g * 2 - 1) * 40, g).Should().BeInRange(0, 1e-6);
            PixelLossChecks.AssertErrorLadderIncreases(binary, g * 2 - 1, 1 - g * 2, g);
        }

        [Fact]
        public void Float32AgreesWithFloat64OnALargeVolume()
        {
            using var scope = NewDisposeScope();
            // 2 x 64³ voxels pooled over the batch: the four-factor product would reach 1e21 (fine in float32, but the
            // split square root keeps each factor at most n²/4).
            var x = TestData.Logits(51, 2, 1, 64, 64, 64);
            var g = TestData.BinaryTargets(52, 2, 1, 64, 64, 64);
            using var loss = new MatthewsCorrelationLoss(LossMode.Binary, batch: true);
            Value(loss, x.to(ScalarType.Float32), g.to(ScalarType.Float32)).Should().BeApproximately(Value(loss, x, g), 1e-5);
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            FluentActions.Invoking(() => new MatthewsCorrelationLoss(epsilon: -1e-5)).Should().Throw<ArgumentException>().WithParameterName("epsilon").WithMessage("*finite and non-negative*");
            FluentActions.Invoking(() => new MatthewsCorrelationLoss(epsilon: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("epsilon");
            FluentActions.Invoking(() => new MatthewsCorrelationLoss(epsilon: double.PositiveInfinity)).Should().Throw<ArgumentException>().WithParameterName("epsilon");
            FluentActions.Invoking(() => new MatthewsCorrelationLoss(mode: (LossMode)3)).Should().Throw<ArgumentException>().WithParameterName("mode");
            FluentActions.Invoking(() => new MatthewsCorrelationLoss(reduction: (nn.Reduction)3)).Should().Throw<ArgumentException>().WithParameterName("reduction");
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => new MatthewsCorrelationLoss(classWeights: tensor(new[] { 1.0, -1.0 }))).Should().Throw<ArgumentException>().WithParameterName("classWeights");
            using var weighted = new MatthewsCorrelationLoss(classWeights: tensor(new[] { 1.0, 2.0 }));
            weighted.Invoking(l => l.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 3, 2, 4, 4))).Should().Throw<ArgumentException>().WithParameterName("classWeights").WithMessage("*2 entries*3 classes*");
            using var loss = new MatthewsCorrelationLoss(LossMode.Multilabel);
            loss.Invoking(l => l.call(TestData.Logits(1, 2, 3, 4, 4), TestData.BinaryTargets(2, 2, 2, 4, 4))).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[2, 2, 4, 4]*");
            using var probabilities = new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false);
            probabilities.Invoking(l => l.call(TestData.Logits(1, 2, 1, 4, 4) + 5, TestData.BinaryTargets(2, 2, 1, 4, 4))).Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*[0, 1]*");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(95, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(96, 2, 3, 5, 5).requires_grad_(true);
                using var loss = new MatthewsCorrelationLoss(ignoreIndex: -1, batch: true);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
                using var exact = new MatthewsCorrelationLoss(epsilon: 0, ignoreIndex: -1);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(exact, x, y);
            }
        }
    }
}
