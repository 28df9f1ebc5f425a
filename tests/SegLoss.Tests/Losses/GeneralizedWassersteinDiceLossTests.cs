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
    public class GeneralizedWassersteinDiceLossTests
    {
        // Fidon et al.'s kind of matrix: background far from both classes, classes 1 and 2 close.
        private static readonly double[] BratsLike = { 0, 1, 1, 1, 0, 0.5, 1, 0.5, 0 };

        private static Tensor Matrix(double[] values) => tensor(values, new long[] { (long)Math.Sqrt(values.Length), (long)Math.Sqrt(values.Length) }, ScalarType.Float64);

        // One image, 3 classes, 3 pixels labelled [0, 1, 2] with (class-major) probabilities
        // pixel 0: [0.7, 0.2, 0.1], pixel 1: [0.1, 0.6, 0.3], pixel 2: [0.2, 0.2, 0.6].
        private static Tensor Probabilities() => tensor(new[] { 0.7, 0.1, 0.2, 0.2, 0.6, 0.2, 0.1, 0.3, 0.6 }, new long[] { 1, 3, 3 });

        private static Tensor Labels() => tensor(new long[] { 0, 1, 2 }, new long[] { 1, 3 });

        [Fact]
        public void SmallExampleMatchesHandComputation()
        {
            using var scope = NewDisposeScope();
            // W = M[y]·p: W0 = 0.2 + 0.1 = 0.3, W1 = 0.1 + 0.5·0.3 = 0.25, W2 = 0.2 + 0.5·0.2 = 0.3.
            // Foreground: TP = (1 − 0.25) + (1 − 0.3) = 1.45, D = 2·1.45 + (0.3 + 0.25 + 0.3) = 3.75, loss = 1 − 2.9/3.75.
            using var foreground = new GeneralizedWassersteinDiceLoss(fromLogits: false, distanceMatrix: Matrix(BratsLike), smoothNumerator: 0, smoothDenominator: 0);
            Value(foreground, Probabilities(), Labels()).Should().BeApproximately(1 - 2.9 / 3.75, 1e-12);
            // InverseVolume: V = [1, 1, 1], α = 1/2: TP = 0.5·(0.7 + 0.75 + 0.7) = 1.075,
            // D = 0.5·(1.7 + 1.75 + 1.7) = 2.575, loss = 1 − 2.15/2.575.
            using var inverse = new GeneralizedWassersteinDiceLoss(fromLogits: false, distanceMatrix: Matrix(BratsLike), weighting: WassersteinDiceWeighting.InverseVolume, smoothNumerator: 0, smoothDenominator: 0);
            Value(inverse, Probabilities(), Labels()).Should().BeApproximately(1 - 2.15 / 2.575, 1e-12);
            // Default smoothing 1e-5 on both sides.
            using var smoothed = new GeneralizedWassersteinDiceLoss(fromLogits: false, distanceMatrix: Matrix(BratsLike));
            Value(smoothed, Probabilities(), Labels()).Should().BeApproximately(1 - (2.9 + 1e-5) / (3.75 + 1e-5), 1e-12);
            // Only the ratios of the distances matter: M is scaled to a largest entry of 1.
            using var scaled = new GeneralizedWassersteinDiceLoss(fromLogits: false, distanceMatrix: Matrix(BratsLike) * 4, smoothNumerator: 0, smoothDenominator: 0);
            Value(scaled, Probabilities(), Labels()).Should().BeApproximately(1 - 2.9 / 3.75, 1e-12);
            scaled.DistanceMatrix!.max().item<double>().Should().Be(1.0);
        }

        [Fact]
        public void TheDefaultMatrixIsOneMinusIdentity()
        {
            using var scope = NewDisposeScope();
            // M = 1 − I: W_i = 1 − p_{y_i} = [0.3, 0.4, 0.4]; TP = 0.6 + 0.6 = 1.2, D = 2.4 + 1.1 = 3.5.
            using var loss = new GeneralizedWassersteinDiceLoss(fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
            Value(loss, Probabilities(), Labels()).Should().BeApproximately(1 - 2.4 / 3.5, 1e-12);
            loss.DistanceMatrix.Should().BeNull();
            using var explicitMatrix = new GeneralizedWassersteinDiceLoss(fromLogits: false, distanceMatrix: Matrix(new double[] { 0, 1, 1, 1, 0, 1, 1, 1, 0 }), smoothNumerator: 0, smoothDenominator: 0);
            Value(explicitMatrix, Probabilities(), Labels()).Should().BeApproximately(1 - 2.4 / 3.5, 1e-12);
        }

        [Fact]
        public void WithTwoClassesAndTheDefaultMatrixItIsTheForegroundDiceLoss()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(41, 3, 2, 4, 5);
            var y = TestData.LabelsWithIgnored(42, 2, 255, 3, 4, 5);
            using var gwdl = new GeneralizedWassersteinDiceLoss(ignoreIndex: 255, reduction: nn.Reduction.None);
            using var dice = new DiceLoss(includeBackground: false, ignoreIndex: 255, reduction: nn.Reduction.None);
            var (a, ga) = PixelLossChecks.ValueAndGradient(v => (gwdl.call(v, y) * tensor(new[] { 1.0, 2.0, 3.0 })).sum(), x);
            var (b, gb) = PixelLossChecks.ValueAndGradient(v => (dice.call(v, y).squeeze(1) * tensor(new[] { 1.0, 2.0, 3.0 })).sum(), x);
            a.Should().BeApproximately(b, 1e-12);
            for (int i = 0; i < ga.Length; i++) ga[i].Should().BeApproximately(gb[i], 1e-12);
        }

        [Theory]
        [InlineData(WassersteinDiceWeighting.Foreground)]
        [InlineData(WassersteinDiceWeighting.InverseVolume)]
        public void MatchesALoopOverPixelsPerImage(WassersteinDiceWeighting weighting)
        {
            using var scope = NewDisposeScope();
            const long n = 2, c = 3, s = 12;
            var x = TestData.Logits(51, n, c, 3, 4);
            var y = TestData.LabelsWithIgnored(52, c, 255, n, 3, 4);
            using var none = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(BratsLike) * 2, weighting: weighting, smoothNumerator: 1e-3, smoothDenominator: 2e-3, ignoreIndex: 255, reduction: nn.Reduction.None);
            var actual = none.call(x, y).data<double>().ToArray();
            var p = x.softmax(1).reshape(n, c, s).data<double>().ToArray();
            var labels = y.reshape(n, s).data<long>().ToArray();
            for (long b = 0; b < n; b++)
            {
                var volume = new double[c];
                for (long i = 0; i < s; i++) if (labels[b * s + i] != 255) volume[labels[b * s + i]]++;
                double tp = 0, error = 0, weighted = 0;
                for (long i = 0; i < s; i++)
                {
                    long label = labels[b * s + i];
                    if (label == 255) continue;
                    double w = 0;
                    for (long k = 0; k < c; k++) w += BratsLike[label * c + k] * p[(b * c + k) * s + i];
                    double alpha = weighting == WassersteinDiceWeighting.Foreground ? (label == 0 ? 0 : 1) : 1 / (volume[label] + 1);
                    tp += alpha * (1 - w);
                    error += w;
                    weighted += alpha * (2 - w);
                }
                double denominator = weighting == WassersteinDiceWeighting.Foreground ? 2 * tp + error : weighted;
                actual[b].Should().BeApproximately(1 - (2 * tp + 1e-3) / (denominator + 2e-3), 1e-12, $"image {b}");
            }
            using var mean = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(BratsLike), weighting: weighting, smoothNumerator: 1e-3, smoothDenominator: 2e-3, ignoreIndex: 255);
            Value(mean, x, y).Should().BeApproximately(actual.Average(), 1e-12);
            using var sum = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(BratsLike), weighting: weighting, smoothNumerator: 1e-3, smoothDenominator: 2e-3, ignoreIndex: 255, reduction: nn.Reduction.Sum);
            Value(sum, x, y).Should().BeApproximately(actual.Sum(), 1e-12);
        }

        [Fact]
        public void ABackgroundOnlyImagePredictedPerfectlyScoresZeroEvenWithoutSmoothing()
        {
            using var scope = NewDisposeScope();
            // Foreground weighting: TP = 0 and no error, so D = 0; the 0/0 counts as a perfect score.
            var p = tensor(new[] { 1.0, 1.0, 0, 0, 0, 0 }, new long[] { 1, 3, 2 }).requires_grad_(true);
            var y = zeros(new long[] { 1, 2 }, ScalarType.Int64);
            using var exact = new GeneralizedWassersteinDiceLoss(fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
            var value = exact.call(p, y);
            value.item<double>().Should().Be(0.0);
            value.backward();
            p.grad!.isfinite().all().item<bool>().Should().BeTrue();
            // With an error the background-only image scores 1 (no true positive can be earned).
            Value(exact, tensor(new[] { 0.5, 1.0, 0.5, 0, 0, 0 }, new long[] { 1, 3, 2 }), y).Should().BeApproximately(1.0, 1e-12);
            using var smoothed = new GeneralizedWassersteinDiceLoss(fromLogits: false);
            Value(smoothed, tensor(new[] { 1.0, 1.0, 0, 0, 0, 0 }, new long[] { 1, 3, 2 }), y).Should().BeApproximately(0.0, 1e-12);
        }

        [Fact]
        public void MonaiDocstringExampleScoresZero()
        {
            using var scope = NewDisposeScope();
            // MONAI's example: three one-pixel images with logits 1000 on the true class, labels [0, 1, 2].
            var logits = tensor(new[] { 1000.0, 0, 0, 0, 1000, 0, 0, 0, 1000 }, new long[] { 3, 3, 1 });
            var labels = tensor(new long[] { 0, 1, 2 }, new long[] { 3, 1 });
            using var loss = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(BratsLike));
            Value(loss, logits, labels).Should().BeApproximately(0.0, 1e-12);
        }

        [Fact]
        public void PerfectPredictionIsTheMinimumAndCloseClassesCostLess()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(61, 3, 2, 5, 5);
            foreach (var weighting in new[] { WassersteinDiceWeighting.Foreground, WassersteinDiceWeighting.InverseVolume })
            {
                using var loss = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(BratsLike), weighting: weighting);
                Value(loss, TestData.PerfectLogits(y, 3, 40), y).Should().BeApproximately(0, 1e-9);
                PixelLossChecks.AssertErrorLadderIncreases(loss, TestData.PerfectLogits(y, 3, 1), TestData.PerfectLogits((y + 1).remainder(3), 3, 1), y);
            }
            // Label 1 predicted as 2 (distance 0.5) costs less than predicted as 0 (distance 1).
            using var gwdl = new GeneralizedWassersteinDiceLoss(fromLogits: false, distanceMatrix: Matrix(BratsLike));
            var labels = tensor(new long[] { 1, 1 }, new long[] { 1, 2 });
            double close = Value(gwdl, tensor(new[] { 0.0, 0, 0, 1, 1, 0 }, new long[] { 1, 3, 2 }), labels);
            double far = Value(gwdl, tensor(new[] { 1.0, 0, 0, 1, 0, 0 }, new long[] { 1, 3, 2 }), labels);
            close.Should().BeLessThan(far);
        }

        public static TheoryData<long[], bool> GradCases() => new()
        {
            { new long[] { 2, 3, 3, 2 }, false },
            { new long[] { 2, 3, 3, 2 }, true },
            { new long[] { 1, 3, 2, 2, 2 }, false },
            { new long[] { 1, 3, 2, 3, 2 }, true },
        };

        [Theory]
        [MemberData(nameof(GradCases))]
        public void GradientsMatchFiniteDifferences(long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(71, shape);
            var target = DiceLossTests.MakeTarget(LossMode.Multiclass, shape, withIgnored, 72);
            long? ignore = withIgnored ? -1 : null;
            var variants = new[]
            {
                new GeneralizedWassersteinDiceLoss(ignoreIndex: ignore),
                new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(BratsLike), ignoreIndex: ignore, reduction: nn.Reduction.None),
                new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(BratsLike), weighting: WassersteinDiceWeighting.InverseVolume, smoothNumerator: 0, smoothDenominator: 0, ignoreIndex: ignore, reduction: nn.Reduction.Sum),
                new GeneralizedWassersteinDiceLoss(fromLogits: false, weighting: WassersteinDiceWeighting.InverseVolume, ignoreIndex: ignore),
            };
            // The probability variant sees softmax outputs, so that its input stays in [0, 1] under the perturbation.
            GradCheck.EachLoss(variants.Take(3), x, target);
            GradCheck.Full(v => variants[3].call(v.softmax(1), target), x);
            variants[3].Dispose();
        }

        [Fact]
        public void IgnoredPixelsAreInert()
        {
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(LossMode.Multiclass, () => new GeneralizedWassersteinDiceLoss(ignoreIndex: PixelLossChecks.IgnoreValue));
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(LossMode.Multiclass, () => new GeneralizedWassersteinDiceLoss(weighting: WassersteinDiceWeighting.InverseVolume, ignoreIndex: PixelLossChecks.IgnoreValue));
        }

        [Fact]
        public void Float32AgreesWithFloat64()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(81, 2, 3, 4, 4);
            var y = TestData.Labels(82, 3, 2, 4, 4);
            using var loss = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(BratsLike).to(ScalarType.Float32), weighting: WassersteinDiceWeighting.InverseVolume);
            Value(loss, x.to(ScalarType.Float32), y).Should().BeApproximately(Value(loss, x, y), 1e-6);
        }

        [Fact]
        public void TheMatrixIsARegisteredBufferThatMovesWithTheModule()
        {
            using var scope = NewDisposeScope();
            using var loss = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(BratsLike));
            loss.named_buffers().Select(b => b.name).Should().BeEquivalentTo("distanceMatrix");
            loss.DistanceMatrix!.dtype.Should().Be(ScalarType.Float64);
            loss.to(ScalarType.Float32);
            loss.DistanceMatrix!.dtype.Should().Be(ScalarType.Float32);
            Value(loss, Probabilities().log(), Labels()).Should().BeApproximately(1 - (2.9 + 1e-5) / (3.75 + 1e-5), 1e-6);
        }

        [Fact]
        public void BadOptionsAreRejectedWithTheirNames()
        {
            void Rejects(double[] values, long[] shape, string message)
            {
                using var m = tensor(values, shape, ScalarType.Float64);
                FluentActions.Invoking(() => new GeneralizedWassersteinDiceLoss(distanceMatrix: m)).Should().Throw<ArgumentException>()
                    .WithParameterName("distanceMatrix").WithMessage(message);
            }
            Rejects(new double[] { 0, 1, 1, 0, 1, 1 }, new long[] { 2, 3 }, "*square*[2, 3]*");
            Rejects(new double[] { 0, 1, 1 }, new long[] { 3 }, "*square*[3]*");
            Rejects(new double[] { 0 }, new long[] { 1, 1 }, "*C >= 2*");
            Rejects(new double[] { 0, double.NaN, 1, 0 }, new long[] { 2, 2 }, "*finite and non-negative*NaN*");
            Rejects(new double[] { 0, double.PositiveInfinity, 1, 0 }, new long[] { 2, 2 }, "*finite*");
            Rejects(new double[] { 0, -1, 1, 0 }, new long[] { 2, 2 }, "*non-negative*-1*");
            Rejects(new double[] { 0, 1, 1, 0.5 }, new long[] { 2, 2 }, "*zero diagonal*0.5 at [1, 1]*");
            Rejects(new double[] { 0, 0, 0, 0 }, new long[] { 2, 2 }, "*positive entry*");
            using (var b = tensor(new[] { false, true, true, false }, new long[] { 2, 2 }))
                FluentActions.Invoking(() => new GeneralizedWassersteinDiceLoss(distanceMatrix: b)).Should().Throw<ArgumentException>().WithParameterName("distanceMatrix").WithMessage("*real numbers*Bool*");
            FluentActions.Invoking(() => new GeneralizedWassersteinDiceLoss(mode: LossMode.Binary)).Should().Throw<ArgumentException>().WithParameterName("mode").WithMessage("*Multiclass*Binary*");
            FluentActions.Invoking(() => new GeneralizedWassersteinDiceLoss(weighting: (WassersteinDiceWeighting)7)).Should().Throw<ArgumentException>().WithParameterName("weighting").WithMessage("weighting must be Foreground or InverseVolume, got 7*");
            FluentActions.Invoking(() => new GeneralizedWassersteinDiceLoss(smoothNumerator: -1)).Should().Throw<ArgumentException>().WithParameterName("smoothNumerator");
            FluentActions.Invoking(() => new GeneralizedWassersteinDiceLoss(smoothDenominator: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("smoothDenominator");
            FluentActions.Invoking(() => new GeneralizedWassersteinDiceLoss(reduction: (nn.Reduction)5)).Should().Throw<ArgumentException>().WithParameterName("reduction");
        }

        [Fact]
        public void BadInputIsRejectedWithItsName()
        {
            using var scope = NewDisposeScope();
            using var loss = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(BratsLike));
            // Four classes against a 3 x 3 matrix.
            loss.Invoking(l => l.call(TestData.Logits(1, 2, 4, 3, 3), TestData.Labels(2, 4, 2, 3, 3))).Should().Throw<ArgumentException>()
                .WithParameterName("distanceMatrix").WithMessage("distanceMatrix is 3 x 3 but the input has 4 classes*[2, 4, 3, 3]*");
            // Soft labels have no closed-form Wasserstein distance.
            var x = TestData.Logits(3, 2, 3, 3, 3);
            loss.Invoking(l => l.call(x, x.softmax(1))).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*soft labels*integer class labels of shape [2, 3, 3]*");
            loss.Invoking(l => l.call(x, TestData.Labels(4, 3, 2, 3, 4))).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[2, 3, 4]*");
            loss.Invoking(l => l.call(x, TestData.Labels(4, 5, 2, 3, 3) + 3)).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*label*");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(95, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(96, 2, 3, 5, 5).requires_grad_(true);
                using var m = Matrix(BratsLike);
                using var loss = new GeneralizedWassersteinDiceLoss(distanceMatrix: m, weighting: WassersteinDiceWeighting.InverseVolume, ignoreIndex: -1);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
                using var plain = new GeneralizedWassersteinDiceLoss(ignoreIndex: -1);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(plain, x, y);
            }

            [Fact]
            public void ARejectedMatrixLeavesNoTensorBehind()
            {
                using var m = tensor(new double[] { 0, 1, 1, 1 }, new long[] { 2, 2 });
                LiveTensors.AssertNoLeak(() => FluentActions.Invoking(() => new GeneralizedWassersteinDiceLoss(distanceMatrix: m)).Should().Throw<ArgumentException>(), "the validation copy is disposed");
                using var valid = tensor(new double[] { 0, 1, 1, 0 }, new long[] { 2, 2 });
                LiveTensors.AssertNoLeak(() => new GeneralizedWassersteinDiceLoss(distanceMatrix: valid).Dispose(), "Dispose releases the buffer");
            }
        }
    }
}
