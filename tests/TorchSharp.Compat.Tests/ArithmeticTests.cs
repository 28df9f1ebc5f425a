using FluentAssertions;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>Arithmetic and comparison operators, with tensors and scalars on either side.</summary>
    public sealed class ArithmeticTests
    {
        private static Tensor A() => tensor(new[] { 1.0, 2.0, 4.0, -8.0 });

        private static Tensor B() => tensor(new[] { 0.5, -2.0, 3.0, 2.0 });

        [Fact]
        public void TensorTensorOperators()
        {
            using var scope = NewDisposeScope();
            Values.F64(A() + B()).Should().Equal(1.5, 0.0, 7.0, -6.0);
            Values.F64(A() - B()).Should().Equal(0.5, 4.0, 1.0, -10.0);
            Values.F64(A() * B()).Should().Equal(0.5, -4.0, 12.0, -16.0);
            Values.F64(A() / B()).Should().Equal(2.0, -1.0, 4.0 / 3.0, -4.0);
            Values.F64(-A()).Should().Equal(-1.0, -2.0, -4.0, 8.0);
        }

        [Fact]
        public void TensorOnTheLeftOfAScalar()
        {
            using var scope = NewDisposeScope();
            Values.F64(A() + 1).Should().Equal(2, 3, 5, -7);
            Values.F64(A() - 0.5).Should().Equal(0.5, 1.5, 3.5, -8.5);
            Values.F64(A() * 2L).Should().Equal(2, 4, 8, -16);
            Values.F64(A() / 4f).Should().Equal(0.25, 0.5, 1, -2);
            Values.F64(A() % 3).Should().Equal(1, 2, 1, 1); // remainder takes the divisor's sign, like Python
        }

        [Fact]
        public void ScalarOnTheLeftOfATensor()
        {
            using var scope = NewDisposeScope();
            Values.F64(2.0 - A()).Should().Equal(1, 0, -2, 10);
            Values.F64(1 / A()).Should().Equal(1, 0.5, 0.25, -0.125);
            Values.F64(3 + A()).Should().Equal(4, 5, 7, -5);
            Values.F64(0.5f * A()).Should().Equal(0.5, 1, 2, -4);
            Values.F64(10L - A()).Should().Equal(9, 8, 6, 18);
        }

        [Fact]
        public void ScalarOperandsKeepTheTensorsFloat64Precision()
        {
            using var scope = NewDisposeScope();
            var one = tensor(new[] { 1.0, 3.0 });
            // 0.1 is not a float32 number: a scalar that went through float32 would give 0.10000000149011612.
            Values.F64(0.1 / one).Should().Equal(0.1, 0.1 / 3.0);
            Values.F64(one / 0.1).Should().Equal(1.0 / 0.1, 3.0 / 0.1);
            Values.F64(0.1 - one).Should().Equal(0.1 - 1.0, 0.1 - 3.0);
            Values.Bool(0.1 == tensor(new[] { 0.1, 0.2 })).Should().Equal(true, false);
            Values.Bool(0.1 < tensor(new[] { 0.1, 0.2 })).Should().Equal(false, true);
        }

        [Fact]
        public void ScalarOperandsKeepTheTensorsInt64Precision()
        {
            using var scope = NewDisposeScope();
            const long big = (1L << 40) + 1; // not representable in float32
            var t = tensor(new[] { big, big - 1 });
            Values.Bool(big == t).Should().Equal(true, false);
            Values.Bool(t == big).Should().Equal(true, false);
            Values.Bool(big > t).Should().Equal(false, true);
            Values.I64(big - t).Should().Equal(0, 1);
            (t + 1).dtype.Should().Be(ScalarType.Int64);
        }

        [Fact]
        public void IntegerTensorsPromoteLikePyTorch()
        {
            using var scope = NewDisposeScope();
            var i = tensor(new[] { 2L, 4L, -6L });
            (i * 3).dtype.Should().Be(ScalarType.Int64);
            Values.I64(i * 3).Should().Equal(6, 12, -18);
            Values.I64(7 - i).Should().Equal(5, 3, 13);

            // True division of integers gives the default float dtype, with the scalar on either side.
            var q = i / 4;
            q.dtype.Should().Be(ScalarType.Float32);
            Values.F32(q).Should().Equal(0.5f, 1f, -1.5f);
            var r = 1 / i;
            r.dtype.Should().Be(ScalarType.Float32);
            Values.F32(r).Should().Equal(0.5f, 0.25f, -1f / 6f);

            // A floating-point scalar makes an integer tensor floating point.
            var f = i * 0.5;
            f.dtype.Should().Be(ScalarType.Float32);
            Values.F32(f).Should().Equal(1f, 2f, -3f);

            Values.I64(i.div(4, RoundingMode.floor)).Should().Equal(0, 1, -2);
            Values.I64(i.div(4, RoundingMode.trunc)).Should().Equal(0, 1, -1);
        }

        [Fact]
        public void BroadcastingCombinesRowAndColumn()
        {
            using var scope = NewDisposeScope();
            var col = tensor(new[] { 1.0, 2.0 }, new long[] { 2, 1 });
            var row = tensor(new[] { 10.0, 20.0, 30.0 }, new long[] { 1, 3 });
            var sum = col + row;
            sum.shape.Should().Equal(2, 3);
            Values.F64(sum).Should().Equal(11, 21, 31, 12, 22, 32);
        }

        [Fact]
        public void NamedArithmeticMethodsAndInPlaceVariants()
        {
            using var scope = NewDisposeScope();
            Values.F64(A().add(B(), 2)).Should().Equal(2, -2, 10, -4);
            Values.F64(A().sub(1)).Should().Equal(0, 1, 3, -9);
            Values.F64(A().mul(B())).Should().Equal(0.5, -4, 12, -16);
            Values.F64(A().add(1, 3)).Should().Equal(4, 5, 7, -5);

            // alpha * scalar of two integers stays integral, like libtorch's add(self, other, alpha).
            var i = tensor(new[] { 1L, -2L }).add(2, 3);
            i.dtype.Should().Be(ScalarType.Int64);
            Values.I64(i).Should().Equal(7, 4);
            var f = tensor(new[] { 1L }).add(2, 0.5);
            f.dtype.Should().Be(ScalarType.Float32);
            f.item<float>().Should().Be(2f);
            Values.I64(tensor(new[] { 1L }).add(tensor(new[] { 2L }), 3)).Should().Equal(7);

            var t = A();
            var returned = t.add_(1).mul_(2);
            returned.Should().BeSameAs(t);
            Values.F64(t).Should().Equal(4, 6, 10, -14);
            t.sub_(B()).div_(2);
            Values.F64(t).Should().Equal(1.75, 4, 3.5, -8);
        }

        [Fact]
        public void ComparisonOperatorsReturnBoolTensors()
        {
            using var scope = NewDisposeScope();
            var t = tensor(new[] { 0.0, 1.0, 2.0 });
            var eq = t == 1;
            eq.dtype.Should().Be(ScalarType.Bool);
            Values.Bool(eq).Should().Equal(false, true, false);
            Values.Bool(t != 1).Should().Equal(true, false, true);
            Values.Bool(t < 1).Should().Equal(true, false, false);
            Values.Bool(t <= 1).Should().Equal(true, true, false);
            Values.Bool(t > 1).Should().Equal(false, false, true);
            Values.Bool(t >= 1).Should().Equal(false, true, true);
            Values.Bool(1 < t).Should().Equal(false, false, true);
            Values.Bool(2.0 >= t).Should().Equal(true, true, true);
            Values.Bool(t == tensor(new[] { 0.0, 5.0, 2.0 })).Should().Equal(true, false, true);
            Values.Bool(t.ge(tensor(new[] { 1.0, 1.0, 1.0 }))).Should().Equal(false, true, true);
        }

        [Fact]
        public void LogicalAndBitwiseOperatorsOnBoolTensors()
        {
            using var scope = NewDisposeScope();
            var a = tensor(new[] { true, true, false, false });
            var b = tensor(new[] { true, false, true, false });
            Values.Bool(a & b).Should().Equal(true, false, false, false);
            Values.Bool(a | b).Should().Equal(true, true, true, false);
            Values.Bool(a ^ b).Should().Equal(false, true, true, false);
            Values.Bool(~a).Should().Equal(false, false, true, true);
            Values.Bool(a.logical_and(b)).Should().Equal(true, false, false, false);
            Values.Bool(logical_not(b)).Should().Equal(false, true, false, true);
        }

        [Fact]
        public void EqualsAndAllcloseCompareWholeTensors()
        {
            using var scope = NewDisposeScope();
            A().Equals(A()).Should().BeTrue();
            A().Equals(B()).Should().BeFalse();
            A().Equals(tensor(new[] { 1.0, 2.0, 4.0 })).Should().BeFalse("different shapes are not equal");
            A().allclose(A() + 1e-9).Should().BeTrue();
            A().allclose(A() + 1e-3).Should().BeFalse();
        }

        [Fact]
        public void MatmulOfSmallMatrices()
        {
            using var scope = NewDisposeScope();
            var a = tensor(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }, new long[] { 2, 3 });
            var b = tensor(new[] { 1.0, 0.0, 0.0, 1.0, 1.0, 1.0 }, new long[] { 3, 2 });
            var c = a.matmul(b);
            c.shape.Should().Equal(2, 2);
            Values.F64(c).Should().Equal(4, 5, 10, 11);
            Values.F64(a.mm(b)).Should().Equal(4, 5, 10, 11);
        }
    }
}
