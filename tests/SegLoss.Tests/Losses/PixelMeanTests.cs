using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary>
    /// The <see cref="PixelMean"/> option of <see cref="CrossEntropyLoss"/>, <see cref="FocalLoss"/> and
    /// <see cref="TopKCrossEntropyLoss"/>: hand-computed denominators, gradients, inert ignored pixels, bad options.
    /// </summary>
    public class PixelMeanTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        private static double[] Softmax(params double[] z)
        {
            var e = z.Select(Math.Exp).ToArray();
            return e.Select(v => v / e.Sum()).ToArray();
        }

        private static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

        /// <summary>
        /// (1, 3, 1, 3): pixel 0 logits (1, 2, 0) label 1; pixel 1 (0.5, −1, 2) label 0; pixel 2 (0, 0, 3) ignored.
        /// </summary>
        private static (Tensor x, Tensor y, double l0, double l1, double p0, double p1) TinyMulticlass()
        {
            var x = tensor(new[] { 1.0, 0.5, 0.0, 2.0, -1.0, 0.0, 0.0, 2.0, 3.0 }, new long[] { 1, 3, 1, 3 });
            var y = tensor(new long[] { 1, 0, Ignore }, new long[] { 1, 1, 3 });
            double p0 = Softmax(1, 2, 0)[1], p1 = Softmax(0.5, -1, 2)[0];
            return (x, y, -Math.Log(p0), -Math.Log(p1), p0, p1);
        }

        // ---------------------------------------------------------------- CrossEntropyLoss

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void CE_multiclass_denominators_match_hand_computation(bool fromLogits)
        {
            using var scope = NewDisposeScope();
            var (x, y, l0, l1, _, _) = TinyMulticlass();
            var input = fromLogits ? x : softmax(x, 1);
            CrossEntropyLoss Make(PixelMean m, Tensor? w = null) => new(fromLogits: fromLogits, classWeights: w, ignoreIndex: Ignore, pixelMean: m);
            // Two valid pixels of three, C = 3.
            Value(Make(PixelMean.ValidElements), input, y).Should().BeApproximately((l0 + l1) / 2, 1e-9);
            Value(Make(PixelMean.AllElements), input, y).Should().BeApproximately((l0 + l1) / 3, 1e-9);
            Value(Make(PixelMean.ChannelEntries), input, y).Should().BeApproximately((l0 + l1) / 6, 1e-9);
            // Class weights (0.2, 0.5, 0.3): PyTorch's Σ w_y for ValidElements; counts (weights only scale) otherwise.
            var w = tensor(new[] { 0.2, 0.5, 0.3 });
            double weighted = 0.5 * l0 + 0.2 * l1;
            Value(Make(PixelMean.ValidElements, w), input, y).Should().BeApproximately(weighted / 0.7, 1e-9);
            Value(Make(PixelMean.AllElements, w), input, y).Should().BeApproximately(weighted / 3, 1e-9);
            Value(Make(PixelMean.ChannelEntries, w), input, y).Should().BeApproximately(weighted / 6, 1e-9);
        }

        [Fact]
        public void CE_shared_activation_path_gives_the_same_value()
        {
            // Beside a Dice term, CE uses the shared log_softmax instead of the fused kernel.
            using var scope = NewDisposeScope();
            var (x, y, l0, l1, _, _) = TinyMulticlass();
            using var dice = new DiceLoss(ignoreIndex: Ignore);
            foreach (var (mean, denominator) in new[] { (PixelMean.AllElements, 3.0), (PixelMean.ChannelEntries, 6.0) })
            {
                // The sum owns (and disposes) its terms.
                using var sum = new CrossEntropyLoss(ignoreIndex: Ignore, pixelMean: mean) + new DiceLoss(ignoreIndex: Ignore);
                (Value(sum, x, y) - Value(dice, x, y)).Should().BeApproximately((l0 + l1) / denominator, 1e-12);
            }
        }

        [Fact]
        public void CE_sigmoid_denominators_match_hand_computation()
        {
            // Multilabel (1, 2, 1, 2): z = ch0 (1, −2), ch1 (0.5, 3); t = ch0 (1, ignored), ch1 (0, 1).
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 1.0, -2.0, 0.5, 3.0 }, new long[] { 1, 2, 1, 2 });
            var t = tensor(new[] { 1.0, Ignore, 0.0, 1.0 }, new long[] { 1, 2, 1, 2 });
            // BCE: t = 1 → softplus(−z), t = 0 → softplus(z).
            double sum = Softplus(-1) + Softplus(0.5) + Softplus(-3);
            foreach (bool fromLogits in new[] { true, false })
            {
                var input = fromLogits ? x : x.sigmoid();
                CrossEntropyLoss Make(PixelMean m) => new(LossMode.Multilabel, fromLogits, ignoreIndex: Ignore, pixelMean: m);
                Value(Make(PixelMean.ValidElements), input, t).Should().BeApproximately(sum / 3, 1e-9);
                Value(Make(PixelMean.AllElements), input, t).Should().BeApproximately(sum / 4, 1e-9);
                // The elements already are channel entries.
                Value(Make(PixelMean.ChannelEntries), input, t).Should().BeApproximately(sum / 3, 1e-9);
            }
        }

        [Fact]
        public void PixelMean_changes_only_the_Mean()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            foreach (var reduction in new[] { nn.Reduction.Sum, nn.Reduction.None })
            {
                using var a = new CrossEntropyLoss(ignoreIndex: Ignore, reduction: reduction);
                using var b = new CrossEntropyLoss(ignoreIndex: Ignore, reduction: reduction, pixelMean: PixelMean.AllElements);
                using var c = new FocalLoss(ignoreIndex: Ignore, reduction: reduction);
                using var d = new FocalLoss(ignoreIndex: Ignore, reduction: reduction, pixelMean: PixelMean.ChannelEntries);
                a.call(x, y).allclose(b.call(x, y), 0, 1e-15).Should().BeTrue();
                c.call(x, y).allclose(d.call(x, y), 0, 1e-15).Should().BeTrue();
            }
        }

        [Fact]
        public void Without_ignored_pixels_AllElements_is_the_default_and_ChannelEntries_divides_by_C()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: false);
            double plain = Value(new CrossEntropyLoss(), x, y);
            Value(new CrossEntropyLoss(pixelMean: PixelMean.AllElements), x, y).Should().BeApproximately(plain, Tol);
            Value(new CrossEntropyLoss(pixelMean: PixelMean.ChannelEntries), x, y).Should().BeApproximately(plain / 3, Tol);
            double focal = Value(new FocalLoss(gamma: 1.5), x, y);
            Value(new FocalLoss(gamma: 1.5, pixelMean: PixelMean.ChannelEntries), x, y).Should().BeApproximately(focal / 3, Tol);
        }

        [Fact]
        public void Every_pixel_ignored_gives_zero_under_every_convention()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 1, 3, 2, 2).requires_grad_(true);
            var y = full(new long[] { 1, 2, 2 }, Ignore, ScalarType.Int64);
            foreach (var mean in Enum.GetValues<PixelMean>())
            {
                foreach (var loss in new SegmentationLoss[] { new CrossEntropyLoss(ignoreIndex: Ignore, pixelMean: mean), new FocalLoss(ignoreIndex: Ignore, pixelMean: mean) })
                {
                    using (loss)
                    {
                        var v = loss.call(x, y);
                        v.item<double>().Should().Be(0.0);
                        v.backward();
                        x.grad!.abs().max().item<double>().Should().Be(0.0);
                        x.grad = null;
                    }
                }
            }
        }

        // ---------------------------------------------------------------- FocalLoss

        [Fact]
        public void Focal_multiclass_denominators_match_hand_computation()
        {
            using var scope = NewDisposeScope();
            var (x, y, l0, l1, p0, p1) = TinyMulticlass();
            double f0 = Math.Pow(1 - p0, 2) * l0, f1 = Math.Pow(1 - p1, 2) * l1;
            FocalLoss Make(PixelMean m, bool background = true) => new(ignoreIndex: Ignore, pixelMean: m, includeBackground: background);
            Value(Make(PixelMean.ValidElements), x, y).Should().BeApproximately((f0 + f1) / 2, Tol);
            Value(Make(PixelMean.AllElements), x, y).Should().BeApproximately((f0 + f1) / 3, Tol);
            Value(Make(PixelMean.ChannelEntries), x, y).Should().BeApproximately((f0 + f1) / 6, Tol);
            // Without the background, pixel 1 (label 0) contributes 0 but counts; ChannelEntries counts C − 1 = 2 channels.
            Value(Make(PixelMean.ValidElements, false), x, y).Should().BeApproximately(f0 / 2, Tol);
            Value(Make(PixelMean.AllElements, false), x, y).Should().BeApproximately(f0 / 3, Tol);
            Value(Make(PixelMean.ChannelEntries, false), x, y).Should().BeApproximately(f0 / 4, Tol);
        }

        // ---------------------------------------------------------------- TopKCrossEntropyLoss

        [Fact]
        public void TopK_AllElements_budget_counts_ignored_pixels_as_zero_candidates()
        {
            // (1, 3, 1, 5): pixels 1 and 3 ignored; the three valid CE values come from plain softmax arithmetic.
            using var scope = NewDisposeScope();
            var logits = new[] { new[] { 1.0, 2.0, 0.0 }, new[] { 0.0, 0.0, 0.0 }, new[] { 0.5, -1.0, 2.0 }, new[] { 3.0, 0.0, 0.0 }, new[] { -1.0, 0.0, 1.0 } };
            long[] labels = { 1, Ignore, 0, Ignore, 2 };
            var x = tensor(Enumerable.Range(0, 3).SelectMany(c => logits.Select(p => p[c])).ToArray(), new long[] { 1, 3, 1, 5 });
            var y = tensor(labels, new long[] { 1, 1, 5 });
            var ce = new[] { 0, 2, 4 }.Select(i => -Math.Log(Softmax(logits[i])[labels[i]])).OrderByDescending(v => v).ToArray();
            TopKCrossEntropyLoss Make(double k, PixelMean m) => new(k: k, ignoreIndex: Ignore, pixelMean: m);
            // AllElements: V = 5. k = 60 → K = 3 (the three valid values); k = 80 → K = 4 (one ignored zero joins);
            // k = 100 → K = 5 (both zeros): Σ CE / 5, i.e. CE with AllElements.
            Value(Make(60, PixelMean.AllElements), x, y).Should().BeApproximately(ce.Sum() / 3, Tol);
            Value(Make(80, PixelMean.AllElements), x, y).Should().BeApproximately(ce.Sum() / 4, Tol);
            Value(Make(100, PixelMean.AllElements), x, y).Should().BeApproximately(ce.Sum() / 5, Tol);
            Value(new CrossEntropyLoss(ignoreIndex: Ignore, pixelMean: PixelMean.AllElements), x, y).Should().BeApproximately(ce.Sum() / 5, Tol);
            // ValidElements: V = 3; k = 60 → K = max(1, ⌊1.8⌋) = 1, the largest value.
            Value(Make(60, PixelMean.ValidElements), x, y).Should().BeApproximately(ce[0], Tol);
            // K is at least 1 where nnU-Net's int(5·10/100) = 0 would average nothing (NaN).
            Value(Make(10, PixelMean.AllElements), x, y).Should().BeApproximately(ce[0], Tol);
        }

        [Fact]
        public void TopK_AllElements_per_image_budgets_count_every_pixel_of_the_image()
        {
            // Two images of 4 pixels, image 0 with 3 ignored, k = 50: K = 2 per image (AllElements), so image 0 keeps its
            // one valid value and one zero, image 1 its two largest; the mean divides by ΣK = 4.
            using var scope = NewDisposeScope();
            var x = TestData.Logits(8, 2, 3, 2, 2);
            var y = tensor(new long[] { Ignore, 2, Ignore, Ignore, 0, 1, 2, 1 }, new long[] { 2, 2, 2 });
            using var perPixel = new CrossEntropyLoss(ignoreIndex: Ignore, reduction: nn.Reduction.None);
            var ce = perPixel.call(x, y).reshape(2, 4).data<double>().ToArray();
            double expected = (ce[1] + ce.Skip(4).OrderByDescending(v => v).Take(2).Sum()) / 4;
            Value(new TopKCrossEntropyLoss(k: 50, perImage: true, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements), x, y).Should().BeApproximately(expected, Tol);
        }

        // ---------------------------------------------------------------- OhemCrossEntropyLoss

        [Fact]
        public void Ohem_AllElements_divides_the_kept_loss_by_every_pixel()
        {
            // Kept: valid pixels with p_true < 0.6 (minKept 0). Mean: over the kept (default) or over all N·S pixels.
            using var scope = NewDisposeScope();
            var x = TestData.Logits(17, 2, 3, 2, 3);
            var y = TestData.LabelsWithIgnored(18, 3, Ignore, 2, 2, 3);
            var z = x.data<double>().ToArray();
            var labels = y.data<long>().ToArray();
            double sum = 0;
            int kept = 0;
            for (int b = 0; b < 2; b++)
                for (int i = 0; i < 6; i++)
                {
                    long label = labels[b * 6 + i];
                    if (label == Ignore) continue;
                    double p = Softmax(Enumerable.Range(0, 3).Select(c => z[(b * 3 + c) * 6 + i]).ToArray())[label];
                    if (p >= 0.6) continue;
                    sum += -Math.Log(p);
                    kept++;
                }
            kept.Should().BeInRange(1, 11, "the case keeps some pixels and drops others");
            Value(new OhemCrossEntropyLoss(threshold: 0.6, minKept: 0, ignoreIndex: Ignore), x, y).Should().BeApproximately(sum / kept, Tol);
            Value(new OhemCrossEntropyLoss(threshold: 0.6, minKept: 0, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements), x, y).Should().BeApproximately(sum / 12, Tol);
            using var w = tensor(new[] { 1.0, 2.0, 3.0 });
            ((Action)(() => new OhemCrossEntropyLoss(classWeights: w, pixelMean: PixelMean.ChannelEntries))).Should().Throw<ArgumentException>()
                .Which.ParamName.Should().Be("pixelMean");
            new OhemCrossEntropyLoss(pixelMean: PixelMean.AllElements).PixelMean.Should().Be(PixelMean.AllElements);
        }

        [Fact]
        public void Ohem_AllElements_gradients_match_finite_differences()
        {
            using var scope = NewDisposeScope();
            foreach (var mode in new[] { LossMode.Multiclass, LossMode.Binary })
                foreach (bool threeD in new[] { false, true })
                {
                    var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore: true);
                    using var w = tensor(new[] { 1.0, 2.0, 0.5 }.Take((int)x.shape[1]).ToArray());
                    GradCheck.EachLoss(new SegmentationLoss[]
                    {
                        new OhemCrossEntropyLoss(mode, threshold: 0.6, minKept: 2, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements),
                        new OhemCrossEntropyLoss(mode, threshold: 0.6, minKept: 2, classWeights: w, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements),
                    }, x, target);
                    PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new OhemCrossEntropyLoss(mode, threshold: 0.6, minKept: 2, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements));
                }
        }

        // ---------------------------------------------------------------- gradients and ignored pixels

        public static TheoryData<LossMode, bool> Modes2D3D()
        {
            var data = new TheoryData<LossMode, bool>();
            foreach (var mode in new[] { LossMode.Multiclass, LossMode.Binary, LossMode.Multilabel })
                foreach (bool threeD in new[] { false, true })
                    data.Add(mode, threeD);
            return data;
        }

        /// <summary>Every new pixel-loss path in a mode (logit input), ignoring <see cref="Ignore"/>.</summary>
        internal static IEnumerable<Func<SegmentationLoss>> NewPixelPaths(LossMode mode) => new Func<SegmentationLoss>[]
        {
            () => new CrossEntropyLoss(mode, ignoreIndex: Ignore, labelSmoothing: 0.1, pixelMean: PixelMean.AllElements),
            () => new CrossEntropyLoss(mode, ignoreIndex: Ignore, pixelMean: PixelMean.ChannelEntries),
            () => new FocalLoss(mode, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements),
            () => new FocalLoss(mode, gamma: 0.5, ignoreIndex: Ignore, pixelMean: PixelMean.ChannelEntries, includeBackground: false),
            () => new FocalLoss(mode, ignoreIndex: Ignore, includeBackground: false),
            () => new TopKCrossEntropyLoss(mode, k: 50, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements),
            () => new TopKCrossEntropyLoss(mode, k: 40, perImage: true, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements),
        };

        [Theory]
        [MemberData(nameof(Modes2D3D))]
        public void Gradients_match_finite_differences_with_ignored_pixels(LossMode mode, bool threeD)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore: true);
            GradCheck.EachLoss(NewPixelPaths(mode).Select(make => make()), x, target);
            // The unfused path of probability inputs.
            using var probabilities = new CrossEntropyLoss(mode, fromLogits: false, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements);
            GradCheck.Full(v => probabilities.call(v, target), mode == LossMode.Multiclass ? softmax(x, 1) : x.sigmoid());
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void Ignored_pixels_are_inert(LossMode mode)
        {
            foreach (var make in NewPixelPaths(mode)) PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, make);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Multilabel)]
        public void Perfect_prediction_is_the_minimum_and_more_error_scores_more(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(4, 3, 2, 3, 3);
            var right = TestData.PerfectLogits(labels, 3, margin: 1);
            var wrong = TestData.PerfectLogits((labels + 1) % 3, 3, margin: 1);
            if (mode == LossMode.Multilabel)
            {
                // ±1 per channel, and every channel wrong in the wrong input (not only the labelled one).
                right = right * 2 - 1;
                wrong = -right;
            }
            Tensor target = mode == LossMode.Multiclass ? labels : OneHot.Encode(labels, 3, dtype: ScalarType.Float64);
            var losses = new SegmentationLoss[]
            {
                new CrossEntropyLoss(mode, pixelMean: PixelMean.AllElements),
                new FocalLoss(mode, includeBackground: false, pixelMean: PixelMean.ChannelEntries),
                new TopKCrossEntropyLoss(mode, k: 30, pixelMean: PixelMean.AllElements),
            };
            foreach (var loss in losses)
            {
                using (loss)
                {
                    PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, target);
                    Value(loss, right * 40, target).Should().BeLessThan(1e-12, "a confident, correct prediction scores the minimum 0");
                }
            }
        }

        // ---------------------------------------------------------------- options

        [Fact]
        public void Properties_report_the_options()
        {
            using var ce = new CrossEntropyLoss(pixelMean: PixelMean.AllElements);
            ce.PixelMean.Should().Be(PixelMean.AllElements);
            using var focal = new FocalLoss(pixelMean: PixelMean.ChannelEntries, includeBackground: false);
            focal.PixelMean.Should().Be(PixelMean.ChannelEntries);
            focal.IncludeBackground.Should().BeFalse();
            using var topk = new TopKCrossEntropyLoss(pixelMean: PixelMean.AllElements);
            topk.PixelMean.Should().Be(PixelMean.AllElements);
            using var defaults = new FocalLoss();
            defaults.PixelMean.Should().Be(PixelMean.ValidElements);
            defaults.IncludeBackground.Should().BeTrue();
            new CrossEntropyLoss().PixelMean.Should().Be(PixelMean.ValidElements);
            new TopKCrossEntropyLoss().PixelMean.Should().Be(PixelMean.ValidElements);
        }

        [Fact]
        public void Bad_options_name_the_parameter()
        {
            var undefined = (PixelMean)7;
            ((Action)(() => new CrossEntropyLoss(pixelMean: undefined))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("pixelMean");
            ((Action)(() => new FocalLoss(pixelMean: undefined))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("pixelMean");
            ((Action)(() => new TopKCrossEntropyLoss(pixelMean: undefined))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("pixelMean");
            // TopK selects pixels (entries); a per-channel-entry denominator has no meaning there.
            ((Action)(() => new TopKCrossEntropyLoss(pixelMean: PixelMean.ChannelEntries))).Should().Throw<ArgumentException>()
                .Which.ParamName.Should().Be("pixelMean");
            using var w = tensor(new[] { 1.0, 2.0 });
            ((Action)(() => new TopKCrossEntropyLoss(classWeights: w, pixelMean: PixelMean.ChannelEntries))).Should().Throw<ArgumentException>()
                .Which.ParamName.Should().Be("pixelMean");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Theory]
            [InlineData(LossMode.Multiclass)]
            [InlineData(LossMode.Binary)]
            [InlineData(LossMode.Multilabel)]
            public void ForwardAndBackwardLeaveNoTensorBehind(LossMode mode)
            {
                var (x0, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
                using var _x = x0;
                using var _t = target;
                using var x = x0.detach().requires_grad_(true);
                foreach (var make in NewPixelPaths(mode))
                {
                    using var loss = make();
                    LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, target);
                }
            }

            [Fact]
            public void A_rejected_option_leaves_no_tensor_behind()
            {
                using var w = tensor(new[] { 1.0, 2.0, 3.0 });
                LiveTensors.AssertNoLeak(() =>
                {
                    try { using var _ = new TopKCrossEntropyLoss(classWeights: w, pixelMean: PixelMean.ChannelEntries); }
                    catch (ArgumentException) { }
                }, "the option is checked before the weights are copied");
            }
        }
    }
}
