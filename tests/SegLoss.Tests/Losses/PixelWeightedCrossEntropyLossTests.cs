using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Tests.Losses
{
    public class PixelWeightedCrossEntropyLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        private static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

        private static double Value(PixelWeightedCrossEntropyLoss loss, Tensor input, Tensor target, Tensor weights)
        {
            using var scope = NewDisposeScope();
            return loss.call(input, target, weights).item<double>();
        }

        // (1, 2, 1, 2): pixel 0 logits (1, 2) label 1 → log(1 + e^-1); pixel 1 logits (0, 3) label 0 → log(1 + e^3).
        private static Tensor TinyLogits() => tensor(new[] { 1.0, 0.0, 2.0, 3.0 }, new long[] { 1, 2, 1, 2 });
        private static readonly double L0 = Softplus(-1);
        private static readonly double L1 = Softplus(3);

        /// <summary>A positive float64 weight map (N, *spatial) for an input.</summary>
        private static Tensor WeightMap(Tensor input, long seed = 6)
        {
            var shape = new[] { input.shape[0] }.Concat(input.shape.Skip(2)).ToArray();
            return TestData.Logits(seed, shape).abs() + 0.1;
        }

        // ---------------------------------------------------------------- hand-computed values

        [Fact]
        public void Multiclass_tiny_example_matches_hand_computation()
        {
            using var x = TinyLogits();
            using var y = tensor(new long[] { 1, 0 }, new long[] { 1, 1, 2 });
            using var w = tensor(new[] { 3.0, 1.0 }, new long[] { 1, 1, 2 });
            Value(new PixelWeightedCrossEntropyLoss(), x, y, w).Should().BeApproximately((3 * L0 + L1) / 4, Tol);
            Value(new PixelWeightedCrossEntropyLoss(normalization: PixelWeightNormalization.PixelCount), x, y, w).Should().BeApproximately((3 * L0 + L1) / 2, Tol);
            Value(new PixelWeightedCrossEntropyLoss(reduction: nn.Reduction.Sum), x, y, w).Should().BeApproximately(3 * L0 + L1, Tol);
            using var none = new PixelWeightedCrossEntropyLoss(reduction: nn.Reduction.None).call(x, y, w);
            none.shape.Should().Equal(1, 1, 2);
            none.data<double>().ToArray().Should().Equal(new[] { 3 * L0, L1 }, (a, b) => Math.Abs(a - b) < Tol);
            // A (N, 1, *spatial) map is the same map.
            using var w4 = w.reshape(1, 1, 1, 2);
            Value(new PixelWeightedCrossEntropyLoss(), x, y, w4).Should().BeApproximately((3 * L0 + L1) / 4, Tol);
        }

        [Fact]
        public void Ignored_pixels_leave_both_sums()
        {
            using var x = TinyLogits();
            using var y = tensor(new long[] { 1, Ignore }, new long[] { 1, 1, 2 });
            using var w = tensor(new[] { 3.0, 1.0 }, new long[] { 1, 1, 2 });
            Value(new PixelWeightedCrossEntropyLoss(ignoreIndex: Ignore), x, y, w).Should().BeApproximately(L0, Tol);
            Value(new PixelWeightedCrossEntropyLoss(normalization: PixelWeightNormalization.PixelCount, ignoreIndex: Ignore), x, y, w).Should().BeApproximately(3 * L0, Tol);
        }

        [Fact]
        public void Binary_weights_each_pixel()
        {
            // (1, 1, 1, 2): logits (2, −1), targets (1, 0), weights (0.5, 2).
            using var x = tensor(new[] { 2.0, -1.0 }, new long[] { 1, 1, 1, 2 });
            using var t = tensor(new[] { 1.0, 0.0 }, new long[] { 1, 1, 1, 2 });
            using var w = tensor(new[] { 0.5, 2.0 }, new long[] { 1, 1, 2 });
            double sum = 0.5 * Softplus(-2) + 2 * Softplus(-1);
            Value(new PixelWeightedCrossEntropyLoss(LossMode.Binary), x, t, w).Should().BeApproximately(sum / 2.5, Tol);
            Value(new PixelWeightedCrossEntropyLoss(LossMode.Binary, normalization: PixelWeightNormalization.PixelCount), x, t, w).Should().BeApproximately(sum / 2, Tol);
            using var none = new PixelWeightedCrossEntropyLoss(LossMode.Binary, reduction: nn.Reduction.None).call(x, t, w);
            none.shape.Should().Equal(1, 1, 1, 2);
        }

        [Theory]
        [InlineData(LossMode.Multilabel, PixelWeightNormalization.WeightSum)]
        [InlineData(LossMode.Multilabel, PixelWeightNormalization.PixelCount)]
        [InlineData(LossMode.Multiclass, PixelWeightNormalization.WeightSum)]
        [InlineData(LossMode.Binary, PixelWeightNormalization.PixelCount)]
        public void Equals_the_weighted_per_pixel_cross_entropy(LossMode mode, PixelWeightNormalization normalization)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD: true, ignore: true);
            var w = WeightMap(x);
            var perPixel = new CrossEntropyLoss(mode, ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, target);
            var wb = mode == LossMode.Multiclass ? w : w.unsqueeze(1);
            var valid = (mode == LossMode.Multiclass ? ignored.select(1, 0) : ignored).logical_not().to(ScalarType.Float64);
            double numerator = (perPixel * wb).sum().ToDouble();
            double denominator = normalization == PixelWeightNormalization.WeightSum ? (valid * wb).sum().ToDouble() : valid.sum().ToDouble();
            Value(new PixelWeightedCrossEntropyLoss(mode, normalization: normalization, ignoreIndex: Ignore), x, target, w)
                .Should().BeApproximately(numerator / denominator, Tol);
        }

        [Fact]
        public void Uniform_weights_reduce_to_cross_entropy()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var c = full(new long[] { 2, 3, 2 }, 2.5, ScalarType.Float64);
            double ce = new CrossEntropyLoss(ignoreIndex: Ignore).call(x, y).ToDouble();
            Value(new PixelWeightedCrossEntropyLoss(ignoreIndex: Ignore), x, y, c).Should().BeApproximately(ce, Tol);
            Value(new PixelWeightedCrossEntropyLoss(normalization: PixelWeightNormalization.PixelCount, ignoreIndex: Ignore), x, y, c).Should().BeApproximately(2.5 * ce, Tol);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            Value(new PixelWeightedCrossEntropyLoss(), x, soft, c).Should().BeApproximately(new CrossEntropyLoss().call(x, soft).ToDouble(), Tol);
        }

        [Fact]
        public void Zero_weights_everywhere_give_zero_with_zero_gradient()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: false);
            var w = zeros(2, 3, 2, ScalarType.Float64);
            var (value, gradient) = PixelLossChecks.ValueAndGradient(v => new PixelWeightedCrossEntropyLoss().call(v, y, w), x);
            value.Should().Be(0.0);
            gradient.Should().OnlyContain(g => g == 0.0);
        }

        [Fact]
        public void The_weight_map_is_a_constant()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: false);
            var w = WeightMap(x).requires_grad_(true);
            var leaf = x.detach().clone().requires_grad_(true);
            new PixelWeightedCrossEntropyLoss().call(leaf, y, w).backward();
            leaf.grad.Should().NotBeNull();
            w.grad.Should().BeNull();
        }

        [Fact]
        public void Agrees_with_torch_functional_losses_times_the_map()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var w = WeightMap(x);
            var ce = F.cross_entropy(x, y, ignore_index: Ignore, reduction: nn.Reduction.None);
            var valid = y.ne(Ignore).to(ScalarType.Float64);
            Value(new PixelWeightedCrossEntropyLoss(ignoreIndex: Ignore), x, y, w).Should().BeApproximately(((ce * w).sum() / (w * valid).sum()).ToDouble(), Tol);

            var (xb, tb, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: false, ignore: false);
            var bce = F.binary_cross_entropy_with_logits(xb, tb, w.unsqueeze(1), nn.Reduction.Sum);
            Value(new PixelWeightedCrossEntropyLoss(LossMode.Multilabel, reduction: nn.Reduction.Sum), xb, tb, w).Should().BeApproximately(bce.ToDouble(), Tol);
        }

        // ---------------------------------------------------------------- gradients and properties

        [Theory]
        [MemberData(nameof(PixelLossChecks.ModeCases), MemberType = typeof(PixelLossChecks))]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            var w = WeightMap(x);
            var weightSum = new PixelWeightedCrossEntropyLoss(mode, ignoreIndex: Ignore);
            GradCheck.Full(v => weightSum.call(v, target, w), x);
            var pixelCount = new PixelWeightedCrossEntropyLoss(mode, normalization: PixelWeightNormalization.PixelCount, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            GradCheck.Full(v => pixelCount.call(v, target, w), x);
        }

        [Fact]
        public void Gradient_matches_for_probability_inputs()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var w = WeightMap(x);
            GradCheck.Full(v => new PixelWeightedCrossEntropyLoss(fromLogits: false, ignoreIndex: Ignore).call(v, y, w), x.softmax(1));
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Multilabel)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            var w = WeightMap(x);
            var loss = new PixelWeightedCrossEntropyLoss(mode, ignoreIndex: Ignore);
            PixelLossChecks.IgnoredPixelsAreInert(v => loss.call(v, target, w), x, ignored);
        }

        [Fact]
        public void Perfect_prediction_is_the_minimum_and_permuting_pixels_keeps_the_mean()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: true, ignore: true);
            var w = WeightMap(x);
            var loss = new PixelWeightedCrossEntropyLoss(ignoreIndex: Ignore);
            var labels = y.masked_fill(y.eq(Ignore), 0);
            double best = Value(loss, TestData.PerfectLogits(labels, 2), y, w);
            best.Should().BeLessThan(1e-10);
            Value(loss, x, y, w).Should().BeGreaterThan(best);
            var permuted = PixelLossChecks.PermutePixels(2, (x, 2), (y, 1), (w, 1));
            Value(loss, permuted[0], permuted[1], permuted[2]).Should().BeApproximately(Value(loss, x, y, w), 1e-12);
        }

        // ---------------------------------------------------------------- bad input

        private static void Throws<TException>(Action action, string paramName, params string[] fragments) where TException : ArgumentException
        {
            var e = action.Should().Throw<TException>().Which;
            e.ParamName.Should().Be(paramName);
            foreach (var f in fragments) e.Message.Should().Contain(f);
        }

        [Fact]
        public void Bad_weight_maps_and_options_are_rejected()
        {
            using var scope = NewDisposeScope();
            var x = zeros(2, 3, 4, 4, ScalarType.Float64);
            var y = zeros(2, 4, 4, ScalarType.Int64);
            var loss = new PixelWeightedCrossEntropyLoss();
            Throws<ArgumentException>(() => loss.call(x, y, ones(2, 3, 4, 4)), "weightMap", "[2, 3, 4, 4]", "[2, 4, 4]", "[2, 1, 4, 4]");
            Throws<ArgumentException>(() => loss.call(x, y, ones(3, 4, 4)), "weightMap", "[3, 4, 4]", "[2, 4, 4]");
            Throws<ArgumentException>(() => loss.call(x, y, ones(2, 4, 5)), "weightMap", "[2, 4, 5]", "[2, 4, 4]");
            Throws<ArgumentException>(() => loss.call(x, y, full(new long[] { 2, 4, 4 }, -1.0)), "weightMap", "non-negative", "-1");
            Throws<ArgumentException>(() => loss.call(x, y, full(new long[] { 2, 4, 4 }, double.NaN)), "weightMap", "finite", "NaN");
            Throws<ArgumentException>(() => loss.call(x, y, full(new long[] { 2, 4, 4 }, double.PositiveInfinity)), "weightMap", "finite");
            Throws<ArgumentNullException>(() => loss.call(x, y, null!), "weightMap");
            Throws<ArgumentException>(() => loss.call(x, zeros(2, 4, 3, ScalarType.Int64), ones(2, 4, 4)), "target", "[2, 4, 3]", "[2, 4, 4]");
            Throws<ArgumentException>(() => new PixelWeightedCrossEntropyLoss(LossMode.Binary).call(x, ones(2, 4, 4), ones(2, 4, 4)), "input", "3 channels", "exactly 1");
            Throws<ArgumentException>(() => new PixelWeightedCrossEntropyLoss(normalization: (PixelWeightNormalization)3), "normalization", "3");
            Throws<ArgumentException>(() => new PixelWeightedCrossEntropyLoss((LossMode)3), "mode", "3");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class PixelWeightedCrossEntropyLossMemoryTests
    {
        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void Forward_and_backward_leave_no_live_tensors(LossMode mode)
        {
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var w = full(new long[] { 2, 3, 2 }, 2.0, ScalarType.Float64);
            using var loss = new PixelWeightedCrossEntropyLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue);
            using var leaf = x.detach().requires_grad_(true);
            LiveTensors.AssertNoLeak(() =>
            {
                using var value = loss.call(leaf, target, w);
                value.backward();
            }, "a forward/backward call must dispose every intermediate");
        }
    }
}
