using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class DiceMimicLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        private static double[] Values(Tensor t) => t.data<double>().ToArray();

        // ---------------------------------------------------------------- hand-computed values

        [Fact]
        public void Binary_probabilities_match_hand_computation()
        {
            using var scope = NewDisposeScope();
            // s = (0.9, 0.2, 0.6, 0.1), g = (1, 0, 1, 0): Σ s·g = 1.5, Σ s·(1 − g) = 0.3, |Ω| = 4.
            var s = tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 1, 1, 4 });
            var g = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            Value(new DiceMimicLoss(LossMode.Binary, fromLogits: false), s, g).Should().BeApproximately(-1.5 / 4, Tol);
            Value(new DiceMimicLoss(LossMode.Binary, fromLogits: false, backgroundValue: 0.1), s, g).Should().BeApproximately((-1.5 + 0.1 * 0.3) / 4, Tol);
            var none = new DiceMimicLoss(LossMode.Binary, fromLogits: false, reduction: nn.Reduction.None).call(s, g);
            none.shape.Should().Equal(1, 1);
            Values(none).Should().Equal(new[] { -1.5 / 4 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Multiclass_probabilities_match_hand_computation()
        {
            using var scope = NewDisposeScope();
            // (1, 3, 2): pixel 0 s = (0.2, 0.5, 0.3) label 1; pixel 1 s = (0.6, 0.1, 0.3) label 0.
            var s = tensor(new[] { 0.2, 0.6, 0.5, 0.1, 0.3, 0.3 }, new long[] { 1, 3, 2 });
            var y = tensor(new long[] { 1, 0 }, new long[] { 1, 2 });
            var none = new DiceMimicLoss(fromLogits: false, reduction: nn.Reduction.None).call(s, y);
            none.shape.Should().Equal(1, 3);
            Values(none).Should().Equal(new[] { -0.6 / 2, -0.5 / 2, 0.0 }, (a, b) => Math.Abs(a - b) < Tol);
            // Mean sums the classes (one image): minus the mean true-class probability.
            Value(new DiceMimicLoss(fromLogits: false), s, y).Should().BeApproximately(-0.55, Tol);
            // b = 0.2: class 0: (−0.6 + 0.2·0.2)/2; class 1: (−0.5 + 0.2·0.1)/2; class 2 (absent): 0.2·0.6/2.
            var withB = new DiceMimicLoss(fromLogits: false, backgroundValue: 0.2, reduction: nn.Reduction.None).call(s, y);
            Values(withB).Should().Equal(new[] { -0.28, -0.24, 0.06 }, (a, b) => Math.Abs(a - b) < Tol);
            var noBackground = new DiceMimicLoss(fromLogits: false, backgroundValue: 0.2, includeBackground: false, reduction: nn.Reduction.None).call(s, y);
            noBackground.shape.Should().Equal(1, 2);
            Values(noBackground).Should().Equal(new[] { -0.24, 0.06 }, (a, b) => Math.Abs(a - b) < Tol);
            Value(new DiceMimicLoss(fromLogits: false, backgroundValue: 0.2, includeBackground: false, reduction: nn.Reduction.Sum), s, y)
                .Should().BeApproximately(-0.18, Tol);
        }

        [Fact]
        public void Mean_averages_images_and_ignored_pixels_leave_the_count()
        {
            using var scope = NewDisposeScope();
            // Two images of two pixels, 2 classes. Image 0: s_1 = (0.8, 0.3), labels (1, 0). Image 1: s_1 = (0.4, 0.9), labels (1, ignored).
            var s = tensor(new[] { 0.2, 0.7, 0.8, 0.3, 0.6, 0.1, 0.4, 0.9 }, new long[] { 2, 2, 2 });
            var y = tensor(new long[] { 1, 0, 1, Ignore }, new long[] { 2, 2 });
            var loss = new DiceMimicLoss(fromLogits: false, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            // Image 0: class 0 −0.7/2, class 1 −0.8/2; image 1 (|Ω| = 1): class 0 0, class 1 −0.4.
            Values(loss.call(s, y)).Should().Equal(new[] { -0.35, -0.4, 0.0, -0.4 }, (a, b) => Math.Abs(a - b) < Tol);
            Value(new DiceMimicLoss(fromLogits: false, ignoreIndex: Ignore), s, y).Should().BeApproximately((-0.75 - 0.4) / 2, Tol);
            // An image with every pixel ignored contributes 0 (and still counts in the mean over images).
            var allIgnored = tensor(new long[] { 1, 0, Ignore, Ignore }, new long[] { 2, 2 });
            Values(loss.call(s, allIgnored)).Should().Equal(new[] { -0.35, -0.4, 0.0, 0.0 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Soft_and_multilabel_targets_use_the_product_with_the_target()
        {
            using var scope = NewDisposeScope();
            // Multiclass soft target on one pixel: L_c = s_c·(−g_c + b(1 − g_c)).
            var s = tensor(new[] { 0.2, 0.5, 0.3 }, new long[] { 1, 3, 1 });
            var g = tensor(new[] { 0.1, 0.6, 0.3 }, new long[] { 1, 3, 1 });
            var none = new DiceMimicLoss(fromLogits: false, backgroundValue: 0.5, reduction: nn.Reduction.None).call(s, g);
            Values(none).Should().Equal(new[] { 0.2 * (-0.1 + 0.45), 0.5 * (-0.6 + 0.2), 0.3 * (-0.3 + 0.35) }, (a, b) => Math.Abs(a - b) < Tol);
            // Multilabel with one ignored entry: each channel divides by its own valid count.
            var sm = tensor(new[] { 0.9, 0.2, 0.7, 0.4 }, new long[] { 1, 2, 2 });
            var tm = tensor(new[] { 1.0, Ignore, 1, 0 }, new long[] { 1, 2, 2 });
            var multilabel = new DiceMimicLoss(LossMode.Multilabel, fromLogits: false, backgroundValue: 0.1, ignoreIndex: Ignore, reduction: nn.Reduction.None).call(sm, tm);
            Values(multilabel).Should().Equal(new[] { -0.9, (-0.7 + 0.1 * 0.4) / 2 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Logits_give_minus_the_mean_true_class_probability()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: false);
            var nll = new CrossEntropyLoss(reduction: nn.Reduction.None).call(x, y);
            Value(new DiceMimicLoss(), x, y).Should().BeApproximately(-nll.neg().exp().mean().ToDouble(), Tol);
            // Binary logits: the sigmoid is applied inside.
            var (xb, tb, _) = PixelLossChecks.Case(LossMode.Binary, threeD: true, ignore: false);
            Value(new DiceMimicLoss(LossMode.Binary), xb, tb).Should().BeApproximately(-(xb.sigmoid() * tb).sum().ToDouble() / 8, Tol);
        }

        // ---------------------------------------------------------------- the Dice gradient it mimics

        [Theory]
        [InlineData(LossMode.Multiclass, 0.0)]
        [InlineData(LossMode.Multiclass, 0.05)]
        [InlineData(LossMode.Binary, 0.05)]
        [InlineData(LossMode.Multilabel, 0.0)]
        public void Gradient_has_the_sign_pattern_of_the_dice_gradient(LossMode mode, double backgroundValue)
        {
            using var scope = NewDisposeScope();
            // Probabilities (2, C, 4, 4) where every class is present in every image (so the Dice gradient is not 0).
            long c = mode == LossMode.Binary ? 1 : 3;
            var logits = TestData.Logits(41, 2, c, 4, 4);
            var s = mode == LossMode.Multiclass ? logits.softmax(1) : logits.sigmoid();
            Tensor target, g;
            if (mode == LossMode.Multiclass)
            {
                target = arange(32L).remainder(3).reshape(2, 4, 4);
                g = OneHot.Encode(target, 3, dtype: ScalarType.Float64);
            }
            else
            {
                target = arange(2 * c * 16L).remainder(3).eq(0).to(ScalarType.Float64).reshape(2, c, 4, 4);
                g = target;
            }
            var (_, mimic) = PixelLossChecks.ValueAndGradient(v => new DiceMimicLoss(mode, fromLogits: false, backgroundValue: backgroundValue).call(v, target), s);
            var (_, dice) = PixelLossChecks.ValueAndGradient(v => new DiceLoss(mode, fromLogits: false).call(v, target), s);
            var gt = Values(g.flatten());
            for (int i = 0; i < gt.Length; i++)
            {
                if (gt[i] == 1)
                {
                    dice[i].Should().BeNegative($"the Dice gradient is negative on ground truth (element {i})");
                    mimic[i].Should().BeApproximately(-1.0 / 16 / 2, Tol, "∂L/∂s = −1/|Ω| on ground truth, over 2 images");
                }
                else
                {
                    dice[i].Should().BePositive($"the Dice gradient is positive off the ground truth (element {i})");
                    mimic[i].Should().BeApproximately(backgroundValue / 16 / 2, Tol, "∂L/∂s = b/|Ω| off the ground truth");
                }
                Math.Sign(mimic[i]).Should().Be(backgroundValue > 0 || gt[i] == 1 ? Math.Sign(dice[i]) : 0, $"element {i}");
            }
        }

        // ---------------------------------------------------------------- gradients

        [Theory]
        [MemberData(nameof(PixelLossChecks.ModeCases), MemberType = typeof(PixelLossChecks))]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            var mean = new DiceMimicLoss(mode, backgroundValue: 0.1, ignoreIndex: Ignore);
            GradCheck.Full(v => mean.call(v, target), x);
            var none = new DiceMimicLoss(mode, includeBackground: false, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            GradCheck.Full(v => none.call(v, target), x);
        }

        [Fact]
        public void Gradient_matches_for_soft_targets_and_probability_inputs()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            GradCheck.Full(v => new DiceMimicLoss(backgroundValue: 0.2).call(v, soft), x);
            var (_, labels, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            GradCheck.Full(v => new DiceMimicLoss(fromLogits: false, ignoreIndex: Ignore, backgroundValue: 0.1).call(v, labels), x.softmax(1));
        }

        // ---------------------------------------------------------------- properties

        [Theory]
        [InlineData(0.0)]
        [InlineData(0.1)]
        public void Perfect_prediction_is_the_minimum(double backgroundValue)
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            var loss = new DiceMimicLoss(backgroundValue: backgroundValue);
            double best = Value(loss, TestData.PerfectLogits(labels, 3), labels);
            best.Should().BeApproximately(-1.0, 1e-10, "softmax over all classes: −(1 + b)·p_true + b per pixel is −1 at p_true = 1");
            for (long seed = 0; seed < 5; seed++)
                Value(loss, TestData.Logits(seed, 2, 3, 3, 2), labels).Should().BeGreaterThan(best + 0.1);
        }

        [Fact]
        public void More_error_gives_more_loss()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            var right = TestData.PerfectLogits(labels, 3, margin: 1);
            var wrong = TestData.PerfectLogits(labels.add(1).remainder(3), 3, margin: 1);
            var loss = new DiceMimicLoss(backgroundValue: 0.05);
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
            var loss = new DiceMimicLoss(mode, backgroundValue: 0.1, ignoreIndex: Ignore);
            PixelLossChecks.IgnoredPixelsAreInert(v => loss.call(v, target), x, ignored);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Multilabel)]
        public void Permuting_pixels_does_not_change_the_value(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: true, ignore: true);
            var loss = new DiceMimicLoss(mode, backgroundValue: 0.1, ignoreIndex: Ignore);
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
        public void Bad_options_and_tensors_are_rejected()
        {
            using var scope = NewDisposeScope();
            Throws(() => new DiceMimicLoss(backgroundValue: -0.1), "backgroundValue", "non-negative", "-0.1");
            Throws(() => new DiceMimicLoss(backgroundValue: double.PositiveInfinity), "backgroundValue", "finite");
            Throws(() => new DiceMimicLoss((LossMode)7), "mode", "7");
            Throws(() => new DiceMimicLoss(reduction: (nn.Reduction)9), "reduction", "9");
            var x = zeros(2, 3, 4, 4, ScalarType.Float64);
            Throws(() => new DiceMimicLoss().call(x, zeros(2, 4, 5, ScalarType.Int64)), "target", "[2, 4, 5]");
            Throws(() => new DiceMimicLoss(fromLogits: false).call(x + 2, zeros(2, 4, 4, ScalarType.Int64)), "input", "[0, 1]");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class DiceMimicLossMemoryTests
    {
        [Theory]
        [InlineData(LossMode.Multiclass, nn.Reduction.Mean)]
        [InlineData(LossMode.Binary, nn.Reduction.None)]
        [InlineData(LossMode.Multilabel, nn.Reduction.Sum)]
        public void Forward_and_backward_leave_no_live_tensors(LossMode mode, nn.Reduction reduction)
        {
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var loss = new DiceMimicLoss(mode, backgroundValue: 0.1, ignoreIndex: PixelLossChecks.IgnoreValue, reduction: reduction);
            using var leaf = x.detach().requires_grad_(true);
            LiveTensors.AssertNoLeak(() =>
            {
                using var value = loss.call(leaf, target);
                using var total = value.sum();
                total.backward();
            }, "a forward/backward call must dispose every intermediate");
            x.Dispose();
            target.Dispose();
        }
    }
}
