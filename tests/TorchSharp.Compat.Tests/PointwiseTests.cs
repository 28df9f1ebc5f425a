using System;
using FluentAssertions;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>Element-wise functions, clamping, activations and (log-)softmax, including numerical stability.</summary>
    public sealed class PointwiseTests
    {
        private static void ShouldBeClose(double[] actual, params double[] expected)
        {
            actual.Should().HaveCount(expected.Length);
            for (int i = 0; i < expected.Length; i++)
                actual[i].Should().BeApproximately(expected[i], 1e-12, $"element {i}");
        }

        [Fact]
        public void ExpLogLog1pMatchTheMathLibrary()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 0.0, 1.0, 2.5, -3.0 });
            ShouldBeClose(Values.F64(x.exp()), 1.0, Math.E, Math.Exp(2.5), Math.Exp(-3.0));
            ShouldBeClose(Values.F64(exp(x)), 1.0, Math.E, Math.Exp(2.5), Math.Exp(-3.0));

            var p = tensor(new[] { 1.0, Math.E, 10.0 });
            ShouldBeClose(Values.F64(p.log()), 0.0, 1.0, Math.Log(10.0));

            // log1p stays accurate where 1 + x rounds to 1.
            var tiny = tensor(new[] { 1e-18, 1.0 });
            var l = Values.F64(tiny.log1p());
            l[0].Should().Be(1e-18);
            l[1].Should().BeApproximately(Math.Log(2.0), 1e-15);
            Values.F64(log(tensor(new[] { 0.0 }))).Should().Equal(double.NegativeInfinity);
        }

        [Fact]
        public void PowSqrtAbs()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 4.0, 9.0, 2.0 });
            Values.F64(x.pow(2)).Should().Equal(1, 16, 81, 4);
            Values.F64(x.pow(0.5)).Should().Equal(1, 2, 3, Math.Sqrt(2.0));
            Values.F64(x.pow(tensor(new[] { 3.0, 0.0, 1.0, -1.0 }))).Should().Equal(1, 1, 9, 0.5);
            Values.F64(pow(x, 3)).Should().Equal(1, 64, 729, 8);
            Values.F64(x.sqrt()).Should().Equal(1, 2, 3, Math.Sqrt(2.0));
            Values.F64(x.square()).Should().Equal(1, 16, 81, 4);
            Values.F64(tensor(new[] { -1.5, 0.0, 2.0 }).abs()).Should().Equal(1.5, 0, 2);
            Values.I64(abs(tensor(new[] { -3L, 4L }))).Should().Equal(3, 4);
            double.IsNaN(Values.F64(tensor(new[] { -1.0 }).sqrt())[0]).Should().BeTrue();
        }

        [Fact]
        public void ClampWithScalarsAndTensors()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { -2.0, -0.5, 0.25, 0.75, 3.0 });
            Values.F64(x.clamp(0, 1)).Should().Equal(0, 0, 0.25, 0.75, 1);
            Values.F64(x.clamp(min: -1.0)).Should().Equal(-1, -0.5, 0.25, 0.75, 3);
            Values.F64(x.clamp(max: 0.5)).Should().Equal(-2, -0.5, 0.25, 0.5, 0.5);
            Values.F64(x.clamp_min(0.3)).Should().Equal(0.3, 0.3, 0.3, 0.75, 3);
            Values.F64(x.clamp_max(-1)).Should().Equal(-2, -1, -1, -1, -1);
            Values.F64(clamp(x, 1e-7, 1 - 1e-7)).Should().Equal(1e-7, 1e-7, 0.25, 0.75, 1 - 1e-7);

            var lo = tensor(new[] { -3.0, 0.0, 0.0, 1.0, 0.0 });
            var hi = tensor(new[] { -1.0, 1.0, 0.1, 2.0, 2.0 });
            Values.F64(x.clamp(lo, hi)).Should().Equal(-2, 0, 0.1, 1, 2);

            var y = x.clone();
            y.clamp_(0, 1).Should().BeSameAs(y);
            Values.F64(y).Should().Equal(0, 0, 0.25, 0.75, 1);
            Values.F64(x).Should().Equal(-2, -0.5, 0.25, 0.75, 3);
        }

        [Fact]
        public void SigmoidAndLogSigmoidMatchTheirDefinitions()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { -2.0, 0.0, 3.0 });
            var expected = new[] { 1 / (1 + Math.Exp(2.0)), 0.5, 1 / (1 + Math.Exp(-3.0)) };
            ShouldBeClose(Values.F64(x.sigmoid()), expected);
            ShouldBeClose(Values.F64(sigmoid(x)), expected);
            ShouldBeClose(Values.F64(x.log_sigmoid()), Math.Log(expected[0]), Math.Log(0.5), Math.Log(expected[2]));
        }

        [Fact]
        public void SigmoidFamilyIsStableAtExtremeLogits()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { -1e4, 1e4 });
            Values.F64(x.sigmoid()).Should().Equal(0.0, 1.0);
            var ls = Values.F64(x.log_sigmoid());
            ls.Should().OnlyContain(v => double.IsFinite(v));
            ls[0].Should().BeApproximately(-1e4, 1e-9);
            ls[1].Should().BeApproximately(0.0, 1e-12);

            var f = tensor(new[] { -1e4f, 1e4f });
            Values.F32(f.log_sigmoid()).Should().OnlyContain(v => float.IsFinite(v));
        }

        [Fact]
        public void SoftmaxAndLogSoftmaxAlongADimension()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 2.0, 3.0, 0.0, 0.0, 0.0 }, new long[] { 2, 3 });
            double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
            var sm = x.softmax(1);
            sm.shape.Should().Equal(2, 3);
            ShouldBeClose(Values.F64(sm), Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z, 1.0 / 3, 1.0 / 3, 1.0 / 3);
            ShouldBeClose(Values.F64(x.log_softmax(1)), 1 - Math.Log(z), 2 - Math.Log(z), 3 - Math.Log(z), -Math.Log(3), -Math.Log(3), -Math.Log(3));
            ShouldBeClose(Values.F64(softmax(x, 0)),
                Math.Exp(1) / (Math.Exp(1) + 1), Math.Exp(2) / (Math.Exp(2) + 1), Math.Exp(3) / (Math.Exp(3) + 1),
                1 / (Math.Exp(1) + 1), 1 / (Math.Exp(2) + 1), 1 / (Math.Exp(3) + 1));
            // A negative dimension counts from the end.
            ShouldBeClose(Values.F64(x.softmax(-1)), Values.F64(sm));
        }

        [Fact]
        public void SoftmaxWithAnExplicitDtypeComputesInThatDtype()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1f, 2f });
            var sm = x.softmax(0, float64);
            sm.dtype.Should().Be(ScalarType.Float64);
            Values.F64(sm)[1].Should().BeApproximately(1 / (1 + Math.Exp(-1)), 1e-12);
        }

        [Fact]
        public void SoftmaxFamilyIsStableAtLogitsOfPlusMinus1e4()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1e4f, -1e4f, 0f });
            var sm = Values.F32(x.softmax(0));
            sm.Should().OnlyContain(v => float.IsFinite(v));
            sm.Should().Equal(1f, 0f, 0f);

            var lsm = Values.F32(x.log_softmax(0));
            lsm.Should().OnlyContain(v => float.IsFinite(v));
            lsm[0].Should().Be(0f);
            lsm[1].Should().BeApproximately(-2e4f, 1f);
            lsm[2].Should().BeApproximately(-1e4f, 1f);

            var lse = tensor(new[] { 1e4, 1e4 }).logsumexp(0);
            lse.item<double>().Should().BeApproximately(1e4 + Math.Log(2), 1e-9);
        }

        [Fact]
        public void OtherElementwiseFunctions()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { -1.5, -0.5, 0.0, 0.5, 2.5 });
            Values.F64(x.relu()).Should().Equal(0, 0, 0, 0.5, 2.5);
            Values.F64(x.sign()).Should().Equal(-1, -1, 0, 1, 1);
            Values.F64(x.floor()).Should().Equal(-2, -1, 0, 0, 2);
            Values.F64(x.ceil()).Should().Equal(-1, -0.0, 0, 1, 3);
            Values.F64(x.round()).Should().Equal(-2, -0.0, 0, 0, 2); // round half to even
            Values.F64(tensor(new[] { 2.0, -4.0 }).reciprocal()).Should().Equal(0.5, -0.25);
            ShouldBeClose(Values.F64(x.tanh()), Math.Tanh(-1.5), Math.Tanh(-0.5), 0, Math.Tanh(0.5), Math.Tanh(2.5));
            ShouldBeClose(Values.F64(tensor(new[] { 0.0, 30.0 }).softplus()), Math.Log(2), 30);

            var special = tensor(new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0 });
            Values.Bool(special.isnan()).Should().Equal(true, false, false, false);
            Values.F64(special.nan_to_num(0.0, 5.0, -5.0)).Should().Equal(0, 5, -5, 1);
        }

        [Fact]
        public void InPlaceUnaryFunctionsReturnTheSameTensor()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 0.0, 1.0 });
            x.exp_().Should().BeSameAs(x);
            ShouldBeClose(Values.F64(x), 1.0, Math.E);
            x.log_();
            ShouldBeClose(Values.F64(x), 0.0, 1.0);
            x.neg_();
            Values.F64(x).Should().Equal(-0.0, -1.0);
            x.fill_(3.5);
            Values.F64(x).Should().Equal(3.5, 3.5);
            x.zero_();
            Values.F64(x).Should().Equal(0, 0);
        }
    }
}
