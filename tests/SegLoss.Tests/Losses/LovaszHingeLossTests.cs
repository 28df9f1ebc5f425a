using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class LovaszHingeLossTests
    {
        private const long Ignore = 255;


        private static double[] Values(SegmentationLoss loss, Tensor input, Tensor target, params long[] expectedShape)
        {
            using var result = loss.call(input, target);
            result.shape.Should().Equal(expectedShape);
            return result.data<double>().ToArray();
        }

        // z = [2, −1, 0.5, −3, 1], y = [1, 0, 0, 1, 1]: m = 1 − z·(2y − 1) = [−1, 0, 1.5, 4, 0], relu = [0, 0, 1.5, 4, 0].
        // Sorted: 4 (y=1), 1.5 (y=0), then zeros; G = 3: J_1 = 1 − 2/3, J_2 = 1 − 2/4, weights 1/3 and 1/6.
        private const double HandLoss = 4.0 / 3 + 1.5 / 6;

        [Fact]
        public void FivePixelExampleMatchesHandComputedValue()
        {
            using var z = tensor(new[] { 2.0, -1, 0.5, -3, 1 }, new long[] { 1, 1, 5 });
            using var y = tensor(new[] { 1.0, 0, 0, 1, 1 }, new long[] { 1, 1, 5 });
            using var loss = new LovaszHingeLoss();
            Value(loss, z, y).Should().BeApproximately(HandLoss, 1e-12);
            using var squeezed = y.reshape(1, 5);
            Value(loss, z, squeezed).Should().BeApproximately(HandLoss, 1e-12, "Binary targets may omit the channel axis");
            using var labels = y.to(ScalarType.Int64);
            Value(loss, z, labels).Should().BeApproximately(HandLoss, 1e-12, "integer 0/1 targets are accepted");
            LovaszReference.Extension(new[] { 0.0, 0, 1.5, 4, 0 }, new[] { true, false, false, true, true }).Should().BeApproximately(HandLoss, 1e-14);
        }

        [Fact]
        public void PerImageAveragesImagesAndPooledMixesThem()
        {
            // Image 0 is the hand example without its last pixel; image 1: z = [−2, 0.5, 1, 3], y = [1, 0, 0, 1]
            // gives relu(m) = [3, 1.5, 2, 0] → sorted 3 (y=1), 2 (0), 1.5 (0), 0; G = 2: J = [1/2, 2/3, 3/4, 1].
            using var z = tensor(new[] { 2.0, -1, 0.5, -3, -2, 0.5, 1, 3 }, new long[] { 2, 1, 4 });
            using var y = tensor(new[] { 1.0, 0, 0, 1, 1, 0, 0, 1 }, new long[] { 2, 1, 4 });
            // Image 0: relu(m) = [0, 0, 1.5, 4], sorted 4 (y=1), 1.5 (0); G = 2: J_1 = 1/2, J_2 = 1 − 1/3.
            double image0 = 4.0 / 2 + 1.5 * (2.0 / 3 - 1.0 / 2);
            double image1 = 3.0 / 2 + 2 * (2.0 / 3 - 1.0 / 2) + 1.5 * (3.0 / 4 - 2.0 / 3);
            using var none = new LovaszHingeLoss(reduction: nn.Reduction.None);
            Values(none, z, y, 2, 1).Should().Equal(new[] { image0, image1 }, (a, b) => Math.Abs(a - b) < 1e-12);
            using var mean = new LovaszHingeLoss();
            Value(mean, z, y).Should().BeApproximately((image0 + image1) / 2, 1e-12);
            using var sum = new LovaszHingeLoss(reduction: nn.Reduction.Sum);
            Value(sum, z, y).Should().BeApproximately(image0 + image1, 1e-12);

            double pooled = LovaszReference.Extension(new[] { 0.0, 0, 1.5, 4, 3, 1.5, 2, 0 }, new[] { true, false, false, true, true, false, false, true });
            using var batch = new LovaszHingeLoss(perImage: false, reduction: nn.Reduction.None);
            Values(batch, z, y, 1)[0].Should().BeApproximately(pooled, 1e-12);
            pooled.Should().NotBeApproximately((image0 + image1) / 2, 1e-3);
        }

        [Fact]
        public void ImageWithoutForegroundCostsItsLargestError()
        {
            using var z = tensor(new[] { -2.0, 0.5, -0.2 }, new long[] { 1, 1, 3 });
            using var y = zeros(new long[] { 1, 1, 3 }, ScalarType.Float64);
            using var loss = new LovaszHingeLoss();
            Value(loss, z, y).Should().BeApproximately(1.5, 1e-12, "with no foreground Δ_J = 1 for any mistake: the loss is max relu(1 + z)");
        }

        public static TheoryData<LossMode, bool, bool> BruteForceCases()
        {
            var data = new TheoryData<LossMode, bool, bool>();
            foreach (var mode in new[] { LossMode.Binary, LossMode.Multilabel })
                foreach (var perImage in new[] { false, true })
                    foreach (var ignore in new[] { false, true })
                        data.Add(mode, perImage, ignore);
            return data;
        }

        [Theory]
        [MemberData(nameof(BruteForceCases))]
        public void MatchesTheBruteForceLovaszExtension(LossMode mode, bool perImage, bool ignore)
        {
            using var scope = NewDisposeScope();
            int n = 3, c = mode == LossMode.Binary ? 1 : 4, s = 9;
            var x = TestData.Logits(400 + c, n, c, 3, 3);
            var rng = new Random(401);
            var targets = new double[n * c * s];
            for (int i = 0; i < targets.Length; i++)
            {
                targets[i] = rng.NextDouble() < 0.4 ? 1 : 0;
                if (i / (c * s) == 1 && (i / s) % c == 0) targets[i] = 0; // channel 0 of image 1 has no foreground
                if (ignore && rng.NextDouble() < 0.25) targets[i] = Ignore;
            }
            var t = tensor(targets, new long[] { n, c, 3, 3 });

            var z = LovaszReference.Cube(x.data<double>().ToArray(), n, c, s);
            var g = LovaszReference.Cube(targets, n, c, s);
            var truth = LovaszReference.Map(g, (_, _, _, v) => v == 1);
            var valid = LovaszReference.Map(g, (_, _, _, v) => v != Ignore);
            var errors = LovaszReference.Map(z, (i, k, px, v) => Math.Max(0, 1 - v * (truth[i, k, px] ? 1 : -1)));
            var (expected, present) = LovaszReference.Pools(errors, truth, valid, perImage);

            long? ignoreIndex = ignore ? Ignore : null;
            using var none = new LovaszHingeLoss(mode, perImage: perImage, ignoreIndex: ignoreIndex, reduction: nn.Reduction.None);
            var values = Values(none, x, t, perImage ? new long[] { n, c } : new long[] { c });
            values.Should().Equal(expected.Cast<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
            using var mean = new LovaszHingeLoss(mode, perImage: perImage, ignoreIndex: ignoreIndex);
            Value(mean, x, t).Should().BeApproximately(LovaszReference.Mean(expected, present, presentOnly: false), 1e-12);
        }

        public static TheoryData<LossMode, long[], bool, bool> GradCases() => new()
        {
            { LossMode.Binary, new long[] { 2, 1, 3, 3 }, false, true },
            { LossMode.Binary, new long[] { 2, 1, 3, 3 }, true, false },
            { LossMode.Binary, new long[] { 1, 1, 2, 2, 3 }, true, true },
            { LossMode.Multilabel, new long[] { 2, 3, 3, 2 }, false, false },
            { LossMode.Multilabel, new long[] { 2, 2, 2, 2, 2 }, true, true },
        };

        [Theory]
        [MemberData(nameof(GradCases))]
        public void GradientsMatchFiniteDifferences(LossMode mode, long[] shape, bool withIgnored, bool perImage)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(501, shape);
            var target = DiceLossTests.MakeTarget(mode, shape, withIgnored, 502);
            long? ignoreIndex = withIgnored ? -1 : null;
            foreach (var reduction in new[] { nn.Reduction.Mean, nn.Reduction.None })
            {
                using var loss = new LovaszHingeLoss(mode, perImage: perImage, ignoreIndex: ignoreIndex, reduction: reduction);
                var g = GradCheck.Gradient(input => loss.call(input, target), x);
                g.Should().Contain(v => Math.Abs(v) > 1e-6, "the check must exercise a non-zero gradient");
                GradCheck.Full(input => loss.call(input, target), x);
            }
        }

        [Theory]
        [InlineData(LossMode.Binary, false, true)]
        [InlineData(LossMode.Binary, true, false)]
        [InlineData(LossMode.Multilabel, false, false)]
        [InlineData(LossMode.Multilabel, true, true)]
        public void IgnoredPixelsAreInert(LossMode mode, bool threeD, bool perImage)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD, ignore: true, seed: 511);
            using var loss = new LovaszHingeLoss(mode, perImage: perImage, ignoreIndex: PixelLossChecks.IgnoreValue);
            PixelLossChecks.IgnoredPixelsAreInert(input => loss.call(input, target), x, ignored);
        }

        [Fact]
        public void PerfectMarginsScoreZeroAndSmallerMarginsCostMore()
        {
            using var scope = NewDisposeScope();
            var y = TestData.BinaryTargets(521, 2, 2, 4, 4);
            var signs = y * 2 - 1;
            using var loss = new LovaszHingeLoss(LossMode.Multilabel);
            Value(loss, signs * 1.0, y).Should().Be(0.0, "a margin of 1 has no hinge error");
            Value(loss, signs * 5.0, y).Should().Be(0.0);
            // A uniform margin a gives m = 1 − a everywhere, and the Lovász weights of a full pool sum to J_P = 1.
            double previous = 0;
            foreach (var margin in new[] { 0.5, 0.0, -1.0 })
            {
                double value = Value(loss, signs * margin, y);
                value.Should().BeApproximately(1 - margin, 1e-12);
                value.Should().BeGreaterThan(previous);
                previous = value;
            }
        }

        [Fact]
        public void EveryPixelIgnoredGivesZeroWithAZeroGradient()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(531, 2, 1, 2, 2).requires_grad_(true);
            var y = full(new long[] { 2, 1, 2, 2 }, Ignore, ScalarType.Int64);
            using var loss = new LovaszHingeLoss(ignoreIndex: Ignore);
            var value = loss.call(x, y);
            value.item<double>().Should().Be(0.0);
            value.backward();
            x.grad!.abs().max().item<double>().Should().Be(0.0);
        }

        [Fact]
        public void ConstructorRejectsBadOptions()
        {
            FluentActions.Invoking(() => new LovaszHingeLoss(mode: LossMode.Multiclass)).Should().Throw<ArgumentException>().WithParameterName("mode").WithMessage("*Binary or Multilabel*Multiclass*");
            FluentActions.Invoking(() => new LovaszHingeLoss(fromLogits: false)).Should().Throw<ArgumentException>().WithParameterName("fromLogits").WithMessage("*logits*");
            FluentActions.Invoking(() => new LovaszHingeLoss(reduction: (nn.Reduction)9)).Should().Throw<ArgumentException>().WithParameterName("reduction");
        }

        [Fact]
        public void BadInputsAreRejectedNamingTheArgument()
        {
            using var scope = NewDisposeScope();
            using var loss = new LovaszHingeLoss();
            var x = TestData.Logits(541, 2, 1, 3, 3);
            var soft = full(new long[] { 2, 1, 3, 3 }, 0.5, ScalarType.Float64);
            FluentActions.Invoking(() => loss.call(x, soft)).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*0.5*0/1*");
            FluentActions.Invoking(() => loss.call(x, soft * 3)).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[0, 1]*");
            FluentActions.Invoking(() => loss.call(x, TestData.BinaryTargets(542, 2, 1, 3, 4))).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[2, 1, 3, 4]*");
            FluentActions.Invoking(() => loss.call(TestData.Logits(543, 2, 2, 3, 3), TestData.BinaryTargets(544, 2, 2, 3, 3))).Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*2 channels*Binary*");
            using var ignoring = new LovaszHingeLoss(ignoreIndex: Ignore);
            var withIgnored = TestData.BinaryTargets(545, 2, 1, 3, 3).masked_fill(TestData.Labels(546, 2, 2, 1, 3, 3).eq(0), Ignore);
            FluentActions.Invoking(() => ignoring.call(x, withIgnored)).Should().NotThrow("the ignore index is allowed besides 0 and 1");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Theory]
            [InlineData(false)]
            [InlineData(true)]
            public void ForwardAndBackwardLeaveNoTensorBehind(bool perImage)
            {
                using var y = TestData.BinaryTargets(551, 2, 3, 5, 5);
                using var x = TestData.Logits(552, 2, 3, 5, 5).requires_grad_(true);
                using var loss = new LovaszHingeLoss(LossMode.Multilabel, perImage: perImage);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
            }
        }
    }
}
