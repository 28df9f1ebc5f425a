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
    public class TopKCrossEntropyLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        private static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

        private static double[] Values(Tensor t) => t.data<double>().ToArray();

        // Five pixels (1, 2, 1, 5), all labelled 0, with logits (0, d): CE = softplus(d).
        private static readonly double[] D = { -2, 1, 0.5, 3, -1 };

        private static Tensor FiveLogits() => tensor(new double[5].Concat(D).ToArray(), new long[] { 1, 2, 1, 5 });

        private static Tensor FiveLabels() => zeros(new long[] { 1, 1, 5 }, ScalarType.Int64);

        // ---------------------------------------------------------------- hand-computed values

        [Fact]
        public void Tiny_example_keeps_the_k_percent_largest()
        {
            using var scope = NewDisposeScope();
            var x = FiveLogits();
            var y = FiveLabels();
            // k = 40: K = ⌊5·0.4⌋ = 2, the two largest CE values are at d = 3 and d = 1.
            Value(new TopKCrossEntropyLoss(k: 40), x, y).Should().BeApproximately((Softplus(3) + Softplus(1)) / 2, Tol);
            Value(new TopKCrossEntropyLoss(k: 40, reduction: nn.Reduction.Sum), x, y).Should().BeApproximately(Softplus(3) + Softplus(1), Tol);
            var none = new TopKCrossEntropyLoss(k: 40, reduction: nn.Reduction.None).call(x, y);
            none.shape.Should().Equal(1, 1, 5);
            Values(none).Should().Equal(new[] { 0, Softplus(1), 0, Softplus(3), 0 }, (a, b) => Math.Abs(a - b) < Tol);
            // k = 10: ⌊0.5⌋ = 0 is raised to K = 1; k = 60: K = 3; k = 100: every pixel.
            Value(new TopKCrossEntropyLoss(), x, y).Should().BeApproximately(Softplus(3), Tol);
            Value(new TopKCrossEntropyLoss(k: 60), x, y).Should().BeApproximately((Softplus(3) + Softplus(1) + Softplus(0.5)) / 3, Tol);
            Value(new TopKCrossEntropyLoss(k: 100), x, y).Should().BeApproximately(D.Sum(Softplus) / 5, Tol);
        }

        [Fact]
        public void Ignored_pixels_do_not_count_in_the_budget()
        {
            using var scope = NewDisposeScope();
            // The five pixels above plus five ignored ones with huge logits: V = 5, so K = 2 (nnU-Net would take 4).
            var d = D.Concat(new[] { 9.0, 9, 9, 9, 9 }).ToArray();
            var x = tensor(new double[10].Concat(d).ToArray(), new long[] { 1, 2, 1, 10 });
            var y = tensor(new long[] { 0, 0, 0, 0, 0, Ignore, Ignore, Ignore, Ignore, Ignore }, new long[] { 1, 1, 10 });
            var loss = new TopKCrossEntropyLoss(k: 40, ignoreIndex: Ignore);
            Value(loss, x, y).Should().BeApproximately((Softplus(3) + Softplus(1)) / 2, Tol);
            var none = new TopKCrossEntropyLoss(k: 40, ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, y);
            Values(none).Should().Equal(new[] { 0, Softplus(1), 0, Softplus(3), 0, 0, 0, 0, 0, 0 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Per_image_selection_takes_k_percent_of_each_image()
        {
            using var scope = NewDisposeScope();
            // Image 0: d = D + 5 (all hard); image 1: d = D (easier). Layout (2, 2, 1, 5).
            var d0 = D.Select(v => v + 5).ToArray();
            var x = tensor(new double[5].Concat(d0).Concat(new double[5]).Concat(D).ToArray(), new long[] { 2, 2, 1, 5 });
            var y = zeros(new long[] { 2, 1, 5 }, ScalarType.Int64);
            // Batch: K = ⌊10·0.4⌋ = 4, the four largest are all in image 0 (d0 = 8, 6, 5.5, 4).
            Value(new TopKCrossEntropyLoss(k: 40), x, y).Should().BeApproximately((Softplus(8) + Softplus(6) + Softplus(5.5) + Softplus(4)) / 4, Tol);
            // Per image: K = 2 in each.
            double perImage = (Softplus(8) + Softplus(6) + Softplus(3) + Softplus(1)) / 4;
            Value(new TopKCrossEntropyLoss(k: 40, perImage: true), x, y).Should().BeApproximately(perImage, Tol);

            // Uneven budgets: image 1 has pixels 0 and 2 ignored, V = 3, K = max(1, ⌊1.2⌋) = 1; image 0 keeps K = 2.
            var yi = tensor(new long[] { 0, 0, 0, 0, 0, Ignore, 0, Ignore, 0, 0 }, new long[] { 2, 1, 5 });
            var loss = new TopKCrossEntropyLoss(k: 40, perImage: true, ignoreIndex: Ignore);
            Value(loss, x, yi).Should().BeApproximately((Softplus(8) + Softplus(6) + Softplus(3)) / 3, Tol);
            var none = new TopKCrossEntropyLoss(k: 40, perImage: true, ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, yi);
            Values(none).Should().Equal(new[] { 0, Softplus(6), 0, Softplus(8), 0, 0, 0, 0, Softplus(3), 0 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        [Fact]
        public void Binary_and_multilabel_select_entries()
        {
            using var scope = NewDisposeScope();
            // Binary (1, 1, 1, 4): z = (2, −1, 0.5, −3), t = (1, 1, 0, 0): BCE = softplus(−2), softplus(1), softplus(0.5), softplus(−3).
            var x = tensor(new[] { 2.0, -1, 0.5, -3 }, new long[] { 1, 1, 1, 4 });
            var t = tensor(new[] { 1.0, 1, 0, 0 }, new long[] { 1, 1, 1, 4 });
            Value(new TopKCrossEntropyLoss(LossMode.Binary, k: 50), x, t).Should().BeApproximately((Softplus(1) + Softplus(0.5)) / 2, Tol);
            var none = new TopKCrossEntropyLoss(LossMode.Binary, k: 50, reduction: nn.Reduction.None).call(x, t);
            none.shape.Should().Equal(1, 1, 1, 4);
            Values(none).Should().Equal(new[] { 0, Softplus(1), Softplus(0.5), 0 }, (a, b) => Math.Abs(a - b) < Tol);
            // Multilabel (1, 2, 1, 2): the same four entries as two channels; k = 25 keeps the single largest entry.
            var xm = x.reshape(1, 2, 1, 2);
            var tm = t.reshape(1, 2, 1, 2);
            Value(new TopKCrossEntropyLoss(LossMode.Multilabel, k: 25), xm, tm).Should().BeApproximately(Softplus(1), Tol);
            // posWeight 3 on channel 0: entries 3·softplus(−2) ≈ 0.38, 3·softplus(1) ≈ 3.94 | softplus(0.5) ≈ 0.97, softplus(−3) ≈ 0.05.
            Value(new TopKCrossEntropyLoss(LossMode.Multilabel, k: 50, posWeight: tensor(new[] { 3.0, 1.0 })), xm, tm)
                .Should().BeApproximately((3 * Softplus(1) + Softplus(0.5)) / 2, Tol);
            // posWeight 12 lifts 12·softplus(−2) ≈ 1.52 above softplus(0.5).
            Value(new TopKCrossEntropyLoss(LossMode.Multilabel, k: 50, posWeight: tensor(new[] { 12.0, 1.0 })), xm, tm)
                .Should().BeApproximately((12 * Softplus(1) + 12 * Softplus(-2)) / 2, Tol);
        }

        [Fact]
        public void Class_weights_scale_values_before_the_selection()
        {
            using var scope = NewDisposeScope();
            // Pixels (1, 2, 1, 2): pixel 0 logits (0, 1) label 0 (CE softplus(1)); pixel 1 logits (0, 0.5) label 1 (CE softplus(−0.5)).
            var x = tensor(new[] { 0.0, 0, 1, 0.5 }, new long[] { 1, 2, 1, 2 });
            var y = tensor(new long[] { 0, 1 }, new long[] { 1, 1, 2 });
            Value(new TopKCrossEntropyLoss(k: 50), x, y).Should().BeApproximately(Softplus(1), Tol);
            // Weight 4 on class 1 makes pixel 1 the largest: 4·softplus(−0.5) ≈ 1.89 > softplus(1) ≈ 1.31; the mean divides by K.
            var w = tensor(new[] { 1.0, 4.0 });
            Value(new TopKCrossEntropyLoss(k: 50, classWeights: w), x, y).Should().BeApproximately(4 * Softplus(-0.5), Tol);
            Value(new TopKCrossEntropyLoss(k: 100, classWeights: w), x, y).Should().BeApproximately((Softplus(1) + 4 * Softplus(-0.5)) / 2, Tol);
        }

        [Fact]
        public void No_valid_pixel_gives_zero_with_zero_gradient()
        {
            using var scope = NewDisposeScope();
            var x = FiveLogits();
            var y = full(new long[] { 1, 1, 5 }, Ignore, ScalarType.Int64);
            foreach (var perImage in new[] { false, true })
            {
                var (value, gradient) = PixelLossChecks.ValueAndGradient(v => new TopKCrossEntropyLoss(ignoreIndex: Ignore, perImage: perImage).call(v, y), x);
                value.Should().Be(0.0);
                gradient.Should().OnlyContain(g => g == 0.0);
                Value(new TopKCrossEntropyLoss(ignoreIndex: Ignore, perImage: perImage, reduction: nn.Reduction.Sum), x, y).Should().Be(0.0);
                var none = new TopKCrossEntropyLoss(ignoreIndex: Ignore, perImage: perImage, reduction: nn.Reduction.None).call(x, y);
                none.shape.Should().Equal(1, 1, 5);
                Values(none).Should().OnlyContain(v => v == 0.0);
            }
        }

        // ---------------------------------------------------------------- selection against a brute-force reference

        [Theory]
        [InlineData(10.0, false)]
        [InlineData(25.0, false)]
        [InlineData(33.3, false)]
        [InlineData(50.0, true)]
        [InlineData(12.5, true)]
        [InlineData(100.0, true)]
        public void Selects_exactly_the_k_percent_largest(double k, bool perImage)
        {
            using var scope = NewDisposeScope();
            // (2, 3, 4, 5): 20 pixels per image, some ignored.
            var x = TestData.Logits(21, 2, 3, 4, 5);
            var y = TestData.LabelsWithIgnored(22, 3, Ignore, 2, 4, 5);
            var ce = Values(new CrossEntropyLoss(ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, y));
            var valid = y.flatten().data<long>().ToArray().Select(v => v != Ignore).ToArray();
            var groups = perImage ? new[] { Enumerable.Range(0, 20), Enumerable.Range(20, 20) } : new[] { Enumerable.Range(0, 40) };
            var expectedMap = new double[40];
            double sum = 0;
            long count = 0;
            foreach (var group in groups)
            {
                var candidates = group.Where(i => valid[i]).OrderByDescending(i => ce[i]).ToArray();
                long kept = Math.Max(1, (long)Math.Floor(candidates.Length * k / 100 + 1e-9));
                foreach (var i in candidates.Take((int)kept)) { expectedMap[i] = ce[i]; sum += ce[i]; count++; }
            }
            Value(new TopKCrossEntropyLoss(k: k, perImage: perImage, ignoreIndex: Ignore), x, y).Should().BeApproximately(sum / count, Tol);
            Value(new TopKCrossEntropyLoss(k: k, perImage: perImage, ignoreIndex: Ignore, reduction: nn.Reduction.Sum), x, y).Should().BeApproximately(sum, Tol);
            var none = new TopKCrossEntropyLoss(k: k, perImage: perImage, ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, y);
            none.shape.Should().Equal(2, 4, 5);
            Values(none).Should().Equal(expectedMap, (a, b) => Math.Abs(a - b) < Tol);
        }

        // ---------------------------------------------------------------- k = 100 is cross-entropy

        [Theory]
        [InlineData(LossMode.Multiclass, nn.Reduction.Mean)]
        [InlineData(LossMode.Multiclass, nn.Reduction.Sum)]
        [InlineData(LossMode.Multiclass, nn.Reduction.None)]
        [InlineData(LossMode.Binary, nn.Reduction.Mean)]
        [InlineData(LossMode.Binary, nn.Reduction.None)]
        [InlineData(LossMode.Multilabel, nn.Reduction.Mean)]
        [InlineData(LossMode.Multilabel, nn.Reduction.Sum)]
        [InlineData(LossMode.Multilabel, nn.Reduction.None)]
        public void K_of_100_equals_cross_entropy(LossMode mode, nn.Reduction reduction)
        {
            using var scope = NewDisposeScope();
            foreach (var threeD in new[] { false, true })
            {
                var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore: true);
                var pos = mode == LossMode.Multiclass ? null : linspace(0.5, 2.0, x.shape[1], ScalarType.Float64);
                foreach (var perImage in new[] { false, true })
                {
                    var ours = new TopKCrossEntropyLoss(mode, k: 100, perImage: perImage, ignoreIndex: Ignore, labelSmoothing: 0.1, posWeight: pos, reduction: reduction).call(x, target);
                    var ce = new CrossEntropyLoss(mode, ignoreIndex: Ignore, labelSmoothing: 0.1, posWeight: pos, reduction: reduction).call(x, target);
                    ours.shape.Should().Equal(ce.shape);
                    ours.allclose(ce, rtol: 1e-12, atol: 1e-14).Should().BeTrue($"{mode}, 3D {threeD}, perImage {perImage}, {reduction}");
                }
            }
        }

        [Fact]
        public void K_of_100_equals_cross_entropy_for_soft_targets_and_probabilities()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            Value(new TopKCrossEntropyLoss(k: 100), x, soft).Should().BeApproximately(Value(new CrossEntropyLoss(), x, soft), Tol);
            var (_, labels, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            Value(new TopKCrossEntropyLoss(fromLogits: false, k: 100, ignoreIndex: Ignore), x.softmax(1), labels)
                .Should().BeApproximately(Value(new CrossEntropyLoss(fromLogits: false, ignoreIndex: Ignore), x.softmax(1), labels), Tol);
        }

        // ---------------------------------------------------------------- gradients

        [Theory]
        [MemberData(nameof(PixelLossChecks.ModeCases), MemberType = typeof(PixelLossChecks))]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            // Random logits give distinct per-pixel losses, so the selection does not change within ±1e-6.
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            var weights = linspace(0.5, 2.0, x.shape[1], ScalarType.Float64);
            var batch = new TopKCrossEntropyLoss(mode, k: 50, classWeights: weights, ignoreIndex: Ignore, labelSmoothing: 0.1);
            GradCheck.Full(v => batch.call(v, target), x);
            var perImage = new TopKCrossEntropyLoss(mode, k: 30, perImage: true, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            GradCheck.Full(v => perImage.call(v, target), x);
        }

        [Theory]
        [InlineData(false, false)]
        [InlineData(false, true)]
        [InlineData(true, false)]
        [InlineData(true, true)]
        public void Sum_equals_the_sum_of_the_none_map_in_value_and_gradient(bool perImage, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: true, ignore: ignore);
            var weights = linspace(0.5, 2.0, x.shape[1], ScalarType.Float64);
            long? ignoreIndex = ignore ? PixelLossChecks.IgnoreValue : null;
            var sum = new TopKCrossEntropyLoss(k: 30, perImage: perImage, classWeights: weights, labelSmoothing: 0.1, ignoreIndex: ignoreIndex, reduction: nn.Reduction.Sum);
            var map = new TopKCrossEntropyLoss(k: 30, perImage: perImage, classWeights: weights, labelSmoothing: 0.1, ignoreIndex: ignoreIndex, reduction: nn.Reduction.None);
            var (v1, g1) = PixelLossChecks.ValueAndGradient(v => sum.call(v, target), x);
            var (v2, g2) = PixelLossChecks.ValueAndGradient(v => map.call(v, target).sum(), x);
            v1.Should().BeApproximately(v2, 1e-12);
            g1.Should().Equal(g2, (a, b) => Math.Abs(a - b) < 1e-12);
        }

        [Fact]
        public void Gradient_flows_only_through_the_selected_pixels()
        {
            using var scope = NewDisposeScope();
            var x = FiveLogits();
            var y = FiveLabels();
            var (_, gradient) = PixelLossChecks.ValueAndGradient(v => new TopKCrossEntropyLoss(k: 40).call(v, y), x);
            // Layout [c0 p0..p4, c1 p0..p4]: only pixels 1 and 3 move; d/dz1 softplus(d)/2 = σ(d)/2 and d/dz0 = −σ(d)/2.
            double s1 = 1 / (1 + Math.Exp(-1.0)), s3 = 1 / (1 + Math.Exp(-3.0));
            gradient.Should().Equal(new[] { 0, -s1 / 2, 0, -s3 / 2, 0, 0, s1 / 2, 0, s3 / 2, 0 }, (a, b) => Math.Abs(a - b) < Tol);
        }

        // ---------------------------------------------------------------- properties

        [Fact]
        public void Top_k_mean_is_at_least_the_cross_entropy_mean_and_grows_as_k_shrinks()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            double previous = Value(new CrossEntropyLoss(ignoreIndex: Ignore), x, y);
            foreach (var k in new[] { 100.0, 75, 50, 25, 10 })
            {
                double v = Value(new TopKCrossEntropyLoss(k: k, ignoreIndex: Ignore), x, y);
                v.Should().BeGreaterThanOrEqualTo(previous - Tol, $"k = {k}");
                previous = v;
            }
            previous.Should().BeGreaterThan(Value(new CrossEntropyLoss(ignoreIndex: Ignore), x, y) + 0.1);
        }

        [Fact]
        public void Perfect_prediction_is_the_minimum()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            var loss = new TopKCrossEntropyLoss(k: 20);
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
            var loss = new TopKCrossEntropyLoss(k: 25, perImage: true);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, labels);
        }

        [Theory]
        [InlineData(LossMode.Multiclass, false)]
        [InlineData(LossMode.Multiclass, true)]
        [InlineData(LossMode.Binary, false)]
        [InlineData(LossMode.Multilabel, true)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode, bool perImage)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            var loss = new TopKCrossEntropyLoss(mode, k: 40, perImage: perImage, ignoreIndex: Ignore, labelSmoothing: 0.1);
            PixelLossChecks.IgnoredPixelsAreInert(v => loss.call(v, target), x, ignored);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Multilabel)]
        public void Permuting_pixels_does_not_change_the_value(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: true, ignore: true);
            var loss = new TopKCrossEntropyLoss(mode, k: 30, ignoreIndex: Ignore);
            var permuted = PixelLossChecks.PermutePixels(9, (x, 2), (target, mode == LossMode.Multiclass ? 1 : 2));
            Value(loss, permuted[0], permuted[1]).Should().BeApproximately(Value(loss, x, target), Tol);
        }

        [Fact]
        public void Float32_input_gives_a_float32_result_close_to_float64()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var loss = new TopKCrossEntropyLoss(k: 30, ignoreIndex: Ignore);
            var single = loss.call(x.to(ScalarType.Float32), y);
            single.dtype.Should().Be(ScalarType.Float32);
            single.ToDouble().Should().BeApproximately(Value(loss, x, y), 1e-5);
        }

        // ---------------------------------------------------------------- module behaviour

        [Fact]
        public void Weights_are_registered_buffers_that_move_with_the_module()
        {
            using var loss = new TopKCrossEntropyLoss(LossMode.Multilabel, classWeights: tensor(new[] { 1.0, 2.0 }), posWeight: tensor(new[] { 3.0, 4.0 }));
            loss.named_buffers().Select(b => b.name).Should().BeEquivalentTo("classWeights", "posWeight");
            loss.to(ScalarType.Float32);
            loss.ClassWeights!.dtype.Should().Be(ScalarType.Float32);
            loss.PosWeight!.dtype.Should().Be(ScalarType.Float32);
            loss.K.Should().Be(10);
            loss.PerImage.Should().BeFalse();
            loss.DisplayName.Should().Be("TopKCrossEntropy");
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
            Throws(() => new TopKCrossEntropyLoss(k: 0), "k", "(0, 100]", "0");
            Throws(() => new TopKCrossEntropyLoss(k: 100.5), "k", "(0, 100]", "100.5");
            Throws(() => new TopKCrossEntropyLoss(k: double.NaN), "k", "NaN");
            Throws(() => new TopKCrossEntropyLoss((LossMode)7), "mode", "7");
            Throws(() => new TopKCrossEntropyLoss(reduction: (nn.Reduction)9), "reduction", "9");
            Throws(() => new TopKCrossEntropyLoss(labelSmoothing: -0.1), "labelSmoothing", "[0, 1]");
            Throws(() => new TopKCrossEntropyLoss(classWeights: tensor(new[] { 1.0, -2.0 })), "classWeights", "non-negative");
            Throws(() => new TopKCrossEntropyLoss(posWeight: tensor(2.0)), "posWeight", "Multiclass");
        }

        [Fact]
        public void Bad_tensors_are_rejected_with_the_argument_and_the_shapes()
        {
            using var scope = NewDisposeScope();
            var x = zeros(2, 3, 4, 4, ScalarType.Float64);
            Throws(() => new TopKCrossEntropyLoss().call(x, zeros(2, 4, 5, ScalarType.Int64)), "target", "[2, 4, 5]", "[2, 4, 4]");
            Throws(() => new TopKCrossEntropyLoss().call(x, full(new long[] { 2, 4, 4 }, 3L, ScalarType.Int64)), "target", "label 3");
            Throws(() => new TopKCrossEntropyLoss(classWeights: tensor(new[] { 1.0, 2.0 })).call(x, zeros(2, 4, 4, ScalarType.Int64)), "classWeights", "2 entries", "3 classes");
            Throws(() => new TopKCrossEntropyLoss(LossMode.Multilabel, posWeight: tensor(new[] { 1.0, 2.0 })).call(x, zeros(2, 3, 4, 4, ScalarType.Float64)), "posWeight", "2 entries");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class TopKCrossEntropyLossMemoryTests
    {
        [Theory]
        [InlineData(LossMode.Multiclass, false, nn.Reduction.Mean)]
        [InlineData(LossMode.Multiclass, true, nn.Reduction.None)]
        [InlineData(LossMode.Binary, true, nn.Reduction.Sum)]
        [InlineData(LossMode.Multilabel, false, nn.Reduction.None)]
        public void Forward_and_backward_leave_no_live_tensors(LossMode mode, bool perImage, nn.Reduction reduction)
        {
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var weights = linspace(0.5, 2.0, x.shape[1], ScalarType.Float64);
            using var loss = new TopKCrossEntropyLoss(mode, k: 30, perImage: perImage, classWeights: weights, ignoreIndex: PixelLossChecks.IgnoreValue, reduction: reduction);
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
