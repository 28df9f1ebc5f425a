using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Maps;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Maps
{
    public class DistanceTransformTests
    {
        public static TheoryData<int[], double[]?, double> RandomCases() => new()
        {
            { new[] { 3, 11, 13 }, null, 0.7 },
            { new[] { 3, 11, 13 }, new[] { 0.7, 1.9 }, 0.7 },
            { new[] { 2, 16, 9 }, null, 0.97 },        // sparse background: long distances
            { new[] { 2, 16, 9 }, new[] { 2.5, 0.4 }, 0.97 },
            { new[] { 4, 1, 17 }, null, 0.8 },         // one-row images
            { new[] { 4, 17, 1 }, new[] { 1.3, 3.0 }, 0.8 },
            { new[] { 2, 5, 6, 7 }, null, 0.75 },
            { new[] { 2, 5, 6, 7 }, new[] { 2.5, 1.0, 0.8 }, 0.75 },
            { new[] { 1, 4, 9, 5 }, new[] { 0.5, 1.5, 1.0 }, 0.95 },
            // Longer lines mixing the kernel's two line passes (local search for small values, envelope for large).
            { new[] { 1, 40, 50 }, new[] { 0.6, 1.7 }, 0.9 },
            { new[] { 2, 33, 64 }, null, 0.985 },
            { new[] { 1, 6, 40, 30 }, new[] { 1.0, 0.3, 2.0 }, 0.93 },
        };

        [Theory]
        [MemberData(nameof(RandomCases))]
        public void MatchesBruteForceOnRandomMasks(int[] shape, double[]? spacing, double density)
        {
            using var scope = NewDisposeScope();
            int length = shape.Aggregate(1, (a, b) => a * b);
            var mask = MapReference.RandomMask(shape.Sum() * 31 + (int)(density * 100), length, density);
            var spatial = shape.Skip(1).ToArray();
            var expected = MapReference.Edt(mask, shape[0], spatial, spacing);
            var longShape = shape.Select(s => (long)s).ToArray();
            var maskTensor = tensor(mask, longShape);

            var exact = DistanceTransform.Edt(maskTensor, spacing, spatialDims: spatial.Length, dtype: ScalarType.Float64);
            exact.shape.Should().Equal(longShape);
            exact.dtype.Should().Be(ScalarType.Float64);
            var got = exact.data<double>().ToArray();
            for (int i = 0; i < got.Length; i++)
            {
                if (double.IsPositiveInfinity(expected[i])) got[i].Should().Be(double.PositiveInfinity, $"element {i} has no background in its image");
                else got[i].Should().BeApproximately(expected[i], 1e-9, $"element {i}");
            }

            var single = DistanceTransform.Edt(maskTensor, spacing, spatialDims: spatial.Length).data<float>().ToArray();
            for (int i = 0; i < single.Length; i++)
                if (double.IsFinite(expected[i])) ((double)single[i]).Should().BeApproximately(expected[i], 1e-5 * Math.Max(1, expected[i]), $"float32 element {i}");
        }

        [Fact]
        public void SquaredDistancesAreExactIntegersForUnitSpacing()
        {
            using var scope = NewDisposeScope();
            var mask = MapReference.RandomMask(5, 3 * 12 * 10, 0.8);
            var expected = MapReference.Edt(mask, 3, new[] { 12, 10 });
            var got = DistanceTransform.SquaredEdt(tensor(mask, new long[] { 3, 12, 10 }), dtype: ScalarType.Float64).data<double>().ToArray();
            for (int i = 0; i < got.Length; i++)
            {
                got[i].Should().Be(Math.Round(expected[i] * expected[i]), $"element {i}");
            }
        }

        [Fact]
        public void OneDimensionalHandExample()
        {
            using var scope = NewDisposeScope();
            var mask = tensor(new long[] { 1, 1, 0, 1, 1, 1 });
            DistanceTransform.Edt(mask).data<float>().ToArray().Should().Equal(2f, 1f, 0f, 1f, 2f, 3f);
            DistanceTransform.Edt(mask, new[] { 0.5 }).data<float>().ToArray().Should().Equal(1f, 0.5f, 0f, 0.5f, 1f, 1.5f);
        }

        [Fact]
        public void AllForegroundImageIsInfiniteAndAllBackgroundIsZero()
        {
            using var scope = NewDisposeScope();
            var mask = zeros(new long[] { 3, 4, 5 }, ScalarType.Bool);
            mask[0] = ones(4, 5, ScalarType.Bool);
            mask[2, 1, 2] = tensor(true);
            var d = DistanceTransform.Edt(mask);
            d[0].isinf().all().item<bool>().Should().BeTrue("an image without background has no finite distance");
            d[1].eq(0).all().item<bool>().Should().BeTrue("an all-background image is all zeros");
            d[2].sum().item<float>().Should().Be(1f, "one foreground pixel next to background has distance 1");
        }

        [Fact]
        public void SpatialDimsDefaultTreatsTheFirstDimensionAsBatch()
        {
            using var scope = NewDisposeScope();
            var mask = MapReference.RandomMask(9, 4 * 5 * 6, 0.7);
            var volume = tensor(mask, new long[] { 4, 5, 6 });
            var asBatch = DistanceTransform.Edt(volume, dtype: ScalarType.Float64).data<double>().ToArray();
            asBatch.Should().Equal(MapReference.Edt(mask, 4, new[] { 5, 6 }), (a, b) => Math.Abs(a - b) < 1e-9 || (double.IsInfinity(a) && double.IsInfinity(b)));
            var asVolume = DistanceTransform.Edt(volume, spatialDims: 3, dtype: ScalarType.Float64).data<double>().ToArray();
            asVolume.Should().Equal(MapReference.Edt(mask, 1, new[] { 4, 5, 6 }), (a, b) => Math.Abs(a - b) < 1e-9);
            var bySpacing = DistanceTransform.Edt(volume, new[] { 1.0, 1.0, 1.0 }, dtype: ScalarType.Float64).data<double>().ToArray();
            bySpacing.Should().Equal(asVolume);
            var image = tensor(mask.Take(30).ToArray(), new long[] { 5, 6 });
            DistanceTransform.Edt(image, dtype: ScalarType.Float64).data<double>().ToArray()
                .Should().Equal(MapReference.Edt(mask.Take(30).ToArray(), 1, new[] { 5, 6 }), (a, b) => Math.Abs(a - b) < 1e-9 || (double.IsInfinity(a) && double.IsInfinity(b)));
        }

        [Fact]
        public void AnyDtypeCountsNonzeroAsForegroundAndFloat64StaysFloat64()
        {
            using var scope = NewDisposeScope();
            var mask = MapReference.RandomMask(3, 2 * 6 * 7, 0.6);
            var b = tensor(mask, new long[] { 2, 6, 7 });
            var reference = DistanceTransform.Edt(b);
            reference.dtype.Should().Be(ScalarType.Float32);
            DistanceTransform.Edt(b.to(ScalarType.Int32) * 3).Equals(reference).Should().BeTrue();
            DistanceTransform.Edt(b.to(ScalarType.Float32) * -0.5).Equals(reference).Should().BeTrue();
            var d64 = DistanceTransform.Edt(b.to(ScalarType.Float64));
            d64.dtype.Should().Be(ScalarType.Float64);
            d64.to(ScalarType.Float32).Equals(reference).Should().BeTrue();
        }

        [Fact]
        public void ResultDoesNotDependOnTheDegreeOfParallelism()
        {
            using var scope = NewDisposeScope();
            var mask = tensor(MapReference.RandomMask(4, 3 * 33 * 29, 0.85), new long[] { 3, 33, 29 });
            int saved = DistanceTransform.MaxDegreeOfParallelism;
            try
            {
                DistanceTransform.MaxDegreeOfParallelism = 1;
                var serial = DistanceTransform.Edt(mask, new[] { 1.5, 0.5 });
                DistanceTransform.MaxDegreeOfParallelism = 4;
                var parallel = DistanceTransform.Edt(mask, new[] { 1.5, 0.5 });
                parallel.Equals(serial).Should().BeTrue();
            }
            finally
            {
                DistanceTransform.MaxDegreeOfParallelism = saved;
            }
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            using var scope = NewDisposeScope();
            var mask = ones(2, 4, 4);
            FluentActions.Invoking(() => DistanceTransform.Edt(mask, new[] { 1.0, 2.0, 3.0, 4.0 }))
                .Should().Throw<ArgumentException>().WithParameterName("spacing").WithMessage("*4 entries*");
            FluentActions.Invoking(() => DistanceTransform.Edt(mask, new[] { 1.0, 2.0 }, spatialDims: 3))
                .Should().Throw<ArgumentException>().WithParameterName("spacing").WithMessage("*2 entries*expected 3*");
            FluentActions.Invoking(() => DistanceTransform.Edt(mask, new[] { 1.0, -2.0 }))
                .Should().Throw<ArgumentException>().WithParameterName("spacing").WithMessage("*positive*-2*");
            FluentActions.Invoking(() => DistanceTransform.Edt(mask, spatialDims: 4))
                .Should().Throw<ArgumentException>().WithParameterName("spatialDims").WithMessage("*got 4*");
            FluentActions.Invoking(() => DistanceTransform.Edt(mask, dtype: ScalarType.Int64))
                .Should().Throw<ArgumentException>().WithParameterName("dtype").WithMessage("*Int64*");
            FluentActions.Invoking(() => DistanceTransform.Edt(null!)).Should().Throw<ArgumentNullException>().WithParameterName("mask");
            FluentActions.Invoking(() => DistanceTransform.Edt(tensor(1.0))).Should().Throw<ArgumentException>().WithParameterName("mask").WithMessage("*[]*");
            FluentActions.Invoking(() => DistanceTransform.MaxDegreeOfParallelism = 0).Should().Throw<ArgumentException>().WithMessage("*at least 1*0*");
        }
    }
}
