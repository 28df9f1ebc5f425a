using System.Linq;
using FluentAssertions;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>Factories: tensors from arrays, constant fills, ranges, random tensors and the *_like family.</summary>
    public sealed class CreationTests
    {
        [Fact]
        public void TensorFromFlatArrayWithShapeIsRowMajor()
        {
            using var scope = NewDisposeScope();
            var t = tensor(new double[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
            t.shape.Should().Equal(2, 3);
            t.dtype.Should().Be(ScalarType.Float64);
            t[0, 2].item<double>().Should().Be(3);
            t[1, 0].item<double>().Should().Be(4);
            Values.F64(t).Should().Equal(1, 2, 3, 4, 5, 6);
        }

        [Fact]
        public void TensorFromMultidimensionalArrayKeepsItsShape()
        {
            using var scope = NewDisposeScope();
            var t = tensor(new float[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } });
            t.shape.Should().Equal(3, 2);
            t.dtype.Should().Be(ScalarType.Float32);
            t[2, 1].item<float>().Should().Be(6f);

            var l = tensor(new long[,,] { { { 1, 2 } }, { { 3, 4 } } });
            l.shape.Should().Equal(2, 1, 2);
            l.dtype.Should().Be(ScalarType.Int64);
            Values.I64(l).Should().Equal(1, 2, 3, 4);
        }

        [Fact]
        public void TensorElementTypeFollowsTheArrayUnlessADtypeIsGiven()
        {
            using var scope = NewDisposeScope();
            tensor(new[] { 1, 2 }).dtype.Should().Be(ScalarType.Int32);
            tensor(new[] { 1L, 2L }).dtype.Should().Be(ScalarType.Int64);
            tensor(new[] { true, false }).dtype.Should().Be(ScalarType.Bool);
            tensor(new byte[] { 1, 2 }).dtype.Should().Be(ScalarType.Byte);

            var converted = tensor(new[] { 1.75, -2.5 }, float32);
            converted.dtype.Should().Be(ScalarType.Float32);
            Values.F32(converted).Should().Equal(1.75f, -2.5f);

            var truncated = tensor(new[] { 1.75, -2.5 }, int64);
            Values.I64(truncated).Should().Equal(1, -2);
        }

        [Fact]
        public void ScalarTensorsAreZeroDimensional()
        {
            using var scope = NewDisposeScope();
            var d = tensor(2.5);
            d.dim().Should().Be(0);
            d.shape.Should().BeEmpty();
            d.numel().Should().Be(1);
            d.dtype.Should().Be(ScalarType.Float64);
            d.item<double>().Should().Be(2.5);

            tensor(2.5f).dtype.Should().Be(ScalarType.Float32);
            tensor(7L).item<long>().Should().Be(7);
            tensor(true).item<bool>().Should().BeTrue();
        }

        [Fact]
        public void TensorWithRequiresGradIsALeafThatRequiresGrad()
        {
            using var scope = NewDisposeScope();
            var t = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
            t.requires_grad.Should().BeTrue();
            t.is_leaf.Should().BeTrue();

            // Converting on creation must still give a leaf that requires grad.
            var c = tensor(new[] { 1.0f, 2.0f }, float64, requires_grad: true);
            c.dtype.Should().Be(ScalarType.Float64);
            c.requires_grad.Should().BeTrue();
            c.is_leaf.Should().BeTrue();
        }

        [Fact]
        public void FactoriesCanCreateLeavesThatRequireGrad()
        {
            using var scope = NewDisposeScope();
            var made = new[]
            {
                zeros(new long[] { 2 }, float64, requires_grad: true),
                ones(new long[] { 2 }, requires_grad: true),
                full(new long[] { 2 }, 3.0, float64, requires_grad: true),
                rand(new long[] { 2 }, requires_grad: true),
                randn(new long[] { 2 }, requires_grad: true),
                arange(0.0, 2.0, 1.0, float64, requires_grad: true),
                linspace(0, 1, 3, requires_grad: true),
                zeros_like(tensor(new[] { 1.0, 2.0 }), requires_grad: true),
                full_like(tensor(new[] { 1.0, 2.0 }), 5.0, requires_grad: true),
            };
            foreach (var t in made)
            {
                t.requires_grad.Should().BeTrue();
                t.is_leaf.Should().BeTrue();
            }
            Values.F64(made[2]).Should().Equal(3, 3);
            Values.F64(made[8]).Should().Equal(5, 5);
        }

        [Fact]
        public void MismatchedDimensionsAreRejectedBeforeReachingNative()
        {
            var act = () => tensor(new double[] { 1, 2, 3 }, new long[] { 2, 2 });
            act.Should().Throw<System.ArgumentException>().WithMessage("*4 elements*3*");
        }

        [Fact]
        public void ZerosOnesAndFullFillWithTheirValue()
        {
            using var scope = NewDisposeScope();
            var z = zeros(2, 3);
            z.shape.Should().Equal(2, 3);
            z.dtype.Should().Be(ScalarType.Float32, "float32 is the default dtype");
            Values.F32(z).Should().OnlyContain(v => v == 0f).And.HaveCount(6);

            var o = ones(new long[] { 4 }, float64);
            o.dtype.Should().Be(ScalarType.Float64);
            Values.F64(o).Should().Equal(1, 1, 1, 1);

            var f = full(new long[] { 2, 2 }, 7.5, float64);
            Values.F64(f).Should().Equal(7.5, 7.5, 7.5, 7.5);

            var fi = full(new long[] { 3 }, 4, int64);
            fi.dtype.Should().Be(ScalarType.Int64);
            Values.I64(fi).Should().Equal(4, 4, 4);

            zeros(2, 3, 4, 5).shape.Should().Equal(2, 3, 4, 5);
            empty(3, 2).shape.Should().Equal(3, 2);
        }

        [Fact]
        public void ArangeInfersInt64FromIntegersAndFloat32FromFloatingPoint()
        {
            using var scope = NewDisposeScope();
            var a = arange(5);
            a.dtype.Should().Be(ScalarType.Int64);
            Values.I64(a).Should().Equal(0, 1, 2, 3, 4);

            var b = arange(2, 11, 3);
            b.dtype.Should().Be(ScalarType.Int64);
            Values.I64(b).Should().Equal(2, 5, 8);

            var c = arange(0.0, 1.0, 0.25);
            c.dtype.Should().Be(ScalarType.Float32);
            Values.F32(c).Should().Equal(0f, 0.25f, 0.5f, 0.75f);

            var d = arange(3, float64);
            d.dtype.Should().Be(ScalarType.Float64);
            Values.F64(d).Should().Equal(0, 1, 2);
        }

        [Fact]
        public void LinspaceAndEye()
        {
            using var scope = NewDisposeScope();
            Values.F64(linspace(0, 1, 5, float64)).Should().Equal(0, 0.25, 0.5, 0.75, 1);
            Values.F64(eye(2, 3, float64)).Should().Equal(1, 0, 0, 0, 1, 0);
            eye(3).shape.Should().Equal(3, 3);
        }

        [Fact]
        public void RandIsInTheUnitIntervalWithTheRequestedShape()
        {
            using var scope = NewDisposeScope();
            var r = rand(10, 20, 5);
            r.shape.Should().Equal(10, 20, 5);
            r.dtype.Should().Be(ScalarType.Float32);
            var v = Values.F32(r);
            v.Should().OnlyContain(x => x >= 0f && x < 1f);
            v.Distinct().Count().Should().BeGreaterThan(900, "1000 uniform draws are almost surely distinct");
            v.Average().Should().BeApproximately(0.5f, 0.05f);
        }

        [Fact]
        public void RandnHasRoughlyZeroMeanAndUnitVariance()
        {
            using var scope = NewDisposeScope();
            var r = randn(new long[] { 20000 }, float64);
            r.dtype.Should().Be(ScalarType.Float64);
            var v = Values.F64(r);
            double mean = v.Average();
            double variance = v.Select(x => (x - mean) * (x - mean)).Average();
            mean.Should().BeApproximately(0, 0.05);
            variance.Should().BeApproximately(1, 0.05);
            v.Should().Contain(x => x < 0).And.Contain(x => x > 0);
        }

        [Fact]
        public void RandintStaysInItsHalfOpenRangeAndDefaultsToInt64()
        {
            using var scope = NewDisposeScope();
            var r = randint(3, 7, new long[] { 40, 50 });
            r.shape.Should().Equal(40, 50);
            r.dtype.Should().Be(ScalarType.Int64);
            var v = Values.I64(r);
            v.Should().OnlyContain(x => x >= 3 && x < 7);
            v.Distinct().OrderBy(x => x).Should().Equal(3, 4, 5, 6);

            var h = randint(2, new long[] { 100 }, int32);
            h.dtype.Should().Be(ScalarType.Int32);
            h.data<int>().ToArray().Should().OnlyContain(x => x == 0 || x == 1);
        }

        [Fact]
        public void LikeFactoriesCopyShapeDtypeUnlessOverridden()
        {
            using var scope = NewDisposeScope();
            var src = tensor(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }, new long[] { 2, 3 });

            var z = zeros_like(src);
            z.shape.Should().Equal(2, 3);
            z.dtype.Should().Be(ScalarType.Float64);
            Values.F64(z).Should().OnlyContain(v => v == 0);

            var o = src.ones_like();
            Values.F64(o).Should().OnlyContain(v => v == 1).And.HaveCount(6);

            var f = full_like(src, 2.5);
            Values.F64(f).Should().OnlyContain(v => v == 2.5);

            var i = zeros_like(src, int64);
            i.dtype.Should().Be(ScalarType.Int64);
            i.shape.Should().Equal(2, 3);

            var r = rand_like(src);
            r.dtype.Should().Be(ScalarType.Float64);
            Values.F64(r).Should().OnlyContain(v => v >= 0 && v < 1);

            randn_like(src).shape.Should().Equal(2, 3);
            empty_like(src).shape.Should().Equal(2, 3);
            ones_like(src, requires_grad: true).requires_grad.Should().BeTrue();

            var n = src.new_full(new long[] { 2 }, 9);
            n.dtype.Should().Be(ScalarType.Float64);
            Values.F64(n).Should().Equal(9, 9);
        }
    }
}
