using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary>
    /// Large weight maps: sums are accumulated in float64, so weights up to 1e30 give the exact float32 value; larger
    /// weights (whose products with a cross-entropy could overflow float32) and non-finite ones are refused by name.
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class PixelWeightedOverflowTests
    {
        [Theory]
        [InlineData(nn.Reduction.Mean)]
        [InlineData(nn.Reduction.Sum)]
        public void WeightsOf1e29OnAFloat32InputGiveTheFloat64Value(nn.Reduction reduction)
        {
            using var loss = new PixelWeightedCrossEntropyLoss(normalization: PixelWeightNormalization.PixelCount, reduction: reduction);
            using var x64 = TestData.Logits(1, 2, 3, 16, 16);
            using var labels = TestData.Labels(2, 3, 2, 16, 16);
            using var w64 = full(new long[] { 2, 16, 16 }, 1e29, ScalarType.Float64);
            using var exact = loss.call(x64, labels, w64);
            using var x32 = x64.to(ScalarType.Float32);
            using var w32 = w64.to(ScalarType.Float32);
            using var value = loss.call(x32, labels, w32);
            double v = value.item<float>();
            double.IsFinite(v).Should().BeTrue("a float32 sum of 512 products of 1e29 would overflow");
            v.Should().BeApproximately(exact.item<double>(), Math.Abs(exact.item<double>()) * 1e-6);
        }

        [Fact]
        public void WeightsAbove1e30AreRefusedForFloat32Input()
        {
            using var loss = new PixelWeightedCrossEntropyLoss();
            using var x = TestData.Logits(1, 2, 3, 4, 4).to(ScalarType.Float32);
            using var labels = TestData.Labels(2, 3, 2, 4, 4);
            using var w = full(new long[] { 2, 4, 4 }, 1e38f, ScalarType.Float32);
            long before = LiveTensors.SettledCount();
            loss.Invoking(l => l.call(x, labels, w)).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "weightMap")
                .WithMessage("weightMap holds weights up to 1E+38 but at most 1E+30 is supported for Float32 input*");
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void ANonFiniteWeightIsReportedWithItsIndex()
        {
            using var loss = new PixelWeightedCrossEntropyLoss();
            using var x = TestData.Logits(1, 2, 3, 4, 4);
            using var labels = TestData.Labels(2, 3, 2, 4, 4);
            using var w = ones(new long[] { 2, 4, 4 }, ScalarType.Float64);
            w[1, 2, 3] = tensor(double.PositiveInfinity);
            loss.Invoking(l => l.call(x, labels, w)).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "weightMap")
                .WithMessage("weightMap holds 1 non-finite value (first +Inf at [1, 2, 3])*");
        }
    }
}
