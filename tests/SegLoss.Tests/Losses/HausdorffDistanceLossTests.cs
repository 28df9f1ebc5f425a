using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Maps;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class HausdorffDistanceLossTests
    {
        private static double Value(Tensor loss) { using (loss) return loss.item<double>(); }

        [Fact]
        public void BinaryExampleMatchesHandComputation()
        {
            using var scope = NewDisposeScope();
            // q = [0, 1, 1, 1, 0, 0]: d_q = [1, 1, 2, 1, 1, 2]; p > 0.5 = [0, 1, 0, 1, 1, 0]: d_p = [1, 1, 1, 1, 1, 1].
            var p = tensor(new[] { 0.2, 0.9, 0.4, 0.8, 0.6, 0.1 }, new long[] { 1, 1, 1, 6 });
            var q = tensor(new[] { 0.0, 1, 1, 1, 0, 0 }, new long[] { 1, 1, 1, 6 });
            double[] error = { 0.04, 0.01, 0.36, 0.04, 0.36, 0.01 };
            double[] dq = { 1, 1, 2, 1, 1, 2 };
            using var loss = new HausdorffDistanceLoss(LossMode.Binary, fromLogits: false);
            Value(loss.call(p, q)).Should().BeApproximately(error.Select((e, i) => e * (1 + dq[i] * dq[i])).Sum() / 6, 1e-12);
            using var linear = new HausdorffDistanceLoss(LossMode.Binary, fromLogits: false, alpha: 1);
            Value(linear.call(p, q)).Should().BeApproximately(error.Select((e, i) => e * (1 + dq[i])).Sum() / 6, 1e-12);
            using var spaced = new HausdorffDistanceLoss(LossMode.Binary, fromLogits: false, spacing: new[] { 1.0, 0.5 });
            Value(spaced.call(p, q)).Should().BeApproximately(error.Select((e, i) => e * (0.25 + dq[i] * dq[i] / 4)).Sum() / 6, 1e-12);
        }

        [Fact]
        public void MasksWithoutBoundaryHaveZeroMaps()
        {
            using var scope = NewDisposeScope();
            using var loss = new HausdorffDistanceLoss(LossMode.Binary, fromLogits: false);
            var allOnes = ones(1, 1, 3, 3, ScalarType.Float64);
            Value(loss.call(full(new long[] { 1, 1, 3, 3 }, 0.7, ScalarType.Float64), allOnes)).Should().Be(0, "both masks are full: no boundary, field 0");
            Value(loss.call(full(new long[] { 1, 1, 3, 3 }, 0.3, ScalarType.Float64), allOnes * 0)).Should().Be(0, "both masks are empty");
            // Full target, one predicted pixel below 0.5: only d_p contributes.
            var p = full(new long[] { 1, 1, 1, 3 }, 0.9, ScalarType.Float64);
            p[0, 0, 0, 2] = tensor(0.4);
            var q = ones(1, 1, 1, 3, ScalarType.Float64);
            // d_p = [2, 1, 1].
            Value(loss.call(p, q)).Should().BeApproximately((0.01 * 4 + 0.01 * 1 + 0.36 * 1) / 3, 1e-12);
        }

        [Fact]
        public void MulticlassMatchesTheDistanceTransformFormula()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 6, 5);
            var y = TestData.Labels(4, 3, 2, 6, 5);
            using var loss = new HausdorffDistanceLoss(reduction: nn.Reduction.None);
            var values = loss.call(x, y);
            values.shape.Should().Equal(2, 2);
            var p = x.softmax(1);
            var q = OneHot.Encode(y, 3, dtype: ScalarType.Float64);
            for (int n = 0; n < 2; n++)
            {
                for (int c = 1; c < 3; c++)
                {
                    var pc = p[n, c];
                    var qc = q[n, c];
                    var expected = ((pc - qc).square() * (Field(pc.gt(0.5)).square() + Field(qc.gt(0.5)).square())).mean().item<double>();
                    values[n, c - 1].item<double>().Should().BeApproximately(expected, 1e-12, $"image {n}, class {c}");
                }
            }
            using var withBackground = new HausdorffDistanceLoss(includeBackground: true, reduction: nn.Reduction.None);
            withBackground.call(x, y).shape.Should().Equal(2, 3);
            using var mean = new HausdorffDistanceLoss();
            Value(mean.call(x, y)).Should().BeApproximately(values.mean().item<double>(), 1e-12);
            using var sum = new HausdorffDistanceLoss(reduction: nn.Reduction.Sum);
            Value(sum.call(x, y)).Should().BeApproximately(values.sum().item<double>(), 1e-12);
        }

        private static Tensor Field(Tensor mask)
        {
            if (!mask.any().item<bool>() || mask.all().item<bool>()) return zeros_like(mask, ScalarType.Float64);
            return DistanceTransform.Edt(mask, spatialDims: 2, dtype: ScalarType.Float64) + DistanceTransform.Edt(mask.logical_not(), spatialDims: 2, dtype: ScalarType.Float64);
        }

        [Theory]
        [MemberData(nameof(GradCases.MapLosses), MemberType = typeof(GradCases))]
        public void GradientsMatchFiniteDifferencesWithTheMapsHeldFixed(LossMode mode, long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(31, shape);
            var p = mode == LossMode.Multiclass ? x.softmax(1) : x.sigmoid();
            (p - 0.5).abs().min().item<double>().Should().BeGreaterThan(1e-3, "the thresholded prediction must not flip under the finite-difference step");
            var target = BoundaryLossTests.MakeTarget(mode, shape, withIgnored, 32);
            long? ignore = withIgnored ? -1 : null;
            var variants = new[]
            {
                new HausdorffDistanceLoss(mode, ignoreIndex: ignore),
                new HausdorffDistanceLoss(mode, alpha: 1.5, includeBackground: true, ignoreIndex: ignore, reduction: nn.Reduction.None),
                new HausdorffDistanceLoss(mode, spacing: shape.Length == 5 ? new[] { 2.0, 1.0, 0.5 } : new[] { 0.5, 1.5 }, ignoreIndex: ignore, reduction: nn.Reduction.Sum),
            };
            GradCheck.EachLoss(variants, x, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var loss = new HausdorffDistanceLoss(mode, includeBackground: true, ignoreIndex: PixelLossChecks.IgnoreValue);
            PixelLossChecks.IgnoredPixelsAreInert(input => loss.call(input, target), x, ignored);
        }

        [Fact]
        public void PerfectPredictionScoresZeroAndErrorsFarFromTheBoundaryCostMore()
        {
            using var scope = NewDisposeScope();
            var y = zeros(new long[] { 1, 9, 9 }, ScalarType.Int64);
            y[0, TensorIndex.Slice(3, 6), TensorIndex.Slice(3, 6)] = tensor(1L);
            using var loss = new HausdorffDistanceLoss();
            Value(loss.call(TestData.PerfectLogits(y, 2, 40), y)).Should().BeApproximately(0, 1e-12);
            var near = y.clone();
            near[0, 2, 4] = tensor(1L);
            var far = y.clone();
            far[0, 0, 8] = tensor(1L);
            Value(loss.call(TestData.PerfectLogits(far, 2, 40), y)).Should().BeGreaterThan(Value(loss.call(TestData.PerfectLogits(near, 2, 40), y)));
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            FluentActions.Invoking(() => new HausdorffDistanceLoss(alpha: 0)).Should().Throw<ArgumentException>().WithParameterName("alpha").WithMessage("*0*");
            FluentActions.Invoking(() => new HausdorffDistanceLoss(alpha: double.PositiveInfinity)).Should().Throw<ArgumentException>().WithParameterName("alpha");
            FluentActions.Invoking(() => new HausdorffDistanceLoss(spacing: new[] { 1.0, 1, 1, 1 })).Should().Throw<ArgumentException>().WithParameterName("spacing").WithMessage("*got 4*");
            FluentActions.Invoking(() => new HausdorffDistanceLoss(reduction: (nn.Reduction)7)).Should().Throw<ArgumentException>().WithParameterName("reduction");
            using var scope = NewDisposeScope();
            using var loss = new HausdorffDistanceLoss(LossMode.Binary);
            FluentActions.Invoking(() => loss.call(TestData.Logits(1, 1, 2, 3, 3), TestData.BinaryTargets(2, 1, 2, 3, 3)))
                .Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*2 channels*Binary*");
            using var spaced = new HausdorffDistanceLoss(spacing: new[] { 1.0, 2.0 });
            FluentActions.Invoking(() => spaced.call(TestData.Logits(1, 1, 2, 2, 2, 2), TestData.Labels(2, 2, 1, 2, 2, 2)))
                .Should().Throw<ArgumentException>().WithParameterName("spacing").WithMessage("*2 entries*3 spatial*");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(61, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(62, 2, 3, 5, 5).requires_grad_(true);
                using var loss = new HausdorffDistanceLoss(ignoreIndex: -1);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
            }
        }
    }
}
