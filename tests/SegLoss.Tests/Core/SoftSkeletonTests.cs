using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using SegLoss.Tests.Losses;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    public class SoftSkeletonTests
    {
        /// <summary>Uniform values in (0, 1), float64, distinct almost surely (no ties in any window).</summary>
        private static Tensor Uniform(long seed, params long[] shape) => TestData.Logits(seed, shape).sigmoid();

        private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

        private static void ShouldEqual(Tensor actual, ClDiceReference expected, string what)
        {
            var a = actual.contiguous().data<double>().ToArray();
            a.Length.Should().Be(expected.Data.Length, what);
            for (int i = 0; i < a.Length; i++) a[i].Should().BeApproximately(expected.Data[i], 1e-15, $"{what}, element {i}");
        }

        public static TheoryData<long[]> Shapes() => new()
        {
            new long[] { 2, 2, 7 },          // 1D
            new long[] { 2, 3, 5, 6 },       // 2D
            new long[] { 1, 2, 4, 5, 3 },    // 3D
            new long[] { 1, 1, 1 },          // a single pixel
            new long[] { 1, 1, 1, 6 },       // one row
            new long[] { 1, 1, 5, 1 },       // one column
            new long[] { 1, 1, 1, 1, 4 },    // a 3D line
            new long[] { 1, 2, 2, 1, 3 },    // a 3D slab one pixel thick
        };

        [Theory]
        [MemberData(nameof(Shapes))]
        public void ErosionDilationOpeningAndSkeletonMatchPlainLoops(long[] shape)
        {
            using var scope = NewDisposeScope();
            var reference = ClDiceReference.From(Uniform(shape.Sum(), shape));
            // Without a gradient the windows are shifted views; with one, max-pools. Both give the loops' values.
            foreach (bool grad in new[] { false, true })
            {
                var x = Uniform(shape.Sum(), shape).requires_grad_(grad);
                string path = grad ? "max-pool path" : "shifted-view path";
                ShouldEqual(SoftSkeleton.Erode(x).detach(), reference.Erode(), $"erosion, {path}");
                ShouldEqual(SoftSkeleton.Dilate(x).detach(), reference.Dilate(), $"dilation, {path}");
                ShouldEqual(SoftSkeleton.Open(x).detach(), reference.Open(), $"opening, {path}");
                foreach (int iterations in new[] { 0, 1, 3, 6 })
                    ShouldEqual(SoftSkeleton.Skeleton(x, iterations).detach(), reference.Skeleton(iterations), $"skeleton after {iterations} steps, {path}");
            }
        }

        [Fact]
        public void ErosionIsTheCrossAndDilationTheBox()
        {
            using var scope = NewDisposeScope();
            // A single low pixel at the centre of a 3×3 image of ones: erosion spreads it to the cross (5 pixels),
            // not to the corners; a single high pixel in zeros dilates to the whole 3×3 box.
            var low = ones(new long[] { 1, 1, 3, 3 }, ScalarType.Float64);
            low[0, 0, 1, 1] = tensor(0.0);
            SoftSkeleton.Erode(low).reshape(-1).data<double>().ToArray().Should().Equal(1, 0, 1, 0, 0, 0, 1, 0, 1);
            var high = zeros(new long[] { 1, 1, 3, 3 }, ScalarType.Float64);
            high[0, 0, 1, 1] = tensor(1.0);
            SoftSkeleton.Dilate(high).reshape(-1).data<double>().ToArray().Should().OnlyContain(v => v == 1.0);
        }

        /// <summary>A hard bar (1, 1, 12, 16): rows [top, top + thickness), columns [2, 14).</summary>
        private static Tensor Bar(int thickness, int top = 2)
        {
            var bar = zeros(new long[] { 1, 1, 12 + thickness, 16 }, ScalarType.Float64);
            bar[0, 0, TensorIndex.Slice(top, top + thickness), TensorIndex.Slice(2, 14)] = tensor(1.0);
            return bar;
        }

        [Fact]
        public void SkeletonOfAThickHardBarIsItsCentreLine()
        {
            using var scope = NewDisposeScope();
            // Thickness 5 (rows 2..6): two erosions leave row 4, columns 4..11 (each erosion also shortens the bar by a
            // pixel at each end); its opening is empty, so that line is the skeleton, and nothing else is.
            var skeleton = SoftSkeleton.Skeleton(Bar(5), 3);
            var expected = zeros(skeleton.shape, ScalarType.Float64);
            expected[0, 0, 4, TensorIndex.Slice(4, 12)] = tensor(1.0);
            Same(skeleton, expected).Should().BeTrue("the skeleton is the one-pixel centre line");
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        [InlineData(5)]
        [InlineData(7)]
        [InlineData(8)]
        [InlineData(9)]
        public void IterationsNeededGrowWithHalfTheThicknessAndMoreChangeNothing(int thickness)
        {
            using var scope = NewDisposeScope();
            // The documented rule: each erosion peels a pixel from both sides, so a bar t pixels thick reaches its
            // centre line (1 or 2 rows) after ⌈t/2⌉ − 1 erosions.
            int needed = (thickness + 1) / 2 - 1;
            var bar = Bar(thickness);
            var enough = SoftSkeleton.Skeleton(bar, needed);
            var rows = enough.sum(new long[] { 0, 1, 3 }).gt(0).nonzero().reshape(-1).data<long>().ToArray();
            long centre = 2 + (thickness - 1) / 2;
            rows.Should().Equal(thickness % 2 == 1 ? new[] { centre } : new[] { centre, centre + 1 }, "the skeleton is the centre line");
            foreach (int more in new[] { 1, 3, 10 })
                Same(SoftSkeleton.Skeleton(bar, needed + more), enough).Should().BeTrue($"{more} more steps change nothing once the bar is used up");
            if (needed > 0)
                SoftSkeleton.Skeleton(bar, needed - 1).sum().item<double>().Should().Be(0, "one step too few leaves the bar's skeleton empty");
        }

        [Theory]
        [InlineData(3)]
        [InlineData(5)]
        [InlineData(6)]
        public void A3DTubeReachesItsCentreLineAfterTheSameNumberOfSteps(int thickness)
        {
            using var scope = NewDisposeScope();
            // A t×t square tube along the last axis: the cross erosion peels both transverse axes at once.
            var tube = zeros(new long[] { 1, 1, thickness + 4, thickness + 4, 12 }, ScalarType.Float64);
            tube[0, 0, TensorIndex.Slice(2, 2 + thickness), TensorIndex.Slice(2, 2 + thickness), TensorIndex.Slice(1, 11)] = tensor(1.0);
            int needed = (thickness + 1) / 2 - 1;
            var skeleton = SoftSkeleton.Skeleton(tube, needed);
            long core = thickness % 2 == 1 ? 1 : 2;
            skeleton.sum(new long[] { 0, 1, 4 }).gt(0).sum().item<long>().Should().Be(core * core, "the skeleton is the 1×1 (or 2×2) core of the tube");
            Same(SoftSkeleton.Skeleton(tube, needed + 2), skeleton).Should().BeTrue();
            SoftSkeleton.Skeleton(tube, needed - 1).sum().item<double>().Should().Be(0);
        }

        [Fact]
        public void RejectsTensorsWithoutOneToThreeSpatialDimensions()
        {
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => SoftSkeleton.Erode(zeros(2, 3))).Should().Throw<ArgumentException>().WithMessage("*1 to 3 spatial*");
            FluentActions.Invoking(() => SoftSkeleton.Skeleton(zeros(1, 1, 3), -1)).Should().Throw<ArgumentOutOfRangeException>();
        }
    }
}
