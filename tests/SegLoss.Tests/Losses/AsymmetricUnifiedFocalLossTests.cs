using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary>
    /// An independent dense reference of Yeung et al.'s two asymmetric terms, written with plain loops over
    /// probabilities p[n, c, s] and targets g[n, c, s] (one-hot or soft), channel 0 the background, and a pixel mask.
    /// </summary>
    internal static class AsymmetricReference
    {
        /// <summary>(N, C, S) arrays of a tensor shaped (N, C, *spatial).</summary>
        public static double[,,] Dense(Tensor t)
        {
            long n = t.shape[0], c = t.shape[1], s = t.numel() / (n * c);
            var flat = t.detach().to(ScalarType.Float64).contiguous().reshape(-1).data<double>().ToArray();
            var r = new double[n, c, s];
            for (long i = 0; i < n; i++)
                for (long k = 0; k < c; k++)
                    for (long j = 0; j < s; j++) r[i, k, j] = flat[(i * c + k) * s + j];
            return r;
        }

        /// <summary>One-hot (N, C, S) of labels (N, *spatial); ignored pixels get an all-zero row and valid 0.</summary>
        public static (double[,,] g, double[,] valid) OneHot(Tensor labels, long classes, long? ignore)
        {
            long n = labels.shape[0], s = labels.numel() / n;
            var flat = labels.reshape(-1).data<long>().ToArray();
            var g = new double[n, classes, s];
            var valid = new double[n, s];
            for (long i = 0; i < n; i++)
                for (long j = 0; j < s; j++)
                {
                    long y = flat[i * s + j];
                    if (ignore.HasValue && y == ignore.Value) continue;
                    valid[i, j] = 1;
                    g[i, y, j] = 1;
                }
            return (g, valid);
        }

        /// <summary>All-valid mask.</summary>
        public static double[,] AllValid(long n, long s)
        {
            var v = new double[n, s];
            for (long i = 0; i < n; i++) for (long j = 0; j < s; j++) v[i, j] = 1;
            return v;
        }

        /// <summary>Mean over valid pixels of (1 − δ)(1 − p_0)^γ(−g_0 ln p_0) + δ Σ_{c≥1} −g_c ln p_c.</summary>
        public static double Focal(double[,,] p, double[,,] g, double[,] valid, double delta, double gamma)
        {
            int n = p.GetLength(0), c = p.GetLength(1), s = p.GetLength(2);
            double sum = 0, count = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    if (valid[i, j] == 0) continue;
                    count++;
                    double l = (1 - delta) * Math.Pow(1 - p[i, 0, j], gamma) * -g[i, 0, j] * Math.Log(p[i, 0, j]);
                    for (int k = 1; k < c; k++) l += delta * -g[i, k, j] * Math.Log(p[i, k, j]);
                    sum += l;
                }
            return count == 0 ? 0 : sum / count;
        }

        /// <summary>Per (image, class) 1 − TI_0 and (1 − TI_c)^(1 − γ), with Σ p·g, Σ (1 − p)·g, Σ p·(1 − g) over valid pixels.</summary>
        public static double[,] Tversky(double[,,] p, double[,,] g, double[,] valid, double delta, double gamma, double smooth)
        {
            int n = p.GetLength(0), c = p.GetLength(1), s = p.GetLength(2);
            var r = new double[n, c];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < c; k++)
                {
                    double tp = 0, fn = 0, fp = 0;
                    for (int j = 0; j < s; j++)
                    {
                        if (valid[i, j] == 0) continue;
                        tp += p[i, k, j] * g[i, k, j];
                        fn += (1 - p[i, k, j]) * g[i, k, j];
                        fp += p[i, k, j] * (1 - g[i, k, j]);
                    }
                    double ti = (tp + smooth) / (tp + delta * fn + (1 - delta) * fp + smooth);
                    r[i, k] = k == 0 ? 1 - ti : Math.Pow(Math.Max(1 - ti, 1e-7), 1 - gamma);
                }
            return r;
        }

        public static double Mean(double[,] values) => values.Cast<double>().Average();

        /// <summary>The two-channel probabilities [1 − σ(z), σ(z)] and targets [1 − t, t] of a Binary case (N, 1, S).</summary>
        public static (double[,,] p, double[,,] g) TwoChannels(double[,,] z, double[,,] t, bool fromLogits)
        {
            int n = z.GetLength(0), s = z.GetLength(2);
            var p = new double[n, 2, s];
            var g = new double[n, 2, s];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    double q = fromLogits ? 1 / (1 + Math.Exp(-z[i, 0, j])) : z[i, 0, j];
                    p[i, 0, j] = 1 - q;
                    p[i, 1, j] = q;
                    g[i, 0, j] = 1 - t[i, 0, j];
                    g[i, 1, j] = t[i, 0, j];
                }
            return (p, g);
        }
    }

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

    public class AsymmetricUnifiedFocalLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;

        [Fact]
        public void Value_is_the_weighted_sum_of_the_parts_with_shared_delta_and_gamma()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var (g, valid) = AsymmetricReference.OneHot(y, 3, Ignore);
            var p = AsymmetricReference.Dense(x.softmax(1));
            // Defaults λ = 0.5, δ = 0.6, γ = 0.5: γ suppresses the background CE and enhances the foreground Tversky.
            double expected = 0.5 * AsymmetricReference.Focal(p, g, valid, 0.6, 0.5)
                + 0.5 * AsymmetricReference.Mean(AsymmetricReference.Tversky(p, g, valid, 0.6, 0.5, 1e-7));
            using var unified = new AsymmetricUnifiedFocalLoss(ignoreIndex: Ignore);
            Value(unified, x, y).Should().BeApproximately(expected, 1e-12);

            using var weighted = new AsymmetricUnifiedFocalLoss(weight: 0.2, delta: 0.7, gamma: 0.3, ignoreIndex: Ignore);
            using var parts = 0.2 * new AsymmetricFocalLoss(delta: 0.7, gamma: 0.3, ignoreIndex: Ignore)
                + 0.8 * new AsymmetricFocalTverskyLoss(delta: 0.7, gamma: 0.3, ignoreIndex: Ignore);
            Value(weighted, x, y).Should().BeApproximately(Value(parts, x, y), 1e-12);
        }

        [Fact]
        public void In_a_sum_sharing_the_activation_the_value_and_gradient_are_unchanged()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: true, ignore: true);
            using var unified = new AsymmetricUnifiedFocalLoss(ignoreIndex: Ignore);
            using var ce = new CrossEntropyLoss(ignoreIndex: Ignore);
            using var sum = unified + ce;
            var (together, g1) = PixelLossChecks.ValueAndGradient(v => sum.call(v, y), x);
            var (apart, g2) = PixelLossChecks.ValueAndGradient(v => unified.call(v, y) + ce.call(v, y), x);
            together.Should().BeApproximately(apart, 1e-12);
            g1.Should().Equal(g2, (a, b) => Math.Abs(a - b) < 1e-12);
        }

        [Fact]
        public void Binary_matches_the_two_channel_reference()
        {
            using var scope = NewDisposeScope();
            var (z, t, _) = PixelLossChecks.Case(LossMode.Binary, threeD: true, ignore: false);
            var (p, g) = AsymmetricReference.TwoChannels(AsymmetricReference.Dense(z), AsymmetricReference.Dense(t), fromLogits: true);
            var valid = AsymmetricReference.AllValid(1, 8);
            double expected = 0.5 * AsymmetricReference.Focal(p, g, valid, 0.6, 0.5) + 0.5 * AsymmetricReference.Mean(AsymmetricReference.Tversky(p, g, valid, 0.6, 0.5, 1e-7));
            using var loss = new AsymmetricUnifiedFocalLoss(LossMode.Binary);
            Value(loss, z, t).Should().BeApproximately(expected, 1e-12);
            using var probabilities = new AsymmetricUnifiedFocalLoss(LossMode.Binary, fromLogits: false);
            Value(probabilities, z.sigmoid(), t).Should().BeApproximately(expected, 1e-12);
        }

        [Theory]
        [MemberData(nameof(AsymmetricFocalLossTests.GradCases), MemberType = typeof(AsymmetricFocalLossTests))]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            GradCheck.EachLoss(new SegmentationLoss[]
            {
                new AsymmetricUnifiedFocalLoss(mode, ignoreIndex: Ignore),
                new AsymmetricUnifiedFocalLoss(mode, weight: 0.8, delta: 0.3, gamma: 0.9, ignoreIndex: Ignore),
            }, x, target);
        }

        [Fact]
        public void Gradient_matches_for_soft_targets_and_probability_inputs()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            GradCheck.Full(v => new AsymmetricUnifiedFocalLoss().call(v, soft), x);
            var labels = TestData.Labels(5, 3, 2, 3, 2);
            GradCheck.Full(v => new AsymmetricUnifiedFocalLoss(fromLogits: false).call(v, labels), x.softmax(1));
        }

        [Fact]
        public void Perfect_prediction_is_the_minimum()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            labels[0, 0, 0] = tensor(1L);
            labels[0, 0, 1] = tensor(2L);
            using var loss = new AsymmetricUnifiedFocalLoss();
            double best = Value(loss, TestData.PerfectLogits(labels, 3, margin: 40), labels);
            best.Should().BeApproximately(0.5 * 2.0 / 3 * Math.Pow(1e-7, 0.5), 1e-9, "only the clamped foreground Tversky terms remain");
            for (long seed = 0; seed < 5; seed++)
                Value(loss, TestData.Logits(seed, 2, 3, 3, 2), labels).Should().BeGreaterThan(best);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void More_error_gives_more_loss(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (_, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: false);
            var (right, wrong) = AsymmetricFocalLossTests.Ladder(mode, target);
            using var loss = new AsymmetricUnifiedFocalLoss(mode);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode) =>
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new AsymmetricUnifiedFocalLoss(mode, ignoreIndex: Ignore));

        [Fact]
        public void Bad_options_name_the_argument()
        {
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(reduction: nn.Reduction.Sum)).Should().Throw<ArgumentException>().WithParameterName("reduction").WithMessage("*Mean*Sum*");
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(reduction: nn.Reduction.None)).Should().Throw<ArgumentException>().WithParameterName("reduction");
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(weight: 1.5)).Should().Throw<ArgumentException>().WithParameterName("weight");
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(gamma: 2)).Should().Throw<ArgumentException>().WithParameterName("gamma").WithMessage("*[0, 1)*");
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(delta: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("delta");
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(LossMode.Multilabel)).Should().Throw<ArgumentException>().WithParameterName("mode");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class AsymmetricUnifiedFocalLossMemoryTests
    {
        public static IEnumerable<object[]> Cases()
        {
            foreach (var mode in new[] { LossMode.Multiclass, LossMode.Binary })
                foreach (var name in new[] { "focal", "tversky", "unified" })
                    yield return new object[] { mode, name };
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Forward_and_backward_leave_no_live_tensors(LossMode mode, string name)
        {
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var leaf = x.detach().requires_grad_(true);
            using SegmentationLoss loss = name switch
            {
                "focal" => new AsymmetricFocalLoss(mode, gamma: 0.5, ignoreIndex: PixelLossChecks.IgnoreValue),
                "tversky" => new AsymmetricFocalTverskyLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue),
                _ => new AsymmetricUnifiedFocalLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue),
            };
            LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, leaf, target);
            x.Dispose();
            target.Dispose();
        }
    }
}
