using System;
using System.Linq;
using System.Runtime.InteropServices;
using FluentAssertions;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests
{
    /// <summary>Backward passes against analytic gradients, grad bookkeeping, detach, no_grad and autograd.grad.</summary>
    public sealed class AutogradTests
    {
        [Fact]
        public void GradientOfSumOfThreeXSquaredIsSixX()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, -2.0, 0.5 }, requires_grad: true);
            var y = (x.pow(2) * 3).sum();
            y.requires_grad.Should().BeTrue();
            y.is_leaf.Should().BeFalse();
            y.item<double>().Should().Be(3 * (1 + 4 + 0.25));
            y.backward();
            Values.F64(x.grad!).Should().Equal(6, -12, 3);
        }

        [Fact]
        public void GradientOfProductAndDivisionRules()
        {
            using var scope = NewDisposeScope();
            var a = tensor(new[] { 2.0 }, requires_grad: true);
            var b = tensor(new[] { 3.0 }, requires_grad: true);
            // f = a*b + a/b - exp(a)*log(b)
            var f = (a * b + a / b - a.exp() * b.log()).sum();
            f.backward();
            a.grad!.item<double>().Should().BeApproximately(3 + 1.0 / 3 - Math.Exp(2) * Math.Log(3), 1e-12);
            b.grad!.item<double>().Should().BeApproximately(2 - 2.0 / 9 - Math.Exp(2) / 3, 1e-12);
        }

        [Fact]
        public void GradientOfSigmoidIsSigmoidTimesOneMinusSigmoid()
        {
            using var scope = NewDisposeScope();
            var values = new[] { -3.0, 0.0, 0.7, 4.0 };
            var x = tensor(values, requires_grad: true);
            x.sigmoid().sum().backward();
            var g = Values.F64(x.grad!);
            for (int i = 0; i < values.Length; i++)
            {
                double s = 1 / (1 + Math.Exp(-values[i]));
                g[i].Should().BeApproximately(s * (1 - s), 1e-14);
            }
        }

        [Fact]
        public void GradientOfNegativeLogLikelihoodViaLogSoftmaxAndGather()
        {
            using var scope = NewDisposeScope();
            var logits = new[] { 1.0, 2.0, 0.5, -1.0, 0.0, 3.0 };
            var targets = new[] { 1L, 2L };
            var x = tensor(logits, new long[] { 2, 3 }, requires_grad: true);
            var target = tensor(targets, new long[] { 2, 1 });
            var loss = -x.log_softmax(1).gather(1, target).mean();
            loss.backward();

            // d loss / d x = (softmax(x) - onehot(target)) / N
            var g = Values.F64(x.grad!);
            double expectedLoss = 0;
            for (int r = 0; r < 2; r++)
            {
                var row = logits.Skip(r * 3).Take(3).ToArray();
                double z = row.Sum(Math.Exp);
                expectedLoss += -(row[targets[r]] - Math.Log(z)) / 2;
                for (int c = 0; c < 3; c++)
                {
                    double expected = (Math.Exp(row[c]) / z - (c == targets[r] ? 1 : 0)) / 2;
                    g[r * 3 + c].Should().BeApproximately(expected, 1e-14, $"row {r}, class {c}");
                }
            }
            loss.item<double>().Should().BeApproximately(expectedLoss, 1e-14);
        }

        [Fact]
        public void BackwardOfANonScalarTakesOutputGradients()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
            var y = x * x;
            y.backward(new[] { tensor(new[] { 1.0, 10.0 }) });
            Values.F64(x.grad!).Should().Equal(2, 40);

            var z = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
            var act = () => (z * z).backward();
            act.Should().Throw<ExternalException>().WithMessage("*scalar outputs*");
        }

        [Fact]
        public void RetainGraphAllowsASecondBackwardAndGradientsAccumulate()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 3.0 }, requires_grad: true);
            var y = (x.exp() * x).sum(); // d/dx = (x + 1) e^x; exp saves its result, which a backward frees
            y.backward(retain_graph: true);
            var once = Values.F64(x.grad!);
            once[0].Should().BeApproximately(2 * Math.E, 1e-12);
            once[1].Should().BeApproximately(4 * Math.Exp(3), 1e-10);

            y.backward();
            var twice = Values.F64(x.grad!);
            twice[0].Should().BeApproximately(4 * Math.E, 1e-12);
            twice[1].Should().BeApproximately(8 * Math.Exp(3), 1e-10);

            var third = () => y.backward();
            third.Should().Throw<ExternalException>().WithMessage("*backward through the graph a second time*");
        }

        [Fact]
        public void GradIsNullBeforeBackwardAndCanBeClearedOrSet()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 2.0 }, requires_grad: true);
            x.grad.Should().BeNull();
            (x * 5).sum().backward();
            x.grad!.item<double>().Should().Be(5);

            x.grad = null;
            x.grad.Should().BeNull();
            (x * 7).sum().backward();
            x.grad!.item<double>().Should().Be(7, "after clearing, gradients start from zero again");

            x.grad = tensor(new[] { 100.0 });
            (x * 1).sum().backward();
            x.grad!.item<double>().Should().Be(101);

            var wrapperA = x.grad;
            var wrapperB = x.grad;
            wrapperA.Should().NotBeSameAs(wrapperB, "each get returns a new wrapper");
            wrapperA!.Dispose();
            x.grad!.item<double>().Should().Be(101, "disposing one wrapper leaves the gradient alone");
        }

        [Fact]
        public void NonLeafGradIsOnlyKeptWithRetainGrad()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
            var h = x * 3;
            h.retain_grad();
            var k = x * 4;
            (h.sum() + k.sum()).backward();
            Values.F64(h.grad!).Should().Equal(1, 1);
            k.grad.Should().BeNull();
            Values.F64(x.grad!).Should().Equal(7, 7);
        }

        [Fact]
        public void DetachCutsTheGraphButSharesData()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
            var y = x * 2;
            var d = y.detach();
            d.requires_grad.Should().BeFalse();
            d.is_leaf.Should().BeTrue();

            // Only the non-detached path contributes: d/dx (x*2 + detach(x*2) * x) = 2 + detach(x*2)
            (y + d * x).sum().backward();
            Values.F64(x.grad!).Should().Equal(4, 6);

            d.fill_(0);
            Values.F64(y).Should().Equal(new[] { 0.0, 0.0 }, "a detached tensor shares storage with its source");

            var z = (x * 1).detach_();
            z.requires_grad.Should().BeFalse();
        }

        [Fact]
        public void NoGradStopsRecordingUntilDisposed()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0 }, requires_grad: true);
            is_grad_enabled().Should().BeTrue();
            Tensor inside;
            using (no_grad())
            {
                is_grad_enabled().Should().BeFalse();
                inside = x * 2;
                inside.requires_grad.Should().BeFalse();
                using (enable_grad())
                {
                    (x * 2).requires_grad.Should().BeTrue("enable_grad nests inside no_grad");
                }
                is_grad_enabled().Should().BeFalse();
            }
            is_grad_enabled().Should().BeTrue();
            (x * 2).requires_grad.Should().BeTrue();
            inside.item<double>().Should().Be(2);

            using (set_grad_enabled(false))
            {
                (x + 1).requires_grad.Should().BeFalse();
            }
            is_grad_enabled().Should().BeTrue();
        }

        [Fact]
        public void AutogradGradReturnsGradientsWithoutTouchingGrad()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, -1.0, 2.0 }, requires_grad: true);
            var w = tensor(new[] { 0.5 }, requires_grad: true);
            var y = (x.pow(2) * 3 * w).sum();
            var grads = autograd.grad(new[] { y }, new[] { x, w });
            grads.Should().HaveCount(2);
            Values.F64(grads[0]).Should().Equal(3, -3, 6);
            grads[1].item<double>().Should().Be(3 * (1 + 1 + 4));
            x.grad.Should().BeNull();
            w.grad.Should().BeNull();
        }

        [Fact]
        public void AutogradGradWithCreateGraphGivesSecondDerivatives()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 2.0 }, requires_grad: true);
            var y = x.pow(3).sum();
            var dy = autograd.grad(new[] { y }, new[] { x }, create_graph: true)[0];
            dy.item<double>().Should().Be(12);
            var d2y = autograd.grad(new[] { dy.sum() }, new[] { x })[0];
            d2y.item<double>().Should().Be(12, "d2/dx2 x^3 = 6x");
        }

        [Fact]
        public void AutogradGradOfAnUnusedInputNeedsAllowUnused()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0 }, requires_grad: true);
            var unused = tensor(new[] { 1.0 }, requires_grad: true);
            var act = () => autograd.grad(new[] { (x * 2).sum() }, new[] { x, unused });
            act.Should().Throw<ExternalException>().WithMessage("*allow_unused*");

            var grads = autograd.grad(new[] { (x * 2).sum() }, new[] { x, unused }, allow_unused: true);
            grads[0].item<double>().Should().Be(2);
            grads[1].Should().BeNull();
        }

        [Fact]
        public void RequiresGradUnderscoreTurnsTrackingOnAndReturnsTheSameTensor()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 2.0 });
            x.requires_grad.Should().BeFalse();
            x.requires_grad_().Should().BeSameAs(x);
            x.requires_grad.Should().BeTrue();
            x.is_leaf.Should().BeTrue();
            (x * x).sum().backward();
            Values.F64(x.grad!).Should().Equal(2, 4);

            x.requires_grad_(false);
            (x * x).requires_grad.Should().BeFalse();

            x.requires_grad = true;
            x.requires_grad.Should().BeTrue();
        }

        [Fact]
        public void IntegerTensorsCannotRequireGrad()
        {
            using var scope = NewDisposeScope();
            var i = tensor(new[] { 1L });
            i.Invoking(t => t.requires_grad_()).Should().Throw<ExternalException>().WithMessage("*floating point*");
        }

        [Fact]
        public void NonLeafRequiresGradCannotBeSwitchedOff()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0 }, requires_grad: true);
            var y = x * 2;
            y.Invoking(t => t.requires_grad_(false)).Should().Throw<ExternalException>().WithMessage("*requires_grad flags of leaf variables*");
        }
    }
}
