using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Maps;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class BoundaryLossTests
    {
        private static double Value(Tensor loss) { using (loss) return loss.item<double>(); }

        // One image, 2 classes, 1×6 pixels, labels [0, 1, 1, 1, 0, 0]:
        // φ1 = [1, 0, −1, 0, 1, 2] and φ0 = [0, 1, 2, 1, 0, −1].
        private static readonly double[] P1 = { 0.1, 0.8, 0.9, 0.7, 0.3, 0.2 };

        private static (Tensor probabilities, Tensor labels) TinyCase()
        {
            var p = P1.Select(v => 1 - v).Concat(P1).ToArray();
            return (tensor(p, new long[] { 1, 2, 1, 6 }), tensor(new long[] { 0, 1, 1, 1, 0, 0 }, new long[] { 1, 1, 6 }));
        }

        [Fact]
        public void TinyExampleMatchesHandComputation()
        {
            using var scope = NewDisposeScope();
            var (p, y) = TinyCase();
            using var loss = new BoundaryLoss(fromLogits: false);
            double expected = (0.1 * 1 + 0.9 * -1 + 0.3 * 1 + 0.2 * 2) / 6;
            Value(loss.call(p, y)).Should().BeApproximately(expected, 1e-12);

            double[] phi0 = { 0, 1, 2, 1, 0, -1 };
            double background = P1.Select((v, i) => (1 - v) * phi0[i]).Sum();
            using var both = new BoundaryLoss(fromLogits: false, classes: new[] { 0, 1 });
            Value(both.call(p, y)).Should().BeApproximately((background + expected * 6) / 12, 1e-12);

            using var none = new BoundaryLoss(fromLogits: false, reduction: nn.Reduction.None);
            var perPixel = none.call(p, y);
            perPixel.shape.Should().Equal(1, 1, 6);
            perPixel.data<double>().ToArray().Should().Equal(new[] { 0.1, 0, -0.9, 0, 0.3, 0.4 }, (a, b) => Math.Abs(a - b) < 1e-12);
            using var sum = new BoundaryLoss(fromLogits: false, reduction: nn.Reduction.Sum);
            Value(sum.call(p, y)).Should().BeApproximately(expected * 6, 1e-12);
        }

        [Fact]
        public void PrecomputedMapsGiveTheSameValue()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(3, 3, 2, 6, 5);
            var x = TestData.Logits(4, 2, 3, 6, 5);
            var maps = SignedDistanceMap.FromLabels(y, 3, new[] { 1.0, 0.5 }, dtype: ScalarType.Float64);
            using var loss = new BoundaryLoss(spacing: new[] { 1.0, 0.5 });
            Value(loss.call(x, y, maps)).Should().BeApproximately(Value(loss.call(x, y)), 1e-12);
            Value(loss.forward(x, y, maps)).Should().BeApproximately(Value(loss.call(x, y)), 1e-12);
            var byHand = (x.softmax(1) * maps).narrow(1, 1, 2).mean().item<double>();
            Value(loss.call(x, y)).Should().BeApproximately(byHand, 1e-12);
        }

        [Fact]
        public void BinaryAndMultilabelUseTheThresholdedTargetPerChannel()
        {
            using var scope = NewDisposeScope();
            var t = TestData.BinaryTargets(7, 2, 2, 5, 4);
            var x = TestData.Logits(8, 2, 2, 5, 4);
            var maps = SignedDistanceMap.FromMask(t);
            using var multilabel = new BoundaryLoss(LossMode.Multilabel);
            Value(multilabel.call(x, t)).Should().BeApproximately((x.sigmoid() * maps).mean().item<double>(), 1e-12);

            var b = t.narrow(1, 0, 1);
            var xb = x.narrow(1, 0, 1);
            using var binary = new BoundaryLoss(LossMode.Binary);
            Value(binary.call(xb, b.squeeze(1))).Should().BeApproximately((xb.sigmoid() * maps.narrow(1, 0, 1)).mean().item<double>(), 1e-12);
        }

        [Fact]
        public void CoveringTheObjectScoresLowerThanMissingIt()
        {
            using var scope = NewDisposeScope();
            var y = zeros(new long[] { 1, 8, 8 }, ScalarType.Int64);
            y[0, TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6)] = tensor(1L);
            using var loss = new BoundaryLoss();
            var perfect = TestData.PerfectLogits(y, 2, 20);
            var shifted = TestData.PerfectLogits(y.roll(3, 2), 2, 20);
            var inverted = TestData.PerfectLogits(1 - y, 2, 20);
            double best = Value(loss.call(perfect, y));
            best.Should().BeLessThan(0, "inside the object the map is ≤ 0");
            Value(loss.call(shifted, y)).Should().BeGreaterThan(best);
            Value(loss.call(inverted, y)).Should().BeGreaterThan(Value(loss.call(shifted, y)));
        }

        [Theory]
        [MemberData(nameof(GradCases.MapLosses), MemberType = typeof(GradCases))]
        public void GradientsMatchFiniteDifferences(LossMode mode, long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(21, shape);
            var target = MakeTarget(mode, shape, withIgnored, 22);
            long? ignore = withIgnored ? -1 : null;
            var variants = new[]
            {
                new BoundaryLoss(mode, ignoreIndex: ignore),
                new BoundaryLoss(mode, classes: new[] { 0 }, ignoreIndex: ignore, reduction: nn.Reduction.Sum),
                new BoundaryLoss(mode, spacing: shape.Length == 5 ? new[] { 2.0, 1.0, 0.5 } : new[] { 0.5, 1.5 }, ignoreIndex: ignore, reduction: nn.Reduction.None),
            };
            GradCheck.EachLoss(variants, x, target);
        }

        [Fact]
        public void PrecomputedMapsAreConstantsForTheGradient()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(5, 3, 1, 4, 4);
            var maps = SignedDistanceMap.FromLabels(y, 3, dtype: ScalarType.Float64).requires_grad_(true);
            using var loss = new BoundaryLoss();
            GradCheck.Full(input => loss.call(input, y, maps), TestData.Logits(6, 1, 3, 4, 4));
            maps.grad.Should().BeNull("the maps are detached");
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var loss = new BoundaryLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue, classes: mode == LossMode.Multiclass ? new[] { 0, 1, 2 } : null);
            PixelLossChecks.IgnoredPixelsAreInert(input => loss.call(input, target), x, ignored);
        }

        [Fact]
        public void IgnoredPixelsLeaveTheMean()
        {
            using var scope = NewDisposeScope();
            var (p, y) = TinyCase();
            y[0, 0, 5] = tensor(9L);
            using var loss = new BoundaryLoss(fromLogits: false, ignoreIndex: 9);
            // Pixel 5 belongs to no class: φ1 is unchanged on pixels 0–4 and the mean is over 5 pixels.
            Value(loss.call(p, y)).Should().BeApproximately((0.1 - 0.9 + 0.3) / 5, 1e-12);
            y.fill_(9);
            Value(loss.call(p, y)).Should().Be(0, "every pixel ignored gives 0, not NaN");
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(1, 1, 3, 4, 4);
            var y = TestData.Labels(2, 3, 1, 4, 4);
            FluentActions.Invoking(() => new BoundaryLoss(classes: Array.Empty<int>())).Should().Throw<ArgumentException>().WithParameterName("classes");
            FluentActions.Invoking(() => new BoundaryLoss(classes: new[] { 1, 1 })).Should().Throw<ArgumentException>().WithParameterName("classes").WithMessage("*[1, 1]*");
            FluentActions.Invoking(() => new BoundaryLoss(spacing: new[] { 1.0, 0.0 })).Should().Throw<ArgumentException>().WithParameterName("spacing");
            FluentActions.Invoking(() => new BoundaryLoss(mode: (LossMode)9)).Should().Throw<ArgumentException>().WithParameterName("mode");
            using var tooMany = new BoundaryLoss(classes: new[] { 3 });
            FluentActions.Invoking(() => tooMany.call(x, y)).Should().Throw<ArgumentException>().WithParameterName("classes").WithMessage("*3*3 channels*");
            using var spaced = new BoundaryLoss(spacing: new[] { 1.0, 1.0, 1.0 });
            FluentActions.Invoking(() => spaced.call(x, y)).Should().Throw<ArgumentException>().WithParameterName("spacing").WithMessage("*3 entries*2 spatial*");
            using var loss = new BoundaryLoss();
            FluentActions.Invoking(() => loss.call(x, y, zeros(1, 2, 4, 4, ScalarType.Float64))).Should().Throw<ArgumentException>()
                .WithParameterName("distanceMaps").WithMessage("*[1, 2, 4, 4]*[1, 3, 4, 4]*");
            FluentActions.Invoking(() => loss.call(x, y, full(new long[] { 1, 3, 4, 4 }, double.NaN, ScalarType.Float64))).Should().Throw<ArgumentException>()
                .WithParameterName("distanceMaps").WithMessage("*finite*");
            FluentActions.Invoking(() => loss.call(x, y.to(ScalarType.Float32))).Should().Throw<ArgumentException>().WithParameterName("target");
        }

        [Fact]
        public void ScheduleFollowsStealWeight()
        {
            BoundaryLossSchedule.Weights(0).Should().Be((1.0, 0.01));
            var (r1, b1) = BoundaryLossSchedule.Weights(1);
            r1.Should().BeApproximately(0.99, 1e-12);
            b1.Should().BeApproximately(0.02, 1e-12);
            // The reference scheduler, applied after every epoch: [max(0.1, a − 0.01), b + 0.01].
            double region = 1.0, boundary = 0.01;
            for (int epoch = 0; epoch <= 150; epoch++)
            {
                var (r, b) = BoundaryLossSchedule.Weights(epoch);
                r.Should().BeApproximately(region, 1e-9, $"region weight at epoch {epoch}");
                b.Should().BeApproximately(boundary, 1e-9, $"boundary weight at epoch {epoch}");
                (region, boundary) = (Math.Max(0.1, region - 0.01), boundary + 0.01);
            }
            BoundaryLossSchedule.Weights(1000).region.Should().Be(0.1);
            FluentActions.Invoking(() => BoundaryLossSchedule.Weights(-1)).Should().Throw<ArgumentException>().WithParameterName("epoch");
            FluentActions.Invoking(() => BoundaryLossSchedule.Weights(1, step: -0.1)).Should().Throw<ArgumentException>().WithParameterName("step");
        }

        [Fact]
        public void ComposesWithARegionLoss()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(11, 3, 2, 5, 5);
            var x = TestData.Logits(12, 2, 3, 5, 5);
            var (r, b) = BoundaryLossSchedule.Weights(10);
            using var dice = new DiceLoss();
            using var boundary = new BoundaryLoss();
            var combined = r * dice + b * boundary;
            Value(combined.call(x, y)).Should().BeApproximately(r * Value(dice.call(x, y)) + b * Value(boundary.call(x, y)), 1e-12);
        }

        /// <summary>
        /// A target for an input shape: Multiclass labels or 0/1 float targets; with <paramref name="withIgnored"/>,
        /// some entries set to −1 (the ignore index of the gradient tests).
        /// </summary>
        internal static Tensor MakeTarget(LossMode mode, long[] shape, bool withIgnored, long seed)
        {
            var spatial = shape.Skip(2).ToArray();
            var labelShape = new[] { shape[0] }.Concat(spatial).ToArray();
            if (mode == LossMode.Multiclass)
                return withIgnored ? TestData.LabelsWithIgnored(seed, shape[1], -1, labelShape) : TestData.Labels(seed, shape[1], labelShape);
            var t = TestData.Labels(seed, 2, shape);
            if (!withIgnored) return t.to(ScalarType.Float64);
            return t.masked_fill(TestData.Labels(seed + 1, 4, shape).eq(0), -1);
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(51, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(52, 2, 3, 5, 5).requires_grad_(true);
                using var maps = SignedDistanceMap.FromLabels(y, 3, ignoreIndex: -1);
                using var loss = new BoundaryLoss(ignoreIndex: -1);
                LiveTensors.AssertNoLeak(() =>
                {
                    using (var value = loss.call(x, y)) value.backward();
                    x.grad = null;
                    using (var value = loss.call(x, y, maps)) value.backward();
                    x.grad = null;
                }, "forward disposes every intermediate and only the result survives");
            }
        }
    }
}
