using System;
using FluentAssertions;
using SegLoss.Maps;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class DistancePenalizedCrossEntropyLossTests
    {
        private static double Value(Tensor loss) { using (loss) return loss.item<double>(); }

        private static void ShouldEqual(Tensor actual, Tensor expected, double tolerance = 1e-12, string because = "")
        {
            actual.shape.Should().Equal(expected.shape, because);
            (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max().item<double>().Should().BeLessThan(tolerance, because);
        }

        [Fact]
        public void MapsMatchHandComputation()
        {
            using var scope = NewDisposeScope();
            // Class 0 on x0..x2: distances to the nearest other pixel 3, 2, 1, M = 3: Φ = 0, 1/3, 2/3.
            // Class 1 on x3..x4: distances 1, 2, M = 2: Φ = 1/2, 0.
            var labels = tensor(new long[] { 0, 0, 0, 1, 1 }, new long[] { 1, 5 });
            var expected = tensor(new[] { 0, 1.0 / 3, 2.0 / 3, 0.5, 0 }, new long[] { 1, 5 });
            ShouldEqual(DistancePenalizedCrossEntropyLoss.DistanceMaps(labels, 2, dtype: ScalarType.Float64), expected);
            ShouldEqual(DistancePenalizedCrossEntropyLoss.DistanceMapsFromMask(labels.unsqueeze(1).to(ScalarType.Float32)), expected.unsqueeze(1), 1e-7, "binary: object and background are the two classes");
            // A third, absent class changes nothing; an ignored pixel belongs to no class (here it ends class 0 early).
            ShouldEqual(DistancePenalizedCrossEntropyLoss.DistanceMaps(labels, 3, dtype: ScalarType.Float64), expected);
            var withIgnored = tensor(new long[] { 0, 0, 9, 1, 1 }, new long[] { 1, 5 });
            ShouldEqual(DistancePenalizedCrossEntropyLoss.DistanceMaps(withIgnored, 2, ignoreIndex: 9, dtype: ScalarType.Float64),
                tensor(new[] { 0, 0.5, 0, 0.5, 0 }, new long[] { 1, 5 }));
            // Spacing scales distances and maxima alike: Φ is unchanged in 1D.
            ShouldEqual(DistancePenalizedCrossEntropyLoss.DistanceMaps(labels, 2, spacing: new[] { 2.5 }, dtype: ScalarType.Float64), expected);
            // One class covering the image, or all background: no boundary, Φ = 0.
            ShouldEqual(DistancePenalizedCrossEntropyLoss.DistanceMaps(zeros(new long[] { 2, 3, 3 }, ScalarType.Int64), 2), zeros(2, 3, 3));
            ShouldEqual(DistancePenalizedCrossEntropyLoss.DistanceMapsFromMask(ones(1, 2, 3, 3)), zeros(1, 2, 3, 3));
        }

        [Fact]
        public void BinaryMapsAreJunMasInvertedNormalisedDistanceTransforms()
        {
            using var scope = NewDisposeScope();
            var mask = TestData.Labels(3, 2, 2, 7, 6).to(ScalarType.Bool);
            var maps = DistancePenalizedCrossEntropyLoss.DistanceMapsFromMask(mask.unsqueeze(1), dtype: ScalarType.Float64).squeeze(1);
            for (int n = 0; n < 2; n++)
            {
                var fg = mask[n];
                var bg = fg.logical_not();
                var pos = DistanceTransform.Edt(fg, dtype: ScalarType.Float64);
                var neg = DistanceTransform.Edt(bg, dtype: ScalarType.Float64);
                var expected = (pos.max() - pos) * fg / pos.max() + (neg.max() - neg) * bg / neg.max();
                ShouldEqual(maps[n], expected, 1e-12, $"image {n}");
            }
        }

        [Fact]
        public void LossIsTheWeightedMeanOfCrossEntropy()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(5, 2, 3, 5, 4);
            var y = TestData.LabelsWithIgnored(6, 3, 255, 2, 5, 4);
            var maps = DistancePenalizedCrossEntropyLoss.DistanceMaps(y, 3, ignoreIndex: 255, dtype: ScalarType.Float64);
            using var ce = new CrossEntropyLoss(ignoreIndex: 255, reduction: nn.Reduction.None);
            var perPixel = ce.call(x, y);
            var weighted = perPixel * (maps + 1);
            var kept = y.ne(255).to(ScalarType.Float64);
            using var mean = new DistancePenalizedCrossEntropyLoss(ignoreIndex: 255);
            Value(mean.call(x, y)).Should().BeApproximately((weighted.sum() / kept.sum()).item<double>(), 1e-12, "the paper's (1/N) Σ (1 + Φ)·CE");
            using var weightSum = new DistancePenalizedCrossEntropyLoss(normalization: PixelWeightNormalization.WeightSum, ignoreIndex: 255);
            Value(weightSum.call(x, y)).Should().BeApproximately((weighted.sum() / ((maps + 1) * kept).sum()).item<double>(), 1e-12);
            using var sum = new DistancePenalizedCrossEntropyLoss(ignoreIndex: 255, reduction: nn.Reduction.Sum);
            Value(sum.call(x, y)).Should().BeApproximately(weighted.sum().item<double>(), 1e-12);
            using var none = new DistancePenalizedCrossEntropyLoss(ignoreIndex: 255, reduction: nn.Reduction.None);
            ShouldEqual(none.call(x, y), weighted);
            // The precomputed maps give the same values.
            ShouldEqual(mean.call(x, y, maps), mean.call(x, y));
            ShouldEqual(none.call(x, y, maps.unsqueeze(1)), weighted);
            // JunMa11's DisPenalizedCE returns the unweighted mean, i.e. plain CE: not this loss.
            using var plain = new CrossEntropyLoss(ignoreIndex: 255);
            Value(mean.call(x, y)).Should().BeGreaterThan(Value(plain.call(x, y)));
        }

        [Theory]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void SigmoidModesWeightBinaryCrossEntropyPerChannel(LossMode mode)
        {
            using var scope = NewDisposeScope();
            long c = mode == LossMode.Binary ? 1 : 2;
            var x = TestData.Logits(7, 2, c, 4, 5);
            var t = TestData.BinaryTargets(8, 2, c, 4, 5);
            var maps = DistancePenalizedCrossEntropyLoss.DistanceMapsFromMask(t);
            using var bce = new CrossEntropyLoss(mode, reduction: nn.Reduction.None);
            var expected = bce.call(x, t) * (maps + 1);
            using var loss = new DistancePenalizedCrossEntropyLoss(mode);
            Value(loss.call(x, t)).Should().BeApproximately(expected.mean().item<double>(), 1e-12);
            using var none = new DistancePenalizedCrossEntropyLoss(mode, reduction: nn.Reduction.None);
            ShouldEqual(none.call(x, t), expected);
            if (mode == LossMode.Binary) ShouldEqual(none.call(x, t.squeeze(1), maps.squeeze(1)), expected, 1e-12, "squeezed target and maps");
        }

        [Fact]
        public void AllBackgroundImagesGivePlainCrossEntropy()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(9, 2, 3, 4, 4);
            var y = zeros(new long[] { 2, 4, 4 }, ScalarType.Int64);
            using var loss = new DistancePenalizedCrossEntropyLoss();
            using var ce = new CrossEntropyLoss();
            Value(loss.call(x, y)).Should().BeApproximately(Value(ce.call(x, y)), 1e-12, "one class covers the image: no boundary, Φ = 0");
            using var binary = new DistancePenalizedCrossEntropyLoss(LossMode.Binary);
            using var bce = new CrossEntropyLoss(LossMode.Binary);
            var xb = TestData.Logits(10, 2, 1, 4, 4);
            var tb = zeros(2, 1, 4, 4, ScalarType.Float64);
            Value(binary.call(xb, tb)).Should().BeApproximately(Value(bce.call(xb, tb)), 1e-12);
        }

        [Theory]
        [MemberData(nameof(GradCases.MapLosses), MemberType = typeof(GradCases))]
        public void GradientsMatchFiniteDifferences(LossMode mode, long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(51, shape);
            var target = BoundaryLossTests.MakeTarget(mode, shape, withIgnored, 52);
            long? ignore = withIgnored ? -1 : null;
            var variants = new[]
            {
                new DistancePenalizedCrossEntropyLoss(mode, ignoreIndex: ignore),
                new DistancePenalizedCrossEntropyLoss(mode, normalization: PixelWeightNormalization.WeightSum, ignoreIndex: ignore, reduction: nn.Reduction.None),
                new DistancePenalizedCrossEntropyLoss(mode, spacing: shape.Length == 5 ? new[] { 2.0, 1.0, 0.5 } : new[] { 0.5, 1.5 }, ignoreIndex: ignore, reduction: nn.Reduction.Sum),
            };
            GradCheck.EachLoss(variants, x, target);
            GradCheck.Full(input => new DistancePenalizedCrossEntropyLoss(mode, fromLogits: false, ignoreIndex: ignore).call(input, target),
                mode == LossMode.Multiclass ? x.softmax(1) : x.sigmoid());
        }

        [Fact]
        public void PrecomputedMapsAreConstantsForTheGradient()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(11, 3, 1, 4, 4);
            var maps = DistancePenalizedCrossEntropyLoss.DistanceMaps(y, 3, dtype: ScalarType.Float64).requires_grad_(true);
            using var loss = new DistancePenalizedCrossEntropyLoss();
            GradCheck.Full(input => loss.call(input, y, maps), TestData.Logits(12, 1, 3, 4, 4));
            maps.grad.Should().BeNull("the maps are detached");
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode)
        {
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new DistancePenalizedCrossEntropyLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue));
        }

        [Fact]
        public void PerfectPredictionIsTheMinimumAndBoundaryMistakesCostMore()
        {
            using var scope = NewDisposeScope();
            var y = zeros(new long[] { 1, 9, 9 }, ScalarType.Int64);
            y[0, TensorIndex.Slice(2, 7), TensorIndex.Slice(2, 7)] = tensor(1L);
            using var loss = new DistancePenalizedCrossEntropyLoss();
            var perfect = TestData.PerfectLogits(y, 2, 40);
            Value(loss.call(perfect, y)).Should().BeLessThan(1e-15);
            PixelLossChecks.AssertErrorLadderIncreases(loss, TestData.PerfectLogits(y, 2, 1), TestData.PerfectLogits(1 - y, 2, 1), y);
            // The same mistake on the object's boundary row costs more than at its centre.
            var atBoundary = y.clone();
            atBoundary[0, 2, 4] = tensor(0L);
            var atCentre = y.clone();
            atCentre[0, 4, 4] = tensor(0L);
            Value(loss.call(TestData.PerfectLogits(atBoundary, 2, 5), y)).Should().BeGreaterThan(Value(loss.call(TestData.PerfectLogits(atCentre, 2, 5), y)));
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            FluentActions.Invoking(() => new DistancePenalizedCrossEntropyLoss(normalization: (PixelWeightNormalization)4)).Should().Throw<ArgumentException>().WithParameterName("normalization").WithMessage("*WeightSum or PixelCount*");
            FluentActions.Invoking(() => new DistancePenalizedCrossEntropyLoss(mode: (LossMode)4)).Should().Throw<ArgumentException>().WithParameterName("mode");
            FluentActions.Invoking(() => new DistancePenalizedCrossEntropyLoss(reduction: (nn.Reduction)4)).Should().Throw<ArgumentException>().WithParameterName("reduction");
            FluentActions.Invoking(() => new DistancePenalizedCrossEntropyLoss(spacing: new[] { 1.0, 0 })).Should().Throw<ArgumentException>().WithParameterName("spacing");
            using var scope = NewDisposeScope();
            var x = TestData.Logits(1, 2, 3, 4, 4);
            var y = TestData.Labels(2, 3, 2, 4, 4);
            using var loss = new DistancePenalizedCrossEntropyLoss();
            loss.Invoking(l => l.call(x, y, zeros(2, 4, 5))).Should().Throw<ArgumentException>().WithParameterName("distanceMaps").WithMessage("*[2, 4, 5]*[2, 4, 4] or [2, 1, 4, 4]*");
            loss.Invoking(l => l.call(x, y, zeros(new long[] { 2, 4, 4 }, ScalarType.Int64))).Should().Throw<ArgumentException>().WithParameterName("distanceMaps").WithMessage("*floating*");
            loss.Invoking(l => l.call(x, y, full(new long[] { 2, 4, 4 }, -1.0))).Should().Throw<ArgumentException>().WithParameterName("distanceMaps").WithMessage("*non-negative*");
            var nan = zeros(2, 4, 4);
            nan[1, 2, 3] = tensor(float.NaN);
            loss.Invoking(l => l.call(x, y, nan)).Should().Throw<ArgumentException>().WithParameterName("distanceMaps").WithMessage("*1 non-finite value (first NaN at [1, 2, 3])*");
            loss.Invoking(l => l.call(x, TestData.Labels(2, 3, 2, 4, 5), zeros(2, 4, 4))).Should().Throw<ArgumentException>().WithParameterName("target");
            using var spaced = new DistancePenalizedCrossEntropyLoss(spacing: new[] { 1.0, 2.0, 3.0 });
            spaced.Invoking(l => l.call(x, y)).Should().Throw<ArgumentException>().WithParameterName("spacing");
            FluentActions.Invoking(() => DistancePenalizedCrossEntropyLoss.DistanceMaps(y, 2)).Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*hold 2*[0, 2)*");
            FluentActions.Invoking(() => DistancePenalizedCrossEntropyLoss.DistanceMaps(y, 0)).Should().Throw<ArgumentException>().WithParameterName("numClasses");
            FluentActions.Invoking(() => DistancePenalizedCrossEntropyLoss.DistanceMaps(x, 3)).Should().Throw<ArgumentException>().WithParameterName("labels");
            FluentActions.Invoking(() => DistancePenalizedCrossEntropyLoss.DistanceMapsFromMask(zeros(2, 4))).Should().Throw<ArgumentException>().WithParameterName("mask");
            DistancePenalizedCrossEntropyLoss.DistanceMaps(zeros(new long[] { 0, 4 }, ScalarType.Int64), 2).shape.Should().Equal(0, 4);
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(81, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(82, 2, 3, 5, 5).requires_grad_(true);
                using var maps = DistancePenalizedCrossEntropyLoss.DistanceMaps(y, 3, ignoreIndex: -1);
                using var loss = new DistancePenalizedCrossEntropyLoss(ignoreIndex: -1);
                LiveTensors.AssertNoLeak(() =>
                {
                    using (var value = loss.call(x, y)) value.backward();
                    using (var value = loss.call(x, y, maps)) value.backward();
                    using (var m = DistancePenalizedCrossEntropyLoss.DistanceMaps(y, 3, ignoreIndex: -1)) { }
                    x.grad = null;
                }, "forward disposes every intermediate and only the result survives");
            }
        }
    }
}
