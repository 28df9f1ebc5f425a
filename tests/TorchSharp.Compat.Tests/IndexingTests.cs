using FluentAssertions;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>Reading and writing through the indexers: numbers, ranges, slices, ellipsis, None, masks and index tensors.</summary>
    public sealed class IndexingTests
    {
        // 2 x 3 x 4 tensor holding 0..23
        private static Tensor Cube() => arange(24, float64).reshape(2, 3, 4);

        [Fact]
        public void IntegerIndicesRemoveDimensions()
        {
            using var scope = NewDisposeScope();
            var c = Cube();
            c[1].shape.Should().Equal(3, 4);
            Values.F64(c[1, 2]).Should().Equal(20, 21, 22, 23);
            c[1, 2, 3].item<double>().Should().Be(23);
            c[0, 1, 2].dim().Should().Be(0);
            c[-1, -1, -1].item<double>().Should().Be(23, "negative positions count from the end");
            c[^1, 0, 0].item<double>().Should().Be(12, "System.Index from the end");
        }

        [Fact]
        public void RangesAndSlicesSelectSubTensors()
        {
            using var scope = NewDisposeScope();
            var c = Cube();
            var col = c[.., 1];
            col.shape.Should().Equal(2, 4);
            Values.F64(col).Should().Equal(4, 5, 6, 7, 16, 17, 18, 19);

            var sub = c[0, 1..3, ..2];
            sub.shape.Should().Equal(2, 2);
            Values.F64(sub).Should().Equal(4, 5, 8, 9);

            var stepped = c[0, 0, TensorIndex.Slice(0, null, 2)];
            Values.F64(stepped).Should().Equal(0, 2);

            var sliced = c[TensorIndex.Slice(1), TensorIndex.Colon, TensorIndex.Slice(-1)];
            sliced.shape.Should().Equal(1, 3, 1);
            Values.F64(sliced).Should().Equal(15, 19, 23);

            Values.F64(c[0, 2, ^2..]).Should().Equal(10, 11);
        }

        [Fact]
        public void EllipsisAndNone()
        {
            using var scope = NewDisposeScope();
            var c = Cube();
            var last = c[TensorIndex.Ellipsis, 0];
            last.shape.Should().Equal(2, 3);
            Values.F64(last).Should().Equal(0, 4, 8, 12, 16, 20);

            var first = c[1, TensorIndex.Ellipsis];
            first.shape.Should().Equal(3, 4);

            var expanded = c[TensorIndex.None, TensorIndex.Ellipsis, TensorIndex.None];
            expanded.shape.Should().Equal(1, 2, 3, 4, 1);
            c[TensorIndex.Colon, TensorIndex.None].shape.Should().Equal(2, 1, 3, 4);
        }

        [Fact]
        public void BooleanMaskIndexingFlattensTheSelectedElements()
        {
            using var scope = NewDisposeScope();
            var t = tensor(new[] { 5.0, -1.0, 3.0, -4.0 }, new long[] { 2, 2 });
            var picked = t[t > 0];
            picked.shape.Should().Equal(2);
            Values.F64(picked).Should().Equal(5, 3);

            // A mask over the first dimension selects whole rows.
            var rows = Cube()[tensor(new[] { false, true })];
            rows.shape.Should().Equal(1, 3, 4);
            rows[0, 0, 0].item<double>().Should().Be(12);
        }

        [Fact]
        public void IndexTensorsGatherPositions()
        {
            using var scope = NewDisposeScope();
            var v = tensor(new[] { 10.0, 20.0, 30.0, 40.0 });
            Values.F64(v[tensor(new[] { 3L, 0L, 3L })]).Should().Equal(40, 10, 40);

            var c = Cube();
            var pairs = c.index(tensor(new[] { 0L, 1L }), tensor(new[] { 2L, 0L }));
            pairs.shape.Should().Equal(2, 4);
            Values.F64(pairs).Should().Equal(8, 9, 10, 11, 12, 13, 14, 15);
        }

        [Fact]
        public void TheIndexerSetterWritesThroughIndexPut()
        {
            using var scope = NewDisposeScope();
            var t = zeros(new long[] { 2, 3 }, float64);
            t[0, 1] = tensor(5.0);
            t[1] = tensor(new[] { 1.0, 2.0, 3.0 });
            Values.F64(t).Should().Equal(0, 5, 0, 1, 2, 3);

            t[.., 2] = tensor(-7.0);
            Values.F64(t).Should().Equal(0, 5, -7, 1, 2, -7);

            t[t < 0] = tensor(9.0);
            Values.F64(t).Should().Equal(0, 5, 9, 1, 2, 9);

            t[TensorIndex.Ellipsis, TensorIndex.Slice(0, 1)] = tensor(new[] { 4.0, 4.0 }, new long[] { 2, 1 });
            Values.F64(t).Should().Equal(4, 5, 9, 4, 2, 9);

            var v = zeros(new long[] { 4 }, float64);
            v[tensor(new[] { 3L, 1L })] = tensor(new[] { 30.0, 10.0 });
            Values.F64(v).Should().Equal(0, 10, 0, 30);
        }

        [Fact]
        public void IndexPutWithAScalarAndWithAccumulation()
        {
            using var scope = NewDisposeScope();
            var t = zeros(new long[] { 3 }, float64);
            t.index_put_(2.5, TensorIndex.Slice(1)).Should().BeSameAs(t);
            Values.F64(t).Should().Equal(0, 2.5, 2.5);

            var acc = zeros(new long[] { 3 }, float64);
            acc.index_put_(tensor(new[] { 1.0, 2.0, 4.0 }), new[] { TensorIndex.Tensor(tensor(new[] { 0L, 0L, 2L })) }, accumulate: true);
            Values.F64(acc).Should().Equal(3, 0, 4);
        }

        [Fact]
        public void BasicIndexingReturnsViewsThatShareStorage()
        {
            using var scope = NewDisposeScope();
            var t = zeros(new long[] { 2, 2 }, float64);
            var row = t[1];
            row.fill_(8);
            Values.F64(t).Should().Equal(0, 0, 8, 8);
        }
    }
}
