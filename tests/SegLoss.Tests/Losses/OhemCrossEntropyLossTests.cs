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
    public class OhemCrossEntropyLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        private static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

        private static double[] Values(Tensor t) => t.data<double>().ToArray();

        // Five pixels (1, 2, 1, 5), all labelled 0, with logits (0, d): CE = softplus(d), p_true = σ(−d)
        // = 0.881, 0.269, 0.378, 0.047, 0.731.
        private static readonly double[] D = { -2, 1, 0.5, 3, -1 };

        private static Tensor Logits(params double[] d) => tensor(new double[d.Length].Concat(d).ToArray(), new long[] { 1, 2, 1, d.Length });

        private static Tensor ZeroLabels(int pixels) => zeros(new long[] { 1, 1, pixels }, ScalarType.Int64);

        // ---------------------------------------------------------------- hand-computed values

        [Fact]
        public void Threshold_keeps_the_pixels_below_it()
        {
            using var scope = NewDisposeScope();
            var x = Logits(D);
            var y = ZeroLabels(5);
            double hard3 = (Softplus(1) + Softplus(0.5) + Softplus(3)) / 3;
            Value(new OhemCrossEntropyLoss(threshold: 0.7, minKept: 0), x, y).Should().BeApproximately(hard3, Tol);
            Value(new OhemCrossEntropyLoss(threshold: 0.7, minKept: 0, reduction: nn.Reduction.Sum), x, y).Should().BeApproximately(3 * hard3, Tol);
            var none = new OhemCrossEntropyLoss(threshold: 0.7, minKept: 0, reduction: nn.Reduction.None).call(x, y);
            none.shape.Should().Equal(1, 1, 5);
            Values(none).Should().Equal(new[] { 0, Softplus(1), Softplus(0.5), Softplus(3), 0 }, (a, b) => Math.Abs(a - b) < Tol);
            // A threshold above every p_true keeps every pixel.
            Value(new OhemCrossEntropyLoss(threshold: 0.9, minKept: 0), x, y).Should().BeApproximately(D.Sum(Softplus) / 5, Tol);
        }

        [Fact]
        public void Min_kept_raises_the_threshold_only_when_too_few_pixels_pass()
        {
            using var scope = NewDisposeScope();
            var x = Logits(D);
            var y = ZeroLabels(5);
            double hard3 = (Softplus(1) + Softplus(0.5) + Softplus(3)) / 3;
            // Three pixels pass 0.7: minKept 2 or 3 changes nothing.
            Value(new OhemCrossEntropyLoss(threshold: 0.7, minKept: 2), x, y).Should().BeApproximately(hard3, Tol);
            Value(new OhemCrossEntropyLoss(threshold: 0.7, minKept: 3), x, y).Should().BeApproximately(hard3, Tol);
            // minKept 4: the effective threshold becomes the 4th smallest p_true (0.731), adding the pixel d = −1.
            Value(new OhemCrossEntropyLoss(threshold: 0.7, minKept: 4), x, y)
                .Should().BeApproximately((Softplus(1) + Softplus(0.5) + Softplus(3) + Softplus(-1)) / 4, Tol);
            // minKept ≥ the pixel count keeps all of them (mmseg would drop the most confident one).
            Value(new OhemCrossEntropyLoss(threshold: 0.7, minKept: 5), x, y).Should().BeApproximately(D.Sum(Softplus) / 5, Tol);
            // threshold 0: exactly the minKept hardest.
            Value(new OhemCrossEntropyLoss(threshold: 0, minKept: 2), x, y).Should().BeApproximately((Softplus(3) + Softplus(1)) / 2, Tol);
            Value(new OhemCrossEntropyLoss(threshold: 0, minKept: 1), x, y).Should().BeApproximately(Softplus(3), Tol);
        }

        [Fact]
        public void Min_kept_is_per_image_but_selected_over_the_batch()
        {
            using var scope = NewDisposeScope();
            // Image 0: d = D + 5 (all hard); image 1: d = D. minKept 1 per image = the 2 hardest of the batch, both in image 0.
            var d0 = D.Select(v => v + 5).ToArray();
            var x = tensor(new double[5].Concat(d0).Concat(new double[5]).Concat(D).ToArray(), new long[] { 2, 2, 1, 5 });
            var y = zeros(new long[] { 2, 1, 5 }, ScalarType.Int64);
            Value(new OhemCrossEntropyLoss(threshold: 0, minKept: 1), x, y).Should().BeApproximately((Softplus(8) + Softplus(6)) / 2, Tol);
        }

        [Fact]
        public void Ties_at_the_min_kept_probability_are_all_kept()
        {
            using var scope = NewDisposeScope();
            var x = Logits(1, 1, -2);
            var y = ZeroLabels(3);
            Value(new OhemCrossEntropyLoss(threshold: 0, minKept: 1), x, y).Should().BeApproximately(Softplus(1), Tol);
            Value(new OhemCrossEntropyLoss(threshold: 0, minKept: 1, reduction: nn.Reduction.Sum), x, y).Should().BeApproximately(2 * Softplus(1), Tol);
        }

        [Fact]
        public void Binary_uses_the_probability_of_the_target_value()
        {
            using var scope = NewDisposeScope();
            // z = (2, −1, 0.5, −3), t = (1, 1, 0, 0): p_t = σ(2) = 0.881, σ(−1) = 0.269, 1 − σ(0.5) = 0.378, 1 − σ(−3) = 0.953.
            var x = tensor(new[] { 2.0, -1, 0.5, -3 }, new long[] { 1, 1, 1, 4 });
            var t = tensor(new[] { 1.0, 1, 0, 0 }, new long[] { 1, 1, 1, 4 });
            var loss = new OhemCrossEntropyLoss(LossMode.Binary, threshold: 0.7, minKept: 0);
            Value(loss, x, t).Should().BeApproximately((Softplus(1) + Softplus(0.5)) / 2, Tol);
            var none = new OhemCrossEntropyLoss(LossMode.Binary, threshold: 0.7, minKept: 0, reduction: nn.Reduction.None).call(x, t);
            none.shape.Should().Equal(1, 1, 1, 4);
            Values(none).Should().Equal(new[] { 0, Softplus(1), Softplus(0.5), 0 }, (a, b) => Math.Abs(a - b) < Tol);
            // The squeezed target is accepted; minKept 3 adds the pixel with p_t = 0.881.
            Value(new OhemCrossEntropyLoss(LossMode.Binary, threshold: 0.7, minKept: 3), x, t.reshape(1, 1, 4))
                .Should().BeApproximately((Softplus(1) + Softplus(0.5) + Softplus(-2)) / 3, Tol);
        }

        [Fact]
        public void Class_weights_give_the_weighted_mean_over_kept_pixels()
        {
            using var scope = NewDisposeScope();
            // Pixel 0 logits (0, 1) label 0: CE softplus(1), p = 0.269; pixel 1 logits (0, 0.5) label 1: CE softplus(−0.5), p = 0.622.
            var x = tensor(new[] { 0.0, 0, 1, 0.5 }, new long[] { 1, 2, 1, 2 });
            var y = tensor(new long[] { 0, 1 }, new long[] { 1, 1, 2 });
            var w = tensor(new[] { 1.0, 4.0 });
            Value(new OhemCrossEntropyLoss(threshold: 0.5, minKept: 0, classWeights: w), x, y).Should().BeApproximately(Softplus(1), Tol);
            Value(new OhemCrossEntropyLoss(threshold: 0.7, minKept: 0, classWeights: w), x, y).Should().BeApproximately((Softplus(1) + 4 * Softplus(-0.5)) / 5, Tol);
            Value(new OhemCrossEntropyLoss(threshold: 0.7, minKept: 0, classWeights: w, reduction: nn.Reduction.Sum), x, y)
                .Should().BeApproximately(Softplus(1) + 4 * Softplus(-0.5), Tol);
            // The selection uses p_true, not the weighted loss: weight 100 on class 1 does not make pixel 1 pass 0.5.
            Value(new OhemCrossEntropyLoss(threshold: 0.5, minKept: 0, classWeights: tensor(new[] { 1.0, 100.0 })), x, y).Should().BeApproximately(Softplus(1), Tol);
        }

        [Fact]
        public void Ignored_pixels_are_never_kept_nor_counted()
        {
            using var scope = NewDisposeScope();
            // The five pixels plus an ignored one that would be the hardest (d = 9).
            var x = Logits(D.Append(9.0).ToArray());
            var y = tensor(new long[] { 0, 0, 0, 0, 0, Ignore }, new long[] { 1, 1, 6 });
            Value(new OhemCrossEntropyLoss(threshold: 0, minKept: 2, ignoreIndex: Ignore), x, y).Should().BeApproximately((Softplus(3) + Softplus(1)) / 2, Tol);
            // minKept ≥ V keeps the five valid pixels only.
            Value(new OhemCrossEntropyLoss(threshold: 1, minKept: 6, ignoreIndex: Ignore), x, y).Should().BeApproximately(D.Sum(Softplus) / 5, Tol);
        }

        [Fact]
        public void Nothing_kept_gives_zero_with_zero_gradient()
        {
            using var scope = NewDisposeScope();
            var x = Logits(D);
            var y = ZeroLabels(5);
            var (value, gradient) = PixelLossChecks.ValueAndGradient(v => new OhemCrossEntropyLoss(threshold: 0, minKept: 0).call(v, y), x);
            value.Should().Be(0.0);
            gradient.Should().OnlyContain(g => g == 0.0);
            var ignored = full(new long[] { 1, 1, 5 }, Ignore, ScalarType.Int64);
            (value, gradient) = PixelLossChecks.ValueAndGradient(v => new OhemCrossEntropyLoss(ignoreIndex: Ignore).call(v, ignored), x);
            value.Should().Be(0.0);
            gradient.Should().OnlyContain(g => g == 0.0);
            Values(new OhemCrossEntropyLoss(ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, ignored)).Should().OnlyContain(v => v == 0.0);
        }

        [Fact]
        public void Gradient_flows_only_through_the_kept_pixels()
        {
            using var scope = NewDisposeScope();
            var x = Logits(D);
            var y = ZeroLabels(5);
            var (_, gradient) = PixelLossChecks.ValueAndGradient(v => new OhemCrossEntropyLoss(threshold: 0.7, minKept: 0).call(v, y), x);
            // Kept: pixels 1, 2, 3 (mean over 3); d/dz1 softplus(d) = σ(d), d/dz0 = −σ(d).
            double S(double v) => 1 / (1 + Math.Exp(-v));
            gradient.Should().Equal(new[] { 0, -S(1) / 3, -S(0.5) / 3, -S(3) / 3, 0, 0, S(1) / 3, S(0.5) / 3, S(3) / 3, 0 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        // ---------------------------------------------------------------- selection against a brute-force reference

        [Theory]
        [InlineData(0.7, 0L)]
        [InlineData(0.7, 3L)]
        [InlineData(0.7, 12L)]
        [InlineData(0.3, 5L)]
        [InlineData(0.0, 7L)]
        [InlineData(1.0, 0L)]
        public void Selection_matches_a_brute_force_reference(double threshold, long minKept)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(31, 2, 3, 4, 5);
            var y = TestData.LabelsWithIgnored(32, 3, Ignore, 2, 4, 5);
            var w = new[] { 0.5, 1.0, 2.0 };
            var nll = Values(new CrossEntropyLoss(ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, y));
            var labels = y.flatten().data<long>().ToArray();
            var valid = Enumerable.Range(0, 40).Where(i => labels[i] != Ignore).ToArray();
            var p = nll.Select(v => Math.Exp(-v)).ToArray();
            long budget = Math.Min(minKept * 2, valid.Length);
            double pm = budget == 0 ? double.NegativeInfinity : valid.Select(i => p[i]).OrderBy(v => v).ElementAt((int)budget - 1);
            var kept = valid.Where(i => p[i] < threshold || p[i] <= pm).ToArray();
            kept.Length.Should().BeGreaterThan(0);
            var expectedMap = new double[40];
            foreach (var i in kept) expectedMap[i] = w[labels[i]] * nll[i];
            double mean = kept.Sum(i => expectedMap[i]) / kept.Sum(i => w[labels[i]]);

            var weights = tensor(w);
            Value(new OhemCrossEntropyLoss(threshold: threshold, minKept: minKept, classWeights: weights, ignoreIndex: Ignore), x, y).Should().BeApproximately(mean, Tol);
            var none = new OhemCrossEntropyLoss(threshold: threshold, minKept: minKept, classWeights: weights, ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, y);
            none.shape.Should().Equal(2, 4, 5);
            Values(none).Should().Equal(expectedMap, (a, b) => Math.Abs(a - b) < Tol);
        }

        // ---------------------------------------------------------------- keeping everything is cross-entropy

        [Theory]
        [InlineData(LossMode.Multiclass, nn.Reduction.Mean)]
        [InlineData(LossMode.Multiclass, nn.Reduction.Sum)]
        [InlineData(LossMode.Multiclass, nn.Reduction.None)]
        [InlineData(LossMode.Binary, nn.Reduction.Mean)]
        [InlineData(LossMode.Binary, nn.Reduction.Sum)]
        [InlineData(LossMode.Binary, nn.Reduction.None)]
        public void Keeping_every_pixel_equals_cross_entropy(LossMode mode, nn.Reduction reduction)
        {
            using var scope = NewDisposeScope();
            foreach (var threeD in new[] { false, true })
            {
                var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore: true);
                var w = mode == LossMode.Multiclass ? linspace(0.5, 2.0, x.shape[1], ScalarType.Float64) : tensor(new[] { 1.5 });
                var ce = new CrossEntropyLoss(mode, classWeights: w, ignoreIndex: Ignore, reduction: reduction).call(x, target);
                // long.MaxValue also checks that minKept·N does not overflow.
                foreach (var (threshold, minKept) in new[] { (1.0, long.MaxValue), (0.0, 1000L), (1.0, 0L) })
                {
                    var ours = new OhemCrossEntropyLoss(mode, threshold: threshold, minKept: minKept, classWeights: w, ignoreIndex: Ignore, reduction: reduction).call(x, target);
                    ours.shape.Should().Equal(ce.shape);
                    ours.allclose(ce, rtol: 1e-12, atol: 1e-14).Should().BeTrue($"{mode}, 3D {threeD}, threshold {threshold}, minKept {minKept}");
                }
            }
        }

        [Fact]
        public void Probability_inputs_give_the_same_value_as_logits()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            Value(new OhemCrossEntropyLoss(fromLogits: false, minKept: 2, ignoreIndex: Ignore), x.softmax(1), y)
                .Should().BeApproximately(Value(new OhemCrossEntropyLoss(minKept: 2, ignoreIndex: Ignore), x, y), 1e-10);
            var (xb, tb, _) = PixelLossChecks.Case(LossMode.Binary, threeD: false, ignore: true);
            Value(new OhemCrossEntropyLoss(LossMode.Binary, fromLogits: false, threshold: 0.6, minKept: 2, ignoreIndex: Ignore), xb.sigmoid(), tb)
                .Should().BeApproximately(Value(new OhemCrossEntropyLoss(LossMode.Binary, threshold: 0.6, minKept: 2, ignoreIndex: Ignore), xb, tb), 1e-10);
        }

        // ---------------------------------------------------------------- gradients

        [Theory]
        [InlineData(LossMode.Multiclass, false, false)]
        [InlineData(LossMode.Multiclass, false, true)]
        [InlineData(LossMode.Multiclass, true, false)]
        [InlineData(LossMode.Multiclass, true, true)]
        [InlineData(LossMode.Binary, false, false)]
        [InlineData(LossMode.Binary, false, true)]
        [InlineData(LossMode.Binary, true, false)]
        [InlineData(LossMode.Binary, true, true)]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            // Random logits keep every p_true well away from the threshold and from its neighbours in the order.
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            var w = mode == LossMode.Multiclass ? linspace(0.5, 2.0, x.shape[1], ScalarType.Float64) : tensor(new[] { 1.5 });
            var both = new OhemCrossEntropyLoss(mode, threshold: 0.5, minKept: 2, classWeights: w, ignoreIndex: Ignore);
            GradCheck.Full(v => both.call(v, target), x);
            var none = new OhemCrossEntropyLoss(mode, threshold: 0.3, minKept: 3, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            GradCheck.Full(v => none.call(v, target), x);
        }

        // ---------------------------------------------------------------- properties

        [Fact]
        public void Perfect_prediction_is_the_minimum()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            var loss = new OhemCrossEntropyLoss(minKept: 2);
            double best = Value(loss, TestData.PerfectLogits(labels, 3), labels);
            best.Should().BeGreaterThanOrEqualTo(0).And.BeLessThan(1e-10);
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
            var loss = new OhemCrossEntropyLoss(minKept: 1);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, labels);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            var loss = new OhemCrossEntropyLoss(mode, threshold: 0.4, minKept: 2, ignoreIndex: Ignore);
            PixelLossChecks.IgnoredPixelsAreInert(v => loss.call(v, target), x, ignored);
        }

        [Fact]
        public void Permuting_pixels_does_not_change_the_value()
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: true, ignore: true);
            var loss = new OhemCrossEntropyLoss(threshold: 0.3, minKept: 2, ignoreIndex: Ignore);
            var permuted = PixelLossChecks.PermutePixels(9, (x, 2), (target, 1));
            Value(loss, permuted[0], permuted[1]).Should().BeApproximately(Value(loss, x, target), Tol);
        }

        // ---------------------------------------------------------------- module behaviour

        [Fact]
        public void Class_weights_are_a_registered_buffer_and_defaults_follow_mmseg()
        {
            using var loss = new OhemCrossEntropyLoss(classWeights: tensor(new[] { 1.0, 2.0 }));
            loss.named_buffers().Select(b => b.name).Should().BeEquivalentTo("classWeights");
            loss.to(ScalarType.Float32);
            loss.ClassWeights!.dtype.Should().Be(ScalarType.Float32);
            loss.Threshold.Should().Be(0.7);
            loss.MinKept.Should().Be(100000);
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
            Throws(() => new OhemCrossEntropyLoss(threshold: 1.5), "threshold", "[0, 1]", "1.5");
            Throws(() => new OhemCrossEntropyLoss(threshold: double.NaN), "threshold", "NaN");
            Throws(() => new OhemCrossEntropyLoss(minKept: -1), "minKept", "non-negative", "-1");
            Throws(() => new OhemCrossEntropyLoss(LossMode.Multilabel), "mode", "Multiclass or Binary", "Multilabel");
            Throws(() => new OhemCrossEntropyLoss((LossMode)7), "mode", "7");
            Throws(() => new OhemCrossEntropyLoss(reduction: (nn.Reduction)9), "reduction", "9");
            Throws(() => new OhemCrossEntropyLoss(classWeights: tensor(new[] { 1.0, double.NaN })), "classWeights", "finite");
        }

        [Fact]
        public void Bad_tensors_are_rejected_with_the_argument_and_the_shapes()
        {
            using var scope = NewDisposeScope();
            var x = zeros(2, 3, 4, 4, ScalarType.Float64);
            Throws(() => new OhemCrossEntropyLoss().call(x, zeros(2, 3, 4, 4, ScalarType.Float64).softmax(1)), "target", "soft labels", "[2, 4, 4]");
            Throws(() => new OhemCrossEntropyLoss().call(x, zeros(2, 4, 5, ScalarType.Int64)), "target", "[2, 4, 5]");
            Throws(() => new OhemCrossEntropyLoss(LossMode.Binary).call(x, zeros(2, 3, 4, 4, ScalarType.Float64)), "input", "3 channels");
            Throws(() => new OhemCrossEntropyLoss(classWeights: tensor(new[] { 1.0, 2.0 })).call(x, zeros(2, 4, 4, ScalarType.Int64)), "classWeights", "2 entries", "3 classes");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class OhemCrossEntropyLossMemoryTests
    {
        [Theory]
        [InlineData(LossMode.Multiclass, nn.Reduction.Mean)]
        [InlineData(LossMode.Multiclass, nn.Reduction.None)]
        [InlineData(LossMode.Binary, nn.Reduction.Sum)]
        public void Forward_and_backward_leave_no_live_tensors(LossMode mode, nn.Reduction reduction)
        {
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var weights = mode == LossMode.Multiclass ? linspace(0.5, 2.0, x.shape[1], ScalarType.Float64) : tensor(new[] { 2.0 });
            using var loss = new OhemCrossEntropyLoss(mode, threshold: 0.4, minKept: 2, classWeights: weights, ignoreIndex: PixelLossChecks.IgnoreValue, reduction: reduction);
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
