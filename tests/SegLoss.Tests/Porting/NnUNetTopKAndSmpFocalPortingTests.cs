using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Tests.Porting
{
    /// <summary>
    /// Porting-guide rows for nnU-Net's <c>DC_and_topk_loss</c> (nnU-Net v2 0e49508, training/loss/compound_losses.py,
    /// dice.py SoftDiceLoss and get_tp_fp_fn_tn, robust_ce_loss.py TopKLoss, nnUNetTrainerDiceTopK10Loss) and smp's
    /// <c>FocalLoss</c> in its "multiclass", "multilabel" and "binary" modes (smp 5006616, losses/focal.py,
    /// _functional.py focal_loss_with_logits). The peers' steps are dense float64 tensor formulas; the SegLoss value and
    /// autograd input gradient must equal the formula's.
    /// </summary>
    public class NnUNetTopKAndSmpFocalPortingTests
    {
        private const long Classes = 4;
        private const long Ignore = 255;

        // ------------------------------------------------------------------ nnU-Net DC_and_topk_loss

        /// <summary>
        /// DC_and_topk_loss({batch_dice, smooth: 1e-5, do_bg: False}, {k}, weight_ce=1, weight_dice=1, ignore_label):
        /// mask = target != ignore, target_dice = target with ignored set to 0, num_fg = Σ mask. Dice is SoftDiceLoss
        /// (not the memory-efficient one) with softmax: tp = p·g, fp = p·(1 − g), fn = (1 − p)·g, each times the mask,
        /// summed over the spatial axes (and 0 with batch_dice); dc = (2tp + s)/clip(2tp + fp + fn + s, 1e-8); channel 0
        /// dropped; −dc.mean(). TopKLoss: CrossEntropyLoss(ignore_index, reduce=False) per voxel (0 at ignored voxels),
        /// topk of int(numel·k/100) over res.view(-1), mean; skipped (0) when an ignore label leaves num_fg = 0.
        /// </summary>
        private static Tensor NnUNetDcAndTopK(Tensor x, Tensor y, bool batchDice, long? ignore, double k = 10)
        {
            long c = x.shape[1];
            var mask = ignore is long ig ? y.ne(ig) : ones_like(y, ScalarType.Bool);
            var targetDice = where(mask, y, zeros_like(y));
            var p = x.softmax(1);
            var g = PeerAgreement.OneHotChannels(targetDice, c);
            var m = mask.unsqueeze(1).to(ScalarType.Float64);
            var axes = PeerAgreement.SpatialAxes(p, batchDice);
            var tp = (p * g * m).sum(axes);
            var fp = (p * (1 - g) * m).sum(axes);
            var fn = ((1 - p) * g * m).sum(axes);
            var dc = (2 * tp + 1e-5) / (2 * tp + fp + fn + 1e-5).clamp_min(1e-8);
            dc = batchDice ? dc.narrow(0, 1, c - 1) : dc.narrow(1, 1, c - 1);
            var dcLoss = -dc.mean();

            bool anyValid = mask.any().item<bool>();
            if (ignore is not null && !anyValid) return dcLoss;
            // CE per voxel: −log softmax at the label, 0 where the label is the ignore index.
            var res = -(x.log_softmax(1) * g).sum(1) * mask.to(ScalarType.Float64);
            long numVoxels = res.numel();
            var kept = res.reshape(-1).topk((int)(numVoxels * k / 100), sorted: false).values;
            return kept.mean() + dcLoss;
        }

        [Theory]
        [InlineData(true, null, false)]
        [InlineData(false, null, false)]
        [InlineData(true, 4L, false)]
        [InlineData(false, 4L, false)]
        [InlineData(true, 4L, true)]
        public void NnUNet_DC_and_topk_loss_k10_is_Dice_without_background_plus_TopK_AllElements(bool batchDice, long? ignoreLabel, bool threeD)
        {
            // nnU-Net DC_and_topk_loss({batch_dice: B, smooth: 1e-5, do_bg: False}, {k: 10}, weight_ce=1, weight_dice=1,
            //     ignore_label=i)
            // ≡ new DiceLoss(includeBackground: false, batch: B, ignoreIndex: i)
            //   + new TopKCrossEntropyLoss(k: 10, ignoreIndex: i, pixelMean: PixelMean.AllElements),
            // up to nnU-Net's −Dice (SegLoss's 1 − Dice): SegLoss = nnU-Net + 1, same gradient.
            using var scope = NewDisposeScope();
            long[] spatial = threeD ? new long[] { 3, 4, 5 } : new long[] { 6, 5 };
            var x = TestData.Logits(301, new long[] { 2, Classes }.Concat(spatial).ToArray());
            var shape = new long[] { 2 }.Concat(spatial).ToArray();
            var y = ignoreLabel is long ig ? TestData.LabelsWithIgnored(302, Classes, ig, shape) : TestData.Labels(302, Classes, shape);
            using var loss = new DiceLoss(includeBackground: false, batch: batchDice, ignoreIndex: ignoreLabel)
                + new TopKCrossEntropyLoss(k: 10, ignoreIndex: ignoreLabel, pixelMean: PixelMean.AllElements);
            PeerAgreement.AssertSame(x, v => loss.call(v, y) - 1.0, v => NnUNetDcAndTopK(v, y, batchDice, ignoreLabel));
            // The default TopK budget (over the valid voxels only) is a different loss once voxels are ignored.
            if (ignoreLabel is not null)
            {
                using var valid = new DiceLoss(includeBackground: false, batch: batchDice, ignoreIndex: ignoreLabel)
                    + new TopKCrossEntropyLoss(k: 10, ignoreIndex: ignoreLabel);
                Math.Abs(valid.call(x, y).item<double>() - 1.0 - NnUNetDcAndTopK(x, y, batchDice, ignoreLabel).item<double>()).Should().BeGreaterThan(1e-6);
            }
        }

        [Fact]
        public void NnUNet_DC_and_topk_loss_on_a_fully_ignored_batch_is_minus_one_and_SegLoss_zero()
        {
            // Every voxel ignored: nnU-Net skips the TopK term (num_fg = 0) and its masked Dice is s/s = 1, so −1;
            // the SegLoss sum is 0 (Dice 1 − 1, TopK of nothing 0): still nnU-Net + 1.
            using var scope = NewDisposeScope();
            var x = TestData.Logits(311, 2, Classes, 3, 4);
            var y = full(new long[] { 2, 3, 4 }, 4L, ScalarType.Int64);
            using var loss = new DiceLoss(includeBackground: false, batch: true, ignoreIndex: 4)
                + new TopKCrossEntropyLoss(k: 10, ignoreIndex: 4, pixelMean: PixelMean.AllElements);
            NnUNetDcAndTopK(x, y, true, 4).item<double>().Should().BeApproximately(-1.0, 1e-12);
            loss.call(x, y).item<double>().Should().BeApproximately(0.0, 1e-12);
        }

        // ------------------------------------------------------------------ smp FocalLoss

        /// <summary>focal_loss_with_logits(alpha=None, reduction="mean"): logpt = BCE-with-logits (none), pt = exp(−logpt),
        /// ((1 − pt)^γ·logpt).mean().</summary>
        private static Tensor SmpFocal(Tensor logits, Tensor target, double gamma)
        {
            var logpt = F.binary_cross_entropy_with_logits(logits, target.to(logits.dtype), reduction: nn.Reduction.None);
            var pt = (-logpt).exp();
            return ((1.0 - pt).pow(gamma) * logpt).mean();
        }

        /// <summary>
        /// smp FocalLoss.forward, multiclass/multilabel: not_ignored = y_true != ignore_index; per class c, the target
        /// (y_true == c) (multiclass) or y_true[:, c] (multilabel) and y_pred[:, c], both boolean-indexed by not_ignored;
        /// focal_loss_with_logits per class; stack; (Σ w·loss)/Σ w with class_weights, else mean.
        /// </summary>
        private static Tensor SmpFocalPerClass(Tensor x, Tensor yTrue, bool multiclass, double gamma, long? ignore = null, double[]? classWeights = null)
        {
            long c = x.shape[1];
            Tensor? notIgnored = ignore is long ig ? yTrue.ne(ig) : null;
            var losses = new List<Tensor>();
            for (long cls = 0; cls < c; cls++)
            {
                var clsTrue = multiclass ? yTrue.eq(cls).to(ScalarType.Int64) : yTrue.select(1, cls);
                var clsPred = x.select(1, cls);
                if (notIgnored is not null)
                {
                    // smp indexes the (N, *spatial) class slices with the (N, *spatial) mask (multiclass); for
                    // multilabel the mask is (N, C, *spatial) and the indexing raises.
                    clsTrue = clsTrue.masked_select(notIgnored);
                    clsPred = clsPred.masked_select(notIgnored);
                }
                losses.Add(SmpFocal(clsPred, clsTrue, gamma));
            }
            var stacked = stack(losses);
            if (classWeights is null) return stacked.mean();
            var w = tensor(classWeights, ScalarType.Float64);
            return (stacked * w).sum() / w.sum();
        }

        /// <summary>The multi-hot target SegLoss's Multilabel focal takes for smp's multiclass labels: one-hot channels,
        /// and the ignore value in every channel of an ignored pixel.</summary>
        private static Tensor MultiHot(Tensor y, long? ignore)
        {
            var oneHot = OneHot.Encode(y, Classes, ignoreIndex: ignore, dtype: ScalarType.Float64);
            return ignore is long ig ? oneHot.masked_fill(y.eq(ig).unsqueeze(1), ig) : oneHot;
        }

        [Theory]
        [InlineData(2.0, null, false)]
        [InlineData(2.0, Ignore, false)]
        [InlineData(0.5, Ignore, false)]
        [InlineData(2.0, Ignore, true)]
        public void Smp_FocalLoss_multiclass_ignore_index_is_Multilabel_FocalLoss_on_the_multi_hot_target(double gamma, long? ignore, bool threeD)
        {
            // smp FocalLoss("multiclass", gamma=γ, ignore_index=i) (one-vs-rest sigmoid focal per class, the mean of the
            // per-class means over the non-ignored pixels)
            // ≡ new FocalLoss(LossMode.Multilabel, gamma: γ, ignoreIndex: i) on
            //   OneHot.Encode(y, C, ignoreIndex: i).masked_fill(y.eq(i).unsqueeze(1), i):
            // every class is averaged over the same valid pixels, so the mean of the class means is the mean over the
            // valid (pixel, class) entries.
            using var scope = NewDisposeScope();
            long[] spatial = threeD ? new long[] { 3, 3, 4 } : new long[] { 5, 6 };
            var x = TestData.Logits(321, new long[] { 2, Classes }.Concat(spatial).ToArray());
            var shape = new long[] { 2 }.Concat(spatial).ToArray();
            var y = ignore is long ig ? TestData.LabelsWithIgnored(322, Classes, ig, shape) : TestData.Labels(322, Classes, shape);
            var target = MultiHot(y, ignore);
            using var loss = new FocalLoss(LossMode.Multilabel, gamma: gamma, ignoreIndex: ignore);
            PeerAgreement.AssertSame(x, v => loss.call(v, target), v => SmpFocalPerClass(v, y, multiclass: true, gamma, ignore));
            // SegLoss's Multiclass focal (softmax) is a different loss.
            using var softmaxFocal = new FocalLoss(gamma: gamma, ignoreIndex: ignore);
            Math.Abs(LossValues.Value(softmaxFocal, x, y) - SmpFocalPerClass(x, y, true, gamma, ignore).item<double>()).Should().BeGreaterThan(1e-6);
        }

        [Fact]
        public void Smp_FocalLoss_multiclass_class_weights_is_a_weighted_mean_of_per_channel_means_of_reduction_None()
        {
            // smp FocalLoss("multiclass", ignore_index=i, class_weights=w): (Σ_c w_c·mean_c)/Σ w. No single SegLoss call
            // (FocalLoss's classAlpha is Multiclass-only and a per-entry factor); the recipe: l = new
            // FocalLoss(LossMode.Multilabel, ignoreIndex: i, reduction: None).call(x, multiHot) (0 at ignored entries),
            // mean_c = Σ_{n, pixels} l[:, c] / (number of valid pixels), then (Σ w·mean_c)/Σ w.
            using var scope = NewDisposeScope();
            var x = TestData.Logits(331, 2, Classes, 5, 6);
            var y = TestData.LabelsWithIgnored(332, Classes, Ignore, 2, 5, 6);
            double[] w = { 0.5, 2.0, 1.0, 3.0 };
            var target = MultiHot(y, Ignore);
            using var perEntry = new FocalLoss(LossMode.Multilabel, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            var validPixels = y.ne(Ignore).sum().to(ScalarType.Float64);
            var wt = tensor(w, ScalarType.Float64);
            PeerAgreement.AssertSame(x,
                v => (perEntry.call(v, target).sum(new long[] { 0, 2, 3 }) / validPixels * wt).sum() / wt.sum(),
                v => SmpFocalPerClass(v, y, multiclass: true, 2.0, Ignore, w));
        }

        [Theory]
        [InlineData(2.0)]
        [InlineData(0.5)]
        public void Smp_FocalLoss_multilabel_is_Multilabel_FocalLoss(double gamma)
        {
            // smp FocalLoss("multilabel", gamma=γ) (no ignore_index) ≡ new FocalLoss(LossMode.Multilabel, gamma: γ):
            // each channel's mean is over the same N·H·W entries. (With ignore_index smp's multilabel branch indexes the
            // (N, H, W) channel slice with the (N, C, H, W) mask and raises, so there is no such row.)
            using var scope = NewDisposeScope();
            var x = TestData.Logits(341, 2, 3, 5, 6);
            var t = TestData.BinaryTargets(342, 2, 3, 5, 6);
            using var loss = new FocalLoss(LossMode.Multilabel, gamma: gamma);
            PeerAgreement.AssertSame(x, v => loss.call(v, t), v => SmpFocalPerClass(v, t, multiclass: false, gamma));
        }

        [Fact]
        public void Smp_FocalLoss_binary_ignore_index_is_Binary_FocalLoss_ignoreIndex()
        {
            // smp FocalLoss("binary", ignore_index=i): y_true, y_pred flattened, the non-ignored kept, focal mean
            // ≡ new FocalLoss(LossMode.Binary, ignoreIndex: i).
            using var scope = NewDisposeScope();
            var x = TestData.Logits(351, 2, 1, 5, 6);
            var t = TestData.BinaryTargets(352, 2, 1, 5, 6);
            var ignored = TestData.BinaryTargets(353, 2, 1, 5, 6).gt(0.5);
            t = t.masked_fill(ignored, Ignore);
            using var loss = new FocalLoss(LossMode.Binary, ignoreIndex: Ignore);
            PeerAgreement.AssertSame(x, v => loss.call(v, t), v =>
            {
                var keep = t.reshape(-1).ne(Ignore);
                return SmpFocal(v.reshape(-1).masked_select(keep), t.reshape(-1).masked_select(keep), 2.0);
            });
        }
    }
}
