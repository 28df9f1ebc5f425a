using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class FocalLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        private static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

        private static double[] Softmax(params double[] z)
        {
            var e = z.Select(Math.Exp).ToArray();
            return e.Select(v => v / e.Sum()).ToArray();
        }


        // ---------------------------------------------------------------- hand-computed values

        [Fact]
        public void Binary_tiny_example_matches_hand_computation()
        {
            // (1, 1, 1, 2): logits (2, −1), targets (1, 0); γ = 2, α = 0.25.
            using var x = tensor(new[] { 2.0, -1.0 }, new long[] { 1, 1, 1, 2 });
            using var t = tensor(new[] { 1.0, 0.0 }, new long[] { 1, 1, 1, 2 });
            // Positive: p_t = σ(2), −log p_t = log(1 + e^-2). Negative: p_t = 1 − σ(−1), 1 − p_t = σ(−1), −log p_t = log(1 + e^-1).
            double l0 = 0.25 * Math.Pow(1 - Sigmoid(2), 2) * Softplus(-2);
            double l1 = 0.75 * Math.Pow(Sigmoid(-1), 2) * Softplus(-1);
            Value(new FocalLoss(LossMode.Binary, alpha: 0.25), x, t).Should().BeApproximately((l0 + l1) / 2, Tol);
            Value(new FocalLoss(LossMode.Binary, alpha: 0.25, reduction: nn.Reduction.Sum), x, t).Should().BeApproximately(l0 + l1, Tol);
            using var none = new FocalLoss(LossMode.Binary, reduction: nn.Reduction.None).call(x, t);
            none.shape.Should().Equal(1, 1, 1, 2);
            none.data<double>().ToArray().Should().Equal(new[] { l0 / 0.25, l1 / 0.75 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Multiclass_tiny_example_matches_hand_computation()
        {
            // (1, 3, 1, 2): pixel 0 logits (1, 2, 0) label 1; pixel 1 logits (0.5, −1, 2) label 0.
            using var x = tensor(new[] { 1.0, 0.5, 2.0, -1.0, 0.0, 2.0 }, new long[] { 1, 3, 1, 2 });
            using var y = tensor(new long[] { 1, 0 }, new long[] { 1, 1, 2 });
            double p0 = Softmax(1, 2, 0)[1], p1 = Softmax(0.5, -1, 2)[0];
            double l0 = -Math.Pow(1 - p0, 2) * Math.Log(p0);
            double l1 = -Math.Pow(1 - p1, 2) * Math.Log(p1);
            Value(new FocalLoss(), x, y).Should().BeApproximately((l0 + l1) / 2, Tol);
            // Per-class α: pixel 0 (class 1) × 0.5, pixel 1 (class 0) × 0.2; the mean stays over pixels.
            using var alpha = tensor(new[] { 0.2, 0.5, 0.3 });
            Value(new FocalLoss(classAlpha: alpha), x, y).Should().BeApproximately((0.5 * l0 + 0.2 * l1) / 2, Tol);
            double g0 = -Math.Pow(1 - p0, 0.5) * Math.Log(p0), g1 = -Math.Pow(1 - p1, 0.5) * Math.Log(p1);
            Value(new FocalLoss(gamma: 0.5, reduction: nn.Reduction.Sum), x, y).Should().BeApproximately(g0 + g1, Tol);
            using var none = new FocalLoss(reduction: nn.Reduction.None).call(x, y);
            none.shape.Should().Equal(1, 1, 2);
        }

        [Fact]
        public void Soft_targets_match_hand_computation()
        {
            // Multiclass (1, 3, 1, 1): logits (1, 2, 0), g = (0.2, 0.5, 0.3): −Σ_c α_c g_c (1 − p_c)^γ log p_c.
            using var x = tensor(new[] { 1.0, 2.0, 0.0 }, new long[] { 1, 3, 1, 1 });
            using var g = tensor(new[] { 0.2, 0.5, 0.3 }, new long[] { 1, 3, 1, 1 });
            var p = Softmax(1, 2, 0);
            var a = new[] { 1.0, 2.0, 0.5 };
            double expected = -Enumerable.Range(0, 3).Sum(c => a[c] * g[0, c, 0, 0].ToDouble() * Math.Pow(1 - p[c], 2) * Math.Log(p[c]));
            Value(new FocalLoss(classAlpha: tensor(a)), x, g).Should().BeApproximately(expected, Tol);

            // Binary soft target t = 0.3 at z = 0.7, α = 0.25: α_t (1 − p_t)^γ BCE with 1 − p_t = σ(z)(1 − t) + (1 − σ(z)) t.
            using var z = tensor(new[] { 0.7 }, new long[] { 1, 1, 1, 1 });
            using var t = tensor(new[] { 0.3 }, new long[] { 1, 1, 1, 1 });
            double s = Sigmoid(0.7);
            double bce = -0.3 * Math.Log(s) - 0.7 * Math.Log(1 - s);
            double oneMinusPt = s * 0.7 + (1 - s) * 0.3;
            double alphaT = 0.25 * 0.3 + 0.75 * 0.7;
            Value(new FocalLoss(LossMode.Binary, alpha: 0.25), z, t).Should().BeApproximately(alphaT * oneMinusPt * oneMinusPt * bce, Tol);
        }

        [Fact]
        public void Multilabel_applies_alpha_per_entry()
        {
            // (1, 2, 1, 1): logits (0.5, −2), targets (1, 0), γ = 1, α = 0.8.
            using var x = tensor(new[] { 0.5, -2.0 }, new long[] { 1, 2, 1, 1 });
            using var t = tensor(new[] { 1.0, 0.0 }, new long[] { 1, 2, 1, 1 });
            double c0 = 0.8 * (1 - Sigmoid(0.5)) * Softplus(-0.5);
            double c1 = 0.2 * Sigmoid(-2) * Softplus(-2);
            Value(new FocalLoss(LossMode.Multilabel, gamma: 1, alpha: 0.8), x, t).Should().BeApproximately((c0 + c1) / 2, Tol);
        }

        [Fact]
        public void Probability_inputs_give_the_same_value_as_logits()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            Value(new FocalLoss(fromLogits: false, ignoreIndex: Ignore), x.softmax(1), y)
                .Should().BeApproximately(Value(new FocalLoss(ignoreIndex: Ignore), x, y), 1e-10);
            var (xb, tb, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: false, ignore: true);
            Value(new FocalLoss(LossMode.Multilabel, fromLogits: false, alpha: 0.3, ignoreIndex: Ignore), xb.sigmoid(), tb)
                .Should().BeApproximately(Value(new FocalLoss(LossMode.Multilabel, alpha: 0.3, ignoreIndex: Ignore), xb, tb), 1e-10);
            var soft = TestData.Logits(8, 2, 3, 3, 2).softmax(1);
            Value(new FocalLoss(fromLogits: false, gamma: 0.5), x.softmax(1), soft)
                .Should().BeApproximately(Value(new FocalLoss(gamma: 0.5), x, soft), 1e-10);
        }

        // ---------------------------------------------------------------- γ = 0 is cross-entropy

        [Theory]
        [InlineData(LossMode.Multiclass, nn.Reduction.Mean)]
        [InlineData(LossMode.Multiclass, nn.Reduction.None)]
        [InlineData(LossMode.Binary, nn.Reduction.Mean)]
        [InlineData(LossMode.Multilabel, nn.Reduction.Sum)]
        [InlineData(LossMode.Multilabel, nn.Reduction.None)]
        public void Gamma_zero_without_alpha_equals_cross_entropy(LossMode mode, nn.Reduction reduction)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: true, ignore: true);
            var focal = new FocalLoss(mode, gamma: 0, ignoreIndex: Ignore, reduction: reduction).call(x, target);
            var ce = new CrossEntropyLoss(mode, ignoreIndex: Ignore, reduction: reduction).call(x, target);
            focal.shape.Should().Equal(ce.shape);
            // CE runs through torch's fused kernels, focal through log_softmax: equal up to rounding.
            focal.allclose(ce, rtol: 1e-12, atol: 1e-14).Should().BeTrue("γ = 0 without α is cross-entropy");
        }

        [Fact]
        public void Gamma_zero_equals_cross_entropy_for_soft_targets()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            Value(new FocalLoss(gamma: 0), x, soft).Should().BeApproximately(Value(new CrossEntropyLoss(), x, soft), 1e-12);
        }

        [Fact]
        public void Focal_loss_never_exceeds_cross_entropy()
        {
            using var scope = NewDisposeScope();
            foreach (var mode in new[] { LossMode.Multiclass, LossMode.Multilabel })
            {
                var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: false, seed: 4);
                var focal = new FocalLoss(mode, reduction: nn.Reduction.None).call(x, target);
                var ce = new CrossEntropyLoss(mode, reduction: nn.Reduction.None).call(x, target);
                focal.le(ce).all().item<bool>().Should().BeTrue();
                focal.lt(ce).any().item<bool>().Should().BeTrue();
            }
        }

        // ---------------------------------------------------------------- stability

        [Theory]
        [InlineData(ScalarType.Float32, 0.5)]
        [InlineData(ScalarType.Float64, 0.5)]
        [InlineData(ScalarType.Float32, 0.1)]
        [InlineData(ScalarType.Float64, 2.0)]
        public void Extreme_logits_give_finite_gradients_for_small_gamma(ScalarType dtype, double gamma)
        {
            using var scope = NewDisposeScope();
            // Multiclass: pixel 0 confidently right (p_y rounds to 1), pixel 1 confidently wrong.
            var x = tensor(new[] { 1e4, -1e4, -1e4, 1e4 }, new long[] { 1, 2, 1, 2 }, dtype).requires_grad_(true);
            var y = tensor(new long[] { 0, 0 }, new long[] { 1, 1, 2 });
            var loss = new FocalLoss(gamma: gamma, classAlpha: tensor(new[] { 0.5, 1.0 })).call(x, y);
            loss.backward();
            loss.ToDouble().Should().BeApproximately(0.5 * 2e4 / 2, 1.0);
            x.grad!.isfinite().all().item<bool>().Should().BeTrue();

            // Soft targets (the log1mexp path) and one-hot soft targets.
            var xs = tensor(new[] { 1e4, -1e4, -1e4, 1e4 }, new long[] { 1, 2, 1, 2 }, dtype).requires_grad_(true);
            var soft = tensor(new[] { 1.0, 0.7, 0.0, 0.3 }, new long[] { 1, 2, 1, 2 }, dtype);
            var softLoss = new FocalLoss(gamma: gamma).call(xs, soft);
            softLoss.backward();
            softLoss.isfinite().item<bool>().Should().BeTrue();
            xs.grad!.isfinite().all().item<bool>().Should().BeTrue();

            // Sigmoid: right and wrong for both target values.
            var xb = tensor(new[] { 1e4, -1e4, 1e4, -1e4 }, new long[] { 1, 1, 2, 2 }, dtype).requires_grad_(true);
            var tb = tensor(new[] { 1.0, 0.0, 0.0, 1.0 }, new long[] { 1, 1, 2, 2 }, dtype);
            var bce = new FocalLoss(LossMode.Binary, gamma: gamma, alpha: 0.25).call(xb, tb);
            bce.backward();
            bce.ToDouble().Should().BeApproximately((0.75 * 1e4 + 0.25 * 1e4) / 4, 1.0);
            xb.grad!.isfinite().all().item<bool>().Should().BeTrue();

            // Probability inputs at exactly 0 and 1.
            var p = tensor(new[] { 1.0, 0.0, 0.0, 1.0 }, new long[] { 1, 2, 1, 2 }, dtype).requires_grad_(true);
            var probLoss = new FocalLoss(fromLogits: false, gamma: gamma).call(p, y);
            probLoss.backward();
            probLoss.isfinite().item<bool>().Should().BeTrue();
            p.grad!.isfinite().all().item<bool>().Should().BeTrue();
        }

        // ---------------------------------------------------------------- gradients

        [Theory]
        [MemberData(nameof(PixelLossChecks.ModeCases), MemberType = typeof(PixelLossChecks))]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            var alpha = linspace(0.5, 2.0, x.shape[1], ScalarType.Float64);
            var withAlpha = mode == LossMode.Multiclass
                ? new FocalLoss(mode, classAlpha: alpha, ignoreIndex: Ignore)
                : new FocalLoss(mode, alpha: 0.25, ignoreIndex: Ignore);
            GradCheck.Full(v => withAlpha.call(v, target), x);
            var smallGamma = new FocalLoss(mode, gamma: 0.5, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            GradCheck.Full(v => smallGamma.call(v, target), x);
        }

        [Fact]
        public void Gradient_matches_for_soft_targets_and_probability_inputs()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            GradCheck.Full(v => new FocalLoss(gamma: 1.5, classAlpha: tensor(new[] { 1.0, 2.0, 0.5 })).call(v, soft), x);
            var (_, labels, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            GradCheck.Full(v => new FocalLoss(fromLogits: false, ignoreIndex: Ignore).call(v, labels), x.softmax(1));
            var softBinary = TestData.Logits(6, 2, 1, 3, 2).sigmoid();
            GradCheck.Full(v => new FocalLoss(LossMode.Binary, alpha: 0.4, gamma: 1.5).call(v, softBinary), x.narrow(1, 0, 1));
            GradCheck.Full(v => new FocalLoss(LossMode.Binary, fromLogits: false).call(v, softBinary), x.narrow(1, 0, 1).sigmoid());
        }

        // ---------------------------------------------------------------- properties

        [Fact]
        public void Perfect_prediction_is_the_minimum()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            var loss = new FocalLoss(classAlpha: tensor(new[] { 1.0, 2.0, 3.0 }));
            double best = Value(loss, TestData.PerfectLogits(labels, 3), labels);
            best.Should().BeGreaterThanOrEqualTo(0).And.BeLessThan(1e-20);
            for (long seed = 0; seed < 5; seed++)
                Value(loss, TestData.Logits(seed, 2, 3, 3, 2), labels).Should().BeGreaterThan(best);
            var t = TestData.BinaryTargets(3, 2, 1, 3, 2);
            Value(new FocalLoss(LossMode.Binary, alpha: 0.25), (t * 2 - 1) * 40, t).Should().BeLessThan(1e-20);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void More_error_gives_more_loss(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: false);
            Tensor right, wrong;
            if (mode == LossMode.Multiclass)
            {
                right = TestData.PerfectLogits(target, 3, margin: 1);
                wrong = TestData.PerfectLogits(target.add(1).remainder(3), 3, margin: 1);
            }
            else
            {
                right = target * 2 - 1;
                wrong = -right;
            }
            var loss = mode == LossMode.Multiclass ? new FocalLoss(mode, gamma: 0.5) : new FocalLoss(mode, alpha: 0.25);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD: true, ignore: true);
            var loss = mode == LossMode.Multiclass
                ? new FocalLoss(mode, gamma: 0.5, classAlpha: tensor(new[] { 0.3, 0.7 }), ignoreIndex: Ignore)
                : new FocalLoss(mode, gamma: 0.5, alpha: 0.25, ignoreIndex: Ignore);
            PixelLossChecks.IgnoredPixelsAreInert(v => loss.call(v, target), x, ignored);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Multilabel)]
        public void Permuting_pixels_does_not_change_the_mean(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            var loss = new FocalLoss(mode, ignoreIndex: Ignore);
            var permuted = PixelLossChecks.PermutePixels(3, (x, 2), (target, mode == LossMode.Multiclass ? 1 : 2));
            Value(loss, permuted[0], permuted[1]).Should().BeApproximately(Value(loss, x, target), 1e-12);
        }

        [Fact]
        public void Every_pixel_ignored_gives_zero_with_zero_gradient()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(1, 1, 3, 2, 2);
            var y = full(new long[] { 1, 2, 2 }, Ignore, ScalarType.Int64);
            var (value, gradient) = PixelLossChecks.ValueAndGradient(v => new FocalLoss(ignoreIndex: Ignore).call(v, y), x);
            value.Should().Be(0.0);
            gradient.Should().OnlyContain(g => g == 0.0);
        }

        // ---------------------------------------------------------------- bad input

        private static void Throws(Action action, string paramName, params string[] fragments)
        {
            var e = action.Should().Throw<ArgumentException>().Which;
            e.ParamName.Should().Be(paramName);
            foreach (var f in fragments) e.Message.Should().Contain(f);
        }

        [Fact]
        public void Bad_options_are_rejected_in_the_constructor()
        {
            using var scope = NewDisposeScope();
            Throws(() => new FocalLoss(gamma: -1), "gamma", "non-negative", "-1");
            Throws(() => new FocalLoss(gamma: double.NaN), "gamma", "NaN");
            Throws(() => new FocalLoss(gamma: double.PositiveInfinity), "gamma", "finite");
            Throws(() => new FocalLoss(LossMode.Binary, alpha: 1.5), "alpha", "[0, 1]", "1.5");
            Throws(() => new FocalLoss(LossMode.Multilabel, alpha: -0.1), "alpha", "[0, 1]", "-0.1");
            Throws(() => new FocalLoss(alpha: 0.25), "alpha", "Multiclass", "classAlpha");
            Throws(() => new FocalLoss(LossMode.Binary, classAlpha: tensor(new[] { 1.0 })), "classAlpha", "Binary", "alpha");
            Throws(() => new FocalLoss(classAlpha: tensor(new[] { 1.0, -1.0 })), "classAlpha", "non-negative", "-1");
            Throws(() => new FocalLoss(classAlpha: ones(2, 2)), "classAlpha", "[2, 2]");
            Throws(() => new FocalLoss((LossMode)5), "mode", "5");
        }

        [Fact]
        public void Bad_tensors_are_rejected_with_the_argument_and_the_shapes()
        {
            using var scope = NewDisposeScope();
            var x = zeros(2, 3, 4, 4, ScalarType.Float64);
            Throws(() => new FocalLoss(classAlpha: tensor(new[] { 1.0, 2.0 })).call(x, zeros(2, 4, 4, ScalarType.Int64)), "classAlpha", "2 entries", "3 classes");
            Throws(() => new FocalLoss(LossMode.Binary).call(x, zeros(2, 3, 4, 4, ScalarType.Float64)), "input", "3 channels", "exactly 1");
            Throws(() => new FocalLoss().call(x, zeros(2, 4, 3, ScalarType.Int64)), "target", "[2, 4, 3]", "[2, 4, 4]");
            Throws(() => new FocalLoss().call(x, zeros(2, 4, 4, ScalarType.Float64)), "target", "Float64", "integers");
            Throws(() => new FocalLoss().call(x, full(new long[] { 2, 4, 4 }, 7L, ScalarType.Int64)), "target", "label 7", "[0, 3)");
            Throws(() => new FocalLoss(LossMode.Multilabel).call(x, zeros(2, 2, 4, 4, ScalarType.Float64)), "target", "[2, 2, 4, 4]", "[2, 3, 4, 4]");
            Throws(() => new FocalLoss().call(zeros(new long[] { 2, 3, 1, 1, 1, 1 }, ScalarType.Float64), zeros(new long[] { 2, 1, 1, 1, 1 }, ScalarType.Int64)), "input", "1 to 3 spatial");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class FocalLossMemoryTests
    {
        [Theory]
        [InlineData(LossMode.Multiclass, false)]
        [InlineData(LossMode.Multiclass, true)]
        [InlineData(LossMode.Multilabel, false)]
        public void Forward_and_backward_leave_no_live_tensors(LossMode mode, bool soft)
        {
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: !soft);
            if (soft) target = TestData.Logits(3, x.shape).softmax(1);
            using var alpha = linspace(0.5, 2.0, x.shape[1], ScalarType.Float64);
            using var loss = mode == LossMode.Multiclass
                ? new FocalLoss(mode, gamma: 0.5, classAlpha: alpha, ignoreIndex: PixelLossChecks.IgnoreValue)
                : new FocalLoss(mode, alpha: 0.25, ignoreIndex: PixelLossChecks.IgnoreValue);
            using var leaf = x.detach().requires_grad_(true);
            LiveTensors.AssertNoLeak(() =>
            {
                using var value = loss.call(leaf, target);
                value.backward();
            }, "a forward/backward call must dispose every intermediate");
        }
    }
}
