using System.Runtime.InteropServices;
using FluentAssertions;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>gather/scatter/scatter_add, index_select, masked_fill and where.</summary>
    public sealed class GatherScatterTests
    {
        // [[10, 11, 12],
        //  [20, 21, 22]]
        private static Tensor M() => tensor(new[] { 10.0, 11.0, 12.0, 20.0, 21.0, 22.0 }, new long[] { 2, 3 });

        [Fact]
        public void GatherPicksAlongADimension()
        {
            using var scope = NewDisposeScope();
            var idx = tensor(new[] { 2L, 0L }, new long[] { 2, 1 });
            var g = M().gather(1, idx);
            g.shape.Should().Equal(2, 1);
            Values.F64(g).Should().Equal(12, 20);

            var idx0 = tensor(new[] { 1L, 0L, 1L }, new long[] { 1, 3 });
            Values.F64(gather(M(), 0, idx0)).Should().Equal(20, 11, 22);

            var twice = tensor(new[] { 0L, 0L, 2L, 1L }, new long[] { 2, 2 });
            Values.F64(M().gather(1, twice)).Should().Equal(10, 10, 22, 21);
        }

        [Fact]
        public void ScatterWritesAndScatterAddAccumulates()
        {
            using var scope = NewDisposeScope();
            var dst = zeros(new long[] { 2, 4 }, float64);
            var idx = tensor(new[] { 1L, 3L, 0L, 0L }, new long[] { 2, 2 });
            var src = tensor(new[] { 1.0, 2.0, 3.0, 4.0 }, new long[] { 2, 2 });

            // scatter writes; for the duplicate index (row 1, column 0) libtorch keeps one of the two values.
            var s = Values.F64(dst.scatter(1, idx, src));
            s[0..4].Should().Equal(0, 1, 0, 2);
            s[4].Should().BeOneOf(3.0, 4.0);
            s[5..].Should().Equal(0, 0, 0);

            var a = scatter_add(dst, 1, idx, src);
            Values.F64(a).Should().Equal(0, 1, 0, 2, 7, 0, 0, 0);
            Values.F64(dst).Should().OnlyContain(v => v == 0, "the out-of-place forms leave the input alone");

            // One-hot encoding with scatter_, as the segmentation losses do it.
            var labels = tensor(new[] { 2L, 0L, 1L }, new long[] { 3, 1 });
            var onehot = zeros(new long[] { 3, 3 }, float64).scatter_(1, labels, ones(new long[] { 3, 1 }, float64));
            Values.F64(onehot).Should().Equal(0, 0, 1, 1, 0, 0, 0, 1, 0);

            var acc = zeros(new long[] { 3 }, float64);
            acc.scatter_add_(0, tensor(new[] { 0L, 2L, 0L }), tensor(new[] { 1.0, 2.0, 3.0 }));
            Values.F64(acc).Should().Equal(4, 0, 2);
        }

        [Fact]
        public void IndexSelectAndFriends()
        {
            using var scope = NewDisposeScope();
            var cols = M().index_select(1, tensor(new[] { 2L, 0L }));
            cols.shape.Should().Equal(2, 2);
            Values.F64(cols).Should().Equal(12, 10, 22, 20);
            Values.F64(index_select(M(), 0, tensor(new[] { 1L, 1L }))).Should().Equal(20, 21, 22, 20, 21, 22);
            Values.F64(M().index_fill(1, tensor(new[] { 1L }), -1.0)).Should().Equal(10, -1, 12, 20, -1, 22);
            Values.F64(M().take_along_dim(tensor(new[] { 1L, 2L }, new long[] { 2, 1 }), 1)).Should().Equal(11, 22);
        }

        [Fact]
        public void MaskedFillReplacesWhereTheMaskIsTrue()
        {
            using var scope = NewDisposeScope();
            var mask = M() > 15;
            Values.F64(M().masked_fill(mask, 0.0)).Should().Equal(10, 11, 12, 0, 0, 0);

            // A broadcast mask (one row) applies to every row.
            var rowMask = tensor(new[] { true, false, true });
            Values.F64(M().masked_fill(rowMask, -5)).Should().Equal(-5, 11, -5, -5, 21, -5);

            var t = M();
            t.masked_fill_(M() == 11, 99).Should().BeSameAs(t);
            Values.F64(t).Should().Equal(10, 99, 12, 20, 21, 22);

            Values.F64(M().masked_select(mask)).Should().Equal(20, 21, 22);
            Values.I64(tensor(new[] { 0.0, 3.0, 0.0, 1.0 }).nonzero()).Should().Equal(1, 3);
        }

        [Fact]
        public void MaskedFillRejectsANonBoolMask()
        {
            // libtorch 1.13 would read a float mask's bytes as uint8 and silently fill nothing; newer libtorch
            // (and so TorchSharp) rejects it, and the binding does the same.
            using var scope = NewDisposeScope();
            var t = zeros(new long[] { 3 }, float64);
            var floatMask = tensor(new[] { 1.0, 0.0, 1.0 });
            t.Invoking(x => x.masked_fill(floatMask, 5)).Should().Throw<ExternalException>().WithMessage("*only supports boolean masks*Double*");
            t.Invoking(x => x.masked_fill_(tensor(new byte[] { 1, 0, 1 }), 5)).Should().Throw<ExternalException>().WithMessage("*only supports boolean masks*");
            Values.F64(t.masked_fill(floatMask != 0, 5)).Should().Equal(5, 0, 5);
        }

        [Fact]
        public void WhereChoosesBetweenTwoTensors()
        {
            using var scope = NewDisposeScope();
            var cond = tensor(new[] { true, false, true });
            var x = tensor(new[] { 1.0, 2.0, 3.0 });
            var y = tensor(new[] { -1.0, -2.0, -3.0 });
            Values.F64(where(cond, x, y)).Should().Equal(1, -2, 3);
            Values.F64(x.where(cond, y)).Should().Equal(1, -2, 3);
            // A primitive in place of a tensor becomes a 0-d tensor and broadcasts.
            Values.F64(where(x > 1.5, x, 0.0)).Should().Equal(0, 2, 3);
        }

        [Fact]
        public void WhereRejectsANonBoolCondition()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 2.0 });
            var act = () => where(tensor(new[] { 1L, 0L }), x, x);
            act.Should().Throw<System.ArgumentException>().WithMessage("*Bool*");
        }
    }
}
