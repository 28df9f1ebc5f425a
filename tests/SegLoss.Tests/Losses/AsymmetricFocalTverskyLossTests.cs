using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class AsymmetricFocalTverskyLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;

        [Fact]
        public void Binary_tiny_example_matches_hand_computation()
        {
            // p = [0.9, 0.2, 0.6, 0.1], t = [1, 0, 1, 0], s = 0.
            // Foreground: TP = 1.5, FN = 0.1 + 0.4 = 0.5, FP = 0.2 + 0.1 = 0.3, TI_1 = 1.5 / (1.5 + 0.7·0.5 + 0.3·0.3).
            // Background (1 − p against 1 − t): TP = 0.8 + 0.9 = 1.7, FN = 0.2 + 0.1 = 0.3, FP = 0.1 + 0.4 = 0.5,
            // TI_0 = 1.7 / (1.7 + 0.7·0.3 + 0.3·0.5).
            using var p = tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 1, 1, 4 });
            using var t = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            double ti1 = 1.5 / (1.5 + 0.35 + 0.09), ti0 = 1.7 / (1.7 + 0.21 + 0.15);
            using var loss = new AsymmetricFocalTverskyLoss(LossMode.Binary, fromLogits: false, smooth: 0);
            Value(loss, p, t).Should().BeApproximately(((1 - ti0) + Math.Pow(1 - ti1, 0.25)) / 2, 1e-12);
            using var none = new AsymmetricFocalTverskyLoss(LossMode.Binary, fromLogits: false, smooth: 0, reduction: nn.Reduction.None);
            using var perClass = none.call(p, t);
            perClass.shape.Should().Equal(1, 2);
            perClass.data<double>().ToArray().Should().Equal(new[] { 1 - ti0, Math.Pow(1 - ti1, 0.25) }, (a, b) => Math.Abs(a - b) < 1e-12);
            using var smoothed = new AsymmetricFocalTverskyLoss(LossMode.Binary, fromLogits: false, gamma: 0.5);
            double s = 1e-7, si1 = (1.5 + s) / (1.94 + s), si0 = (1.7 + s) / (2.06 + s);
            Value(smoothed, p, t).Should().BeApproximately(((1 - si0) + Math.Pow(1 - si1, 0.5)) / 2, 1e-12);
        }

        [Fact]
        public void Multiclass_matches_the_dense_reference_with_soft_targets_ignored_pixels_and_batch()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(31, 2, 4, 3, 2);
            var soft = TestData.Logits(32, 2, 4, 3, 2).softmax(1);
            // Soft targets use TP = (P + G − Σ|p − g|)/2; the loop reference uses Σ p·g, so compare on one-hot soft targets.
            var labels = TestData.Labels(33, 4, 2, 3, 2);
            var oneHot = OneHot.Encode(labels, 4, dtype: ScalarType.Float64);
            var p = AsymmetricReference.Dense(x.softmax(1));
            var (g, valid) = AsymmetricReference.OneHot(labels, 4, null);
            double expected = AsymmetricReference.Mean(AsymmetricReference.Tversky(p, g, valid, 0.6, 0.5, 1e-7));
            using var loss = new AsymmetricFocalTverskyLoss(delta: 0.6, gamma: 0.5);
            Value(loss, x, labels).Should().BeApproximately(expected, 1e-12);
            Value(loss, x, oneHot).Should().BeApproximately(expected, 1e-12);
            // A soft target scores its own probabilities as perfect (TI = 1 in every class).
            using var self = new AsymmetricFocalTverskyLoss(fromLogits: false, gamma: 0);
            Value(self, soft, soft).Should().BeApproximately(0, 1e-12);

            var (_, ignored, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var x3 = TestData.Logits(34, 2, 3, 3, 2);
            var (gi, vi) = AsymmetricReference.OneHot(ignored, 3, Ignore);
            using var ignoring = new AsymmetricFocalTverskyLoss(ignoreIndex: Ignore);
            Value(ignoring, x3, ignored).Should().BeApproximately(AsymmetricReference.Mean(AsymmetricReference.Tversky(AsymmetricReference.Dense(x3.softmax(1)), gi, vi, 0.7, 0.75, 1e-7)), 1e-12);

            // batch: the two images pooled into one, i.e. the reference on a (1, C, 2S) view.
            var pooledX = x3.permute(1, 0, 2, 3).reshape(1, 3, 12);
            var pooledY = ignored.reshape(1, 12);
            var (gb, vb) = AsymmetricReference.OneHot(pooledY, 3, Ignore);
            using var batch = new AsymmetricFocalTverskyLoss(batch: true, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            using var perClass = batch.call(x3, ignored);
            perClass.shape.Should().Equal(3);
            var reference = AsymmetricReference.Tversky(AsymmetricReference.Dense(pooledX.softmax(1)), gb, vb, 0.7, 0.75, 1e-7);
            perClass.data<double>().ToArray().Should().Equal(new[] { reference[0, 0], reference[0, 1], reference[0, 2] }, (a, b) => Math.Abs(a - b) < 1e-12);
        }

        [Fact]
        public void Without_enhancement_it_is_Tversky_with_alpha_one_minus_delta_and_beta_delta()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            using var aftl = new AsymmetricFocalTverskyLoss(delta: 0.8, gamma: 0, smooth: 1e-5, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            using var tversky = new TverskyLoss(alpha: 0.2, beta: 0.8, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            aftl.call(x, y).allclose(tversky.call(x, y), rtol: 1e-12, atol: 1e-14).Should().BeTrue();
            // With γ the foreground columns are raised to 1 − γ and the background column is unchanged.
            using var focal = new AsymmetricFocalTverskyLoss(delta: 0.8, gamma: 0.6, smooth: 1e-5, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            var plain = tversky.call(x, y);
            var expected = cat(new[] { plain.narrow(1, 0, 1), plain.narrow(1, 1, 2).pow(0.4) }, 1);
            focal.call(x, y).allclose(expected, rtol: 1e-12, atol: 1e-14).Should().BeTrue();
        }

        [Fact]
        public void Binary_equals_Multiclass_on_the_two_channels_zero_and_z()
        {
            using var scope = NewDisposeScope();
            var (z, t, _) = PixelLossChecks.Case(LossMode.Binary, threeD: true, ignore: false);
            var twoChannel = cat(new[] { zeros_like(z), z }, 1);
            var labels = t.squeeze(1).to(ScalarType.Int64);
            foreach (var batch in new[] { false, true })
            {
                using var binary = new AsymmetricFocalTverskyLoss(LossMode.Binary, batch: batch, reduction: nn.Reduction.None);
                using var multiclass = new AsymmetricFocalTverskyLoss(batch: batch, reduction: nn.Reduction.None);
                binary.call(z, t).allclose(multiclass.call(twoChannel, labels), rtol: 1e-12, atol: 1e-14).Should().BeTrue($"batch = {batch}");
            }
        }

        [Theory]
        [MemberData(nameof(AsymmetricFocalLossTests.GradCases), MemberType = typeof(AsymmetricFocalLossTests))]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            GradCheck.EachLoss(new SegmentationLoss[]
            {
                new AsymmetricFocalTverskyLoss(mode, ignoreIndex: Ignore),
                new AsymmetricFocalTverskyLoss(mode, delta: 0.3, gamma: 0.5, batch: true, ignoreIndex: Ignore, reduction: nn.Reduction.None),
                new AsymmetricFocalTverskyLoss(mode, gamma: 0, smooth: 1, ignoreIndex: Ignore, reduction: nn.Reduction.Sum),
            }, x, target);
        }

        [Fact]
        public void Gradient_matches_for_soft_targets_and_probability_inputs()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            GradCheck.Full(v => new AsymmetricFocalTverskyLoss().call(v, soft), x);
            var labels = TestData.Labels(5, 3, 2, 3, 2);
            GradCheck.Full(v => new AsymmetricFocalTverskyLoss(fromLogits: false).call(v, labels), x.softmax(1));
            var softBinary = TestData.Logits(6, 2, 1, 3, 2).sigmoid();
            GradCheck.Full(v => new AsymmetricFocalTverskyLoss(LossMode.Binary, fromLogits: false, gamma: 0.3).call(v, softBinary), x.narrow(1, 0, 1).sigmoid());
        }

        [Fact]
        public void Perfect_prediction_is_the_minimum_with_a_finite_gradient()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            labels[0, 0, 0] = tensor(1L);
            labels[0, 0, 1] = tensor(2L);
            using var loss = new AsymmetricFocalTverskyLoss();
            var perfect = TestData.PerfectLogits(labels, 3, margin: 40);
            // One-hot softmax to rounding: 1 − TI < 1e-7 is clamped, so each foreground class scores (1e-7)^0.25.
            double floor = 2.0 / 3 * Math.Pow(1e-7, 0.25);
            double best = Value(loss, perfect, labels);
            best.Should().BeApproximately(floor, 1e-9);
            for (long seed = 0; seed < 5; seed++)
                Value(loss, TestData.Logits(seed, 2, 3, 3, 2), labels).Should().BeGreaterThan(best);
            var gradient = GradCheck.Gradient(v => loss.call(v, labels), perfect);
            gradient.Should().OnlyContain(g => Math.Abs(g) < 1e-9, "at the clamp the foreground terms are flat and the background's gradient vanishes with the softmax's");

            // Probability inputs exactly one-hot: a zero, not infinite, gradient.
            var oneHot = OneHot.Encode(labels, 3, dtype: ScalarType.Float64);
            using var probabilities = new AsymmetricFocalTverskyLoss(fromLogits: false, gamma: 0.9);
            var g = GradCheck.Gradient(v => probabilities.call(v, labels), oneHot);
            g.Should().OnlyContain(v => double.IsFinite(v));
            // Flattened (N, C, S) = (2, 3, 6): the foreground channels c = 1, 2 sit at the clamp.
            g.Where((_, i) => i % 18 >= 6).Should().OnlyContain(v => v == 0.0, "the foreground channels sit at the clamp");
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void More_error_gives_more_loss(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (_, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: false);
            var (right, wrong) = AsymmetricFocalLossTests.Ladder(mode, target);
            using var loss = new AsymmetricFocalTverskyLoss(mode);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode) =>
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new AsymmetricFocalTverskyLoss(mode, ignoreIndex: Ignore));

        [Fact]
        public void Zero_smoothing_scores_an_absent_and_unpredicted_class_as_perfect()
        {
            // Probabilities put nothing on class 2, which is absent: 0/0 counts as TI = 1 (loss floor 1e-7^(1 − γ)).
            using var p = tensor(new[] { 0.8, 0.3, 0.2, 0.7, 0.0, 0.0 }, new long[] { 1, 3, 2 });
            using var y = tensor(new long[] { 0, 1 }, new long[] { 1, 2 });
            using var loss = new AsymmetricFocalTverskyLoss(fromLogits: false, smooth: 0, reduction: nn.Reduction.None);
            using var perClass = loss.call(p, y);
            // Class 0: TP = 0.8, FN = 0.2, FP = 0.3; class 1: TP = 0.7, FN = 0.3, FP = 0.2.
            double ti0 = 0.8 / (0.8 + 0.7 * 0.2 + 0.3 * 0.3), ti1 = 0.7 / (0.7 + 0.7 * 0.3 + 0.3 * 0.2);
            perClass.data<double>().ToArray().Should().Equal(new[] { 1 - ti0, Math.Pow(1 - ti1, 0.25), Math.Pow(1e-7, 0.25) }, (a, b) => Math.Abs(a - b) < 1e-12);
            GradCheck.Gradient(v => loss.call(v, y), p).Should().OnlyContain(v => double.IsFinite(v));
        }

        [Fact]
        public void Bad_options_name_the_argument()
        {
            FluentActions.Invoking(() => new AsymmetricFocalTverskyLoss(gamma: 1)).Should().Throw<ArgumentException>().WithParameterName("gamma").WithMessage("*[0, 1)*1*");
            FluentActions.Invoking(() => new AsymmetricFocalTverskyLoss(gamma: -0.1)).Should().Throw<ArgumentException>().WithParameterName("gamma");
            FluentActions.Invoking(() => new AsymmetricFocalTverskyLoss(delta: -0.1)).Should().Throw<ArgumentException>().WithParameterName("delta");
            FluentActions.Invoking(() => new AsymmetricFocalTverskyLoss(smooth: -1)).Should().Throw<ArgumentException>().WithParameterName("smooth");
            FluentActions.Invoking(() => new AsymmetricFocalTverskyLoss(LossMode.Multilabel)).Should().Throw<ArgumentException>().WithParameterName("mode");
        }
    }
}
