using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Tests.Losses
{
    public class CrossEntropyLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        private static double Softplus(double v) => Math.Log(1 + Math.Exp(v));


        private static double[] Values(Tensor t) => t.data<double>().ToArray();

        // (N, C, H, W) = (1, 2, 1, 2): pixel 0 has logits (1, 2), pixel 1 has logits (0, 3).
        private static Tensor TinyLogits() => tensor(new[] { 1.0, 0.0, 2.0, 3.0 }, new long[] { 1, 2, 1, 2 });

        // Labels: pixel 0 is class 1, pixel 1 is class 0.
        private static Tensor TinyLabels() => tensor(new long[] { 1, 0 }, new long[] { 1, 1, 2 });

        // −log softmax: pixel 0, class 1: log(1 + e^(1−2)); pixel 1, class 0: log(1 + e^(3−0)).
        private static readonly double L0 = Softplus(-1);
        private static readonly double L1 = Softplus(3);

        // ---------------------------------------------------------------- hand-computed values

        [Fact]
        public void Multiclass_tiny_example_matches_hand_computation()
        {
            using var x = TinyLogits();
            using var y = TinyLabels();
            Value(new CrossEntropyLoss(), x, y).Should().BeApproximately((L0 + L1) / 2, Tol);
            Value(new CrossEntropyLoss(reduction: nn.Reduction.Sum), x, y).Should().BeApproximately(L0 + L1, Tol);
            using var none = new CrossEntropyLoss(reduction: nn.Reduction.None).call(x, y);
            none.shape.Should().Equal(1, 1, 2);
            Values(none).Should().Equal(new[] { L0, L1 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Class_weights_use_the_weighted_mean()
        {
            using var x = TinyLogits();
            using var y = TinyLabels();
            using var w = tensor(new[] { 0.5, 2.0 });
            // pixel 0 has label 1 (weight 2), pixel 1 label 0 (weight 0.5): mean = Σ w_y ℓ / Σ w_y.
            Value(new CrossEntropyLoss(classWeights: w), x, y).Should().BeApproximately((2 * L0 + 0.5 * L1) / 2.5, Tol);
            Value(new CrossEntropyLoss(classWeights: w, reduction: nn.Reduction.Sum), x, y).Should().BeApproximately(2 * L0 + 0.5 * L1, Tol);
            using var none = new CrossEntropyLoss(classWeights: w, reduction: nn.Reduction.None).call(x, y);
            Values(none).Should().Equal(new[] { 2 * L0, 0.5 * L1 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Label_smoothing_matches_hand_computation()
        {
            using var x = TinyLogits();
            using var y = TinyLabels();
            const double eps = 0.2;
            // −log p_c per pixel: pixel 0: class 0 log(1+e^1), class 1 log(1+e^-1); pixel 1: class 0 log(1+e^3), class 1 log(1+e^-3).
            double p0 = (1 - eps) * Softplus(-1) + eps / 2 * (Softplus(1) + Softplus(-1));
            double p1 = (1 - eps) * Softplus(3) + eps / 2 * (Softplus(3) + Softplus(-3));
            Value(new CrossEntropyLoss(labelSmoothing: eps), x, y).Should().BeApproximately((p0 + p1) / 2, Tol);
            using var w = tensor(new[] { 0.5, 2.0 });
            // With weights: (1 − ε)·w_y·nll + (ε/C)·Σ_c w_c·(−log p_c), divided by Σ w_y.
            double q0 = (1 - eps) * 2 * Softplus(-1) + eps / 2 * (0.5 * Softplus(1) + 2 * Softplus(-1));
            double q1 = (1 - eps) * 0.5 * Softplus(3) + eps / 2 * (0.5 * Softplus(3) + 2 * Softplus(-3));
            Value(new CrossEntropyLoss(classWeights: w, labelSmoothing: eps), x, y).Should().BeApproximately((q0 + q1) / 2.5, Tol);
        }

        [Fact]
        public void Ignored_pixels_leave_the_mean_sum_and_none()
        {
            using var x = TinyLogits();
            using var y = tensor(new long[] { 1, Ignore }, new long[] { 1, 1, 2 });
            Value(new CrossEntropyLoss(ignoreIndex: Ignore), x, y).Should().BeApproximately(L0, Tol);
            Value(new CrossEntropyLoss(ignoreIndex: Ignore, reduction: nn.Reduction.Sum), x, y).Should().BeApproximately(L0, Tol);
            using var none = new CrossEntropyLoss(ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, y);
            Values(none).Should().Equal(new[] { L0, 0.0 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Soft_targets_match_hand_computation()
        {
            using var x = TinyLogits();
            // pixel 0: (0.3, 0.7); pixel 1: (1, 0).
            using var g = tensor(new[] { 0.3, 1.0, 0.7, 0.0 }, new long[] { 1, 2, 1, 2 });
            double l0 = 0.3 * Softplus(1) + 0.7 * Softplus(-1);
            double l1 = Softplus(3);
            Value(new CrossEntropyLoss(), x, g).Should().BeApproximately((l0 + l1) / 2, Tol);
            using var w = tensor(new[] { 0.5, 2.0 });
            // Soft targets: Σ_c w_c g_c (−log p_c), mean over pixels (PyTorch's probability-target semantics).
            double m0 = 0.5 * 0.3 * Softplus(1) + 2 * 0.7 * Softplus(-1);
            double m1 = 0.5 * Softplus(3);
            Value(new CrossEntropyLoss(classWeights: w), x, g).Should().BeApproximately((m0 + m1) / 2, Tol);
        }

        [Fact]
        public void Probability_inputs_are_logged_directly()
        {
            // pixel 0: p = (0.25, 0.75), label 1; pixel 1: p = (0.9, 0.1), label 0.
            using var p = tensor(new[] { 0.25, 0.9, 0.75, 0.1 }, new long[] { 1, 2, 1, 2 });
            using var y = TinyLabels();
            Value(new CrossEntropyLoss(fromLogits: false), p, y).Should().BeApproximately((-Math.Log(0.75) - Math.Log(0.9)) / 2, Tol);
            // A zero probability on the true class is clamped at 1e-7 instead of giving infinity.
            using var hard = tensor(new[] { 1.0, 0.9, 0.0, 0.1 }, new long[] { 1, 2, 1, 2 });
            Value(new CrossEntropyLoss(fromLogits: false), hard, y).Should().BeApproximately((-Math.Log(1e-7) - Math.Log(0.9)) / 2, 1e-9);
        }

        [Fact]
        public void Binary_uses_bce_with_pos_weight()
        {
            // (1, 1, 1, 2): logits (2, −1), targets (1, 0), posWeight 3.
            using var x = tensor(new[] { 2.0, -1.0 }, new long[] { 1, 1, 1, 2 });
            using var t = tensor(new[] { 1.0, 0.0 }, new long[] { 1, 1, 1, 2 });
            double l0 = 3 * Softplus(-2), l1 = Softplus(-1);
            Value(new CrossEntropyLoss(LossMode.Binary, posWeight: tensor(3.0)), x, t).Should().BeApproximately((l0 + l1) / 2, Tol);
            // The squeezed target (N, *spatial) is accepted too.
            using var squeezed = t.reshape(1, 1, 2);
            Value(new CrossEntropyLoss(LossMode.Binary, posWeight: tensor(3.0)), x, squeezed).Should().BeApproximately((l0 + l1) / 2, Tol);
            using var none = new CrossEntropyLoss(LossMode.Binary, reduction: nn.Reduction.None).call(x, t);
            none.shape.Should().Equal(1, 1, 1, 2);
            Values(none).Should().Equal(new[] { Softplus(-2), Softplus(-1) }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Binary_label_smoothing_moves_targets_towards_one_half()
        {
            using var x = tensor(new[] { 2.0 }, new long[] { 1, 1, 1, 1 });
            using var t = tensor(new[] { 1.0 }, new long[] { 1, 1, 1, 1 });
            // t' = 0.8·1 + 0.1 = 0.9: ℓ = 0.9·log(1+e^-2) + 0.1·log(1+e^2).
            Value(new CrossEntropyLoss(LossMode.Binary, labelSmoothing: 0.2), x, t).Should().BeApproximately(0.9 * Softplus(-2) + 0.1 * Softplus(2), Tol);
        }

        [Fact]
        public void Multilabel_uses_per_channel_pos_weight_and_class_weights()
        {
            // (1, 2, 1, 1): logits (0.5, −2), targets (1, 1).
            using var x = tensor(new[] { 0.5, -2.0 }, new long[] { 1, 2, 1, 1 });
            using var t = tensor(new[] { 1.0, 1.0 }, new long[] { 1, 2, 1, 1 });
            double c0 = 2 * Softplus(-0.5), c1 = 0.5 * Softplus(2);
            Value(new CrossEntropyLoss(LossMode.Multilabel, posWeight: tensor(new[] { 2.0, 0.5 })), x, t).Should().BeApproximately((c0 + c1) / 2, Tol);
            // Class weights scale each channel; the mean stays over entries (torch's BCE weight semantics).
            Value(new CrossEntropyLoss(LossMode.Multilabel, classWeights: tensor(new[] { 1.0, 3.0 }), posWeight: tensor(new[] { 2.0, 0.5 })), x, t)
                .Should().BeApproximately((c0 + 3 * c1) / 2, Tol);
        }

        [Fact]
        public void Every_pixel_ignored_gives_zero_with_zero_gradient()
        {
            using var x = TinyLogits();
            using var y = tensor(new long[] { Ignore, Ignore }, new long[] { 1, 1, 2 });
            var (value, gradient) = PixelLossChecks.ValueAndGradient(v => new CrossEntropyLoss(ignoreIndex: Ignore).call(v, y), x);
            value.Should().Be(0.0);
            gradient.Should().OnlyContain(g => g == 0.0);
            using var w = tensor(new[] { 1.0, 2.0 });
            Value(new CrossEntropyLoss(classWeights: w, ignoreIndex: Ignore), x, y).Should().Be(0.0);
            using var tb = tensor(new[] { (double)Ignore, Ignore }, new long[] { 1, 1, 1, 2 });
            using var xb = tensor(new[] { 1.0, -1.0 }, new long[] { 1, 1, 1, 2 });
            Value(new CrossEntropyLoss(LossMode.Binary, ignoreIndex: Ignore), xb, tb).Should().Be(0.0);
        }

        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void Extreme_logits_give_finite_values_and_gradients(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            // Pixel 0 is confidently right, pixel 1 confidently wrong.
            var x = tensor(new[] { 1e4, -1e4, -1e4, 1e4 }, new long[] { 1, 2, 1, 2 }, dtype).requires_grad_(true);
            var y = tensor(new long[] { 0, 0 }, new long[] { 1, 1, 2 });
            var loss = new CrossEntropyLoss().call(x, y);
            loss.backward();
            loss.ToDouble().Should().BeApproximately(1e4, 1.0);
            x.grad!.isfinite().all().item<bool>().Should().BeTrue();

            var xb = tensor(new[] { 1e4, -1e4 }, new long[] { 1, 1, 1, 2 }, dtype).requires_grad_(true);
            var tb = tensor(new[] { 0.0, 0.0 }, new long[] { 1, 1, 1, 2 }, dtype);
            var bce = new CrossEntropyLoss(LossMode.Binary, posWeight: tensor(2.0)).call(xb, tb);
            bce.backward();
            bce.ToDouble().Should().BeApproximately(5e3, 1.0);
            xb.grad!.isfinite().all().item<bool>().Should().BeTrue();
        }

        [Fact]
        public void Half_precision_is_computed_in_float32()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var loss = new CrossEntropyLoss(ignoreIndex: Ignore);
            var half = loss.call(x.to(ScalarType.Float16), y);
            half.dtype.Should().Be(ScalarType.Float32);
            half.ToDouble().Should().BeApproximately(Value(loss, x, y), 1e-2);
        }

        // ---------------------------------------------------------------- gradients

        [Theory]
        [MemberData(nameof(PixelLossChecks.ModeCases), MemberType = typeof(PixelLossChecks))]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            long c = x.shape[1];
            var weights = linspace(0.5, 2.0, c, ScalarType.Float64);
            var options = mode == LossMode.Multiclass
                ? new CrossEntropyLoss(mode, classWeights: weights, ignoreIndex: Ignore, labelSmoothing: 0.1)
                : new CrossEntropyLoss(mode, classWeights: weights, ignoreIndex: Ignore, labelSmoothing: 0.1, posWeight: weights.flip(0));
            GradCheck.Full(v => options.call(v, target), x);
            var plain = new CrossEntropyLoss(mode, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            GradCheck.Full(v => plain.call(v, target), x);
        }

        [Fact]
        public void Gradient_matches_for_soft_targets_and_probability_inputs()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            GradCheck.Full(v => new CrossEntropyLoss(classWeights: tensor(new[] { 1.0, 2.0, 0.5 }), labelSmoothing: 0.1).call(v, soft), x);
            var (_, labels, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var p = x.softmax(1);
            GradCheck.Full(v => new CrossEntropyLoss(fromLogits: false, ignoreIndex: Ignore).call(v, labels), p);
            var pb = x.narrow(1, 0, 1).sigmoid();
            var tb = TestData.BinaryTargets(5, 2, 1, 3, 2);
            GradCheck.Full(v => new CrossEntropyLoss(LossMode.Binary, fromLogits: false).call(v, tb), pb);
        }

        // ---------------------------------------------------------------- properties

        [Fact]
        public void Perfect_prediction_is_the_minimum()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            var perfect = TestData.PerfectLogits(labels, 3);
            var loss = new CrossEntropyLoss();
            double best = Value(loss, perfect, labels);
            best.Should().BeGreaterThanOrEqualTo(0).And.BeLessThan(1e-10);
            for (long seed = 0; seed < 5; seed++)
                Value(loss, TestData.Logits(seed, 2, 3, 3, 2), labels).Should().BeGreaterThan(best);

            var t = TestData.BinaryTargets(3, 2, 1, 3, 2);
            var bce = new CrossEntropyLoss(LossMode.Binary);
            Value(bce, (t * 2 - 1) * 40, t).Should().BeLessThan(1e-10);
        }

        [Fact]
        public void More_error_gives_more_loss()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            var right = TestData.PerfectLogits(labels, 3, margin: 1);
            var wrong = TestData.PerfectLogits(labels.add(1).remainder(3), 3, margin: 1);
            var loss = new CrossEntropyLoss();
            // k < 0 favours the true class, k > 0 a wrong one.
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, labels);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            var weights = linspace(0.5, 2.0, x.shape[1], ScalarType.Float64);
            var loss = new CrossEntropyLoss(mode, classWeights: weights, ignoreIndex: Ignore, labelSmoothing: 0.1);
            PixelLossChecks.IgnoredPixelsAreInert(v => loss.call(v, target), x, ignored);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void Permuting_pixels_does_not_change_the_mean(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: true, ignore: true);
            var loss = new CrossEntropyLoss(mode, ignoreIndex: Ignore);
            var permuted = PixelLossChecks.PermutePixels(9, (x, 2), (target, mode == LossMode.Multiclass ? 1 : 2));
            Value(loss, permuted[0], permuted[1]).Should().BeApproximately(Value(loss, x, target), 1e-12);
        }

        // ---------------------------------------------------------------- agreement with TorchSharp

        [Theory]
        [InlineData(false, nn.Reduction.Mean)]
        [InlineData(false, nn.Reduction.Sum)]
        [InlineData(false, nn.Reduction.None)]
        [InlineData(true, nn.Reduction.Mean)]
        [InlineData(true, nn.Reduction.Sum)]
        [InlineData(true, nn.Reduction.None)]
        public void Agrees_with_functional_cross_entropy(bool threeD, nn.Reduction reduction)
        {
            using var scope = NewDisposeScope();
            var (x, labels, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD, ignore: true);
            var w = linspace(0.5, 2.0, x.shape[1], ScalarType.Float64);
            foreach (var eps in new[] { 0.0, 0.15 })
            {
                var ours = new CrossEntropyLoss(classWeights: w, ignoreIndex: Ignore, labelSmoothing: eps, reduction: reduction).call(x, labels);
                var theirs = F.cross_entropy(x, labels, w, Ignore, reduction, eps);
                ours.shape.Should().Equal(theirs.shape);
                ours.allclose(theirs, rtol: 1e-10, atol: 1e-12).Should().BeTrue($"ε = {eps}, {reduction}");
                var unweighted = new CrossEntropyLoss(ignoreIndex: Ignore, labelSmoothing: eps, reduction: reduction).call(x, labels);
                unweighted.allclose(F.cross_entropy(x, labels, null, Ignore, reduction, eps), rtol: 1e-10, atol: 1e-12).Should().BeTrue();
            }
        }

        [Fact]
        public void Agrees_with_functional_cross_entropy_for_soft_targets_and_float32()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            var w = tensor(new[] { 1.0, 2.0, 0.5 });
            var ours = new CrossEntropyLoss(classWeights: w, labelSmoothing: 0.1).call(x, soft);
            ours.allclose(F.cross_entropy(x, soft, w, label_smoothing: 0.1), rtol: 1e-10, atol: 1e-12).Should().BeTrue();

            var (x2, labels, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var x32 = x2.to(ScalarType.Float32);
            var w32 = w.to(ScalarType.Float32);
            var ours32 = new CrossEntropyLoss(classWeights: w, ignoreIndex: Ignore).call(x32, labels);
            ours32.dtype.Should().Be(ScalarType.Float32);
            ours32.allclose(F.cross_entropy(x32, labels, w32, Ignore), rtol: 1e-5, atol: 1e-6).Should().BeTrue();
        }

        [Theory]
        [InlineData(LossMode.Binary, false)]
        [InlineData(LossMode.Binary, true)]
        [InlineData(LossMode.Multilabel, false)]
        [InlineData(LossMode.Multilabel, true)]
        public void Agrees_with_functional_binary_cross_entropy_with_logits(LossMode mode, bool threeD)
        {
            using var scope = NewDisposeScope();
            var (x, t, _) = PixelLossChecks.Case(mode, threeD, ignore: false);
            long c = x.shape[1];
            long[] channelShape = new[] { c }.Concat(Enumerable.Repeat(1L, (int)x.dim() - 2)).ToArray();
            var pos = linspace(0.5, 3.0, c, ScalarType.Float64);
            var w = linspace(2.0, 0.25, c, ScalarType.Float64);
            foreach (var reduction in new[] { nn.Reduction.Mean, nn.Reduction.Sum, nn.Reduction.None })
            {
                var ours = new CrossEntropyLoss(mode, classWeights: w, posWeight: pos, reduction: reduction).call(x, t);
                var theirs = F.binary_cross_entropy_with_logits(x, t, w.reshape(channelShape), reduction, pos.reshape(channelShape));
                ours.shape.Should().Equal(theirs.shape);
                ours.allclose(theirs, rtol: 1e-10, atol: 1e-12).Should().BeTrue($"{reduction}");
            }
        }

        [Fact]
        public void Ignored_bce_entries_agree_with_a_zero_weight_sum()
        {
            using var scope = NewDisposeScope();
            var (x, t, ignored) = PixelLossChecks.Case(LossMode.Multilabel, threeD: false, ignore: true);
            var valid = ignored.logical_not().to(ScalarType.Float64);
            var ours = new CrossEntropyLoss(LossMode.Multilabel, ignoreIndex: Ignore, reduction: nn.Reduction.Sum).call(x, t);
            var theirs = F.binary_cross_entropy_with_logits(x, t * valid, valid, nn.Reduction.Sum);
            ours.allclose(theirs, rtol: 1e-10, atol: 1e-12).Should().BeTrue();
            var mean = new CrossEntropyLoss(LossMode.Multilabel, ignoreIndex: Ignore).call(x, t);
            mean.ToDouble().Should().BeApproximately(theirs.ToDouble() / valid.sum().ToDouble(), 1e-12);
        }

        // ---------------------------------------------------------------- module behaviour

        [Fact]
        public void Weights_are_registered_buffers_that_move_with_the_module()
        {
            using var loss = new CrossEntropyLoss(LossMode.Multilabel, classWeights: tensor(new[] { 1.0, 2.0 }), posWeight: tensor(new[] { 3.0, 4.0 }));
            loss.named_buffers().Select(b => b.name).Should().BeEquivalentTo("classWeights", "posWeight");
            loss.to(ScalarType.Float32);
            loss.ClassWeights!.dtype.Should().Be(ScalarType.Float32);
            loss.PosWeight!.dtype.Should().Be(ScalarType.Float32);
            using var x = tensor(new[] { 0.5, -2.0 }, new long[] { 1, 2, 1, 1 });
            using var t = tensor(new[] { 1.0, 1.0 }, new long[] { 1, 2, 1, 1 });
            Value(loss, x, t).Should().BeApproximately((3 * Softplus(-0.5) + 2 * 4 * Softplus(2)) / 2, 1e-6);
        }

        [Fact]
        public void Composes_with_other_losses()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: false);
            var ce = new CrossEntropyLoss();
            var dice = new DiceLoss();
            var combined = dice + 0.5 * ce;
            Value(combined, x, y).Should().BeApproximately(Value(dice, x, y) + 0.5 * Value(ce, x, y), 1e-12);
            combined.DisplayName.Should().Be("Dice + 0.5·CrossEntropy");
        }

        // ---------------------------------------------------------------- bad input

        private static ArgumentException Throws(Action action, string paramName, params string[] fragments)
        {
            var e = action.Should().Throw<ArgumentException>().Which;
            e.ParamName.Should().Be(paramName);
            foreach (var f in fragments) e.Message.Should().Contain(f);
            return e;
        }

        [Fact]
        public void Bad_tensors_are_rejected_with_the_argument_and_the_shapes()
        {
            using var scope = NewDisposeScope();
            var ce = new CrossEntropyLoss();
            var x = zeros(2, 3, 4, 4, ScalarType.Float64);
            Throws(() => ce.call(zeros(2, 3, ScalarType.Float64), zeros(2, ScalarType.Int64)), "input", "[2, 3]", "(N, C, *spatial)");
            Throws(() => ce.call(zeros(2, 1, 4, 4, ScalarType.Float64), zeros(2, 4, 4, ScalarType.Int64)), "input", "1 channel", "at least 2");
            Throws(() => new CrossEntropyLoss(LossMode.Binary).call(x, zeros(2, 3, 4, 4, ScalarType.Float64)), "input", "3 channels", "exactly 1");
            Throws(() => ce.call(x, zeros(3, 4, 4, ScalarType.Int64)), "target", "[3, 4, 4]", "[2, 4, 4]");
            Throws(() => ce.call(x, zeros(2, 4, 5, ScalarType.Int64)), "target", "[2, 4, 5]", "[2, 4, 4]");
            Throws(() => ce.call(x, zeros(2, 4, 4, ScalarType.Float32)), "target", "Float32", "integers");
            Throws(() => ce.call(x, full(new long[] { 2, 4, 4 }, 3L, ScalarType.Int64)), "target", "label 3", "[0, 3)");
            Throws(() => new CrossEntropyLoss(ignoreIndex: Ignore).call(x, full(new long[] { 2, 4, 4 }, -1L, ScalarType.Int64)), "target", "label -1", "ignore index 255");
            Throws(() => new CrossEntropyLoss(LossMode.Multilabel).call(x, full(new long[] { 2, 3, 4, 4 }, 2.0, ScalarType.Float64)), "target", "[0, 1]", "2");
            Throws(() => new CrossEntropyLoss(classWeights: tensor(new[] { 1.0, 2.0 })).call(x, zeros(2, 4, 4, ScalarType.Int64)), "classWeights", "2 entries", "3 classes");
            Throws(() => new CrossEntropyLoss(LossMode.Multilabel, posWeight: tensor(new[] { 1.0, 2.0 })).call(x, zeros(2, 3, 4, 4, ScalarType.Float64)), "posWeight", "2 entries", "3 channels");
        }

        [Fact]
        public void Bad_options_are_rejected_in_the_constructor()
        {
            using var scope = NewDisposeScope();
            Throws(() => new CrossEntropyLoss((LossMode)7), "mode", "7");
            Throws(() => new CrossEntropyLoss(reduction: (nn.Reduction)9), "reduction", "9");
            Throws(() => new CrossEntropyLoss(labelSmoothing: 1.5), "labelSmoothing", "[0, 1]", "1.5");
            Throws(() => new CrossEntropyLoss(labelSmoothing: double.NaN), "labelSmoothing", "NaN");
            Throws(() => new CrossEntropyLoss(classWeights: tensor(new[] { 1.0, -2.0 })), "classWeights", "non-negative", "-2");
            Throws(() => new CrossEntropyLoss(classWeights: ones(2, 2)), "classWeights", "[2, 2]");
            Throws(() => new CrossEntropyLoss(posWeight: tensor(2.0)), "posWeight", "Multiclass");
            Throws(() => new CrossEntropyLoss(LossMode.Binary, posWeight: ones(1, 1)), "posWeight", "[1, 1]");
            Throws(() => new CrossEntropyLoss(LossMode.Binary, posWeight: tensor(double.PositiveInfinity)), "posWeight", "finite");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class CrossEntropyLossMemoryTests
    {
        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void Forward_and_backward_leave_no_live_tensors(LossMode mode)
        {
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var weights = linspace(0.5, 2.0, x.shape[1], ScalarType.Float64);
            using var loss = mode == LossMode.Multiclass
                ? new CrossEntropyLoss(mode, classWeights: weights, ignoreIndex: PixelLossChecks.IgnoreValue, labelSmoothing: 0.1)
                : new CrossEntropyLoss(mode, classWeights: weights, posWeight: weights, ignoreIndex: PixelLossChecks.IgnoreValue);
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
