using System;
using System.Linq;
using System.Runtime.InteropServices;
using FluentAssertions;
using TorchSharp.Modules;
using TorchSharpCompat.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharpCompat.Tests.NN
{
    /// <summary>nn.functional losses and their modules against values computed by hand.</summary>
    public sealed class FunctionalLossTests
    {
        private static readonly double[][] Logits =
        {
            new[] { 1.0, 2.0, 3.0 },
            new[] { 1.0, 0.0, -1.0 },
            new[] { 0.5, 0.5, 0.5 },
        };

        private static double LogSumExp(double[] x)
        {
            double m = x.Max();
            return m + Math.Log(x.Sum(v => Math.Exp(v - m)));
        }

        /// <summary>-log softmax(x)[c].</summary>
        private static double Nll(double[] x, long c) => LogSumExp(x) - x[c];

        private static Tensor LogitTensor() => tensor(Logits.SelectMany(r => r).ToArray(), new long[] { 3, 3 });

        [Fact]
        public void CrossEntropyIsTheMeanNegativeLogSoftmaxAtTheTarget()
        {
            using var scope = NewDisposeScope();
            var target = tensor(new long[] { 2, 0, 1 });
            double expected = (Nll(Logits[0], 2) + Nll(Logits[1], 0) + Nll(Logits[2], 1)) / 3;
            F.cross_entropy(LogitTensor(), target).item<double>().Should().BeApproximately(expected, 1e-12);
            F.cross_entropy(LogitTensor(), target, reduction: nn.Reduction.Sum).item<double>().Should().BeApproximately(3 * expected, 1e-12);
            Close.Expect(Values.F64(F.cross_entropy(LogitTensor(), target, reduction: nn.Reduction.None)), 1e-12,
                Nll(Logits[0], 2), Nll(Logits[1], 0), Nll(Logits[2], 1));
        }

        [Fact]
        public void WeightedCrossEntropyMeanDividesByTheSumOfTheTargetWeights()
        {
            using var scope = NewDisposeScope();
            var target = tensor(new long[] { 2, 0, 1 });
            var weight = tensor(new[] { 1.0, 2.0, 3.0 });
            double[] w = { 1, 2, 3 };
            double num = w[2] * Nll(Logits[0], 2) + w[0] * Nll(Logits[1], 0) + w[1] * Nll(Logits[2], 1);
            double den = w[2] + w[0] + w[1];
            F.cross_entropy(LogitTensor(), target, weight).item<double>().Should().BeApproximately(num / den, 1e-12);
            F.cross_entropy(LogitTensor(), target, weight, reduction: nn.Reduction.Sum).item<double>().Should().BeApproximately(num, 1e-12);

            using var module = nn.CrossEntropyLoss(weight);
            module.call(LogitTensor(), target).item<double>().Should().BeApproximately(num / den, 1e-12);
            module.weight.Should().BeSameAs(weight);
        }

        [Fact]
        public void IgnoredTargetsContributeNeitherLossNorWeight()
        {
            using var scope = NewDisposeScope();
            var weight = tensor(new[] { 1.0, 2.0, 3.0 });
            var target = tensor(new long[] { 2, 0, 1 });
            double expected = (3 * Nll(Logits[0], 2) + 1 * Nll(Logits[1], 0)) / 4;
            F.cross_entropy(LogitTensor(), target, weight, ignore_index: 1).item<double>().Should().BeApproximately(expected, 1e-12);

            var withDefault = tensor(new long[] { 2, 0, -100 });
            F.cross_entropy(LogitTensor(), withDefault, weight).item<double>().Should().BeApproximately(expected, 1e-12);

            using var module = new CrossEntropyLoss(weight, ignore_index: 1);
            module.ignore_index.Should().Be(1);
            module.call(LogitTensor(), target).item<double>().Should().BeApproximately(expected, 1e-12);

            var x = LogitTensor().requires_grad_();
            F.cross_entropy(x, target, ignore_index: 1).backward();
            Values.F64(x.grad![2]).Should().Equal(0, 0, 0);
        }

        [Fact]
        public void LabelSmoothingMixesTheUniformDistributionIntoTheTarget()
        {
            using var scope = NewDisposeScope();
            var target = tensor(new long[] { 2, 0, 1 });
            const double eps = 0.2;
            double expected = 0;
            long[] t = { 2, 0, 1 };
            for (int i = 0; i < 3; i++)
            {
                double uniform = Enumerable.Range(0, 3).Average(c => Nll(Logits[i], c));
                expected += (1 - eps) * Nll(Logits[i], t[i]) + eps * uniform;
            }
            expected /= 3;
            F.cross_entropy(LogitTensor(), target, label_smoothing: eps).item<double>().Should().BeApproximately(expected, 1e-12);

            using var module = new CrossEntropyLoss(label_smoothing: eps);
            module.label_smoothing.Should().Be(eps);
            module.call(LogitTensor(), target).item<double>().Should().BeApproximately(expected, 1e-12);
        }

        [Fact]
        public void CrossEntropyAcceptsClassProbabilitiesAsTarget()
        {
            using var scope = NewDisposeScope();
            double[][] p =
            {
                new[] { 0.1, 0.2, 0.7 },
                new[] { 1.0, 0.0, 0.0 },
                new[] { 0.25, 0.5, 0.25 },
            };
            var target = tensor(p.SelectMany(r => r).ToArray(), new long[] { 3, 3 });
            double expected = Enumerable.Range(0, 3).Sum(i => Enumerable.Range(0, 3).Sum(c => p[i][c] * Nll(Logits[i], c))) / 3;
            F.cross_entropy(LogitTensor(), target).item<double>().Should().BeApproximately(expected, 1e-12);
        }

        [Fact]
        public void CrossEntropyOverSpatialMapsAveragesPixels()
        {
            using var scope = NewDisposeScope();
            // (N=1, C=3, H=1, W=3): each column is one of the logit rows.
            var x = LogitTensor().t().reshape(1, 3, 1, 3);
            var target = tensor(new long[] { 2, 0, 1 }, new long[] { 1, 1, 3 });
            double expected = (Nll(Logits[0], 2) + Nll(Logits[1], 0) + Nll(Logits[2], 1)) / 3;
            F.cross_entropy(x, target).item<double>().Should().BeApproximately(expected, 1e-12);
            F.cross_entropy(x, target, reduction: nn.Reduction.None).shape.Should().Equal(1, 1, 3);
        }

        [Fact]
        public void NllLossOfLogSoftmaxEqualsCrossEntropy()
        {
            using var scope = NewDisposeScope();
            var target = tensor(new long[] { 2, 0, 1 });
            var weight = tensor(new[] { 1.0, 2.0, 3.0 });
            var logp = F.log_softmax(LogitTensor(), 1);
            F.nll_loss(logp, target, weight).item<double>().Should().BeApproximately(F.cross_entropy(LogitTensor(), target, weight).item<double>(), 1e-12);
            using var module = nn.NLLLoss(reduction: nn.Reduction.Sum);
            module.call(logp, target).item<double>().Should().BeApproximately(Nll(Logits[0], 2) + Nll(Logits[1], 0) + Nll(Logits[2], 1), 1e-12);
        }

        private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

        [Fact]
        public void BceWithLogitsWeighsThePositiveTermByPosWeights()
        {
            using var scope = NewDisposeScope();
            double[] x = { 0.5, -1.0, 2.0, 0.0 };
            double[] y = { 1, 0, 1, 0.25 };
            double[] pw = { 3.0, 0.5 };          // per class (last dimension of the (2, 2) input)
            double[] w = { 2.0, 1.0 };           // broadcast the same way
            var input = tensor(x, new long[] { 2, 2 });
            var target = tensor(y, new long[] { 2, 2 });
            var expected = new double[4];
            for (int i = 0; i < 4; i++)
            {
                int c = i % 2;
                expected[i] = -w[c] * (pw[c] * y[i] * Math.Log(Sigmoid(x[i])) + (1 - y[i]) * Math.Log(1 - Sigmoid(x[i])));
            }
            Close.Expect(Values.F64(F.binary_cross_entropy_with_logits(input, target, tensor(w), nn.Reduction.None, tensor(pw))), 1e-12, expected);
            F.binary_cross_entropy_with_logits(input, target, tensor(w), pos_weights: tensor(pw)).item<double>().Should().BeApproximately(expected.Average(), 1e-12);

            using var module = nn.BCEWithLogitsLoss(tensor(w), nn.Reduction.Sum, tensor(pw));
            module.pos_weights.Should().NotBeNull();
            module.call(input, target).item<double>().Should().BeApproximately(expected.Sum(), 1e-12);

            // Without weights: plain BCE of sigmoid probabilities.
            double plain = Enumerable.Range(0, 4).Average(i => -(y[i] * Math.Log(Sigmoid(x[i])) + (1 - y[i]) * Math.Log(1 - Sigmoid(x[i]))));
            F.binary_cross_entropy_with_logits(input, target).item<double>().Should().BeApproximately(plain, 1e-12);
            F.binary_cross_entropy(input.sigmoid(), target).item<double>().Should().BeApproximately(plain, 1e-12);
            using var bce = nn.BCELoss();
            bce.call(input.sigmoid(), target).item<double>().Should().BeApproximately(plain, 1e-12);
        }

        [Fact]
        public void RegressionLosses()
        {
            using var scope = NewDisposeScope();
            var a = tensor(new[] { 1.0, 2.0, -1.0 });
            var b = tensor(new[] { 0.0, 4.0, -1.5 });
            F.mse_loss(a, b).item<double>().Should().BeApproximately((1 + 4 + 0.25) / 3, 1e-12);
            F.l1_loss(a, b, nn.Reduction.Sum).item<double>().Should().BeApproximately(1 + 2 + 0.5, 1e-12);
            F.smooth_l1_loss(a, b).item<double>().Should().BeApproximately((0.5 + 1.5 + 0.125) / 3, 1e-12);
            F.huber_loss(a, b, delta: 2).item<double>().Should().BeApproximately((0.5 + 2 + 0.125) / 3, 1e-12);
            using var mse = nn.MSELoss(nn.Reduction.None);
            Values.F64(mse.call(a, b)).Should().Equal(1, 4, 0.25);
            using var l1 = nn.L1Loss();
            l1.call(a, b).item<double>().Should().BeApproximately(3.5 / 3, 1e-12);
        }

        [Fact]
        public void OneHotAppendsAClassDimension()
        {
            using var scope = NewDisposeScope();
            var oh = F.one_hot(tensor(new long[] { 0, 2, 1 }), 3);
            oh.dtype.Should().Be(ScalarType.Int64);
            oh.shape.Should().Equal(3, 3);
            Values.I64(oh).Should().Equal(1, 0, 0, 0, 0, 1, 0, 1, 0);

            var inferred = F.one_hot(tensor(new long[] { 1, 3 }, new long[] { 1, 2 }));
            inferred.shape.Should().Equal(1, 2, 4);
            Values.I64(inferred).Should().Equal(0, 1, 0, 0, 0, 0, 0, 1);
        }

        [Fact]
        public void NativeErrorsBecomeExceptions()
        {
            using var scope = NewDisposeScope();
            var act = () => F.cross_entropy(LogitTensor(), tensor(new long[] { 0, 5, 1 }));
            act.Should().Throw<ExternalException>();
            var oh = () => F.one_hot(tensor(new long[] { 0, 3 }), 2);
            oh.Should().Throw<ExternalException>();
            var mismatch = () => F.mse_loss(tensor(new[] { 1.0, 2.0 }), tensor(new[] { 1.0, 2.0, 3.0 }));
            mismatch.Should().Throw<ExternalException>();
        }

        [Fact]
        public void ActivationsMatchTheTensorMethods()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { -2.0, 0.0, 3.0 });
            Values.F64(F.relu(x)).Should().Equal(0, 0, 3);
            Close.Expect(Values.F64(F.sigmoid(x)), 1e-15, Sigmoid(-2), 0.5, Sigmoid(3));
            Close.Expect(Values.F64(F.logsigmoid(x)), 1e-15, Math.Log(Sigmoid(-2)), Math.Log(0.5), Math.Log(Sigmoid(3)));
            Close.Expect(Values.F64(F.softplus(x)), 1e-15, Math.Log(1 + Math.Exp(-2)), Math.Log(2), Math.Log(1 + Math.Exp(3)));
            Close.Expect(Values.F64(F.leaky_relu(x, 0.1)), 1e-15, -0.2, 0, 3);
            F.softmax(x, 0, ScalarType.Float32).dtype.Should().Be(ScalarType.Float32);
            Close.Expect(Values.F64(F.log_softmax(x, 0).exp().sum().unsqueeze(0)), 1e-15, 1.0);

            var y = x.clone();
            F.relu(y, inplace: true).Should().BeSameAs(y);
            Values.F64(y).Should().Equal(0, 0, 3);
        }
    }
}
