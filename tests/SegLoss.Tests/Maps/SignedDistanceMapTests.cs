using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Maps;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Maps
{
    public class SignedDistanceMapTests
    {
        private static readonly double R2 = Math.Sqrt(2);

        private static void ShouldEqual(double[] actual, double[] expected, double tolerance = 1e-6)
        {
            actual.Length.Should().Be(expected.Length);
            for (int i = 0; i < actual.Length; i++) actual[i].Should().BeApproximately(expected[i], tolerance, $"element {i}");
        }

        [Fact]
        public void SquareInTheMiddleMatchesTheHandDrawnMaps()
        {
            using var scope = NewDisposeScope();
            var labels = tensor(new long[]
            {
                0, 0, 0, 0, 0,
                0, 1, 1, 1, 0,
                0, 1, 1, 1, 0,
                0, 1, 1, 1, 0,
                0, 0, 0, 0, 0,
            }, new long[] { 1, 5, 5 });
            var maps = SignedDistanceMap.FromLabels(labels, 2, dtype: ScalarType.Float64);
            maps.shape.Should().Equal(1, 2, 5, 5);
            maps.dtype.Should().Be(ScalarType.Float64);

            // Class 1 (the square): distance to the square outside, −(distance to background − 1) inside.
            ShouldEqual(maps[0, 1].flatten().data<double>().ToArray(), new[]
            {
                R2, 1, 1, 1, R2,
                1, 0, 0, 0, 1,
                1, 0, -1, 0, 1,
                1, 0, 0, 0, 1,
                R2, 1, 1, 1, R2,
            });
            // Class 0 (the frame): positive inside the square, 0 on the frame's inner row, −(√2 − 1) at its corners.
            double c = -(R2 - 1);
            ShouldEqual(maps[0, 0].flatten().data<double>().ToArray(), new[]
            {
                c, 0, 0, 0, c,
                0, 1, 1, 1, 0,
                0, 1, 2, 1, 0,
                0, 1, 1, 1, 0,
                c, 0, 0, 0, c,
            });
        }

        [Fact]
        public void AnisotropicSpacingScalesEachAxis()
        {
            using var scope = NewDisposeScope();
            var labels = tensor(new long[] { 0, 0, 0, 0, 1, 0, 0, 0, 0 }, new long[] { 1, 3, 3 });
            var map = SignedDistanceMap.FromLabels(labels, 2, new[] { 2.0, 1.0 })[0, 1].flatten().data<float>().ToArray();
            double r5 = Math.Sqrt(5);
            ShouldEqual(map.Select(v => (double)v).ToArray(), new[]
            {
                r5, 2, r5,
                1, 0, 1,
                r5, 2, r5,
            });
        }

        [Fact]
        public void AbsentAndAllCoveringClassesHaveZeroMaps()
        {
            using var scope = NewDisposeScope();
            var labels = tensor(new long[] { 0, 0, 0, 0, /* image 2 */ 0, 1, 1, 0 }, new long[] { 2, 2, 2 });
            var maps = SignedDistanceMap.FromLabels(labels, 3);
            maps.shape.Should().Equal(2, 3, 2, 2);
            maps[0].eq(0).all().item<bool>().Should().BeTrue("class 0 covers image 0 and classes 1, 2 are absent");
            maps[1, 2].eq(0).all().item<bool>().Should().BeTrue("class 2 is absent from image 1");
            maps[1, 1].abs().sum().item<float>().Should().BeGreaterThan(0);

            var full = SignedDistanceMap.FromMask(ones(1, 1, 3, 4));
            full.eq(0).all().item<bool>().Should().BeTrue("a mask covering the image has no boundary");
            full.dtype.Should().Be(ScalarType.Float32);
        }

        [Fact]
        public void ThreeDimensionalMapsFollowTheFormula()
        {
            using var scope = NewDisposeScope();
            var spacing = new[] { 2.0, 1.0, 0.5 };
            var mask = tensor(MapReference.RandomMask(12, 2 * 5 * 6 * 4, 0.4), new long[] { 2, 1, 5, 6, 4 });
            var maps = SignedDistanceMap.FromMask(mask, spacing, ScalarType.Float64);
            maps.shape.Should().Equal(2, 1, 5, 6, 4);
            var g = mask.squeeze(1).to(ScalarType.Float64);
            var outside = DistanceTransform.Edt(1 - g, spacing, dtype: ScalarType.Float64);
            var inside = DistanceTransform.Edt(g, spacing, dtype: ScalarType.Float64);
            var expected = outside * (1 - g) - (inside - 1) * g;
            maps.squeeze(1).allclose(expected, rtol: 0, atol: 1e-9).Should().BeTrue();
        }

        [Fact]
        public void LabelsMatchTheOneHotRoute()
        {
            using var scope = NewDisposeScope();
            var labels = Infrastructure.TestData.Labels(3, 4, 2, 7, 6);
            var fromLabels = SignedDistanceMap.FromLabels(labels, 4);
            var fromMask = SignedDistanceMap.FromMask(OneHot.Encode(labels, 4));
            fromLabels.Equals(fromMask).Should().BeTrue();
        }

        [Fact]
        public void IgnoredPixelsBelongToNoClassAndMapToZero()
        {
            using var scope = NewDisposeScope();
            var labels = tensor(new long[] { 1, 1, 255, 0, 0 }, new long[] { 1, 5 });
            var maps = SignedDistanceMap.FromLabels(labels, 2, ignoreIndex: 255);
            // Class 1 = {0, 1}: pixel 0 is 2 from the nearest non-class pixel (the ignored one), so −(2 − 1).
            maps[0, 1].data<float>().ToArray().Should().Equal(-1f, 0f, 0f, 2f, 3f);
            maps[0, 0].data<float>().ToArray().Should().Equal(3f, 2f, 0f, 0f, -1f);
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            using var scope = NewDisposeScope();
            var labels = tensor(new long[] { 0, 1, 2, 3 }, new long[] { 1, 2, 2 });
            FluentActions.Invoking(() => SignedDistanceMap.FromLabels(labels, 3))
                .Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*3*[0, 3)*");
            FluentActions.Invoking(() => SignedDistanceMap.FromLabels(labels.to(ScalarType.Float32), 4))
                .Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*Float32*integer*");
            FluentActions.Invoking(() => SignedDistanceMap.FromLabels(labels.flatten(), 4))
                .Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*[4]*(N, *spatial)*");
            FluentActions.Invoking(() => SignedDistanceMap.FromLabels(labels, 0))
                .Should().Throw<ArgumentException>().WithParameterName("numClasses");
            FluentActions.Invoking(() => SignedDistanceMap.FromLabels(labels, 4, new[] { 1.0 }))
                .Should().Throw<ArgumentException>().WithParameterName("spacing").WithMessage("*1 entries*expected 2*");
            FluentActions.Invoking(() => SignedDistanceMap.FromMask(ones(2, 2)))
                .Should().Throw<ArgumentException>().WithParameterName("mask").WithMessage("*[2, 2]*(N, C, *spatial)*");
        }
    }
}
