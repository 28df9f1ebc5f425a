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
    public class ConservativeLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        /// <summary>CL(p) = λ·(1 + log_a p)²·log_a(−log_a p).</summary>
        private static double Cl(double p, double lambda = 5, double a = Math.E)
        {
            double u = Math.Log(p) / Math.Log(a);
            return lambda * (1 + u) * (1 + u) * Math.Log(-u) / Math.Log(a);
        }

        private static double[] Values(Tensor t) => t.data<double>().ToArray();

        // ---------------------------------------------------------------- hand-computed values

        [Fact]
        public void Values_match_the_formula_and_the_spec_table()
        {
            using var scope = NewDisposeScope();
            // losses.md §2.13: p → CL at a = e, λ = 5.
            var table = new (double p, double cl)[] { (0.01, 99.25), (0.1, 7.08), (0.3, 0.039), (1 / Math.E, 0), (0.6, -0.80), (0.9, -9.01), (0.99, -22.5), (0.999, -34.5) };
            var p = tensor(table.Select(e => e.p).ToArray(), new long[] { 1, 1, table.Length });
            var ones = ones_like(p);
            var loss = new ConservativeLoss(LossMode.Binary, fromLogits: false, reduction: nn.Reduction.None);
            var values = Values(loss.call(p, ones));
            for (int i = 0; i < table.Length; i++)
            {
                values[i].Should().BeApproximately(Cl(table[i].p), 1e-12, $"p = {table[i].p}");
                values[i].Should().BeApproximately(table[i].cl, 0.006 * Math.Max(1, Math.Abs(table[i].cl)), $"p = {table[i].p} against the spec's rounded value");
            }
            // Target 0 uses 1 − p: the same values from the complementary probabilities.
            Values(loss.call(1 - p, zeros_like(p))).Should().Equal(values, (a, b) => Math.Abs(a - b) < 1e-9);
            // CL(0.1) by hand: u = ln 0.1, (1 + u)² = 1.6967, ln(−u) = 0.8340.
            Cl(0.1).Should().BeApproximately(5 * 1.696728 * 0.834032, 1e-5);
        }

        [Fact]
        public void Other_bases_and_scales_match_hand_computation()
        {
            using var scope = NewDisposeScope();
            // a = 2, λ = 1: p = 1/4 gives (1 − 2)²·log2(2) = 1; p = 1/16 gives (1 − 4)²·log2(4) = 18; p = 1/2 gives 0.
            var p = tensor(new[] { 0.25, 1.0 / 16, 0.5 }, new long[] { 1, 1, 3 });
            var loss = new ConservativeLoss(LossMode.Binary, fromLogits: false, lambda: 1, logBase: 2, reduction: nn.Reduction.None);
            Values(loss.call(p, ones_like(p))).Should().Equal(new[] { 1.0, 18.0, 0.0 }, (a, b) => Math.Abs(a - b) < Tol);
            Value(new ConservativeLoss(LossMode.Binary, fromLogits: false, lambda: 3, logBase: 2), p, ones_like(p)).Should().BeApproximately(3 * 19.0 / 3, Tol);
        }

        [Fact]
        public void Multiclass_uses_the_softmax_probability_of_the_label()
        {
            using var scope = NewDisposeScope();
            // (1, 3, 1, 2): pixel 0 logits (1, 2, 0) label 1; pixel 1 logits (0.5, −1, 2) label 0.
            var x = tensor(new[] { 1.0, 0.5, 2.0, -1.0, 0.0, 2.0 }, new long[] { 1, 3, 1, 2 });
            var y = tensor(new long[] { 1, 0 }, new long[] { 1, 1, 2 });
            double p0 = Math.Exp(2) / (Math.Exp(1) + Math.Exp(2) + 1), p1 = Math.Exp(0.5) / (Math.Exp(0.5) + Math.Exp(-1) + Math.Exp(2));
            Value(new ConservativeLoss(), x, y).Should().BeApproximately((Cl(p0) + Cl(p1)) / 2, Tol);
            Value(new ConservativeLoss(reduction: nn.Reduction.Sum), x, y).Should().BeApproximately(Cl(p0) + Cl(p1), Tol);
            var none = new ConservativeLoss(reduction: nn.Reduction.None).call(x, y);
            none.shape.Should().Equal(1, 1, 2);
            Values(none).Should().Equal(new[] { Cl(p0), Cl(p1) }, (a, b) => Math.Abs(a - b) < Tol);
            // Ignoring pixel 1 leaves pixel 0 alone in the mean.
            var yi = tensor(new long[] { 1, Ignore }, new long[] { 1, 1, 2 });
            Value(new ConservativeLoss(ignoreIndex: Ignore), x, yi).Should().BeApproximately(Cl(p0), Tol);
            Values(new ConservativeLoss(ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, yi)).Should().Equal(new[] { Cl(p0), 0.0 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Sigmoid_modes_use_p_t_per_entry()
        {
            using var scope = NewDisposeScope();
            // Multilabel (1, 2, 1, 1): logits (0.5, −2), targets (1, 0): p_t = σ(0.5), 1 − σ(−2) = σ(2).
            var x = tensor(new[] { 0.5, -2.0 }, new long[] { 1, 2, 1, 1 });
            var t = tensor(new[] { 1.0, 0.0 }, new long[] { 1, 2, 1, 1 });
            double S(double v) => 1 / (1 + Math.Exp(-v));
            var none = new ConservativeLoss(LossMode.Multilabel, reduction: nn.Reduction.None).call(x, t);
            none.shape.Should().Equal(1, 2, 1, 1);
            Values(none).Should().Equal(new[] { Cl(S(0.5)), Cl(S(2)) }, (a, b) => Math.Abs(a - b) < Tol);
            // A soft target t = 0.3 uses p_t = 0.3·σ(z) + 0.7·(1 − σ(z)).
            var z = tensor(new[] { 0.7 }, new long[] { 1, 1, 1, 1 });
            Value(new ConservativeLoss(LossMode.Binary), z, tensor(new[] { 0.3 }, new long[] { 1, 1, 1, 1 }))
                .Should().BeApproximately(Cl(0.3 * S(0.7) + 0.7 * (1 - S(0.7))), Tol);
        }

        [Fact]
        public void Clamping_keeps_values_and_gradients_finite_at_zero_and_one()
        {
            using var scope = NewDisposeScope();
            // Probabilities exactly 0 and 1 evaluate at ε and 1 − ε.
            var p = tensor(new[] { 0.0, 1.0 }, new long[] { 1, 1, 2 });
            var loss = new ConservativeLoss(LossMode.Binary, fromLogits: false, reduction: nn.Reduction.None);
            var (_, gradient) = PixelLossChecks.ValueAndGradient(v => loss.call(v, ones_like(v)).sum(), p);
            Values(loss.call(p, ones_like(p))).Should().Equal(new[] { Cl(1e-7), Cl(1 - 1e-7) }, (a, b) => Math.Abs(a - b) < 1e-6 * Math.Abs(b));
            Cl(1 - 1e-7).Should().BeApproximately(-80.6, 0.05);
            gradient.Should().OnlyContain(g => double.IsFinite(g));
            // A larger ε moves the clamp: p = 0.99 with ε = 0.05 evaluates at 0.95.
            var q = tensor(new[] { 0.99 }, new long[] { 1, 1, 1 });
            Value(new ConservativeLoss(LossMode.Binary, fromLogits: false, epsilon: 0.05), q, ones_like(q)).Should().BeApproximately(Cl(0.95), Tol);
        }

        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void Extreme_logits_give_finite_values_and_gradients(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1e4, -1e4, -1e4, 1e4 }, new long[] { 1, 2, 1, 2 }, dtype).requires_grad_(true);
            var y = tensor(new long[] { 0, 0 }, new long[] { 1, 1, 2 });
            var loss = new ConservativeLoss().call(x, y);
            loss.backward();
            loss.ToDouble().Should().BeApproximately((Cl(1 - 1e-7) + Cl(1e-7)) / 2, 0.01 * Math.Abs(Cl(1e-7)));
            x.grad!.isfinite().all().item<bool>().Should().BeTrue();
            var xb = tensor(new[] { 1e4, -1e4 }, new long[] { 1, 1, 1, 2 }, dtype).requires_grad_(true);
            var cb = new ConservativeLoss(LossMode.Binary).call(xb, tensor(new[] { 1.0, 1.0 }, new long[] { 1, 1, 1, 2 }, dtype));
            cb.backward();
            double.IsFinite(cb.ToDouble()).Should().BeTrue();
            xb.grad!.isfinite().all().item<bool>().Should().BeTrue();
        }

        // ---------------------------------------------------------------- shape of the function (losses.md §2.13)

        [Fact]
        public void Strictly_decreasing_in_p_negative_above_one_over_a_with_a_flat_point_there()
        {
            using var scope = NewDisposeScope();
            var grid = Enumerable.Range(1, 199).Select(i => i / 200.0).ToArray();
            var p = tensor(grid, new long[] { 1, 1, grid.Length });
            var values = Values(new ConservativeLoss(LossMode.Binary, fromLogits: false, reduction: nn.Reduction.None).call(p, ones_like(p)));
            for (int i = 1; i < values.Length; i++) values[i].Should().BeLessThan(values[i - 1], $"p = {grid[i]}");
            for (int i = 0; i < values.Length; i++)
                Math.Sign(values[i]).Should().Be(grid[i] < 1 / Math.E ? 1 : -1, $"p = {grid[i]}");
            // dCL/dz = dCL/dp · p(1 − p) ≤ 0 everywhere, and 0 at p = 1/e (logit z = −ln(e − 1)).
            var z = tensor(new[] { -3.0, -1.0, -Math.Log(Math.E - 1), 0.0, 2.0 }, new long[] { 1, 1, 5 });
            var (_, gradient) = PixelLossChecks.ValueAndGradient(v => new ConservativeLoss(LossMode.Binary, reduction: nn.Reduction.Sum).call(v, ones_like(v)), z);
            gradient[2].Should().BeApproximately(0, 1e-9);
            new[] { gradient[0], gradient[1], gradient[3], gradient[4] }.Should().OnlyContain(g => g < -1e-3);
        }

        [Fact]
        public void More_error_gives_more_loss()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            var right = TestData.PerfectLogits(labels, 3, margin: 1);
            var wrong = TestData.PerfectLogits(labels.add(1).remainder(3), 3, margin: 1);
            var loss = new ConservativeLoss();
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, labels);
            // A confident correct prediction reaches the clamped minimum λ·(1 − ε')²·ln(ε') (≈ −80.6).
            Value(loss, TestData.PerfectLogits(labels, 3, margin: 40), labels).Should().BeApproximately(Cl(1 - 1e-7), 1e-3);
        }

        // ---------------------------------------------------------------- gradients

        [Theory]
        [MemberData(nameof(PixelLossChecks.ModeCases), MemberType = typeof(PixelLossChecks))]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            var mean = new ConservativeLoss(mode, ignoreIndex: Ignore);
            GradCheck.Full(v => mean.call(v, target), x);
            var none = new ConservativeLoss(mode, lambda: 2, logBase: 3, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            GradCheck.Full(v => none.call(v, target), x);
        }

        [Fact]
        public void Gradient_matches_for_probability_inputs_and_soft_binary_targets()
        {
            using var scope = NewDisposeScope();
            var (x, labels, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            GradCheck.Full(v => new ConservativeLoss(fromLogits: false, ignoreIndex: Ignore).call(v, labels), x.softmax(1));
            var xb = TestData.Logits(6, 2, 1, 3, 2);
            var soft = TestData.Logits(7, 2, 1, 3, 2).sigmoid();
            GradCheck.Full(v => new ConservativeLoss(LossMode.Binary).call(v, soft), xb);
        }

        // ---------------------------------------------------------------- properties

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            var loss = new ConservativeLoss(mode, ignoreIndex: Ignore);
            PixelLossChecks.IgnoredPixelsAreInert(v => loss.call(v, target), x, ignored);
        }

        [Fact]
        public void Every_pixel_ignored_gives_zero_with_zero_gradient()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 0.0, 2.0, 3.0 }, new long[] { 1, 2, 1, 2 });
            var y = tensor(new long[] { Ignore, Ignore }, new long[] { 1, 1, 2 });
            var (value, gradient) = PixelLossChecks.ValueAndGradient(v => new ConservativeLoss(ignoreIndex: Ignore).call(v, y), x);
            value.Should().Be(0.0);
            gradient.Should().OnlyContain(g => g == 0.0);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Multilabel)]
        public void Permuting_pixels_does_not_change_the_mean(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: true, ignore: true);
            var loss = new ConservativeLoss(mode, ignoreIndex: Ignore);
            var permuted = PixelLossChecks.PermutePixels(9, (x, 2), (target, mode == LossMode.Multiclass ? 1 : 2));
            Value(loss, permuted[0], permuted[1]).Should().BeApproximately(Value(loss, x, target), Tol);
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
            Throws(() => new ConservativeLoss(lambda: 0), "lambda", "positive", "0");
            Throws(() => new ConservativeLoss(lambda: double.NaN), "lambda", "NaN");
            Throws(() => new ConservativeLoss(logBase: 1), "logBase", "greater than 1", "1");
            Throws(() => new ConservativeLoss(logBase: 0.5), "logBase", "0.5");
            Throws(() => new ConservativeLoss(logBase: double.PositiveInfinity), "logBase", "finite");
            Throws(() => new ConservativeLoss(epsilon: 0), "epsilon", "(0, 0.5)");
            Throws(() => new ConservativeLoss(epsilon: 0.5), "epsilon", "(0, 0.5)");
            Throws(() => new ConservativeLoss((LossMode)7), "mode", "7");
            Throws(() => new ConservativeLoss(reduction: (nn.Reduction)9), "reduction", "9");
        }

        [Fact]
        public void Bad_tensors_are_rejected_with_the_argument_and_the_shapes()
        {
            using var scope = NewDisposeScope();
            var x = zeros(2, 3, 4, 4, ScalarType.Float64);
            Throws(() => new ConservativeLoss().call(x, zeros(2, 3, 4, 4, ScalarType.Float64).softmax(1)), "target", "soft labels", "[2, 4, 4]");
            Throws(() => new ConservativeLoss().call(x, zeros(3, 4, 4, ScalarType.Int64)), "target", "[3, 4, 4]", "[2, 4, 4]");
            Throws(() => new ConservativeLoss(LossMode.Binary).call(x, zeros(2, 3, 4, 4, ScalarType.Float64)), "input", "3 channels");
            Throws(() => new ConservativeLoss(LossMode.Multilabel).call(x, full(new long[] { 2, 3, 4, 4 }, 2.0, ScalarType.Float64)), "target", "[0, 1]");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class ConservativeLossMemoryTests
    {
        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void Forward_and_backward_leave_no_live_tensors(LossMode mode)
        {
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var loss = new ConservativeLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue);
            using var leaf = x.detach().requires_grad_(true);
            LiveTensors.AssertNoLeak(() =>
            {
                using var value = loss.call(leaf, target);
                value.backward();
            }, "a forward/backward call must dispose every intermediate");
            x.Dispose();
            target.Dispose();
        }
    }
}
