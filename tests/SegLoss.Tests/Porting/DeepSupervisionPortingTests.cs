using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss.Tests.Porting
{
    /// <summary>
    /// Porting-guide rows for deep supervision: MONAI's <c>DeepSupervisionLoss(loss, weight_mode)</c> (MONAI d388d1c,
    /// monai/losses/ds_loss.py) and nnU-Net's <c>DeepSupervisionWrapper</c> with the trainer's weights and the targets
    /// of batchgeneratorsv2's <c>DownsampleSegForDSTransform</c> (nnU-Net v2 0e49508, training/loss/deep_supervision.py,
    /// compound_losses.py, dice.py, nnUNetTrainer._build_loss). The peers' steps are written as dense float64 formulas,
    /// the target resizing as a plain loop over PyTorch's "nearest-exact" rule.
    /// </summary>
    public class DeepSupervisionPortingTests
    {
        private const long Classes = 4;

        /// <summary>
        /// F.interpolate(mode="nearest-exact", size=...) on the trailing <paramref name="size"/>.Length axes: output index
        /// d reads source index min(⌊(d + ½)·in/out⌋, in − 1) (<paramref name="exact"/> false: legacy "nearest",
        /// min(⌊d·in/out⌋, in − 1)). Same dtype as <paramref name="t"/>.
        /// </summary>
        private static Tensor Resize(Tensor t, long[] size, bool exact = true)
        {
            int k = size.Length;
            long[] inSize = t.shape.Skip((int)t.dim() - k).ToArray();
            long lead = t.shape.Take((int)t.dim() - k).Aggregate(1L, (a, b) => a * b);
            long inCount = inSize.Aggregate(1L, (a, b) => a * b), outCount = size.Aggregate(1L, (a, b) => a * b);
            var src = t.to(ScalarType.Float64).contiguous().data<double>().ToArray();
            var dst = new double[lead * outCount];
            var o = new long[k];
            for (long j = 0; j < outCount; j++)
            {
                long rest = j;
                for (int d = k - 1; d >= 0; d--)
                {
                    o[d] = rest % size[d];
                    rest /= size[d];
                }
                long flat = 0;
                for (int d = 0; d < k; d++)
                {
                    double scale = (double)inSize[d] / size[d];
                    long s = (long)Math.Floor((o[d] + (exact ? 0.5 : 0.0)) * scale);
                    flat = flat * inSize[d] + Math.Min(s, inSize[d] - 1);
                }
                for (long b = 0; b < lead; b++) dst[b * outCount + j] = src[b * inCount + flat];
            }
            var shape = t.shape.Take((int)t.dim() - k).Concat(size).ToArray();
            return tensor(dst, shape, ScalarType.Float64).to(t.dtype);
        }

        /// <summary>MONAI DiceLoss(softmax=True, to_onehot_y=True) on (N, 1, *spatial) float labels: mean over (N, C) of
        /// 1 − (2Σpg + 1e-5)/(Σp + Σg + 1e-5).</summary>
        private static Tensor MonaiDice(Tensor x, Tensor target)
        {
            var p = x.softmax(1);
            var g = PeerAgreement.OneHotChannels(target.squeeze(1), x.shape[1]);
            var axes = PeerAgreement.SpatialAxes(p);
            var tp = (p * g).sum(axes);
            var fp = p.sum(axes) - tp;
            var fn = g.sum(axes) - tp;
            return (1.0 - (2 * tp + 1e-5) / (2 * (tp + 0.5 * fp + 0.5 * fn) + 1e-5)).mean();
        }

        /// <summary>
        /// MONAI DeepSupervisionLoss.forward on a list: weights from get_weights; per level, if input.shape[2:] differs
        /// from target.shape[2:], target = F.interpolate(target, size, mode="nearest-exact"); loss += w_l·loss(input_l,
        /// target_l). (MONAI also casts each input with .float(); the formula here stays in float64.)
        /// </summary>
        private static Tensor MonaiDeepSupervision(Tensor[] outputs, Tensor target, double[] weights, bool exact = true)
        {
            Tensor total = zeros(1, ScalarType.Float64).squeeze();
            for (int l = 0; l < outputs.Length; l++)
            {
                long[] size = outputs[l].shape.Skip(2).ToArray();
                var t = size.SequenceEqual(target.shape.Skip(2)) ? target : Resize(target, size, exact);
                total = total + weights[l] * MonaiDice(outputs[l], t);
            }
            return total;
        }

        /// <summary>MONAI get_weights: "same" 1, 1, …; "exp" max(0.5^l, 0.0625); "two" 1, 0.5, 0.5, ….</summary>
        private static double[] MonaiWeights(string mode, int levels) => mode switch
        {
            "same" => Enumerable.Repeat(1.0, levels).ToArray(),
            "exp" => Enumerable.Range(0, levels).Select(l => Math.Max(Math.Pow(0.5, l), 0.0625)).ToArray(),
            "two" => Enumerable.Range(0, levels).Select(l => l == 0 ? 1.0 : 0.5).ToArray(),
            _ => throw new ArgumentException(mode),
        };

        private static Tensor[] Outputs(long seed, params long[][] sizes) =>
            sizes.Select((s, i) => TestData.Logits(seed + i, new long[] { 2, Classes }.Concat(s).ToArray())).ToArray();

        [Theory]
        [InlineData("exp", new[] { 1.0, 0.5, 0.25 })]
        [InlineData("same", new[] { 1.0, 1.0, 1.0 })]
        [InlineData("two", new[] { 1.0, 0.5, 0.5 })]
        public void Monai_DeepSupervisionLoss_weight_mode_is_DeepSupervisionLoss_with_those_weights_unnormalized(string mode, double[] segLossWeights)
        {
            // MONAI DeepSupervisionLoss(DiceLoss(softmax=True, to_onehot_y=True), weight_mode=m) on 3 levels
            // ≡ new DeepSupervisionLoss(new DiceLoss(), weights: [1, 0.5, 0.25] ("exp") / [1, 1, 1] ("same") /
            //   [1, 0.5, 0.5] ("two"), normalize: false). Sizes 12×10 → 5×4 → 3×2: non-integer ratios.
            using var scope = NewDisposeScope();
            var outputs = Outputs(201, new long[] { 12, 10 }, new long[] { 5, 4 }, new long[] { 3, 2 });
            var y = TestData.Labels(210, Classes, 2, 12, 10);
            MonaiWeights(mode, 3).Should().Equal(segLossWeights);
            using var loss = new DeepSupervisionLoss(new DiceLoss(), weights: segLossWeights, normalize: false);
            PeerAgreement.AssertSame(outputs, v => loss.call(v, y), v => MonaiDeepSupervision(v, y.unsqueeze(1).to(ScalarType.Float64), MonaiWeights(mode, 3)));
            // The default (2^−i normalised to sum 1) is a different value.
            using var normalized = new DeepSupervisionLoss(new DiceLoss(), weights: segLossWeights);
            Math.Abs(normalized.call(outputs, y).item<double>() - MonaiDeepSupervision(outputs, y.unsqueeze(1).to(ScalarType.Float64), MonaiWeights(mode, 3)).item<double>())
                .Should().BeGreaterThan(1e-6);
        }

        [Fact]
        public void Monai_DeepSupervisionLoss_exp_floors_the_weights_at_one_sixteenth()
        {
            // MONAI weight_mode="exp" on 6 levels: 1, 0.5, 0.25, 0.125, 0.0625, 0.0625 (max(0.5^l, 0.0625)), not 2^−5
            // ≡ new DeepSupervisionLoss(loss, weights: [1, 0.5, 0.25, 0.125, 0.0625, 0.0625], normalize: false).
            using var scope = NewDisposeScope();
            var outputs = Outputs(221, new long[] { 12, 10 }, new long[] { 6, 5 }, new long[] { 4, 4 }, new long[] { 3, 3 }, new long[] { 2, 2 }, new long[] { 1, 2 });
            var y = TestData.Labels(230, Classes, 2, 12, 10);
            var weights = MonaiWeights("exp", 6);
            weights.Should().Equal(1.0, 0.5, 0.25, 0.125, 0.0625, 0.0625);
            using var loss = new DeepSupervisionLoss(new DiceLoss(), weights: new[] { 1.0, 0.5, 0.25, 0.125, 0.0625, 0.0625 }, normalize: false);
            PeerAgreement.AssertSame(outputs, v => loss.call(v, y), v => MonaiDeepSupervision(v, y.unsqueeze(1).to(ScalarType.Float64), weights));
        }

        [Fact]
        public void Monai_DeepSupervisionLoss_target_resizing_is_nearest_exact_not_nearest()
        {
            // Both MONAI (interp_mode "nearest-exact") and SegLoss resize with ⌊(d + ½)·in/out⌋; at a factor of 2 that
            // reads the odd source pixels, legacy "nearest" the even ones. Pinned on a 3D case (8×6×4 → 4×3×2).
            using var scope = NewDisposeScope();
            var outputs = Outputs(241, new long[] { 8, 6, 4 }, new long[] { 4, 3, 2 });
            var y = TestData.Labels(250, Classes, 2, 8, 6, 4);
            var y1 = y.unsqueeze(1).to(ScalarType.Float64);
            var weights = MonaiWeights("exp", 2);
            using var loss = new DeepSupervisionLoss(new DiceLoss(), weights: weights, normalize: false);
            PeerAgreement.AssertSame(outputs, v => loss.call(v, y), v => MonaiDeepSupervision(v, y1, weights));
            Math.Abs(loss.call(outputs, y).item<double>() - MonaiDeepSupervision(outputs, y1, weights, exact: false).item<double>()).Should().BeGreaterThan(1e-6);
        }

        // ------------------------------------------------------------------ nnU-Net

        /// <summary>
        /// nnU-Net DC_and_CE_loss({batch_dice, smooth: 1e-5, do_bg: False}, {}, weight_ce=1, weight_dice=1, ignore_label,
        /// dice_class=MemoryEfficientSoftDiceLoss): mask = target != ignore; target_dice = where(mask, target, 0);
        /// Dice: softmax, one-hot, channels 1.., sum_gt = Σ g·m, intersect = Σ p·g·m, sum_pred = Σ p·m over the spatial
        /// axes (then over the batch with batch_dice), dc = (2I + s)/(G + P + s).clamp_min(1e-8), −dc.mean(); CE:
        /// nn.CrossEntropyLoss(ignore_index) mean over the non-ignored pixels (0 when none); ce + dc.
        /// </summary>
        internal static Tensor NnUNetDcAndCe(Tensor x, Tensor y, bool batchDice = true, long? ignore = null)
        {
            long c = x.shape[1];
            var mask = ignore is long ig ? y.ne(ig) : ones_like(y, ScalarType.Bool);
            var yDice = where(mask, y, zeros_like(y));
            var p = x.softmax(1).narrow(1, 1, c - 1);
            var g = PeerAgreement.OneHotChannels(yDice, c).narrow(1, 1, c - 1);
            var m = mask.unsqueeze(1).to(ScalarType.Float64);
            var axes = PeerAgreement.SpatialAxes(p);
            var sumGt = (g * m).sum(axes);
            var intersect = (p * g * m).sum(axes);
            var sumPred = (p * m).sum(axes);
            if (batchDice)
            {
                sumGt = sumGt.sum(dim: 0);
                intersect = intersect.sum(dim: 0);
                sumPred = sumPred.sum(dim: 0);
            }
            var dc = -((2 * intersect + 1e-5) / (sumGt + sumPred + 1e-5).clamp_min(1e-8)).mean();
            var ce = mask.any().item<bool>() ? F.cross_entropy(x, y, ignore_index: ignore ?? -100) : zeros(1, ScalarType.Float64).squeeze();
            return ce + dc;
        }

        [Theory]
        [InlineData(null)]
        [InlineData(4L)]
        public void NnUNet_DeepSupervisionWrapper_DC_and_CE_with_trainer_weights_is_DeepSupervisionLoss(long? ignoreLabel)
        {
            // nnU-Net: weights = [1/2^i] with weights[-1] = 0, normalised (here 4 levels: [1, 0.5, 0.25, 0]/1.75);
            // DeepSupervisionWrapper(DC_and_CE_loss(... ignore_label), weights) on the targets DownsampleSegForDSTransform
            // (ds_scales 1, 0.5, 0.25, 0.125) makes: interpolate(seg[None].float(), round(shape·s), "nearest-exact").
            // ≡ new DeepSupervisionLoss(new DiceLoss(includeBackground: false, batch: true, ignoreIndex: i)
            //       + new CrossEntropyLoss(ignoreIndex: i), weights: [1, 0.5, 0.25, 0]) given the full-resolution labels,
            // up to nnU-Net's −Dice (SegLoss's 1 − Dice): the SegLoss value is the wrapper's + Σ w = + 1, same gradient.
            using var scope = NewDisposeScope();
            var outputs = Outputs(261, new long[] { 16, 12 }, new long[] { 8, 6 }, new long[] { 4, 3 }, new long[] { 2, 2 });
            var y = ignoreLabel is long ig ? TestData.LabelsWithIgnored(270, Classes, ig, 2, 16, 12) : TestData.Labels(270, Classes, 2, 16, 12);
            var targets = outputs.Select(o => Resize(y, o.shape.Skip(2).ToArray())).ToArray();
            double[] raw = { 1, 0.5, 0.25, 0 };
            var weights = raw.Select(w => w / raw.Sum()).ToArray();
            Tensor Wrapper(Tensor[] v) => Enumerable.Range(0, v.Length).Where(i => weights[i] != 0)
                .Select(i => weights[i] * NnUNetDcAndCe(v[i], targets[i], ignore: ignoreLabel)).Aggregate((a, b) => a + b);
            using var loss = new DeepSupervisionLoss(new DiceLoss(includeBackground: false, batch: true, ignoreIndex: ignoreLabel) + new CrossEntropyLoss(ignoreIndex: ignoreLabel),
                weights: new[] { 1, 0.5, 0.25, 0 });
            PeerAgreement.AssertSame(outputs, v => loss.call(v, y) - 1.0, Wrapper);
        }

        [Fact]
        public void NnUNet_DeepSupervisionWrapper_with_halving_weights_is_DeepSupervisionLoss_default()
        {
            // DeepSupervisionWrapper(loss, [1, 0.5, 0.25]/1.75) (nnU-Net's halving without the zeroed last level)
            // ≡ new DeepSupervisionLoss(loss) (weights null: 2^−i normalised), here with batch_dice=False.
            using var scope = NewDisposeScope();
            var outputs = Outputs(281, new long[] { 10, 8 }, new long[] { 5, 4 }, new long[] { 3, 2 });
            var y = TestData.Labels(290, Classes, 2, 10, 8);
            var targets = outputs.Select(o => Resize(y, o.shape.Skip(2).ToArray())).ToArray();
            Tensor Wrapper(Tensor[] v) => (1 / 1.75) * NnUNetDcAndCe(v[0], targets[0], batchDice: false)
                + (0.5 / 1.75) * NnUNetDcAndCe(v[1], targets[1], batchDice: false) + (0.25 / 1.75) * NnUNetDcAndCe(v[2], targets[2], batchDice: false);
            using var loss = new DeepSupervisionLoss(new DiceLoss(includeBackground: false) + new CrossEntropyLoss());
            loss.LevelWeights(3).Should().Equal(new[] { 1 / 1.75, 0.5 / 1.75, 0.25 / 1.75 }, (a, b) => Math.Abs(a - b) < 1e-15);
            PeerAgreement.AssertSame(outputs, v => loss.call(v, y) - 1.0, Wrapper);
        }
    }
}
