using System;
using FluentAssertions;
using SegLoss.Maps;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Maps
{
    public class UNetWeightMapTests
    {
        /// <summary>A 7×9 image with squares 1 (rows 2–4, cols 1–3) and 2 (rows 2–4, cols 5–7), a one-pixel gap at col 4.</summary>
        private static Tensor GapInstances()
        {
            var values = new long[7 * 9];
            for (int y = 2; y <= 4; y++)
            {
                for (int x = 1; x <= 3; x++) values[y * 9 + x] = 1;
                for (int x = 5; x <= 7; x++) values[y * 9 + x] = 2;
            }
            return tensor(values, new long[] { 1, 7, 9 });
        }

        private static double At(Tensor map, int y, int x) => map[0, y, x].item<float>();

        private static double Border(double d1, double d2) => 10 * Math.Exp(-(d1 + d2) * (d1 + d2) / 50);

        [Fact]
        public void GapBetweenTwoSquaresGetsTheBorderWeight()
        {
            using var scope = NewDisposeScope();
            var map = UNetWeightMap.FromInstances(GapInstances());
            map.shape.Should().Equal(1, 7, 9);
            map.dtype.Should().Be(ScalarType.Float32);
            // 63 pixels, 18 foreground, 45 background: balanced w_c = 63/(2·45) = 0.7 and 63/(2·18) = 1.75.
            At(map, 3, 4).Should().BeApproximately(0.7 + Border(1, 1), 1e-5, "the gap pixel is 1 from each square");
            At(map, 0, 0).Should().BeApproximately(0.7 + Border(Math.Sqrt(5), Math.Sqrt(29)), 1e-5);
            At(map, 3, 3).Should().BeApproximately(1.75, 1e-6, "foreground pixels get no border term by default");

            var everywhere = UNetWeightMap.FromInstances(GapInstances(), borderOnBackgroundOnly: false, classWeights: new[] { 1.0, 2.0 });
            At(everywhere, 3, 4).Should().BeApproximately(1 + Border(1, 1), 1e-5);
            At(everywhere, 3, 3).Should().BeApproximately(2 + Border(0, 2), 1e-5, "inside square 1, d1 = 0 and d2 = 2");
        }

        [Fact]
        public void TouchingSquaresFromInstances()
        {
            using var scope = NewDisposeScope();
            var values = new long[7 * 8];
            for (int y = 2; y <= 4; y++)
            {
                for (int x = 1; x <= 3; x++) values[y * 8 + x] = 1;
                for (int x = 4; x <= 6; x++) values[y * 8 + x] = 2;
            }
            var map = UNetWeightMap.FromInstances(tensor(values, new long[] { 1, 7, 8 }), w0: 10, sigma: 5);
            double wBackground = 56.0 / (2 * 38);
            At(map, 1, 3).Should().BeApproximately(wBackground + Border(1, Math.Sqrt(2)), 1e-5);
            At(map, 1, 4).Should().BeApproximately(wBackground + Border(1, Math.Sqrt(2)), 1e-5);
        }

        [Fact]
        public void SemanticMaskUsesConnectedComponents()
        {
            using var scope = NewDisposeScope();
            var instances = GapInstances();
            var fromMask = UNetWeightMap.FromMask(instances.gt(0));
            fromMask.Equals(UNetWeightMap.FromInstances(instances)).Should().BeTrue();
        }

        [Fact]
        public void SpacingAndSigmaAreInPhysicalUnits()
        {
            using var scope = NewDisposeScope();
            var map = UNetWeightMap.FromInstances(GapInstances(), spacing: new[] { 1.0, 2.0 });
            At(map, 3, 4).Should().BeApproximately(0.7 + Border(2, 2), 1e-5);
            At(map, 0, 0).Should().BeApproximately(0.7 + Border(Math.Sqrt(8), Math.Sqrt(104)), 1e-5);
            var wide = UNetWeightMap.FromInstances(GapInstances(), w0: 3, sigma: 2);
            At(wide, 3, 4).Should().BeApproximately(0.7 + 3 * Math.Exp(-4.0 / 8), 1e-5);
        }

        [Fact]
        public void FewerThanTwoInstancesGiveOnlyTheClassTerm()
        {
            using var scope = NewDisposeScope();
            var one = GapInstances().masked_fill(GapInstances().eq(2), 0);
            var map = UNetWeightMap.FromInstances(one);
            // 9 foreground, 54 background.
            map.eq(0).logical_not().all().item<bool>().Should().BeTrue();
            At(map, 3, 4).Should().BeApproximately(63.0 / 108, 1e-6);
            At(map, 3, 2).Should().BeApproximately(63.0 / 18, 1e-6);
            var empty = UNetWeightMap.FromInstances(zeros(new long[] { 2, 3, 3 }, ScalarType.Int64));
            empty.eq(1).all().item<bool>().Should().BeTrue("an image with a single class gets w_c = 1");
        }

        [Fact]
        public void ThreeDimensionalInstances()
        {
            using var scope = NewDisposeScope();
            var values = new long[3 * 3 * 5];
            values[1 * 15 + 1 * 5 + 0] = 1;
            values[1 * 15 + 1 * 5 + 4] = 2;
            var map = UNetWeightMap.FromInstances(tensor(values, new long[] { 1, 3, 3, 5 }), classWeights: new[] { 0.0, 0.0 });
            map[0, 1, 1, 2].item<float>().Should().BeApproximately((float)Border(2, 2), 1e-5f);
            map[0, 0, 0, 2].item<float>().Should().BeApproximately((float)Border(Math.Sqrt(6), Math.Sqrt(6)), 1e-5f);
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            using var scope = NewDisposeScope();
            var instances = GapInstances();
            FluentActions.Invoking(() => UNetWeightMap.FromInstances(instances - 1))
                .Should().Throw<ArgumentException>().WithParameterName("instances").WithMessage("*-1*");
            FluentActions.Invoking(() => UNetWeightMap.FromInstances(instances.to(ScalarType.Float32)))
                .Should().Throw<ArgumentException>().WithParameterName("instances").WithMessage("*Float32*");
            FluentActions.Invoking(() => UNetWeightMap.FromInstances(instances, sigma: 0))
                .Should().Throw<ArgumentException>().WithParameterName("sigma");
            FluentActions.Invoking(() => UNetWeightMap.FromInstances(instances, w0: double.NaN))
                .Should().Throw<ArgumentException>().WithParameterName("w0");
            FluentActions.Invoking(() => UNetWeightMap.FromInstances(instances, classWeights: new[] { 1.0, 2.0, 3.0 }))
                .Should().Throw<ArgumentException>().WithParameterName("classWeights").WithMessage("*2 values*got 3*");
            FluentActions.Invoking(() => UNetWeightMap.FromMask(instances, connectivity: 6))
                .Should().Throw<ArgumentException>().WithParameterName("connectivity");
        }
    }
}
