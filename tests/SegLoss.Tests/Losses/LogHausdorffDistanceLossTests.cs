using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class LogHausdorffDistanceLossTests
    {
        private static double Value(Tensor loss) { using (loss) return loss.item<double>(); }

        [Fact]
        public void BinaryExampleIsTheLogOfTheHandComputedHausdorffValue()
        {
            using var scope = NewDisposeScope();
            // As in HausdorffDistanceLossTests: d_q = [1, 1, 2, 1, 1, 2], d_p = 1 everywhere.
            var p = tensor(new[] { 0.2, 0.9, 0.4, 0.8, 0.6, 0.1 }, new long[] { 1, 1, 1, 6 });
            var q = tensor(new[] { 0.0, 1, 1, 1, 0, 0 }, new long[] { 1, 1, 1, 6 });
            double hd = (0.04 * 2 + 0.01 * 2 + 0.36 * 5 + 0.04 * 2 + 0.36 * 2 + 0.01 * 5) / 6;
            using var loss = new LogHausdorffDistanceLoss(LossMode.Binary, fromLogits: false);
            Value(loss.call(p, q)).Should().BeApproximately(Math.Log(1 + hd), 1e-12);
        }

        [Fact]
        public void EveryReductionIsLog1pOfTheHausdorffLossWithTheSameOptions()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 6, 5);
            var y = TestData.LabelsWithIgnored(4, 3, 255, 2, 6, 5);
            foreach (var reduction in new[] { nn.Reduction.Mean, nn.Reduction.Sum, nn.Reduction.None })
            {
                using var log = new LogHausdorffDistanceLoss(alpha: 1.5, includeBackground: true, spacing: new[] { 1.0, 0.5 }, ignoreIndex: 255, reduction: reduction);
                using var plain = new HausdorffDistanceLoss(alpha: 1.5, includeBackground: true, spacing: new[] { 1.0, 0.5 }, ignoreIndex: 255, reduction: reduction);
                var expected = plain.call(x, y).log1p();
                var actual = log.call(x, y);
                actual.shape.Should().Equal(expected.shape, reduction.ToString());
                (actual - expected).abs().max().item<double>().Should().BeLessThan(1e-14, reduction.ToString());
            }
            using var defaults = new LogHausdorffDistanceLoss(reduction: nn.Reduction.None);
            defaults.call(x, TestData.Labels(5, 3, 2, 6, 5)).shape.Should().Equal(2, 2);
            defaults.IncludeBackground.Should().BeFalse();
            defaults.Alpha.Should().Be(2.0);
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
                new LogHausdorffDistanceLoss(mode, ignoreIndex: ignore),
                new LogHausdorffDistanceLoss(mode, alpha: 1.5, includeBackground: true, ignoreIndex: ignore, reduction: nn.Reduction.None),
                new LogHausdorffDistanceLoss(mode, spacing: shape.Length == 5 ? new[] { 2.0, 1.0, 0.5 } : new[] { 0.5, 1.5 }, ignoreIndex: ignore, reduction: nn.Reduction.Sum),
            };
            GradCheck.EachLoss(variants, x, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode)
        {
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new LogHausdorffDistanceLoss(mode, includeBackground: true, ignoreIndex: PixelLossChecks.IgnoreValue));
        }

        [Fact]
        public void PerfectPredictionScoresZeroAndErrorsFarFromTheBoundaryCostMore()
        {
            using var scope = NewDisposeScope();
            var y = zeros(new long[] { 1, 9, 9 }, ScalarType.Int64);
            y[0, TensorIndex.Slice(3, 6), TensorIndex.Slice(3, 6)] = tensor(1L);
            using var loss = new LogHausdorffDistanceLoss();
            Value(loss.call(TestData.PerfectLogits(y, 2, 40), y)).Should().BeApproximately(0, 1e-12);
            var near = y.clone();
            near[0, 2, 4] = tensor(1L);
            var far = y.clone();
            far[0, 0, 8] = tensor(1L);
            double nearValue = Value(loss.call(TestData.PerfectLogits(near, 2, 40), y));
            nearValue.Should().BeGreaterThan(0);
            Value(loss.call(TestData.PerfectLogits(far, 2, 40), y)).Should().BeGreaterThan(nearValue);
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            FluentActions.Invoking(() => new LogHausdorffDistanceLoss(alpha: 0)).Should().Throw<ArgumentException>().WithParameterName("alpha").WithMessage("*0*");
            FluentActions.Invoking(() => new LogHausdorffDistanceLoss(alpha: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("alpha");
            FluentActions.Invoking(() => new LogHausdorffDistanceLoss(spacing: new[] { 1.0, -1 })).Should().Throw<ArgumentException>().WithParameterName("spacing");
            FluentActions.Invoking(() => new LogHausdorffDistanceLoss(mode: (LossMode)5)).Should().Throw<ArgumentException>().WithParameterName("mode");
            FluentActions.Invoking(() => new LogHausdorffDistanceLoss(reduction: (nn.Reduction)7)).Should().Throw<ArgumentException>().WithParameterName("reduction");
            using var scope = NewDisposeScope();
            using var spaced = new LogHausdorffDistanceLoss(spacing: new[] { 1.0, 2.0 });
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
                using var loss = new LogHausdorffDistanceLoss(ignoreIndex: -1);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
            }
        }
    }
}
