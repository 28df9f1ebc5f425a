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
    public class AsymmetricFocalLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;

        private static double[] Softmax(params double[] z)
        {
            var e = z.Select(Math.Exp).ToArray();
            return e.Select(v => v / e.Sum()).ToArray();
        }

        private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

        [Fact]
        public void Multiclass_tiny_example_matches_hand_computation()
        {
            // (1, 3, 1, 2): pixel 0 logits (1, 2, 0) label 0 (background), pixel 1 logits (0.5, −1, 2) label 2.
            using var x = tensor(new[] { 1.0, 0.5, 2.0, -1.0, 0.0, 2.0 }, new long[] { 1, 3, 1, 2 });
            using var y = tensor(new long[] { 0, 2 }, new long[] { 1, 1, 2 });
            double p0 = Softmax(1, 2, 0)[0], p1 = Softmax(0.5, -1, 2)[2];
            // Background: (1 − δ)(1 − p_0)^γ(−ln p_0) = 0.3·(1 − p0)²·(−ln p0); foreground: δ·(−ln p_2) = 0.7·(−ln p1).
            double l0 = 0.3 * Math.Pow(1 - p0, 2) * -Math.Log(p0), l1 = 0.7 * -Math.Log(p1);
            using var loss = new AsymmetricFocalLoss();
            Value(loss, x, y).Should().BeApproximately((l0 + l1) / 2, 1e-12);
            using var sum = new AsymmetricFocalLoss(reduction: nn.Reduction.Sum);
            Value(sum, x, y).Should().BeApproximately(l0 + l1, 1e-12);
            using var none = new AsymmetricFocalLoss(reduction: nn.Reduction.None);
            using var perPixel = none.call(x, y);
            perPixel.shape.Should().Equal(1, 1, 2);
            perPixel.data<double>().ToArray().Should().Equal(new[] { l0, l1 }, (a, b) => Math.Abs(a - b) < 1e-12);
        }

        [Fact]
        public void Binary_tiny_example_matches_hand_computation()
        {
            // (1, 1, 1, 2): logits (2, −1), targets (1, 0); channels [1 − p, p].
            using var x = tensor(new[] { 2.0, -1.0 }, new long[] { 1, 1, 1, 2 });
            using var t = tensor(new[] { 1.0, 0.0 }, new long[] { 1, 1, 1, 2 });
            // Pixel 0 is foreground: δ·(−ln σ(2)). Pixel 1 is background: (1 − δ)·p^γ·(−ln(1 − p)) with p = σ(−1).
            double l0 = 0.7 * -Math.Log(Sigmoid(2));
            double l1 = 0.3 * Math.Pow(Sigmoid(-1), 2) * -Math.Log(1 - Sigmoid(-1));
            using var loss = new AsymmetricFocalLoss(LossMode.Binary);
            Value(loss, x, t).Should().BeApproximately((l0 + l1) / 2, 1e-12);
            using var probabilities = new AsymmetricFocalLoss(LossMode.Binary, fromLogits: false);
            using var p = x.sigmoid();
            Value(probabilities, p, t).Should().BeApproximately((l0 + l1) / 2, 1e-12);
        }

        [Fact]
        public void Soft_targets_and_ignored_pixels_match_the_dense_reference()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(21, 2, 4, 3, 2);
            var soft = TestData.Logits(22, 2, 4, 3, 2).softmax(1);
            var p = AsymmetricReference.Dense(x.softmax(1));
            using var loss = new AsymmetricFocalLoss(delta: 0.6, gamma: 0.5);
            Value(loss, x, soft).Should().BeApproximately(AsymmetricReference.Focal(p, AsymmetricReference.Dense(soft), AsymmetricReference.AllValid(2, 6), 0.6, 0.5), 1e-12);

            var (_, labels, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var x3 = TestData.Logits(23, 2, 3, 3, 2);
            var (g, valid) = AsymmetricReference.OneHot(labels, 3, Ignore);
            using var ignoring = new AsymmetricFocalLoss(delta: 0.8, gamma: 1.5, ignoreIndex: Ignore);
            Value(ignoring, x3, labels).Should().BeApproximately(AsymmetricReference.Focal(AsymmetricReference.Dense(x3.softmax(1)), g, valid, 0.8, 1.5), 1e-12);
        }

        [Fact]
        public void Binary_equals_Multiclass_on_the_two_channels_zero_and_z()
        {
            using var scope = NewDisposeScope();
            var (z, t, _) = PixelLossChecks.Case(LossMode.Binary, threeD: false, ignore: false);
            var twoChannel = cat(new[] { zeros_like(z), z }, 1);
            var labels = t.squeeze(1).to(ScalarType.Int64);
            foreach (var gamma in new[] { 0.0, 0.5, 2.0 })
            {
                using var binary = new AsymmetricFocalLoss(LossMode.Binary, gamma: gamma);
                using var multiclass = new AsymmetricFocalLoss(gamma: gamma);
                Value(binary, z, t).Should().BeApproximately(Value(multiclass, twoChannel, labels), 1e-12, $"γ = {gamma}");
            }
        }

        [Fact]
        public void Half_delta_without_focusing_is_half_the_cross_entropy()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: true, ignore: true);
            using var afl = new AsymmetricFocalLoss(delta: 0.5, gamma: 0, ignoreIndex: Ignore);
            using var ce = new CrossEntropyLoss(ignoreIndex: Ignore);
            Value(afl, x, y).Should().BeApproximately(0.5 * Value(ce, x, y), 1e-12);
        }

        [Theory]
        [MemberData(nameof(GradCases))]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            GradCheck.EachLoss(new SegmentationLoss[]
            {
                new AsymmetricFocalLoss(mode, ignoreIndex: Ignore),
                new AsymmetricFocalLoss(mode, delta: 0.4, gamma: 0.5, ignoreIndex: Ignore, reduction: nn.Reduction.None),
                new AsymmetricFocalLoss(mode, gamma: 0, ignoreIndex: Ignore, reduction: nn.Reduction.Sum),
            }, x, target);
        }

        public static TheoryData<LossMode, bool, bool> GradCases()
        {
            var cases = new TheoryData<LossMode, bool, bool>();
            foreach (var mode in new[] { LossMode.Multiclass, LossMode.Binary })
                foreach (var threeD in new[] { false, true })
                    foreach (var ignore in new[] { false, true })
                        cases.Add(mode, threeD, ignore);
            return cases;
        }

        [Fact]
        public void Gradient_matches_for_soft_targets_and_probability_inputs()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            GradCheck.Full(v => new AsymmetricFocalLoss(gamma: 0.5).call(v, soft), x);
            GradCheck.Full(v => new AsymmetricFocalLoss(fromLogits: false, gamma: 1.5).call(v, soft), x.softmax(1));
            var (_, labels, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            GradCheck.Full(v => new AsymmetricFocalLoss(fromLogits: false, ignoreIndex: Ignore).call(v, labels), x.softmax(1));
            var softBinary = TestData.Logits(6, 2, 1, 3, 2).sigmoid();
            GradCheck.Full(v => new AsymmetricFocalLoss(LossMode.Binary, gamma: 0.5).call(v, softBinary), x.narrow(1, 0, 1));
            GradCheck.Full(v => new AsymmetricFocalLoss(LossMode.Binary, fromLogits: false).call(v, softBinary), x.narrow(1, 0, 1).sigmoid());
        }

        [Fact]
        public void Perfect_prediction_is_the_minimum()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            using var loss = new AsymmetricFocalLoss(gamma: 0.5);
            double best = Value(loss, TestData.PerfectLogits(labels, 3), labels);
            best.Should().BeGreaterThanOrEqualTo(0).And.BeLessThan(1e-12);
            for (long seed = 0; seed < 5; seed++)
                Value(loss, TestData.Logits(seed, 2, 3, 3, 2), labels).Should().BeGreaterThan(best);
            var t = TestData.BinaryTargets(3, 2, 1, 3, 2);
            using var binary = new AsymmetricFocalLoss(LossMode.Binary);
            Value(binary, (t * 2 - 1) * 40, t).Should().BeLessThan(1e-15);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void More_error_gives_more_loss(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (_, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: false);
            var (right, wrong) = Ladder(mode, target);
            using var loss = new AsymmetricFocalLoss(mode, gamma: 0.5);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, target);
        }

        internal static (Tensor right, Tensor wrong) Ladder(LossMode mode, Tensor target)
        {
            if (mode == LossMode.Multiclass)
                return (TestData.PerfectLogits(target, 3, margin: 1), TestData.PerfectLogits(target.add(1).remainder(3), 3, margin: 1));
            var right = target * 2 - 1;
            return (right, -right);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode) =>
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new AsymmetricFocalLoss(mode, gamma: 0.5, ignoreIndex: Ignore));

        [Fact]
        public void Every_pixel_ignored_gives_zero_with_zero_gradient()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(1, 1, 3, 2, 2);
            var y = full(new long[] { 1, 2, 2 }, Ignore, ScalarType.Int64);
            var (value, gradient) = PixelLossChecks.ValueAndGradient(v => new AsymmetricFocalLoss(ignoreIndex: Ignore).call(v, y), x);
            value.Should().Be(0.0);
            gradient.Should().OnlyContain(g => g == 0.0);
        }

        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void Extreme_logits_give_finite_gradients_for_small_gamma(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1e4, -1e4, -1e4, 1e4 }, new long[] { 1, 2, 1, 2 }, dtype).requires_grad_(true);
            var y = tensor(new long[] { 0, 0 }, new long[] { 1, 1, 2 });
            var value = new AsymmetricFocalLoss(gamma: 0.25).call(x, y);
            value.backward();
            value.ToDouble().Should().BeApproximately(0.3 * 2e4 / 2, 1.0, "pixel 1 is confidently wrong background: (1 − δ)·1^γ·2e4");
            x.grad!.isfinite().all().item<bool>().Should().BeTrue();
            var p = tensor(new[] { 1.0, 0.0, 0.0, 1.0 }, new long[] { 1, 2, 1, 2 }, dtype).requires_grad_(true);
            var probabilities = new AsymmetricFocalLoss(fromLogits: false, gamma: 0.25).call(p, y);
            probabilities.backward();
            p.grad!.isfinite().all().item<bool>().Should().BeTrue();
        }

        [Fact]
        public void Bad_options_and_inputs_name_the_argument()
        {
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => new AsymmetricFocalLoss(delta: 1.5)).Should().Throw<ArgumentException>().WithParameterName("delta").WithMessage("*[0, 1]*1.5*");
            FluentActions.Invoking(() => new AsymmetricFocalLoss(gamma: -1)).Should().Throw<ArgumentException>().WithParameterName("gamma").WithMessage("*non-negative*");
            FluentActions.Invoking(() => new AsymmetricFocalLoss(gamma: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("gamma");
            FluentActions.Invoking(() => new AsymmetricFocalLoss(LossMode.Multilabel)).Should().Throw<ArgumentException>().WithParameterName("mode").WithMessage("*Multiclass or Binary*Multilabel*");
            using var loss = new AsymmetricFocalLoss(LossMode.Binary);
            FluentActions.Invoking(() => loss.call(zeros(2, 3, 4, 4, ScalarType.Float64), zeros(2, 3, 4, 4, ScalarType.Float64)))
                .Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*3 channels*exactly 1*");
            using var multiclass = new AsymmetricFocalLoss();
            FluentActions.Invoking(() => multiclass.call(zeros(2, 3, 4, 4, ScalarType.Float64), zeros(new long[] { 2, 4, 3 }, ScalarType.Int64)))
                .Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[2, 4, 3]*[2, 4, 4]*");
        }
    }
}
