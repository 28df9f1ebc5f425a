using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using TorchSharp.Modules;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests.NN
{
    /// <summary>Adam and SGD against scalar reference implementations of PyTorch's update rules.</summary>
    public sealed class OptimizerTests
    {
        private static readonly double[] Start = { 1.0, -2.0, 0.5 };

        /// <summary>f(x) = Σ (x - c)², gradient 2 (x - c).</summary>
        private static readonly double[] Center = { 0.25, 0.5, -1.0 };

        private static Parameter NewParameter() => new Parameter(tensor(Start));

        private static double[] Gradient(double[] x) => x.Select((v, i) => 2 * (v - Center[i])).ToArray();

        private static double Objective(Parameter p)
        {
            using var d = p - tensor(Center);
            using var s = d.square().sum();
            return s.item<double>();
        }

        private static void Backward(Parameter p)
        {
            using var scope = NewDisposeScope();
            ((p - tensor(Center)).square().sum()).backward();
        }

        /// <summary>PyTorch's single-tensor Adam, element by element.</summary>
        private static double[][] ReferenceAdam(int steps, double lr, double b1, double b2, double eps, double wd, bool amsgrad, bool maximize)
        {
            var x = (double[])Start.Clone();
            int n = x.Length;
            var m = new double[n];
            var v = new double[n];
            var vmax = new double[n];
            var history = new List<double[]>();
            for (int t = 1; t <= steps; t++)
            {
                var g = Gradient(x);
                for (int i = 0; i < n; i++)
                {
                    double gi = maximize ? -g[i] : g[i];
                    gi += wd * x[i];
                    m[i] = b1 * m[i] + (1 - b1) * gi;
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                    double bc1 = 1 - Math.Pow(b1, t), bc2 = 1 - Math.Pow(b2, t);
                    vmax[i] = Math.Max(vmax[i], v[i]);
                    double denom = Math.Sqrt(amsgrad ? vmax[i] : v[i]) / Math.Sqrt(bc2) + eps;
                    x[i] -= lr / bc1 * m[i] / denom;
                }
                history.Add((double[])x.Clone());
            }
            return history.ToArray();
        }

        /// <summary>PyTorch's single-tensor SGD, element by element.</summary>
        private static double[][] ReferenceSgd(int steps, double lr, double momentum, double dampening, double wd, bool nesterov, bool maximize)
        {
            var x = (double[])Start.Clone();
            int n = x.Length;
            double[]? buf = null;
            var history = new List<double[]>();
            for (int t = 1; t <= steps; t++)
            {
                var g = Gradient(x);
                var d = new double[n];
                for (int i = 0; i < n; i++) d[i] = (maximize ? -g[i] : g[i]) + wd * x[i];
                if (momentum != 0)
                {
                    if (buf is null) buf = (double[])d.Clone();
                    else for (int i = 0; i < n; i++) buf[i] = momentum * buf[i] + (1 - dampening) * d[i];
                    for (int i = 0; i < n; i++) d[i] = nesterov ? d[i] + momentum * buf[i] : buf[i];
                }
                for (int i = 0; i < n; i++) x[i] -= lr * d[i];
                history.Add((double[])x.Clone());
            }
            return history.ToArray();
        }

        private static void RunAndCompare(optim.Optimizer opt, Parameter p, double[][] expected)
        {
            foreach (var step in expected)
            {
                opt.zero_grad();
                Backward(p);
                opt.step().Should().BeNull();
                Close.Expect(Values.F64(p), 1e-12, step);
            }
        }

        [Fact]
        public void AdamFirstStepMovesEachCoordinateByTheLearningRate()
        {
            using var scope = NewDisposeScope();
            var p = NewParameter();
            using var opt = optim.Adam(new[] { p }, lr: 0.1);
            Backward(p);
            opt.step();
            // m̂ = g and v̂ = g² after one step, so the update is lr * g / (|g| + eps).
            var g = Gradient(Start);
            Close.Expect(Values.F64(p), 1e-12, Start.Select((x, i) => x - 0.1 * g[i] / (Math.Abs(g[i]) + 1e-8)).ToArray());
        }

        [Theory]
        [InlineData(0.0, false, false)]
        [InlineData(0.1, false, false)]
        [InlineData(0.0, true, false)]
        [InlineData(0.05, true, true)]
        public void AdamMatchesTheReferenceUpdateRule(double weightDecay, bool amsgrad, bool maximize)
        {
            using var scope = NewDisposeScope();
            var p = NewParameter();
            using var opt = optim.Adam(new[] { p }, lr: 0.05, beta1: 0.8, beta2: 0.9, eps: 1e-6, weight_decay: weightDecay, amsgrad: amsgrad, maximize: maximize);
            RunAndCompare(opt, p, ReferenceAdam(6, 0.05, 0.8, 0.9, 1e-6, weightDecay, amsgrad, maximize));
        }

        [Fact]
        public void SgdWithMomentumMatchesHandComputedSteps()
        {
            using var scope = NewDisposeScope();
            var p = new Parameter(tensor(new[] { 1.0, -2.0 }));
            using var opt = optim.SGD(new[] { p }, 0.1, momentum: 0.9);
            // f = Σ x², g = 2x.
            (p * p).sum().backward();
            opt.step();
            Close.Expect(Values.F64(p), 1e-12, 0.8, -1.6);       // buf = g = (2, -4)
            opt.zero_grad();
            (p * p).sum().backward();
            opt.step();
            Close.Expect(Values.F64(p), 1e-12, 0.46, -0.92);     // buf = 0.9 (2, -4) + (1.6, -3.2)
        }

        [Theory]
        [InlineData(0.0, 0.0, 0.0, false, false)]
        [InlineData(0.9, 0.0, 0.0, false, false)]
        [InlineData(0.9, 0.3, 0.01, false, false)]
        [InlineData(0.8, 0.0, 0.0, true, false)]
        [InlineData(0.5, 0.0, 0.1, true, true)]
        public void SgdMatchesTheReferenceUpdateRule(double momentum, double dampening, double weightDecay, bool nesterov, bool maximize)
        {
            using var scope = NewDisposeScope();
            var p = NewParameter();
            using var opt = optim.SGD(new[] { p }, 0.05, momentum, dampening, weightDecay, nesterov, maximize);
            RunAndCompare(opt, p, ReferenceSgd(6, 0.05, momentum, dampening, weightDecay, nesterov, maximize));
        }

        [Fact]
        public void OptimizersDecreaseAQuadratic()
        {
            using var scope = NewDisposeScope();
            foreach (var make in new Func<Parameter, optim.Optimizer>[]
            {
                p => optim.Adam(new[] { p }, lr: 0.1),
                p => optim.SGD(new[] { p }, 0.1),
                p => optim.SGD(new[] { p }, 0.05, momentum: 0.9, nesterov: true),
            })
            {
                var p = NewParameter();
                using var opt = make(p);
                double first = Objective(p);
                for (int i = 0; i < 100; i++)
                {
                    var loss = opt.step(() =>
                    {
                        opt.zero_grad();
                        var l = (p - tensor(Center)).square().sum();
                        l.backward();
                        return l;
                    });
                    // step returns the closure's loss, evaluated before the update.
                    loss.Should().NotBeNull();
                    if (i == 0) loss!.item<double>().Should().BeApproximately(first, 1e-12);
                    if (i == 5) loss!.item<double>().Should().BeLessThan(first);
                }
                Objective(p).Should().BeLessThan(first * 1e-3, opt.GetType().Name);
            }
        }

        [Fact]
        public void ParametersWithoutGradientsAreSkippedAndLearningRatesAreAdjustable()
        {
            using var scope = NewDisposeScope();
            var used = NewParameter();
            var unused = NewParameter();
            using var opt = optim.SGD(new[] { used, unused, used }, 0.1);
            opt.parameters().Should().HaveCount(2);
            Backward(used);
            opt.step();
            Values.F64(unused).Should().Equal(Start);
            Values.F64(used).Should().NotEqual(Start);

            var group = opt.ParamGroups.Single();
            group.LearningRate.Should().Be(0.1);
            group.InitialLearningRate.Should().Be(0.1);
            group.LearningRate = 0;
            var before = Values.F64(used);
            opt.step();
            Values.F64(used).Should().Equal(before);

            opt.zero_grad();
            using var g = used.grad!;
            Values.F64(g).Should().OnlyContain(v => v == 0);
        }

        [Fact]
        public void InvalidHyperparametersAreRejected()
        {
            using var scope = NewDisposeScope();
            var p = NewParameter();
            ((Action)(() => optim.Adam(new[] { p }, lr: -1))).Should().Throw<ArgumentException>();
            ((Action)(() => optim.Adam(new[] { p }, beta1: 1.0))).Should().Throw<ArgumentException>();
            ((Action)(() => optim.SGD(new[] { p }, 0.1, nesterov: true))).Should().Throw<ArgumentException>();
            ((Action)(() => optim.SGD(new[] { p }, 0.1, momentum: -0.5))).Should().Throw<ArgumentException>();
        }

        [Fact]
        public void NamedParameterOverloadsOptimizeAModule()
        {
            using var scope = NewDisposeScope();
            using var lin = nn.Linear(2, 1);
            using var adam = optim.Adam(lin.named_parameters());
            adam.parameters().Should().HaveCount(2);
            using var sgd = optim.SGD(lin.named_parameters(), 0.01);
            sgd.Should().BeAssignableTo<optim.IMomentum>();
            adam.Should().BeAssignableTo<optim.IBetas>();
            ((optim.IBetas)adam).Betas.Should().Be((0.9, 0.999));
        }
    }
}
