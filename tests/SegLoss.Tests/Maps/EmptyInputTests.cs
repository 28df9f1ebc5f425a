using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Maps;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Maps
{
    /// <summary>
    /// Issue 11: on N = 0 or a zero-size spatial dimension every map utility returns an empty result of its
    /// documented shape and dtype on the input's device (TorchSharp 0.107's element accessor used to throw
    /// "startingIndex" out of range there).
    /// </summary>
    public class EmptyInputTests
    {
        /// <summary>(N, *spatial) shapes without elements, 1D to 3D; the last two pair a zero with a size above int.MaxValue.</summary>
        public static TheoryData<long[]> BatchShapes() => new()
        {
            new long[] { 0, 5 },
            new long[] { 3, 0 },
            new long[] { 0, 4, 5 },
            new long[] { 2, 0, 5 },
            new long[] { 2, 4, 0 },
            new long[] { 0, 3, 4, 5 },
            new long[] { 2, 3, 0, 5 },
            new long[] { 2, 3, 4, 0 },
            new long[] { 0, 3_000_000_000 },
            new long[] { 2, 0, 3_000_000_000 },
        };

        private static void ShouldBeEmpty(Tensor result, long[] shape, ScalarType dtype)
        {
            result.shape.Should().Equal(shape);
            result.dtype.Should().Be(dtype);
            result.device_type.Should().Be(TorchSharp.DeviceType.CPU, "the result is on the input's device");
            result.numel().Should().Be(0);
        }

        /// <summary>(N, C, *spatial) from (N, *spatial).</summary>
        private static long[] WithChannels(long[] shape, long channels) =>
            new[] { shape[0], channels }.Concat(shape.Skip(1)).ToArray();

        [Theory]
        [MemberData(nameof(BatchShapes))]
        public void EdtAndSquaredEdtGiveEmptyMapsOfTheMaskShape(long[] shape)
        {
            using var scope = NewDisposeScope();
            var mask = zeros(shape, ScalarType.Bool);
            int dims = shape.Length - 1;
            ShouldBeEmpty(DistanceTransform.Edt(mask), shape, ScalarType.Float32);
            ShouldBeEmpty(DistanceTransform.Edt(mask, spatialDims: dims, dtype: ScalarType.Float64), shape, ScalarType.Float64);
            ShouldBeEmpty(DistanceTransform.Edt(mask.to(ScalarType.Float64), Enumerable.Repeat(0.5, dims).ToArray()), shape, ScalarType.Float64);
            ShouldBeEmpty(DistanceTransform.SquaredEdt(mask, spatialDims: dims), shape, ScalarType.Float32);
            ShouldBeEmpty(DistanceTransform.SquaredEdt(mask.to(ScalarType.Int32), dtype: ScalarType.Float64), shape, ScalarType.Float64);
        }

        [Theory]
        [InlineData(new long[] { 0 }, 1)]
        [InlineData(new long[] { 0, 5 }, 2)]
        [InlineData(new long[] { 4, 0, 5 }, 3)]
        public void EdtOfASingleEmptyImageOrVolume(long[] shape, int spatialDims)
        {
            using var scope = NewDisposeScope();
            ShouldBeEmpty(DistanceTransform.Edt(zeros(shape), spatialDims: spatialDims), shape, ScalarType.Float32);
        }

        [Theory]
        [MemberData(nameof(BatchShapes))]
        public void SignedDistanceMapFromLabelsGivesEmptyMapsWithTheClassDimension(long[] shape)
        {
            using var scope = NewDisposeScope();
            var labels = zeros(shape, ScalarType.Int64);
            ShouldBeEmpty(SignedDistanceMap.FromLabels(labels, 3), WithChannels(shape, 3), ScalarType.Float32);
            ShouldBeEmpty(SignedDistanceMap.FromLabels(labels.to(ScalarType.Int32), 2, Enumerable.Repeat(2.0, shape.Length - 1).ToArray(), ignoreIndex: 255, dtype: ScalarType.Float64),
                WithChannels(shape, 2), ScalarType.Float64);
        }

        [Theory]
        [MemberData(nameof(BatchShapes))]
        public void SignedDistanceMapFromMaskGivesEmptyMapsOfTheMaskShape(long[] shape)
        {
            using var scope = NewDisposeScope();
            var maskShape = WithChannels(shape, 2);
            ShouldBeEmpty(SignedDistanceMap.FromMask(zeros(maskShape)), maskShape, ScalarType.Float32);
            ShouldBeEmpty(SignedDistanceMap.FromMask(zeros(maskShape, ScalarType.Float64)), maskShape, ScalarType.Float64);
        }

        [Theory]
        [InlineData(new long[] { 2, 0, 5 })]
        [InlineData(new long[] { 2, 0, 4, 5 })]
        [InlineData(new long[] { 1, 0, 3, 4, 5 })]
        public void SignedDistanceMapFromMaskWithoutChannels(long[] shape)
        {
            using var scope = NewDisposeScope();
            ShouldBeEmpty(SignedDistanceMap.FromMask(zeros(shape, ScalarType.Bool), dtype: ScalarType.Float64), shape, ScalarType.Float64);
        }

        [Theory]
        [MemberData(nameof(BatchShapes))]
        public void ConnectedComponentsGiveEmptyLabelsAndNoComponentPerImage(long[] shape)
        {
            using var scope = NewDisposeScope();
            int dims = shape.Length - 1;
            var mask = zeros(shape, ScalarType.Bool);
            foreach (int? connectivity in new int?[] { null, dims == 1 ? 2 : dims == 2 ? 8 : 26 })
            {
                var (labels, counts) = ConnectedComponents.Label(mask, connectivity);
                ShouldBeEmpty(labels, shape, ScalarType.Int64);
                counts.Should().Equal(new long[shape[0]], "no image has a component");
            }
        }

        [Theory]
        [MemberData(nameof(BatchShapes))]
        public void UNetWeightMapsAreEmptyFloat32(long[] shape)
        {
            using var scope = NewDisposeScope();
            int dims = shape.Length - 1;
            ShouldBeEmpty(UNetWeightMap.FromInstances(zeros(shape, ScalarType.Int64)), shape, ScalarType.Float32);
            ShouldBeEmpty(UNetWeightMap.FromInstances(zeros(shape, ScalarType.Int32), classWeights: new[] { 1.0, 2.0 }, spacing: Enumerable.Repeat(1.5, dims).ToArray()),
                shape, ScalarType.Float32);
            ShouldBeEmpty(UNetWeightMap.FromMask(zeros(shape, ScalarType.Bool)), shape, ScalarType.Float32);
            ShouldBeEmpty(UNetWeightMap.FromMask(zeros(shape, ScalarType.Float64), borderOnBackgroundOnly: false), shape, ScalarType.Float32);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void MaskMapsOfTheLossesAreEmpty(bool signed)
        {
            using var scope = NewDisposeScope();
            var kind = signed ? MaskMaps.Kind.Signed : MaskMaps.Kind.BoundaryDistance;
            // Masks (N, C, S) with S the flattened spatial shape, as the boundary and Hausdorff losses pass them.
            ShouldBeEmpty(MaskMaps.Compute(zeros(new long[] { 0, 2, 12 }, ScalarType.Bool), new long[] { 3, 4 }, null, kind, ScalarType.Float32),
                new long[] { 0, 2, 12 }, ScalarType.Float32);
            ShouldBeEmpty(MaskMaps.Compute(zeros(new long[] { 2, 2, 0 }, ScalarType.Bool), new long[] { 3, 0 }, new[] { 1.0, 2.0 }, kind, ScalarType.Float64),
                new long[] { 2, 2, 0 }, ScalarType.Float64);
        }

        [Fact]
        public void ArgumentsAreStillValidatedOnEmptyInput()
        {
            using var scope = NewDisposeScope();
            var mask = zeros(0, 4, 4);
            FluentActions.Invoking(() => DistanceTransform.Edt(mask, new[] { 1.0, 2.0, 3.0, 4.0 })).Should().Throw<ArgumentException>().WithParameterName("spacing");
            FluentActions.Invoking(() => DistanceTransform.Edt(mask, dtype: ScalarType.Int32)).Should().Throw<ArgumentException>().WithParameterName("dtype");
            FluentActions.Invoking(() => SignedDistanceMap.FromLabels(mask, 2)).Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*Float32*integer*");
            FluentActions.Invoking(() => SignedDistanceMap.FromLabels(mask.to(ScalarType.Int64), 0)).Should().Throw<ArgumentException>().WithParameterName("numClasses");
            FluentActions.Invoking(() => SignedDistanceMap.FromMask(zeros(0, 4))).Should().Throw<ArgumentException>().WithParameterName("mask").WithMessage("*[0, 4]*(N, C, *spatial)*");
            FluentActions.Invoking(() => ConnectedComponents.Label(mask, 6)).Should().Throw<ArgumentException>().WithParameterName("connectivity");
            FluentActions.Invoking(() => UNetWeightMap.FromInstances(mask.to(ScalarType.Int64), sigma: -1)).Should().Throw<ArgumentException>().WithParameterName("sigma");
            FluentActions.Invoking(() => UNetWeightMap.FromMask(mask, classWeights: new[] { 1.0 })).Should().Throw<ArgumentException>().WithParameterName("classWeights");
        }
    }
}
