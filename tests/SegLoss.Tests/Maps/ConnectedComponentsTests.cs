using System;
using FluentAssertions;
using SegLoss.Maps;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Maps
{
    public class ConnectedComponentsTests
    {
        [Fact]
        public void DiagonalNeighboursAreConnectedOnlyWithEightConnectivity()
        {
            using var scope = NewDisposeScope();
            var mask = tensor(new long[] { 1, 0, 0, 1 }, new long[] { 1, 2, 2 });
            var (four, fourCounts) = ConnectedComponents.Label(mask);
            four.data<long>().ToArray().Should().Equal(1, 0, 0, 2);
            fourCounts.Should().Equal(2);
            var (eight, eightCounts) = ConnectedComponents.Label(mask, 8);
            eight.data<long>().ToArray().Should().Equal(1, 0, 0, 1);
            eightCounts.Should().Equal(1);
            eight.dtype.Should().Be(ScalarType.Int64);
        }

        [Fact]
        public void ComponentsAreNumberedInRasterOrderOfTheirFirstPixel()
        {
            using var scope = NewDisposeScope();
            var mask = tensor(new long[]
            {
                1, 1, 0, 0, 1,
                0, 0, 0, 1, 1,
                1, 0, 1, 0, 0,
                1, 0, 1, 1, 0,
            }, new long[] { 1, 4, 5 });
            var (labels, counts) = ConnectedComponents.Label(mask);
            counts.Should().Equal(4);
            labels.data<long>().ToArray().Should().Equal(
                1, 1, 0, 0, 2,
                0, 0, 0, 2, 2,
                3, 0, 4, 0, 0,
                3, 0, 4, 4, 0);
            // With corners, (2, 2) touches (1, 3): components 2 and 4 merge.
            var (labels8, counts8) = ConnectedComponents.Label(mask, 8);
            counts8.Should().Equal(3);
            labels8.data<long>().ToArray().Should().Equal(
                1, 1, 0, 0, 2,
                0, 0, 0, 2, 2,
                3, 0, 2, 0, 0,
                3, 0, 2, 2, 0);
        }

        [Fact]
        public void BranchesMeetingLaterAreMerged()
        {
            using var scope = NewDisposeScope();
            var mask = tensor(new[] { true, false, true, true, false, true, true, true, true }, new long[] { 1, 3, 3 });
            var (labels, counts) = ConnectedComponents.Label(mask);
            counts.Should().Equal(1);
            labels.data<long>().ToArray().Should().Equal(1, 0, 1, 1, 0, 1, 1, 1, 1);
        }

        [Fact]
        public void ThreeDimensionalConnectivities()
        {
            using var scope = NewDisposeScope();
            // Voxels (0,0,0) and (0,1,1) share an edge; (1,1,1)... only a corner with (0,0,0).
            var edge = zeros(new long[] { 1, 2, 2, 2 }, ScalarType.Bool);
            edge[0, 0, 0, 0] = tensor(true);
            edge[0, 0, 1, 1] = tensor(true);
            ConnectedComponents.Label(edge, 6).counts.Should().Equal(2);
            ConnectedComponents.Label(edge, 18).counts.Should().Equal(1);
            ConnectedComponents.Label(edge, 26).counts.Should().Equal(1);

            var corner = zeros(new long[] { 1, 2, 2, 2 }, ScalarType.Bool);
            corner[0, 0, 0, 0] = tensor(true);
            corner[0, 1, 1, 1] = tensor(true);
            ConnectedComponents.Label(corner).counts.Should().Equal(2);
            ConnectedComponents.Label(corner, 18).counts.Should().Equal(2);
            var (labels, counts) = ConnectedComponents.Label(corner, 26);
            counts.Should().Equal(1);
            labels.data<long>().ToArray().Should().Equal(1, 0, 0, 0, 0, 0, 0, 1);
        }

        [Fact]
        public void EachImageOfTheBatchIsNumberedFromOne()
        {
            using var scope = NewDisposeScope();
            var mask = tensor(new long[] { 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1 }, new long[] { 3, 4 });
            var (labels, counts) = ConnectedComponents.Label(mask);
            counts.Should().Equal(2, 1, 2);
            labels.data<long>().ToArray().Should().Equal(1, 0, 2, 0, 0, 0, 1, 1, 1, 1, 0, 2);
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => ConnectedComponents.Label(ones(1, 2, 2, 2), 8))
                .Should().Throw<ArgumentException>().WithParameterName("connectivity").WithMessage("*6 or 18 or 26*3 spatial*got 8*");
            FluentActions.Invoking(() => ConnectedComponents.Label(ones(1, 2, 2), 6))
                .Should().Throw<ArgumentException>().WithParameterName("connectivity").WithMessage("*4 or 8*got 6*");
            FluentActions.Invoking(() => ConnectedComponents.Label(ones(4)))
                .Should().Throw<ArgumentException>().WithParameterName("mask").WithMessage("*[4]*");
        }
    }
}
