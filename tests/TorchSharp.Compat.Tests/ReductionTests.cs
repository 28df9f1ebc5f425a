using FluentAssertions;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>Reductions with and without dimensions, sorting, top-k and scans.</summary>
    public sealed class ReductionTests
    {
        // [[1, 5, 3],
        //  [4, 2, 6]]
        private static Tensor M() => tensor(new[] { 1.0, 5.0, 3.0, 4.0, 2.0, 6.0 }, new long[] { 2, 3 });

        [Fact]
        public void SumOverEverythingAndAlongDimensions()
        {
            using var scope = NewDisposeScope();
            var all = M().sum();
            all.dim().Should().Be(0);
            all.item<double>().Should().Be(21);

            var rows = M().sum(1);
            rows.shape.Should().Equal(2);
            Values.F64(rows).Should().Equal(9, 12);

            var cols = M().sum(0, keepdim: true);
            cols.shape.Should().Equal(1, 3);
            Values.F64(cols).Should().Equal(5, 7, 9);

            M().sum(new long[] { 0, 1 }).item<double>().Should().Be(21);
            M().sum(0, 1, keepdim: true).shape.Should().Equal(1, 1);
            sum(M(), -1).shape.Should().Equal(2);
        }

        [Fact]
        public void SumOfIntegersIsInt64AndSumCanConvert()
        {
            using var scope = NewDisposeScope();
            var i = tensor(new[] { 1, 2, 3 });
            i.dtype.Should().Be(ScalarType.Int32);
            var s = i.sum();
            s.dtype.Should().Be(ScalarType.Int64);
            s.item<long>().Should().Be(6);

            var b = tensor(new[] { true, true, false });
            b.sum().item<long>().Should().Be(2);

            var d = tensor(new[] { 1f, 2f }).sum(float64);
            d.dtype.Should().Be(ScalarType.Float64);
            d.item<double>().Should().Be(3);
        }

        [Fact]
        public void MeanOverEverythingAndAlongDimensions()
        {
            using var scope = NewDisposeScope();
            M().mean().item<double>().Should().Be(3.5);
            Values.F64(M().mean(new long[] { 1 })).Should().Equal(3, 4);
            var keep = M().mean(new long[] { 0 }, keepdim: true);
            keep.shape.Should().Equal(1, 3);
            Values.F64(keep).Should().Equal(2.5, 3.5, 4.5);
            mean(M(), new long[] { 0, 1 }).item<double>().Should().Be(3.5);
        }

        [Fact]
        public void MaxAndMinWithAndWithoutDimension()
        {
            using var scope = NewDisposeScope();
            M().max().item<double>().Should().Be(6);
            M().min().item<double>().Should().Be(1);

            var (values, indexes) = M().max(1);
            values.shape.Should().Equal(2);
            Values.F64(values).Should().Equal(5, 6);
            indexes.dtype.Should().Be(ScalarType.Int64);
            Values.I64(indexes).Should().Equal(1, 2);

            var (minValues, minIndexes) = M().min(0, keepdim: true);
            minValues.shape.Should().Equal(1, 3);
            Values.F64(minValues).Should().Equal(1, 2, 3);
            Values.I64(minIndexes).Should().Equal(0, 1, 0);

            var (sv, si) = max(M(), 0);
            Values.F64(sv).Should().Equal(4, 5, 6);
            Values.I64(si).Should().Equal(1, 0, 1);

            Values.F64(M().amax(new long[] { 1 })).Should().Equal(5, 6);
            Values.F64(M().amin(new long[] { 0 }, keepdim: true)).Should().Equal(1, 2, 3);
            Values.F64(maximum(M(), full(new long[] { 3 }, 3.5, float64))).Should().Equal(3.5, 5, 3.5, 4, 3.5, 6);
        }

        [Fact]
        public void ArgmaxAndArgmin()
        {
            using var scope = NewDisposeScope();
            var flat = M().argmax();
            flat.dtype.Should().Be(ScalarType.Int64);
            flat.item<long>().Should().Be(5, "the flattened position of 6");
            M().argmin().item<long>().Should().Be(0);

            Values.I64(M().argmax(1)).Should().Equal(1, 2);
            var keep = M().argmax(0, keepdim: true);
            keep.shape.Should().Equal(1, 3);
            Values.I64(keep).Should().Equal(1, 0, 1);
            Values.I64(argmin(M(), 1)).Should().Equal(0, 1);
        }

        [Fact]
        public void AllAnyProdNormLogsumexp()
        {
            using var scope = NewDisposeScope();
            var b = tensor(new[] { true, false, true, true }, new long[] { 2, 2 });
            b.all().item<bool>().Should().BeFalse();
            b.any().item<bool>().Should().BeTrue();
            Values.Bool(b.all(1)).Should().Equal(false, true);

            M().prod().item<double>().Should().Be(720);
            Values.F64(M().prod(1)).Should().Equal(15, 48);
            tensor(new[] { 3.0, 4.0 }).norm().item<double>().Should().Be(5);
            M().logsumexp(1).shape.Should().Equal(2);
        }

        [Fact]
        public void SortReturnsValuesAndTheirOriginalIndices()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 3.0, 1.0, 2.0, 5.0, 4.0 });
            var (values, indices) = x.sort();
            Values.F64(values).Should().Equal(1, 2, 3, 4, 5);
            Values.I64(indices).Should().Equal(1, 2, 0, 4, 3);

            var (dv, di) = x.sort(descending: true);
            Values.F64(dv).Should().Equal(5, 4, 3, 2, 1);
            Values.I64(di).Should().Equal(3, 4, 0, 2, 1);

            var (rows, rowIdx) = sort(M(), 1);
            Values.F64(rows).Should().Equal(1, 3, 5, 2, 4, 6);
            Values.I64(rowIdx).Should().Equal(0, 2, 1, 1, 0, 2);

            var (cols, colIdx) = M().sort(0, descending: true);
            Values.F64(cols).Should().Equal(4, 5, 6, 1, 2, 3);
            Values.I64(colIdx).Should().Equal(1, 0, 1, 0, 1, 0);

            // Stable sort keeps equal keys in their original order.
            var (_, stableIdx) = tensor(new[] { 2L, 1L, 2L, 1L }).sort(stable: true);
            Values.I64(stableIdx).Should().Equal(1, 3, 0, 2);

            Values.I64(x.argsort(descending: true)).Should().Equal(3, 4, 0, 2, 1);
        }

        [Fact]
        public void TopkPicksTheLargestOrSmallest()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 3.0, 1.0, 2.0, 5.0, 4.0 });
            var (values, indexes) = x.topk(2);
            Values.F64(values).Should().Equal(5, 4);
            Values.I64(indexes).Should().Equal(3, 4);

            var (small, smallIdx) = x.topk(3, largest: false);
            Values.F64(small).Should().Equal(1, 2, 3);
            Values.I64(smallIdx).Should().Equal(1, 2, 0);

            var (rowTop, rowIdx) = topk(M(), 1, dim: 1);
            rowTop.shape.Should().Equal(2, 1);
            Values.F64(rowTop).Should().Equal(5, 6);
            Values.I64(rowIdx).Should().Equal(1, 2);
        }

        [Fact]
        public void CumsumAlongEachDimension()
        {
            using var scope = NewDisposeScope();
            Values.F64(M().cumsum(1)).Should().Equal(1, 6, 9, 4, 6, 12);
            Values.F64(M().cumsum(0)).Should().Equal(1, 5, 3, 5, 7, 9);
            var i = cumsum(tensor(new[] { 1, 2, 3 }), 0);
            i.dtype.Should().Be(ScalarType.Int64, "integer scans accumulate in int64");
            Values.I64(i).Should().Equal(1, 3, 6);
            Values.F64(tensor(new[] { 1.0, 2.0, 3.0 }).cumprod(0)).Should().Equal(1, 2, 6);
        }

        [Fact]
        public void UniqueAndBincount()
        {
            using var scope = NewDisposeScope();
            var (output, inverse, counts) = tensor(new[] { 3L, 1L, 3L, 2L, 1L, 3L }).unique(return_inverse: true, return_counts: true);
            Values.I64(output).Should().Equal(1, 2, 3);
            Values.I64(inverse!).Should().Equal(2, 0, 2, 1, 0, 2);
            Values.I64(counts!).Should().Equal(2, 1, 3);
            Values.I64(tensor(new[] { 0L, 2L, 2L }).bincount(null, 4)).Should().Equal(1, 0, 2, 0);
        }

        [Fact]
        public void AminmaxOverAllAndAlongADimension()
        {
            using var scope = NewDisposeScope();
            var m = tensor(new long[] { 4, -2, 7, 0, 9, 3 }, new long[] { 2, 3 });
            var (lo, hi) = m.aminmax();
            lo.dim().Should().Be(0);
            lo.item<long>().Should().Be(-2);
            hi.item<long>().Should().Be(9);
            var (rowLo, rowHi) = m.aminmax(1);
            Values.I64(rowLo).Should().Equal(-2, 0);
            Values.I64(rowHi).Should().Equal(7, 9);
            m.aminmax(0, keepDim: true).min.shape.Should().Equal(1, 3);
        }
    }
}
