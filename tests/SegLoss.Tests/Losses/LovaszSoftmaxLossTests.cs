using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class LovaszSoftmaxLossTests
    {
        private const long Ignore = 255;


        private static double[] Values(SegmentationLoss loss, Tensor input, Tensor target, params long[] expectedShape)
        {
            using var result = loss.call(input, target);
            result.shape.Should().Equal(expectedShape);
            return result.data<double>().ToArray();
        }

        // Two classes, 4 pixels, probabilities of class 1: [0.9, 0.6, 0.3, 0.2], labels [1, 0, 1, 0].
        // Class 1: errors [0.1, 0.6, 0.7, 0.2]; sorted 0.7 (g=1), 0.6 (0), 0.2 (0), 0.1 (1); G = 2,
        // inter = [1, 1, 1, 0], union = [2, 3, 4, 4], J = [1/2, 2/3, 3/4, 1], weights [1/2, 1/6, 1/12, 1/4].
        // Class 0: same errors; sorted g = [0, 1, 1, 0], inter = [2, 1, 0, 0], union = [3, 3, 3, 4],
        // J = [1/3, 2/3, 1, 1], weights [1/3, 1/3, 1/3, 0].
        private const double HandClass1 = 0.7 / 2 + 0.6 / 6 + 0.2 / 12 + 0.1 / 4;
        private const double HandClass0 = (0.7 + 0.6 + 0.2) / 3;

        private static Tensor HandProbabilities() => tensor(new[] { 0.1, 0.4, 0.7, 0.8, /* c1 */ 0.9, 0.6, 0.3, 0.2 }, new long[] { 1, 2, 4 });

        private static Tensor HandLabels() => tensor(new long[] { 1, 0, 1, 0 }, new long[] { 1, 4 });

        [Fact]
        public void TwoClassExampleMatchesHandComputedValues()
        {
            using var p = HandProbabilities();
            using var y = HandLabels();
            using var loss = new LovaszSoftmaxLoss(fromLogits: false);
            Value(loss, p, y).Should().BeApproximately((HandClass0 + HandClass1) / 2, 1e-12);
            using var none = new LovaszSoftmaxLoss(fromLogits: false, reduction: nn.Reduction.None);
            Values(none, p, y, 2).Should().Equal(new[] { HandClass0, HandClass1 }, (a, b) => Math.Abs(a - b) < 1e-12);
            using var sum = new LovaszSoftmaxLoss(fromLogits: false, reduction: nn.Reduction.Sum);
            Value(sum, p, y).Should().BeApproximately(HandClass0 + HandClass1, 1e-12);
        }

        [Fact]
        public void ReferenceOracleMatchesTheHandComputedValues()
        {
            LovaszReference.Extension(new[] { 0.1, 0.6, 0.7, 0.2 }, new[] { true, false, true, false }).Should().BeApproximately(HandClass1, 1e-14);
            LovaszReference.Extension(new[] { 0.1, 0.6, 0.7, 0.2 }, new[] { false, true, false, true }).Should().BeApproximately(HandClass0, 1e-14);
            LovaszReference.Extension(new[] { 0.3, 0.8, 0.1 }, new[] { false, false, false }).Should().BeApproximately(0.8, 1e-14, "an absent class costs its largest error");
        }

        [Fact]
        public void LogitsGoThroughTheSoftmax()
        {
            // Logits whose softmax is the hand example: class 1 minus class 0 = log(p1 / p0).
            var p1 = new[] { 0.9, 0.6, 0.3, 0.2 };
            using var x = tensor(new double[] { 0, 0, 0, 0 }.Concat(p1.Select(v => Math.Log(v / (1 - v)))).ToArray(), new long[] { 1, 2, 2, 2 });
            using var y = tensor(new long[] { 1, 0, 1, 0 }, new long[] { 1, 2, 2 });
            using var loss = new LovaszSoftmaxLoss();
            Value(loss, x, y).Should().BeApproximately((HandClass0 + HandClass1) / 2, 1e-12);
        }

        [Fact]
        public void PresentSkipsAbsentClassesAndAllChargesTheirLargestError()
        {
            // Three classes over 4 pixels; class 2 is absent from the labels [0, 1, 1, 0].
            using var p = tensor(new[]
            {
                0.7, 0.2, 0.1, 0.5, // c0
                0.1, 0.6, 0.8, 0.2, // c1
                0.2, 0.2, 0.1, 0.3, // c2
            }, new long[] { 1, 3, 4 });
            using var y = tensor(new long[] { 0, 1, 1, 0 }, new long[] { 1, 4 });
            var probabilities = new[] { new[] { 0.7, 0.2, 0.1, 0.5 }, new[] { 0.1, 0.6, 0.8, 0.2 } };
            var labels = new[] { 0, 1, 1, 0 };
            var expected = Enumerable.Range(0, 2).Select(c => LovaszReference.Extension(
                probabilities[c].Select((q, i) => Math.Abs((labels[i] == c ? 1 : 0) - q)).ToArray(),
                labels.Select(l => l == c).ToArray())).ToArray();

            using var present = new LovaszSoftmaxLoss(fromLogits: false, reduction: nn.Reduction.None);
            var v = Values(present, p, y, 3);
            v[0].Should().BeApproximately(expected[0], 1e-12);
            v[1].Should().BeApproximately(expected[1], 1e-12);
            v[2].Should().Be(0.0, "an absent class is skipped under Present");
            using var presentMean = new LovaszSoftmaxLoss(fromLogits: false);
            Value(presentMean, p, y).Should().BeApproximately((expected[0] + expected[1]) / 2, 1e-12, "the mean runs over present classes only");

            using var all = new LovaszSoftmaxLoss(fromLogits: false, classes: LovaszClasses.All, reduction: nn.Reduction.None);
            Values(all, p, y, 3)[2].Should().BeApproximately(0.3, 1e-12, "an absent class costs its largest probability under All");
            using var allMean = new LovaszSoftmaxLoss(fromLogits: false, classes: LovaszClasses.All);
            Value(allMean, p, y).Should().BeApproximately((expected[0] + expected[1] + 0.3) / 3, 1e-12);
        }

        public static TheoryData<int, bool, LovaszClasses, bool> BruteForceCases()
        {
            var data = new TheoryData<int, bool, LovaszClasses, bool>();
            foreach (var c in new[] { 3, 4 })
                foreach (var perImage in new[] { false, true })
                    foreach (var classes in new[] { LovaszClasses.Present, LovaszClasses.All })
                        foreach (var ignore in new[] { false, true })
                            data.Add(c, perImage, classes, ignore);
            return data;
        }

        [Theory]
        [MemberData(nameof(BruteForceCases))]
        public void MulticlassMatchesTheBruteForceLovaszExtension(int c, bool perImage, LovaszClasses classes, bool ignore)
        {
            using var scope = NewDisposeScope();
            const int n = 3, s = 9;
            var x = TestData.Logits(100 + c, n, c, 3, 3);
            // Class c−1 never occurs and class c−2 is absent from image 1, so Present and All differ in both pools.
            var rng = new Random(200 + c);
            var labels = new long[n * s];
            for (int i = 0; i < labels.Length; i++)
            {
                long label = rng.Next(c - 1);
                if (i / s == 1 && label == c - 2) label = 0;
                labels[i] = ignore && rng.NextDouble() < 0.25 ? Ignore : label;
            }
            var y = tensor(labels, new long[] { n, 3, 3 });

            var logits = LovaszReference.Cube(x.data<double>().ToArray(), n, c, s);
            var p = LovaszReference.Softmax(logits);
            var truth = LovaszReference.Map(p, (i, k, px, _) => labels[i * s + px] == k);
            var valid = LovaszReference.Map(p, (i, k, px, _) => labels[i * s + px] != Ignore);
            var errors = LovaszReference.Map(p, (i, k, px, v) => Math.Abs((truth[i, k, px] ? 1 : 0) - v));
            var (expected, present) = LovaszReference.Pools(errors, truth, valid, perImage);
            bool presentOnly = classes == LovaszClasses.Present;
            present.Cast<bool>().Should().Contain(false, "the case must have absent classes");

            long? ignoreIndex = ignore ? Ignore : null;
            using var none = new LovaszSoftmaxLoss(classes: classes, perImage: perImage, ignoreIndex: ignoreIndex, reduction: nn.Reduction.None);
            var values = Values(none, x, y, perImage ? new long[] { n, c } : new long[] { c });
            int pools = perImage ? n : 1;
            double sum = 0;
            for (int pool = 0; pool < pools; pool++)
            {
                for (int k = 0; k < c; k++)
                {
                    double want = presentOnly && !present[pool, k] ? 0.0 : expected[pool, k];
                    values[pool * c + k].Should().BeApproximately(want, 1e-12, $"pool {pool}, class {k}");
                    sum += want;
                }
            }
            using var mean = new LovaszSoftmaxLoss(classes: classes, perImage: perImage, ignoreIndex: ignoreIndex);
            Value(mean, x, y).Should().BeApproximately(LovaszReference.Mean(expected, present, presentOnly), 1e-12);
            using var total = new LovaszSoftmaxLoss(classes: classes, perImage: perImage, ignoreIndex: ignoreIndex, reduction: nn.Reduction.Sum);
            Value(total, x, y).Should().BeApproximately(sum, 1e-12);
        }

        [Theory]
        [InlineData(LossMode.Multilabel, false, false)]
        [InlineData(LossMode.Multilabel, true, true)]
        [InlineData(LossMode.Binary, false, true)]
        [InlineData(LossMode.Binary, true, false)]
        public void SigmoidModesMatchTheBruteForceLovaszExtensionPerChannel(LossMode mode, bool perImage, bool ignore)
        {
            using var scope = NewDisposeScope();
            int n = 3, c = mode == LossMode.Binary ? 1 : 3, s = 8;
            var x = TestData.Logits(300, n, c, 2, 4);
            var rng = new Random(301);
            var targets = new double[n * c * s];
            for (int i = 0; i < targets.Length; i++)
            {
                targets[i] = rng.NextDouble() < 0.4 ? 1 : 0;
                if (i / (c * s) == 2 && (i / s) % c == 0) targets[i] = 0; // channel 0 of image 2 has no foreground
                if (ignore && rng.NextDouble() < 0.25) targets[i] = Ignore;
            }
            var t = tensor(targets, new long[] { n, c, 2, 4 });

            var z = LovaszReference.Cube(x.data<double>().ToArray(), n, c, s);
            var g = LovaszReference.Cube(targets, n, c, s);
            var truth = LovaszReference.Map(g, (_, _, _, v) => v == 1);
            var valid = LovaszReference.Map(g, (_, _, _, v) => v != Ignore);
            var errors = LovaszReference.Map(z, (i, k, px, v) => Math.Abs((truth[i, k, px] ? 1 : 0) - 1 / (1 + Math.Exp(-v))));
            var (expected, present) = LovaszReference.Pools(errors, truth, valid, perImage);

            long? ignoreIndex = ignore ? Ignore : null;
            using var none = new LovaszSoftmaxLoss(mode, classes: LovaszClasses.All, perImage: perImage, ignoreIndex: ignoreIndex, reduction: nn.Reduction.None);
            var values = Values(none, x, t, perImage ? new long[] { n, c } : new long[] { c });
            values.Should().Equal(expected.Cast<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
            using var mean = new LovaszSoftmaxLoss(mode, perImage: perImage, ignoreIndex: ignoreIndex);
            Value(mean, x, t).Should().BeApproximately(LovaszReference.Mean(expected, present, presentOnly: true), 1e-12);
        }

        public static TheoryData<LossMode, long[], bool> GradCases() => new()
        {
            { LossMode.Multiclass, new long[] { 2, 3, 3, 2 }, false },
            { LossMode.Multiclass, new long[] { 2, 4, 3, 2 }, true },
            { LossMode.Multiclass, new long[] { 1, 3, 2, 2, 2 }, false },
            { LossMode.Multiclass, new long[] { 2, 3, 2, 2, 2 }, true },
            { LossMode.Binary, new long[] { 2, 1, 3, 3 }, true },
            { LossMode.Binary, new long[] { 1, 1, 2, 2, 3 }, false },
            { LossMode.Multilabel, new long[] { 2, 2, 3, 2 }, true },
            { LossMode.Multilabel, new long[] { 1, 3, 2, 2, 2 }, false },
        };

        [Theory]
        [MemberData(nameof(GradCases))]
        public void GradientsMatchFiniteDifferences(LossMode mode, long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(61, shape);
            var target = DiceLossTests.MakeTarget(mode, shape, withIgnored, 62);
            long? ignoreIndex = withIgnored ? -1 : null;
            var variants = new[]
            {
                new LovaszSoftmaxLoss(mode, ignoreIndex: ignoreIndex),
                new LovaszSoftmaxLoss(mode, perImage: true, classes: LovaszClasses.All, ignoreIndex: ignoreIndex),
                new LovaszSoftmaxLoss(mode, perImage: true, ignoreIndex: ignoreIndex, reduction: nn.Reduction.None),
            };
            foreach (var loss in variants)
            {
                var g = GradCheck.Gradient(input => loss.call(input, target), x);
                g.Should().Contain(v => Math.Abs(v) > 1e-6, "the check must exercise a non-zero gradient");
                GradCheck.Full(input => loss.call(input, target), x);
                loss.Dispose();
            }
        }

        [Theory]
        [InlineData(LossMode.Multiclass, false, false)]
        [InlineData(LossMode.Multiclass, true, true)]
        [InlineData(LossMode.Binary, false, true)]
        [InlineData(LossMode.Multilabel, true, false)]
        public void IgnoredPixelsAreInert(LossMode mode, bool threeD, bool perImage)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD, ignore: true, seed: 71);
            using var loss = new LovaszSoftmaxLoss(mode, perImage: perImage, ignoreIndex: PixelLossChecks.IgnoreValue);
            PixelLossChecks.IgnoredPixelsAreInert(input => loss.call(input, target), x, ignored);
        }

        [Fact]
        public void EveryPixelIgnoredGivesZeroWithAZeroGradient()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(81, 2, 3, 2, 2).requires_grad_(true);
            var y = full(new long[] { 2, 2, 2 }, Ignore, ScalarType.Int64);
            foreach (var perImage in new[] { false, true })
            {
                using var loss = new LovaszSoftmaxLoss(perImage: perImage, ignoreIndex: Ignore);
                var value = loss.call(x, y);
                value.item<double>().Should().Be(0.0);
                value.requires_grad.Should().BeTrue("the result stays connected to the input");
                value.backward();
                x.grad!.abs().max().item<double>().Should().Be(0.0);
                x.grad = null;
            }
        }

        [Fact]
        public void PerfectPredictionScoresZeroAndMoreErrorCostsMore()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(91, 4, 2, 4, 4);
            var oneHot = OneHot.Encode(y, 4, dtype: ScalarType.Float64);
            using var probabilities = new LovaszSoftmaxLoss(fromLogits: false, perImage: true);
            Value(probabilities, oneHot, y).Should().Be(0.0, "one-hot probabilities have no error");

            var perfect = TestData.PerfectLogits(y, 4);
            using var loss = new LovaszSoftmaxLoss();
            double previous = Value(loss, perfect, y);
            previous.Should().BeLessThan(1e-9);
            foreach (var flatten in new[] { 8.0, 16.0, 64.0 })
            {
                double value = Value(loss, perfect * (1.0 / flatten), y);
                value.Should().BeGreaterThan(previous, $"flattening the logits by {flatten} moves predictions away from the labels");
                previous = value;
            }
        }

        [Fact]
        public void PooledLossIsInvariantToPixelPermutations()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(101, 2, 3, 4, 3);
            var y = TestData.LabelsWithIgnored(102, 3, Ignore, 2, 4, 3);
            var permuted = PixelLossChecks.PermutePixels(5, (x, 2), (y, 1));
            using var loss = new LovaszSoftmaxLoss(ignoreIndex: Ignore);
            double original = Value(loss, x, y);
            original.Should().BeGreaterThan(0.05);
            Value(loss, permuted[0], permuted[1]).Should().BeApproximately(original, 1e-12);
        }

        [Fact]
        public void OneImagePerImageEqualsPooledAndBatchesDiffer()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(111, 2, 3, 3, 3);
            var y = TestData.Labels(112, 3, 2, 3, 3);
            using var pooled = new LovaszSoftmaxLoss();
            using var perImage = new LovaszSoftmaxLoss(perImage: true);
            var first = x.narrow(0, 0, 1);
            var firstLabels = y.narrow(0, 0, 1);
            Value(perImage, first, firstLabels).Should().BeApproximately(Value(pooled, first, firstLabels), 1e-12);
            Math.Abs(Value(perImage, x, y) - Value(pooled, x, y)).Should().BeGreaterThan(1e-4, "pooling the batch is not the mean of per-image losses");
        }

        [Fact]
        public void SoftTargetsScoreZeroAtEqualityAndOneHotTargetsMatchLabels()
        {
            using var scope = NewDisposeScope();
            var g = tensor(new[] { 0.7, 0.2, 0.4, /* c1 */ 0.3, 0.8, 0.6 }, new long[] { 1, 2, 3 });
            using var probabilities = new LovaszSoftmaxLoss(fromLogits: false);
            Value(probabilities, g, g).Should().Be(0.0);

            var x = TestData.Logits(121, 2, 3, 3, 2);
            var y = TestData.Labels(122, 3, 2, 3, 2);
            using var loss = new LovaszSoftmaxLoss(perImage: true);
            Value(loss, x, OneHot.Encode(y, 3, dtype: ScalarType.Float64)).Should().BeApproximately(Value(loss, x, y), 1e-12);
        }

        [Fact]
        public void HalfPrecisionInputIsComputedInFloat32()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(131, 2, 3, 3, 3);
            var y = TestData.Labels(132, 3, 2, 3, 3);
            using var loss = new LovaszSoftmaxLoss();
            double reference = Value(loss, x, y);
            var half = loss.call(x.to(ScalarType.Float16), y);
            half.dtype.Should().Be(ScalarType.Float32);
            half.item<float>().Should().BeApproximately((float)reference, 2e-3f);
        }

        [Fact]
        public void ConstructorRejectsBadOptions()
        {
            FluentActions.Invoking(() => new LovaszSoftmaxLoss(classes: (LovaszClasses)5)).Should().Throw<ArgumentException>().WithParameterName("classes").WithMessage("*Present or All*5*");
            FluentActions.Invoking(() => new LovaszSoftmaxLoss(mode: (LossMode)7)).Should().Throw<ArgumentException>().WithParameterName("mode");
            FluentActions.Invoking(() => new LovaszSoftmaxLoss(reduction: (nn.Reduction)9)).Should().Throw<ArgumentException>().WithParameterName("reduction");
        }

        [Fact]
        public void BadInputsAreRejectedNamingTheArgument()
        {
            using var scope = NewDisposeScope();
            using var loss = new LovaszSoftmaxLoss();
            FluentActions.Invoking(() => loss.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 3, 2, 4, 5)))
                .Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[2, 4, 5]*[2, 4, 4]*");
            FluentActions.Invoking(() => loss.call(TestData.Logits(1, 2, 1, 4, 4), TestData.Labels(2, 1, 2, 4, 4)))
                .Should().Throw<ArgumentException>().WithParameterName("input");
            FluentActions.Invoking(() => loss.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 3, 2, 4, 4) + 1))
                .Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*label 3*");
            using var probabilities = new LovaszSoftmaxLoss(fromLogits: false);
            FluentActions.Invoking(() => probabilities.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 3, 2, 4, 4)))
                .Should().Throw<ArgumentException>().WithParameterName("input");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Theory]
            [InlineData(false)]
            [InlineData(true)]
            public void ForwardAndBackwardLeaveNoTensorBehind(bool perImage)
            {
                using var y = TestData.LabelsWithIgnored(141, 4, Ignore, 2, 5, 5);
                using var x = TestData.Logits(142, 2, 4, 5, 5).requires_grad_(true);
                using var loss = new LovaszSoftmaxLoss(perImage: perImage, ignoreIndex: Ignore);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
            }
        }
    }
}
