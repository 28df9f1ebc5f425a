using System.Linq;
using FluentAssertions;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>Reshaping, permuting, squeezing, broadcasting, joining and splitting.</summary>
    public sealed class ShapeTests
    {
        private static Tensor Six() => arange(6, float64);

        [Fact]
        public void ReshapeAndViewKeepRowMajorOrder()
        {
            using var scope = NewDisposeScope();
            var r = Six().reshape(2, 3);
            r.shape.Should().Equal(2, 3);
            r[1, 0].item<double>().Should().Be(3);
            Six().reshape(-1, 2).shape.Should().Equal(3, 2);
            Six().view(3, 2)[2, 1].item<double>().Should().Be(5);
            reshape(Six(), 1, 6).shape.Should().Equal(1, 6);
            Six().view_as(zeros(2, 3)).shape.Should().Equal(2, 3);
            Six().unflatten(0, 2, 3).shape.Should().Equal(2, 3);
        }

        [Fact]
        public void MetadataOfAShapedTensor()
        {
            using var scope = NewDisposeScope();
            var t = zeros(new long[] { 2, 3, 4 }, float64);
            t.dim().Should().Be(3);
            t.ndim.Should().Be(3);
            t.Dimensions.Should().Be(3);
            t.numel().Should().Be(24);
            t.NumberOfElements.Should().Be(24);
            t.size().Should().Equal(2, 3, 4);
            t.size(1).Should().Be(3);
            t.size(-1).Should().Be(4);
            t.element_size().Should().Be(8);
            t.ToString().Should().Be("[2x3x4], type = Float64, device = cpu");
        }

        [Fact]
        public void PermuteAndTransposeReorderDimensions()
        {
            using var scope = NewDisposeScope();
            var m = Six().reshape(2, 3);
            var tr = m.transpose(0, 1);
            tr.shape.Should().Equal(3, 2);
            tr.is_contiguous().Should().BeFalse();
            Values.F64(tr).Should().Equal(0, 3, 1, 4, 2, 5);
            tr.contiguous().is_contiguous().Should().BeTrue();
            Values.F64(m.t()).Should().Equal(0, 3, 1, 4, 2, 5);

            var c = arange(24, float64).reshape(2, 3, 4);
            var p = c.permute(2, 0, 1);
            p.shape.Should().Equal(4, 2, 3);
            p[1, 1, 2].item<double>().Should().Be(c[1, 2, 1].item<double>());
            permute(c, 1, 2, 0).shape.Should().Equal(3, 4, 2);
            transpose(c, -1, 0).shape.Should().Equal(4, 3, 2);
        }

        [Fact]
        public void UnsqueezeSqueezeFlatten()
        {
            using var scope = NewDisposeScope();
            var v = Six();
            v.unsqueeze(0).shape.Should().Equal(1, 6);
            v.unsqueeze(-1).shape.Should().Equal(6, 1);
            unsqueeze(v, 1).shape.Should().Equal(6, 1);

            var s = zeros(new long[] { 1, 3, 1, 2 });
            s.squeeze().shape.Should().Equal(3, 2);
            s.squeeze(2).shape.Should().Equal(1, 3, 2);
            s.squeeze(1).shape.Should().Equal(new long[] { 1, 3, 1, 2 }, "a dimension that is not 1 stays");
            squeeze(s, 0).shape.Should().Equal(3, 1, 2);

            var c = arange(24, float64).reshape(2, 3, 4);
            c.flatten().shape.Should().Equal(24);
            c.flatten(1).shape.Should().Equal(2, 12);
            c.flatten(0, 1).shape.Should().Equal(6, 4);
            Values.F64(flatten(c, 1)).Should().Equal(Enumerable.Range(0, 24).Select(i => (double)i));
        }

        [Fact]
        public void ExpandBroadcastsWithoutCopying()
        {
            using var scope = NewDisposeScope();
            var col = tensor(new[] { 1.0, 2.0 }, new long[] { 2, 1 });
            var e = col.expand(2, 3);
            e.shape.Should().Equal(2, 3);
            Values.F64(e).Should().Equal(1, 1, 1, 2, 2, 2);
            col.expand(-1, 4).shape.Should().Equal(2, 4);
            col.expand_as(zeros(2, 5)).shape.Should().Equal(2, 5);
            Values.F64(col.repeat(2, 2)).Should().Equal(1, 1, 2, 2, 1, 1, 2, 2);

            col.fill_(7);
            Values.F64(e).Should().OnlyContain(x => x == 7, "expand is a view of the original storage");
        }

        [Fact]
        public void CatAndStackJoinTensors()
        {
            using var scope = NewDisposeScope();
            var a = tensor(new[] { 1.0, 2.0 }, new long[] { 1, 2 });
            var b = tensor(new[] { 3.0, 4.0, 5.0, 6.0 }, new long[] { 2, 2 });
            var rows = cat(new[] { a, b }, 0);
            rows.shape.Should().Equal(3, 2);
            Values.F64(rows).Should().Equal(1, 2, 3, 4, 5, 6);

            var cols = cat(new System.Collections.Generic.List<Tensor> { b, b }, 1);
            cols.shape.Should().Equal(2, 4);
            Values.F64(cols).Should().Equal(3, 4, 3, 4, 5, 6, 5, 6);

            var x = tensor(new[] { 1.0, 2.0 });
            var y = tensor(new[] { 3.0, 4.0 });
            var s0 = stack(new[] { x, y });
            s0.shape.Should().Equal(2, 2);
            Values.F64(s0).Should().Equal(1, 2, 3, 4);
            var s1 = stack(new[] { x, y }, 1);
            s1.shape.Should().Equal(2, 2);
            Values.F64(s1).Should().Equal(1, 3, 2, 4);
        }

        [Fact]
        public void SplitChunkUnbind()
        {
            using var scope = NewDisposeScope();
            var v = arange(7, float64);
            var parts = v.split(3);
            parts.Select(p => p.shape[0]).Should().Equal(3, 3, 1);
            Values.F64(parts[2]).Should().Equal(6);

            var chunks = v.chunk(2);
            chunks.Select(p => p.shape[0]).Should().Equal(4, 3);
            Values.F64(chunks[1]).Should().Equal(4, 5, 6);

            var m = Six().reshape(2, 3);
            var colsSplit = m.split(2, 1);
            colsSplit.Should().HaveCount(2);
            Values.F64(colsSplit[0]).Should().Equal(0, 1, 3, 4);
            Values.F64(colsSplit[1]).Should().Equal(2, 5);

            var rows = m.unbind();
            rows.Should().HaveCount(2);
            Values.F64(rows[1]).Should().Equal(3, 4, 5);
            var columns = m.unbind(1);
            columns.Should().HaveCount(3);
            Values.F64(columns[2]).Should().Equal(2, 5);
        }

        [Fact]
        public void NarrowSelectFlipRoll()
        {
            using var scope = NewDisposeScope();
            var m = Six().reshape(2, 3);
            Values.F64(m.narrow(1, 1, 2)).Should().Equal(1, 2, 4, 5);
            Values.F64(m.select(1, 0)).Should().Equal(0, 3);
            Values.F64(m.flip(1)).Should().Equal(2, 1, 0, 5, 4, 3);
            Values.F64(Six().roll(2)).Should().Equal(4, 5, 0, 1, 2, 3);
            Values.F64(m.roll(1, 0)).Should().Equal(3, 4, 5, 0, 1, 2);
        }
    }
}
