using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary><see cref="FocalLoss"/> with <c>includeBackground: false</c>.</summary>
    public class FocalBackgroundTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

        [Fact]
        public void Multiclass_hard_labels_drop_the_background_pixels_terms_but_count_them()
        {
            // (1, 3, 1, 3): pixel 0 logits (1, 2, 0) label 1; pixel 1 (0.5, −1, 2) label 0; pixel 2 (0, 0, 3) label 2.
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 0.5, 0.0, 2.0, -1.0, 0.0, 0.0, 2.0, 3.0 }, new long[] { 1, 3, 1, 3 });
            var y = tensor(new long[] { 1, 0, 2 }, new long[] { 1, 1, 3 });
            double Term(double[] z, int label)
            {
                // Softmax over all three channels, γ = 2.
                var e = z.Select(Math.Exp).ToArray();
                double p = e[label] / e.Sum();
                return -Math.Pow(1 - p, 2) * Math.Log(p);
            }
            double f0 = Term(new[] { 1.0, 2.0, 0.0 }, 1), f2 = Term(new[] { 0.0, 0.0, 3.0 }, 2);
            Value(new FocalLoss(includeBackground: false), x, y).Should().BeApproximately((f0 + f2) / 3, Tol);
            Value(new FocalLoss(includeBackground: false, reduction: nn.Reduction.Sum), x, y).Should().BeApproximately(f0 + f2, Tol);
            using var none = new FocalLoss(includeBackground: false, reduction: nn.Reduction.None).call(x, y);
            none.shape.Should().Equal(1, 1, 3);
            none.data<double>().ToArray().Should().Equal(new[] { f0, 0.0, f2 }, (a, b) => Math.Abs(a - b) < Tol);
            // Class α still has C entries; class 0's is unused.
            using var alpha = tensor(new[] { 100.0, 0.5, 2.0 });
            Value(new FocalLoss(classAlpha: alpha, includeBackground: false), x, y).Should().BeApproximately((0.5 * f0 + 2 * f2) / 3, Tol);
        }

        [Fact]
        public void Multiclass_soft_targets_sum_the_foreground_classes()
        {
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, 2.0, 0.0 }, new long[] { 1, 3, 1, 1 });
            var g = tensor(new[] { 0.2, 0.5, 0.3 }, new long[] { 1, 3, 1, 1 });
            var e = new[] { 1.0, 2.0, 0.0 }.Select(Math.Exp).ToArray();
            var p = e.Select(v => v / e.Sum()).ToArray();
            double expected = -Enumerable.Range(1, 2).Sum(c => new[] { 0.2, 0.5, 0.3 }[c] * Math.Pow(1 - p[c], 2) * Math.Log(p[c]));
            Value(new FocalLoss(includeBackground: false), x, g).Should().BeApproximately(expected, Tol);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Multilabel_equals_the_loss_on_the_foreground_channels(bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, t, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: false, ignore: ignore);
            long c = x.shape[1];
            foreach (var mean in Enum.GetValues<PixelMean>())
            {
                using var without = new FocalLoss(LossMode.Multilabel, alpha: 0.3, ignoreIndex: Ignore, includeBackground: false, pixelMean: mean);
                using var sliced = new FocalLoss(LossMode.Multilabel, alpha: 0.3, ignoreIndex: Ignore, pixelMean: mean);
                var xs = x.narrow(1, 1, c - 1);
                var ts = t.narrow(1, 1, c - 1);
                Value(without, x, t).Should().BeApproximately(Value(sliced, xs, ts), Tol, $"{mean}");
            }
            using var none = new FocalLoss(LossMode.Multilabel, ignoreIndex: Ignore, includeBackground: false, reduction: nn.Reduction.None).call(x, t);
            none.shape.Should().Equal(x.shape[0], c - 1, x.shape[2], x.shape[3]);
        }

        [Fact]
        public void Multilabel_tiny_example_matches_hand_computation()
        {
            // (1, 2, 1, 2): channel 0 dropped; channel 1 logits (0.5, 3), targets (0, 1); γ = 2, α = 0.25.
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 9.0, -9.0, 0.5, 3.0 }, new long[] { 1, 2, 1, 2 });
            var t = tensor(new[] { 0.0, 1.0, 0.0, 1.0 }, new long[] { 1, 2, 1, 2 });
            // t = 0: p_t = 1 − σ(0.5), −log p_t = softplus(0.5); t = 1: p_t = σ(3), −log p_t = softplus(−3).
            double a = 0.75 * Math.Pow(Sigmoid(0.5), 2) * Math.Log(1 + Math.Exp(0.5));
            double b = 0.25 * Math.Pow(1 - Sigmoid(3), 2) * Math.Log(1 + Math.Exp(-3));
            Value(new FocalLoss(LossMode.Multilabel, alpha: 0.25, includeBackground: false), x, t).Should().BeApproximately((a + b) / 2, Tol);
        }

        [Fact]
        public void Binary_and_single_channel_inputs_keep_their_channel()
        {
            using var scope = NewDisposeScope();
            var (x, t, _) = PixelLossChecks.Case(LossMode.Binary, threeD: false, ignore: true);
            Value(new FocalLoss(LossMode.Binary, ignoreIndex: Ignore, includeBackground: false), x, t)
                .Should().Be(Value(new FocalLoss(LossMode.Binary, ignoreIndex: Ignore), x, t));
            Value(new FocalLoss(LossMode.Multilabel, ignoreIndex: Ignore, includeBackground: false), x, t)
                .Should().Be(Value(new FocalLoss(LossMode.Multilabel, ignoreIndex: Ignore), x, t));
        }

        [Fact]
        public void Background_predictions_do_not_matter_in_multilabel_mode()
        {
            // Without the background, channel 0's logits get no gradient.
            using var scope = NewDisposeScope();
            var (x, t, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: true, ignore: true);
            using var loss = new FocalLoss(LossMode.Multilabel, ignoreIndex: Ignore, includeBackground: false);
            var leaf = x.detach().clone().requires_grad_(true);
            loss.call(leaf, t).backward();
            leaf.grad!.narrow(1, 0, 1).abs().max().item<double>().Should().Be(0.0);
            leaf.grad!.narrow(1, 1, x.shape[1] - 1).abs().max().item<double>().Should().BeGreaterThan(0.0);
        }

        [Theory]
        [InlineData(LossMode.Multiclass, false)]
        [InlineData(LossMode.Multiclass, true)]
        [InlineData(LossMode.Multilabel, false)]
        [InlineData(LossMode.Multilabel, true)]
        [InlineData(LossMode.Binary, true)]
        public void Gradients_match_finite_differences(LossMode mode, bool threeD)
        {
            using var scope = NewDisposeScope();
            foreach (bool ignore in new[] { false, true })
            {
                var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
                GradCheck.EachLoss(new SegmentationLoss[]
                {
                    new FocalLoss(mode, ignoreIndex: Ignore, includeBackground: false),
                    new FocalLoss(mode, gamma: 0.7, ignoreIndex: Ignore, includeBackground: false, pixelMean: PixelMean.AllElements),
                }, x, target);
                using var probabilities = new FocalLoss(mode, fromLogits: false, ignoreIndex: Ignore, includeBackground: false);
                GradCheck.Full(v => probabilities.call(v, target), mode == LossMode.Multiclass ? softmax(x, 1) : x.sigmoid() * 0.9 + 0.05);
            }
        }
    }
}
