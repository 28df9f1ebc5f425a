using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Porting
{
    /// <summary>
    /// Porting-guide rows for MONAI's <c>DiceLoss</c> (softmax without background over the batch; sigmoid with the
    /// squared denominator) and <c>HausdorffDTLoss</c> / <c>LogHausdorffDTLoss</c>: each test writes MONAI's forward
    /// step by step as dense float64 tensor formulas (MONAI d388d1c, monai/losses/dice.py, utils.py compute_tp_fp_fn,
    /// hausdorff_loss.py), with the distance fields by a brute-force loop over pixel pairs, and pins that the SegLoss
    /// call gives the same value and the same autograd input gradient.
    /// </summary>
    public class MonaiDiceHausdorffPortingTests
    {
        private const double Smooth = 1e-5;

        // ------------------------------------------------------------------ DiceLoss

        /// <summary>
        /// MONAI DiceLoss.forward: activation; to_onehot_y; drop channel 0 when include_background=False; reduce over the
        /// spatial axes (and 0 with batch=True); compute_tp_fp_fn (ord 1: tp = Σpg, fp = Σp − tp, fn = Σg − tp; ord 2 when
        /// squared_pred: ‖p‖², ‖g‖², ‖p − g‖², tp = (‖p‖² + ‖g‖² − ‖p − g‖²)/2, fp = ‖p‖² − tp, fn = ‖g‖² − tp); fp, fn
        /// halved; f = 1 − (2tp + smooth_nr)/(2(tp + fp + fn) + smooth_dr); torch.mean(f).
        /// </summary>
        private static Tensor MonaiDice(Tensor x, Tensor target, bool sigmoid = false, bool softmax = false, bool toOnehotY = false,
            bool includeBackground = true, bool batch = false, bool squaredPred = false)
        {
            long c = x.shape[1];
            var p = sigmoid ? x.sigmoid() : softmax ? x.softmax(1) : x;
            var g = toOnehotY && c > 1 ? PeerAgreement.OneHotChannels(target.squeeze(1), c) : target.to(ScalarType.Float64);
            if (!includeBackground && c > 1)
            {
                p = p.narrow(1, 1, c - 1);
                g = g.narrow(1, 1, c - 1);
            }
            var axes = PeerAgreement.SpatialAxes(p, batch);
            Tensor tp, fp, fn;
            if (!squaredPred)
            {
                tp = (p * g).sum(axes);
                fp = p.sum(axes) - tp;
                fn = g.sum(axes) - tp;
            }
            else
            {
                // vector_norm(ord=2) then pow(2): the sums of squares.
                var predO = p.square().sum(axes);
                var groundO = g.square().sum(axes);
                var difference = (p - g).square().sum(axes);
                tp = (predO + groundO - difference) / 2;
                fp = predO - tp;
                fn = groundO - tp;
            }
            fp = fp * 0.5;
            fn = fn * 0.5;
            var f = 1.0 - (2 * tp + Smooth) / (2 * (tp + fp + fn) + Smooth);
            return f.mean();
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Monai_DiceLoss_softmax_to_onehot_y_without_background_batch_is_DiceLoss_includeBackground_false_batch_true(bool threeD)
        {
            // MONAI DiceLoss(softmax=True, to_onehot_y=True, include_background=False, batch=True)
            // ≡ new DiceLoss(includeBackground: false, batch: true) on the labels y.squeeze(1).
            using var scope = NewDisposeScope();
            long[] spatial = threeD ? new long[] { 3, 3, 4 } : new long[] { 5, 6 };
            var x = TestData.Logits(101, new long[] { 2, 4 }.Concat(spatial).ToArray());
            var y = TestData.Labels(102, 3, new long[] { 2 }.Concat(spatial).ToArray()); // class 3 absent from the batch
            using var loss = new DiceLoss(includeBackground: false, batch: true);
            PeerAgreement.AssertSame(x, v => loss.call(v, y),
                v => MonaiDice(v, y.unsqueeze(1), softmax: true, toOnehotY: true, includeBackground: false, batch: true));
            // batch: false is a different value here (per-image Dice averaged).
            using var perImage = new DiceLoss(includeBackground: false);
            Math.Abs(LossValues.Value(perImage, x, y) - MonaiDice(x, y.unsqueeze(1), softmax: true, toOnehotY: true, includeBackground: false, batch: true).item<double>())
                .Should().BeGreaterThan(1e-6);
        }

        [Theory]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void Monai_DiceLoss_sigmoid_squared_pred_is_DiceLoss_squaredDenominator(LossMode mode)
        {
            // MONAI DiceLoss(sigmoid=True, squared_pred=True) ≡ new DiceLoss(LossMode.Binary, squaredDenominator: true)
            // (and LossMode.Multilabel on a multi-hot (N, C, H, W) target).
            using var scope = NewDisposeScope();
            long c = mode == LossMode.Binary ? 1 : 3;
            var x = TestData.Logits(103, 2, c, 4, 5);
            var t = TestData.BinaryTargets(104, 2, c, 4, 5);
            using var loss = new DiceLoss(mode, squaredDenominator: true);
            PeerAgreement.AssertSame(x, v => loss.call(v, t), v => MonaiDice(v, t, sigmoid: true, squaredPred: true));
            using var plain = new DiceLoss(mode);
            Math.Abs(LossValues.Value(plain, x, t) - MonaiDice(x, t, sigmoid: true, squaredPred: true).item<double>()).Should().BeGreaterThan(1e-6);
        }

        // ------------------------------------------------------------------ HausdorffDTLoss

        /// <summary>
        /// MONAI HausdorffDTLoss.distance_field, per image: fg = img[b] &gt; 0.5; if fg.any() and not fg.all():
        /// distance_transform_edt(fg) + distance_transform_edt(~fg) (scipy's EDT: for each nonzero element, the distance
        /// to the nearest zero element; 0 on zero elements), else 0. Written here as a loop over pixel pairs.
        /// </summary>
        private static Tensor MonaiDistanceField(Tensor img)
        {
            long n = img.shape[0];
            long[] spatial = img.shape.Skip(2).ToArray();
            long s = spatial.Aggregate(1L, (a, b) => a * b);
            var values = img.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();
            var coords = Enumerable.Range(0, (int)s).Select(i =>
            {
                var c = new long[spatial.Length];
                long rest = i;
                for (int d = spatial.Length - 1; d >= 0; d--)
                {
                    c[d] = rest % spatial[d];
                    rest /= spatial[d];
                }
                return c;
            }).ToArray();
            double Edt(bool[] mask, int i)
            {
                if (!mask[i]) return 0;
                double best = double.PositiveInfinity;
                for (int j = 0; j < s; j++)
                {
                    if (mask[j]) continue;
                    double d2 = 0;
                    for (int d = 0; d < spatial.Length; d++) d2 += (coords[i][d] - coords[j][d]) * (double)(coords[i][d] - coords[j][d]);
                    best = Math.Min(best, Math.Sqrt(d2));
                }
                return best;
            }
            var field = new double[values.Length];
            for (int b = 0; b < n; b++)
            {
                var fg = Enumerable.Range(0, (int)s).Select(i => values[b * s + i] > 0.5).ToArray();
                if (!fg.Any(v => v) || fg.All(v => v)) continue;
                var bg = fg.Select(v => !v).ToArray();
                for (int i = 0; i < s; i++) field[b * s + i] = Edt(fg, i) + Edt(bg, i);
            }
            return tensor(field, img.shape, ScalarType.Float64);
        }

        /// <summary>
        /// MONAI HausdorffDTLoss.forward: activation; to_onehot_y; drop channel 0 unless include_background (only when
        /// C &gt; 1); per channel: pred_dt = distance_field(p.detach()).float(), target_dt likewise, (p − q)²·(pred_dt^α +
        /// target_dt^α), mean over the spatial axes (and 0 with batch=True); cat; mean or sum. <paramref name="float32Maps"/>
        /// keeps MONAI's <c>.float()</c> (the maps and their powers in float32); false keeps them in float64.
        /// </summary>
        private static Tensor MonaiHausdorff(Tensor x, Tensor target, bool sigmoid = false, bool softmax = false, bool toOnehotY = false,
            bool includeBackground = false, double alpha = 2.0, bool batch = false, bool sum = false, bool log = false, bool float32Maps = false)
        {
            long c = x.shape[1];
            var p = sigmoid ? x.sigmoid() : softmax && c > 1 ? x.softmax(1) : x;
            var g = toOnehotY && c > 1 ? PeerAgreement.OneHotChannels(target.squeeze(1), c) : target.to(ScalarType.Float64);
            if (!includeBackground && c > 1)
            {
                p = p.narrow(1, 1, c - 1);
                g = g.narrow(1, 1, c - 1);
            }
            var all = new List<Tensor>();
            for (long i = 0; i < p.shape[1]; i++)
            {
                var chInput = p.narrow(1, i, 1);
                var chTarget = g.narrow(1, i, 1);
                var predDt = MonaiDistanceField(chInput.detach());
                var targetDt = MonaiDistanceField(chTarget.detach());
                if (float32Maps)
                {
                    predDt = predDt.to(ScalarType.Float32);
                    targetDt = targetDt.to(ScalarType.Float32);
                }
                var predError = (chInput - chTarget).square();
                var distance = predDt.pow(alpha) + targetDt.pow(alpha);
                all.Add((predError * distance).mean(PeerAgreement.SpatialAxes(chInput, batch), keepdim: true));
            }
            var f = cat(all, 1);
            f = sum ? f.sum() : f.mean();
            return log ? (f + 1).log() : f;
        }

        /// <summary>Binary case: image 0 has a foreground, image 1 an empty target (MONAI's map is 0 there).</summary>
        private static (Tensor X, Tensor T) BinaryCase(long seed, long c = 1)
        {
            var x = TestData.Logits(seed, 2, c, 5, 6);
            var t = TestData.BinaryTargets(seed + 1, 2, c, 5, 6);
            t[1] = zeros(c, 5, 6, ScalarType.Float64);
            return (x, t);
        }

        [Theory]
        [InlineData(2.0)]
        [InlineData(1.5)]
        public void Monai_HausdorffDTLoss_sigmoid_is_HausdorffDistanceLoss_Binary(double alpha)
        {
            // MONAI HausdorffDTLoss(alpha=α, sigmoid=True) on (N, 1, H, W) ≡ new HausdorffDistanceLoss(LossMode.Binary, alpha: α).
            using var scope = NewDisposeScope();
            var (x, t) = BinaryCase(111);
            using var loss = new HausdorffDistanceLoss(LossMode.Binary, alpha: alpha);
            PeerAgreement.AssertSame(x, v => loss.call(v, t), v => MonaiHausdorff(v, t, sigmoid: true, alpha: alpha));
            // An empty prediction: every p < 0.5 gives MONAI's zero map for the prediction too.
            var low = -(x.abs() + 0.1);
            PeerAgreement.AssertSame(low, v => loss.call(v, t), v => MonaiHausdorff(v, t, sigmoid: true, alpha: alpha));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Monai_HausdorffDTLoss_sigmoid_multilabel_is_HausdorffDistanceLoss_Multilabel(bool includeBackground)
        {
            // MONAI HausdorffDTLoss(sigmoid=True, include_background=b) on a multi-hot (N, C, H, W) target
            // ≡ new HausdorffDistanceLoss(LossMode.Multilabel, includeBackground: b).
            using var scope = NewDisposeScope();
            var (x, t) = BinaryCase(113, c: 3);
            using var loss = new HausdorffDistanceLoss(LossMode.Multilabel, includeBackground: includeBackground);
            PeerAgreement.AssertSame(x, v => loss.call(v, t), v => MonaiHausdorff(v, t, sigmoid: true, includeBackground: includeBackground));
        }

        [Theory]
        [InlineData(false, false)]
        [InlineData(true, false)]
        [InlineData(false, true)]
        public void Monai_HausdorffDTLoss_softmax_to_onehot_y_is_HausdorffDistanceLoss(bool includeBackground, bool threeD)
        {
            // MONAI HausdorffDTLoss(softmax=True, to_onehot_y=True, include_background=b)
            // ≡ new HausdorffDistanceLoss(includeBackground: b) on the labels y.squeeze(1).
            using var scope = NewDisposeScope();
            long[] spatial = threeD ? new long[] { 3, 3, 4 } : new long[] { 5, 6 };
            var x = TestData.Logits(115, new long[] { 2, 4 }.Concat(spatial).ToArray());
            var y = TestData.Labels(116, 3, new long[] { 2 }.Concat(spatial).ToArray()); // class 3 absent: empty masks
            using var loss = new HausdorffDistanceLoss(includeBackground: includeBackground);
            PeerAgreement.AssertSame(x, v => loss.call(v, y),
                v => MonaiHausdorff(v, y.unsqueeze(1), softmax: true, toOnehotY: true, includeBackground: includeBackground));
        }

        [Fact]
        public void Monai_HausdorffDTLoss_batch_and_sum_reductions_against_HausdorffDistanceLoss()
        {
            // MONAI HausdorffDTLoss(softmax=True, to_onehot_y=True, batch=True): the maps stay per image and, with equal
            // image sizes, the mean over (batch, pixels) per channel then over channels is the mean over (N, K): the same
            // value as new HausdorffDistanceLoss() (SegLoss has no batch option; Mean does not need one).
            // MONAI reduction="sum" (batch=False) ≡ new HausdorffDistanceLoss(reduction: Sum); with batch=True MONAI's
            // sum is over the K channels of batch means: SegLoss Sum / N.
            using var scope = NewDisposeScope();
            var x = TestData.Logits(117, 3, 3, 4, 5);
            var y = TestData.Labels(118, 3, 3, 4, 5);
            var y1 = y.unsqueeze(1);
            using var mean = new HausdorffDistanceLoss();
            using var sum = new HausdorffDistanceLoss(reduction: nn.Reduction.Sum);
            PeerAgreement.AssertSame(x, v => mean.call(v, y), v => MonaiHausdorff(v, y1, softmax: true, toOnehotY: true, batch: true));
            PeerAgreement.AssertSame(x, v => sum.call(v, y), v => MonaiHausdorff(v, y1, softmax: true, toOnehotY: true, sum: true));
            PeerAgreement.AssertSame(x, v => sum.call(v, y) / 3, v => MonaiHausdorff(v, y1, softmax: true, toOnehotY: true, batch: true, sum: true));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Monai_LogHausdorffDTLoss_is_LogHausdorffDistanceLoss(bool sigmoid)
        {
            // MONAI LogHausdorffDTLoss(sigmoid=True) ≡ new LogHausdorffDistanceLoss(LossMode.Binary);
            // MONAI LogHausdorffDTLoss(softmax=True, to_onehot_y=True) ≡ new LogHausdorffDistanceLoss().
            // Both take log(f + 1) of the reduced value.
            using var scope = NewDisposeScope();
            if (sigmoid)
            {
                var (x, t) = BinaryCase(119);
                using var loss = new LogHausdorffDistanceLoss(LossMode.Binary);
                PeerAgreement.AssertSame(x, v => loss.call(v, t), v => MonaiHausdorff(v, t, sigmoid: true, log: true));
            }
            else
            {
                var x = TestData.Logits(120, 2, 3, 5, 6);
                var y = TestData.Labels(121, 3, 2, 5, 6);
                using var loss = new LogHausdorffDistanceLoss();
                PeerAgreement.AssertSame(x, v => loss.call(v, y), v => MonaiHausdorff(v, y.unsqueeze(1), softmax: true, toOnehotY: true, log: true));
            }
        }

        [Fact]
        public void Monai_HausdorffDTLoss_float32_maps_differ_from_SegLoss_float64_maps_by_rounding_only()
        {
            // MONAI casts its distance fields with .float(), so on float64 input the maps (√2, √5, …) and their powers
            // carry float32 rounding; SegLoss keeps them in the input's dtype. The two values agree to float32 rounding
            // (about 1e-7 relative), not to 1e-10: this is the one difference between the rows above and MONAI as run.
            using var scope = NewDisposeScope();
            var x = TestData.Logits(122, 2, 3, 6, 6);
            var y = TestData.Labels(123, 3, 2, 6, 6);
            using var loss = new HausdorffDistanceLoss(alpha: 1.5);
            double segLoss = LossValues.Value(loss, x, y);
            double monai = MonaiHausdorff(x, y.unsqueeze(1), softmax: true, toOnehotY: true, alpha: 1.5, float32Maps: true).item<double>();
            double exact = MonaiHausdorff(x, y.unsqueeze(1), softmax: true, toOnehotY: true, alpha: 1.5).item<double>();
            segLoss.Should().BeApproximately(exact, 1e-12 * exact);
            segLoss.Should().BeApproximately(monai, 1e-6 * monai);
            Math.Abs(monai - exact).Should().BeGreaterThan(0, "MONAI's float32 maps round");
        }
    }
}
