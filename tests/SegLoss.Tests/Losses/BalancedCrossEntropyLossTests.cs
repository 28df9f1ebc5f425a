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
    public class BalancedCrossEntropyLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        // −log σ(z) = log(1 + e^-z); −log(1 − σ(z)) = log(1 + e^z).
        private static double Pos(double z) => Math.Log(1 + Math.Exp(-z));
        private static double Neg(double z) => Math.Log(1 + Math.Exp(z));


        private static readonly double[] Z = { 2.0, -1.0, 0.5, -3.0 };

        private static Tensor Row(double[] values, params long[] shape) => tensor(values, shape);

        // ---------------------------------------------------------------- hand-computed values

        [Fact]
        public void Tiny_example_matches_hand_computation()
        {
            // (1, 1, 1, 4): one positive, three negatives → β = |Y−|/|Y| = 3/4.
            using var x = Row(Z, 1, 1, 1, 4);
            using var t = Row(new[] { 1.0, 0, 0, 0 }, 1, 1, 1, 4);
            var expected = new[] { 0.75 * Pos(2), 0.25 * Neg(-1), 0.25 * Neg(0.5), 0.25 * Neg(-3) };
            Value(new BalancedCrossEntropyLoss(), x, t).Should().BeApproximately(expected.Sum() / 4, Tol);
            Value(new BalancedCrossEntropyLoss(reduction: nn.Reduction.Sum), x, t).Should().BeApproximately(expected.Sum(), Tol);
            using var none = new BalancedCrossEntropyLoss(reduction: nn.Reduction.None).call(x, t);
            none.shape.Should().Equal(1, 1, 1, 4);
            none.data<double>().ToArray().Should().Equal(expected, (a, b) => Math.Abs(a - b) < Tol);
            // The squeezed Binary target (N, *spatial) is accepted too.
            using var squeezed = t.reshape(1, 1, 4);
            Value(new BalancedCrossEntropyLoss(), x, squeezed).Should().BeApproximately(expected.Sum() / 4, Tol);
        }

        [Fact]
        public void Beta_is_per_image_by_default_and_pooled_over_the_batch_on_request()
        {
            // Image 0: 1 positive of 4 (β = 3/4); image 1: 3 positives of 4 (β = 1/4); pooled: 4 of 8 (β = 1/2).
            var z1 = new[] { 0.3, 1.0, -2.0, 0.1 };
            using var x = tensor(Z.Concat(z1).ToArray(), new long[] { 2, 1, 1, 4 });
            using var t = tensor(new[] { 1.0, 0, 0, 0, 1, 1, 1, 0 }, new long[] { 2, 1, 1, 4 });
            double Image0(double b) => b * Pos(2) + (1 - b) * (Neg(-1) + Neg(0.5) + Neg(-3));
            double Image1(double b) => b * (Pos(0.3) + Pos(1) + Pos(-2)) + (1 - b) * Neg(0.1);
            Value(new BalancedCrossEntropyLoss(), x, t).Should().BeApproximately((Image0(0.75) + Image1(0.25)) / 8, Tol);
            Value(new BalancedCrossEntropyLoss(perImage: false), x, t).Should().BeApproximately((Image0(0.5) + Image1(0.5)) / 8, Tol);
            // A fixed β overrides both.
            Value(new BalancedCrossEntropyLoss(beta: 0.9), x, t).Should().BeApproximately((Image0(0.9) + Image1(0.9)) / 8, Tol);
            Value(new BalancedCrossEntropyLoss(beta: 0.9, perImage: false), x, t).Should().BeApproximately((Image0(0.9) + Image1(0.9)) / 8, Tol);
        }

        [Fact]
        public void Images_without_positives_or_negatives_use_beta_one_half()
        {
            // Image 0: no positives; image 1: no negatives; both get β = 0.5, i.e. half the plain BCE.
            var z1 = new[] { 0.3, 1.0, -2.0, 0.1 };
            using var x = tensor(Z.Concat(z1).ToArray(), new long[] { 2, 1, 1, 4 });
            using var t = tensor(new[] { 0.0, 0, 0, 0, 1, 1, 1, 1 }, new long[] { 2, 1, 1, 4 });
            double expected = 0.5 * (Z.Sum(Neg) + z1.Sum(Pos)) / 8;
            Value(new BalancedCrossEntropyLoss(), x, t).Should().BeApproximately(expected, Tol);
            Value(new BalancedCrossEntropyLoss(), x, t).Should().BeApproximately(0.5 * Value(new CrossEntropyLoss(LossMode.Binary), x, t), Tol);
            BalancedCrossEntropyLoss.DegenerateBeta.Should().Be(0.5);
        }

        [Fact]
        public void Ignored_pixels_are_left_out_of_counts_and_sums()
        {
            // Targets (1, 0, ignored, 0): one positive, two negatives → β = 2/3, mean over 3 pixels.
            using var x = Row(Z, 1, 1, 1, 4);
            using var t = Row(new[] { 1.0, 0, Ignore, 0 }, 1, 1, 1, 4);
            double expected = (2.0 / 3 * Pos(2) + 1.0 / 3 * (Neg(-1) + Neg(-3))) / 3;
            Value(new BalancedCrossEntropyLoss(ignoreIndex: Ignore), x, t).Should().BeApproximately(expected, Tol);
            using var none = new BalancedCrossEntropyLoss(ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, t);
            none[0, 0, 0, 2].ToDouble().Should().Be(0.0);
            // All ignored: 0 with a zero gradient.
            using var all = full(new long[] { 1, 1, 1, 4 }, (double)Ignore, ScalarType.Float64);
            var (value, gradient) = PixelLossChecks.ValueAndGradient(v => new BalancedCrossEntropyLoss(ignoreIndex: Ignore).call(v, all), x);
            value.Should().Be(0.0);
            gradient.Should().OnlyContain(g => g == 0.0);
        }

        [Fact]
        public void Multilabel_computes_beta_per_channel()
        {
            // (1, 2, 1, 3): channel 0 targets (1, 0, 0) → β = 2/3; channel 1 targets (1, 1, 0) → β = 1/3.
            var z = new[] { 2.0, -1.0, 0.5, -3.0, 0.3, 1.0 };
            using var x = tensor(z, new long[] { 1, 2, 1, 3 });
            using var t = tensor(new[] { 1.0, 0, 0, 1, 1, 0 }, new long[] { 1, 2, 1, 3 });
            double c0 = 2.0 / 3 * Pos(2) + 1.0 / 3 * (Neg(-1) + Neg(0.5));
            double c1 = 1.0 / 3 * (Pos(-3) + Pos(0.3)) + 2.0 / 3 * Neg(1);
            Value(new BalancedCrossEntropyLoss(LossMode.Multilabel), x, t).Should().BeApproximately((c0 + c1) / 6, Tol);
        }

        [Fact]
        public void Soft_targets_count_fractionally()
        {
            // t = (0.9, 0.3, 0): |Y+| = 1.2, |Y−| = 1.8 → β = 0.6.
            var z = new[] { 2.0, -1.0, 0.5 };
            using var x = tensor(z, new long[] { 1, 1, 1, 3 });
            using var t = tensor(new[] { 0.9, 0.3, 0.0 }, new long[] { 1, 1, 1, 3 });
            double Entry(double zi, double ti) => 0.6 * ti * Pos(zi) + 0.4 * (1 - ti) * Neg(zi);
            double expected = (Entry(2, 0.9) + Entry(-1, 0.3) + Entry(0.5, 0)) / 3;
            Value(new BalancedCrossEntropyLoss(), x, t).Should().BeApproximately(expected, Tol);
        }

        [Fact]
        public void Fixed_beta_one_half_is_half_the_plain_bce_and_probabilities_match_logits()
        {
            using var scope = NewDisposeScope();
            var (x, t, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: false, ignore: true);
            Value(new BalancedCrossEntropyLoss(LossMode.Multilabel, beta: 0.5, ignoreIndex: Ignore), x, t)
                .Should().BeApproximately(0.5 * Value(new CrossEntropyLoss(LossMode.Multilabel, ignoreIndex: Ignore), x, t), Tol);
            Value(new BalancedCrossEntropyLoss(LossMode.Multilabel, fromLogits: false, ignoreIndex: Ignore), x.sigmoid(), t)
                .Should().BeApproximately(Value(new BalancedCrossEntropyLoss(LossMode.Multilabel, ignoreIndex: Ignore), x, t), 1e-10);
        }

        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void Extreme_logits_give_finite_values_and_gradients(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1e4, -1e4, 1e4, -1e4 }, new long[] { 1, 1, 1, 4 }, dtype).requires_grad_(true);
            var t = tensor(new[] { 1.0, 1.0, 0.0, 0.0 }, new long[] { 1, 1, 1, 4 }, dtype);
            var loss = new BalancedCrossEntropyLoss().call(x, t);
            loss.backward();
            // β = 1/2: the wrong positive and the wrong negative each cost 0.5·1e4.
            loss.ToDouble().Should().BeApproximately(1e4 / 4, 1.0);
            x.grad!.isfinite().all().item<bool>().Should().BeTrue();
        }

        // ---------------------------------------------------------------- gradients

        [Theory]
        [InlineData(LossMode.Binary, false, false)]
        [InlineData(LossMode.Binary, false, true)]
        [InlineData(LossMode.Binary, true, false)]
        [InlineData(LossMode.Binary, true, true)]
        [InlineData(LossMode.Multilabel, false, false)]
        [InlineData(LossMode.Multilabel, false, true)]
        [InlineData(LossMode.Multilabel, true, false)]
        [InlineData(LossMode.Multilabel, true, true)]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, t, _) = PixelLossChecks.Case(mode, threeD, ignore);
            GradCheck.Full(v => new BalancedCrossEntropyLoss(mode, ignoreIndex: Ignore).call(v, t), x);
            GradCheck.Full(v => new BalancedCrossEntropyLoss(mode, perImage: false, ignoreIndex: Ignore, reduction: nn.Reduction.None).call(v, t), x);
            GradCheck.Full(v => new BalancedCrossEntropyLoss(mode, beta: 0.8, ignoreIndex: Ignore, reduction: nn.Reduction.Sum).call(v, t), x);
        }

        [Fact]
        public void Gradient_matches_for_probability_inputs_and_soft_targets()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 1, 3, 2);
            var soft = TestData.Logits(4, 2, 1, 3, 2).sigmoid();
            GradCheck.Full(v => new BalancedCrossEntropyLoss().call(v, soft), x);
            GradCheck.Full(v => new BalancedCrossEntropyLoss(fromLogits: false).call(v, soft), x.sigmoid());
        }

        // ---------------------------------------------------------------- properties

        [Fact]
        public void Positives_and_negatives_pull_with_equal_total_weight()
        {
            using var scope = NewDisposeScope();
            // At z = 0, dℓ/dz is −β/2 per positive and (1 − β)/2 per negative: with β = |Y−|/|Y| the two totals cancel.
            var t = tensor(new[] { 1.0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, new long[] { 1, 1, 3, 4 });
            var (_, gradient) = PixelLossChecks.ValueAndGradient(v => new BalancedCrossEntropyLoss().call(v, t), zeros(1, 1, 3, 4, ScalarType.Float64));
            gradient.Sum().Should().BeApproximately(0, 1e-15);
            gradient.Where(g => g < 0).Sum().Should().BeApproximately(-(2.0 * 10 / 12) / 2 / 12, 1e-15);
        }

        [Fact]
        public void Perfect_prediction_is_the_minimum_and_more_error_gives_more_loss()
        {
            using var scope = NewDisposeScope();
            var (_, t, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: false, ignore: false);
            var right = t * 2 - 1;
            var loss = new BalancedCrossEntropyLoss(LossMode.Multilabel);
            Value(loss, right * 40, t).Should().BeLessThan(1e-15);
            for (long seed = 0; seed < 5; seed++)
                Value(loss, TestData.Logits(seed, t.shape), t).Should().BeGreaterThan(Value(loss, right * 40, t));
            double previous = double.NegativeInfinity;
            for (int k = 3; k >= -3; k--)
            {
                double v = Value(loss, right * k, t);
                v.Should().BeGreaterThan(previous);
                previous = v;
            }
        }

        [Theory]
        [InlineData(LossMode.Binary, true)]
        [InlineData(LossMode.Multilabel, true)]
        [InlineData(LossMode.Multilabel, false)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode, bool perImage)
        {
            using var scope = NewDisposeScope();
            var (x, t, ignored) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            var loss = new BalancedCrossEntropyLoss(mode, perImage: perImage, ignoreIndex: Ignore);
            PixelLossChecks.IgnoredPixelsAreInert(v => loss.call(v, t), x, ignored);
        }

        [Fact]
        public void Permuting_pixels_does_not_change_the_mean()
        {
            using var scope = NewDisposeScope();
            var (x, t, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: true, ignore: true);
            var loss = new BalancedCrossEntropyLoss(LossMode.Multilabel, ignoreIndex: Ignore);
            var permuted = PixelLossChecks.PermutePixels(4, (x, 2), (t, 2));
            Value(loss, permuted[0], permuted[1]).Should().BeApproximately(Value(loss, x, t), 1e-12);
        }

        // ---------------------------------------------------------------- bad input

        private static void Throws(Action action, string paramName, params string[] fragments)
        {
            var e = action.Should().Throw<ArgumentException>().Which;
            e.ParamName.Should().Be(paramName);
            foreach (var f in fragments) e.Message.Should().Contain(f);
        }

        [Fact]
        public void Bad_options_and_tensors_are_rejected()
        {
            using var scope = NewDisposeScope();
            Throws(() => new BalancedCrossEntropyLoss(LossMode.Multiclass), "mode", "Binary or Multilabel", "Multiclass");
            Throws(() => new BalancedCrossEntropyLoss((LossMode)4), "mode", "4");
            Throws(() => new BalancedCrossEntropyLoss(beta: 1.2), "beta", "[0, 1]", "1.2");
            Throws(() => new BalancedCrossEntropyLoss(beta: double.NaN), "beta", "NaN");
            Throws(() => new BalancedCrossEntropyLoss(reduction: (nn.Reduction)3), "reduction", "3");
            var x = zeros(2, 1, 4, 4, ScalarType.Float64);
            Throws(() => new BalancedCrossEntropyLoss().call(zeros(2, 2, 4, 4, ScalarType.Float64), zeros(2, 2, 4, 4, ScalarType.Float64)), "input", "2 channels", "exactly 1");
            Throws(() => new BalancedCrossEntropyLoss().call(x, zeros(3, 1, 4, 4, ScalarType.Float64)), "target", "[3, 1, 4, 4]", "[2, 1, 4, 4]");
            Throws(() => new BalancedCrossEntropyLoss().call(x, zeros(2, 4, 5, ScalarType.Float64)), "target", "[2, 4, 5]", "[2, 4, 4]");
            Throws(() => new BalancedCrossEntropyLoss().call(x, full(new long[] { 2, 1, 4, 4 }, -0.5, ScalarType.Float64)), "target", "[0, 1]", "-0.5");
            Throws(() => new BalancedCrossEntropyLoss().call(zeros(2, 1, ScalarType.Float64), zeros(2, 1, ScalarType.Float64)), "input", "[2, 1]");
            Throws(() => new BalancedCrossEntropyLoss(fromLogits: false).call(full(new long[] { 2, 1, 4, 4 }, 1.5, ScalarType.Float64), zeros(2, 1, 4, 4, ScalarType.Float64)), "input", "[0, 1]");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class BalancedCrossEntropyLossMemoryTests
    {
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Forward_and_backward_leave_no_live_tensors(bool perImage)
        {
            var (x, t, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: true, ignore: true);
            using var loss = new BalancedCrossEntropyLoss(LossMode.Multilabel, perImage: perImage, ignoreIndex: PixelLossChecks.IgnoreValue);
            using var leaf = x.detach().requires_grad_(true);
            LiveTensors.AssertNoLeak(() =>
            {
                using var value = loss.call(leaf, t);
                value.backward();
            }, "a forward/backward call must dispose every intermediate");
        }
    }
}
