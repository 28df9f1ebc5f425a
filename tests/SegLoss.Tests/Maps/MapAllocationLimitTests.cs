using System;
using FluentAssertions;
using SegLoss.Maps;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Maps
{
    /// <summary>
    /// Issue 11: outputs sized by a caller's class count are checked before anything is allocated. The signed
    /// distance maps of <see cref="SignedDistanceMap.FromLabels"/> are .NET arrays, so they are bounded by
    /// <see cref="Array.MaxLength"/>; an empty output is returned unless libtorch could not represent its shape.
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class MapAllocationLimitTests
    {
        [Theory]
        [InlineData(1L << 40, "[2, 1099511627776, 4, 4] (3.5e13 float32 values, 128 TiB)")]
        [InlineData(1L << 62, "[2, 4611686018427387904, 4, 4] (1.5e20 float32 values, 512 EiB)")] // N·C·S overflows a long
        [InlineData(67108863L, "[2, 67108863, 4, 4] (2.1e9 float32 values, 8 GiB)")]                 // just above Array.MaxLength
        public void AbsurdClassCountsAreRefusedByNameBeforeAllocating(long numClasses, string described)
        {
            using var labels = zeros(new long[] { 2, 4, 4 }, ScalarType.Int64);
            LiveTensors.AssertNoLeak(
                () => FluentActions.Invoking(() => SignedDistanceMap.FromLabels(labels, numClasses))
                    .Should().Throw<ArgumentException>().WithParameterName("numClasses")
                    .WithMessage($"numClasses {numClasses} would make signed distance maps of shape {described}, more than the {Array.MaxLength} values a map can hold*"),
                "nothing is allocated before the size check");
        }

        [Fact]
        public void Float64MapsReportTheirBytes()
        {
            using var labels = zeros(new long[] { 2, 4, 4 }, ScalarType.Int64);
            FluentActions.Invoking(() => SignedDistanceMap.FromLabels(labels, 1L << 40, dtype: ScalarType.Float64))
                .Should().Throw<ArgumentException>().WithParameterName("numClasses").WithMessage("*3.5e13 float64 values, 256 TiB*");
        }

        [Fact]
        public void EmptyLabelsGiveEmptyMapsEvenWithAHugeClassCount()
        {
            using var labels = zeros(new long[] { 0, 4, 4 }, ScalarType.Int64);
            using var maps = SignedDistanceMap.FromLabels(labels, 1L << 40);
            maps.shape.Should().Equal(0, 1L << 40, 4, 4);
            maps.dtype.Should().Be(ScalarType.Float32);
        }

        [Fact]
        public void EmptyMapsLibTorchCannotRepresentAreRefusedByName()
        {
            using var labels = zeros(new long[] { 0, 4, 4 }, ScalarType.Int64);
            LiveTensors.AssertNoLeak(
                () => FluentActions.Invoking(() => SignedDistanceMap.FromLabels(labels, 1L << 62))
                    .Should().Throw<ArgumentException>().WithParameterName("numClasses")
                    .WithMessage("numClasses 4611686018427387904 would make signed distance maps of shape [0, 4611686018427387904, 4, 4], which has no values but cannot be represented: its strides overflow a 64-bit integer*"),
                "nothing is allocated before the size check");
        }

        [Fact]
        public void OutputSizeChecksTheExactBoundaryWithoutRounding()
        {
            const string limit = "too big";
            // Bytes: 2^40 one-byte values fit a 2^40-byte limit, one more does not; 2^38 float32 values are 2^40 bytes.
            OutputSize.Excess(new[] { 1L, 1L << 40 }, ScalarType.Byte, long.MaxValue, 1L << 40, limit).Should().BeNull();
            OutputSize.Excess(new[] { 1L, (1L << 40) + 1 }, ScalarType.Byte, long.MaxValue, 1L << 40, limit).Should().Be("shape [1, 1099511627777] (1.1e12 byte values, 1 TiB), too big");
            OutputSize.Excess(new[] { 4L, 1L << 36 }, ScalarType.Float32, long.MaxValue, 1L << 40, limit).Should().BeNull();
            OutputSize.Excess(new[] { 4L, (1L << 36) + 1 }, ScalarType.Float32, long.MaxValue, 1L << 40, limit).Should().NotBeNull();
            // Elements.
            OutputSize.Excess(new[] { 3L, 5L }, ScalarType.Float64, 15, long.MaxValue, limit).Should().BeNull();
            OutputSize.Excess(new[] { 4L, 4L }, ScalarType.Float64, 15, long.MaxValue, limit).Should().Be("shape [4, 4] (16 float64 values, 128 B), too big");
            // Overflow of the element count, and of elements × bytes per element.
            OutputSize.Excess(new[] { 1L << 32, 1L << 32 }, ScalarType.Bool, long.MaxValue, long.MaxValue, limit).Should().NotBeNull();
            OutputSize.Excess(new[] { 1L << 61 }, ScalarType.ComplexFloat64, long.MaxValue, long.MaxValue, limit).Should().NotBeNull();
            // Empty shapes: no size to limit, only libtorch's strides (a zero counted as 1) must fit in a long.
            OutputSize.Excess(new[] { 0L, 1L << 40, 1L << 20 }, ScalarType.Float64, 1, 1, limit).Should().BeNull();
            OutputSize.Excess(new[] { 2L, 1L << 62, 0L }, ScalarType.Float32, long.MaxValue, long.MaxValue, limit).Should().Contain("cannot be represented");
        }
    }
}
