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
    /// Porting-guide rows for the pixel-loss and Lovász conventions: "peer call X ≡ SegLoss call Y". Each expectation
    /// follows the peer's code step by step in plain doubles (its smoothing, its masking, its means, its budget), on
    /// small inputs with ignored pixels where the peer has an ignore index; the SegLoss gradient is checked against
    /// central differences of that independent peer computation.
    /// </summary>
    /// <remarks>
    /// Peer snapshots: smp 5006616 (losses/soft_ce.py, soft_bce.py, _functional.py label_smoothed_nll_loss,
    /// lovasz.py), nnU-Net v2 0e49508 (training/loss/robust_ce_loss.py TopKLoss), MONAI d388d1c (losses/focal_loss.py,
    /// dice.py DiceFocalLoss; no ignore_index at that snapshot), Berman 7d48792 (pytorch/lovasz_losses.py).
    /// </remarks>
    public class PixelConventionPortingTests
    {
        private const long Ignore = 255;
        private const double ValueTol = 1e-10;
        private const double GradTol = 1e-6;

        // ------------------------------------------------------------------ smp SoftCrossEntropyLoss

        [Theory]
        [InlineData(0.1)]
        [InlineData(0.0)]
        public void Smp_SoftCrossEntropyLoss_is_CE_with_AllElements(double smoothFactor)
        {
            // smp SoftCrossEntropyLoss(smooth_factor=ε, ignore_index=255) ≡
            // new CrossEntropyLoss(labelSmoothing: ε, ignoreIndex: 255, pixelMean: PixelMean.AllElements).
            using var scope = NewDisposeScope();
            long n = 2, c = 3;
            long[] spatial = { 2, 3 };
            var x = TestData.Logits(3, new[] { n, c }.Concat(spatial).ToArray());
            var y = TestData.LabelsWithIgnored(4, c, Ignore, new[] { n }.Concat(spatial).ToArray());
            var labels = y.data<long>().ToArray();
            long s = 6;

            // label_smoothed_nll_loss(log_softmax(x), y, ε, ignore_index, "mean", dim=1): the pad mask zeroes both the
            // gathered NLL and −Σ_c log p_c at ignored pixels, each is averaged over all N·H·W entries, then
            // (1 − ε)·nll + (ε/C)·smooth.
            double Peer(double[] v)
            {
                double nll = 0, smooth = 0;
                for (int b = 0; b < n; b++)
                    for (int i = 0; i < s; i++)
                    {
                        long label = labels[b * s + i];
                        var logp = LogSoftmax(v, b, c, s, i);
                        if (label == Ignore) continue; // masked_fill(pad_mask, 0) on both terms
                        nll += -logp[label];
                        smooth += -logp.Sum();
                    }
                double count = n * s;
                return (1 - smoothFactor) * (nll / count) + smoothFactor / c * (smooth / count);
            }

            using var loss = new CrossEntropyLoss(labelSmoothing: smoothFactor, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements);
            AssertMatchesPeer(loss, x, y, Peer);
            // The counted denominator is what differs from the default: the valid-pixel mean is larger by N·S / valid.
            using var valid = new CrossEntropyLoss(labelSmoothing: smoothFactor, ignoreIndex: Ignore);
            double validCount = labels.Count(l => l != Ignore);
            LossValues.Value(valid, x, y).Should().BeApproximately(Peer(Flat(x)) * n * s / validCount, ValueTol);
        }

        // ------------------------------------------------------------------ mmseg CrossEntropyLoss

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Mmseg_CrossEntropyLoss_without_avg_non_ignore_is_CE_with_AllElements(bool weighted)
        {
            // mmseg CrossEntropyLoss(class_weight=w, avg_non_ignore=False) (its default) called with ignore_index=255 ≡
            // new CrossEntropyLoss(classWeights: w, ignoreIndex: 255, pixelMean: PixelMean.AllElements).
            using var scope = NewDisposeScope();
            long n = 2, c = 3, s = 6;
            var x = TestData.Logits(13, n, c, 2, 3);
            var y = TestData.LabelsWithIgnored(14, c, Ignore, n, 2, 3);
            var labels = y.data<long>().ToArray();
            var w = weighted ? new[] { 0.5, 2.0, 1.0 } : new[] { 1.0, 1.0, 1.0 };

            // cross_entropy: F.cross_entropy(weight=class_weight, reduction='none', ignore_index) — w_y·(−log p_y), 0 at
            // ignored pixels; avg_non_ignore False leaves avg_factor None, so weight_reduce_loss takes .mean() over N·H·W.
            double Peer(double[] v)
            {
                double total = 0;
                for (int b = 0; b < n; b++)
                    for (int i = 0; i < s; i++)
                    {
                        long label = labels[b * s + i];
                        if (label != Ignore) total += w[label] * -LogSoftmax(v, b, c, s, i)[label];
                    }
                return total / (n * s);
            }

            using var weights = tensor(w);
            using var loss = new CrossEntropyLoss(classWeights: weighted ? weights : null, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements);
            AssertMatchesPeer(loss, x, y, Peer);
        }

        // ------------------------------------------------------------------ smp SoftBCEWithLogitsLoss

        [Theory]
        [InlineData(LossMode.Multilabel, 0.1)]
        [InlineData(LossMode.Multilabel, 0.3)]
        [InlineData(LossMode.Binary, 0.05)]
        public void Smp_SoftBCEWithLogitsLoss_is_CE_with_doubled_smoothing_and_AllElements(LossMode mode, double s)
        {
            // smp SoftBCEWithLogitsLoss(smooth_factor=s, ignore_index=255, pos_weight=w) ≡
            // new CrossEntropyLoss(mode, labelSmoothing: 2·s, ignoreIndex: 255, posWeight: w, pixelMean: AllElements).
            using var scope = NewDisposeScope();
            long n = 2, c = mode == LossMode.Binary ? 1 : 2, p = 6;
            var shape = new[] { n, c, 2, 3 };
            var x = TestData.Logits(5, shape);
            var ignored = TestData.LabelsWithIgnored(6, 1, Ignore, shape).eq(Ignore);
            var target = TestData.BinaryTargets(7, shape).masked_fill(ignored, Ignore);
            ignored.any().item<bool>().Should().BeTrue("the case needs ignored entries");
            var t = Flat(target);
            var posWeight = mode == LossMode.Binary ? new[] { 1.5 } : new[] { 2.0, 0.5 };

            // forward: soft = (1 − y)·s + y·(1 − s) on every entry (the ignored ones too, where y = 255), BCE with
            // logits with pos_weight (shape (C, 1, 1), broadcast per channel), then loss *= (y != 255), then .mean()
            // over all N·C·H·W entries.
            double Peer(double[] v)
            {
                double total = 0;
                for (int i = 0; i < v.Length; i++)
                {
                    double soft = (1 - t[i]) * s + t[i] * (1 - s);
                    double pw = posWeight[(i / p) % c];
                    double bce = -(pw * soft * LogSigmoid(v[i]) + (1 - soft) * LogSigmoid(-v[i]));
                    total += bce * (t[i] != Ignore ? 1.0 : 0.0);
                }
                return total / v.Length;
            }

            // The smoothing identity the mapping rests on: (1 − y)·s + y·(1 − s) = (1 − ε)·y + ε/2 with ε = 2s.
            foreach (var yv in new[] { 0.0, 1.0, 0.3 })
                ((1 - yv) * s + yv * (1 - s)).Should().BeApproximately((1 - 2 * s) * yv + 2 * s / 2, 1e-15);

            var w = tensor(posWeight);
            using var loss = new CrossEntropyLoss(mode, labelSmoothing: 2 * s, ignoreIndex: Ignore, posWeight: w, pixelMean: PixelMean.AllElements);
            AssertMatchesPeer(loss, x, target, Peer);
            // Probability inputs take the unfused path: same value.
            using var probabilities = new CrossEntropyLoss(mode, fromLogits: false, labelSmoothing: 2 * s, ignoreIndex: Ignore, posWeight: w, pixelMean: PixelMean.AllElements);
            LossValues.Value(probabilities, x.sigmoid(), target).Should().BeApproximately(Peer(Flat(x)), 1e-9);
        }

        // ------------------------------------------------------------------ nnU-Net TopKLoss

        [Theory]
        [InlineData(10.0, 0.0, false)]
        [InlineData(30.0, 0.0, false)]
        [InlineData(90.0, 0.0, false)]
        [InlineData(50.0, 0.1, true)]
        public void NnUNet_TopKLoss_is_TopK_with_AllElements(double k, double labelSmoothing, bool weighted)
        {
            // nnU-Net TopKLoss(weight=w, ignore_index=255, k=k, label_smoothing=ε) ≡
            // new TopKCrossEntropyLoss(k: k, classWeights: w, ignoreIndex: 255, labelSmoothing: ε, pixelMean: AllElements)
            // (perImage: false, nnU-Net's res.view(-1) pools the whole batch).
            using var scope = NewDisposeScope();
            long n = 2, c = 3, s = 12;
            var x = TestData.Logits(11, n, c, 3, 4);
            var y = TestData.LabelsWithIgnored(12, c, Ignore, n, 3, 4);
            var labels = y.data<long>().ToArray();
            var w = weighted ? new[] { 1.0, 2.0, 0.5 } : new[] { 1.0, 1.0, 1.0 };
            labels.Count(l => l == Ignore).Should().BeGreaterThan(2, "the case needs ignored voxels");

            // forward: res = nn.CrossEntropyLoss(weight, ignore_index, reduce=False, label_smoothing) per voxel — 0 at
            // ignored voxels, (1 − ε)·w_y·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c) elsewhere; num_voxels = N·H·W (all of
            // them); torch.topk(res.view(-1), int(num_voxels·k/100)); mean of the kept values.
            double Peer(double[] v)
            {
                var res = new List<double>();
                for (int b = 0; b < n; b++)
                    for (int i = 0; i < s; i++)
                    {
                        long label = labels[b * s + i];
                        if (label == Ignore) { res.Add(0.0); continue; }
                        var logp = LogSoftmax(v, b, c, s, i);
                        double smooth = -Enumerable.Range(0, (int)c).Sum(j => w[j] * logp[j]);
                        res.Add((1 - labelSmoothing) * w[label] * -logp[label] + labelSmoothing / c * smooth);
                    }
                long numVoxels = res.Count;
                int kept = (int)(numVoxels * k / 100);
                return res.OrderByDescending(r => r).Take(kept).Average();
            }

            using var weights = tensor(w);
            using var loss = new TopKCrossEntropyLoss(k: k, classWeights: weighted ? weights : null, ignoreIndex: Ignore,
                labelSmoothing: labelSmoothing, pixelMean: PixelMean.AllElements);
            AssertMatchesPeer(loss, x, y, Peer);
        }

        [Fact]
        public void NnUNet_TopKLoss_budget_counts_ignored_voxels_unlike_the_default()
        {
            // 24 voxels, k = 90: nnU-Net keeps int(21.6) = 21 values, more than the valid voxels, so ignored zeros
            // enter the mean; the default budget is over the valid voxels only (⌊0.9·V⌋ of them).
            using var scope = NewDisposeScope();
            var x = TestData.Logits(11, 2, 3, 3, 4);
            var y = TestData.LabelsWithIgnored(12, 3, Ignore, 2, 3, 4);
            long valid = y.ne(Ignore).sum().item<long>();
            valid.Should().BeLessThan(21);
            using var all = new TopKCrossEntropyLoss(k: 90, ignoreIndex: Ignore, pixelMean: PixelMean.AllElements);
            using var sum = new CrossEntropyLoss(ignoreIndex: Ignore, reduction: nn.Reduction.Sum);
            // Every valid voxel is kept (21 > V), so the mean is Σ CE / 21.
            LossValues.Value(all, x, y).Should().BeApproximately(LossValues.Value(sum, x, y) / 21, ValueTol);
        }

        // ------------------------------------------------------------------ MONAI FocalLoss (softmax)

        [Theory]
        [InlineData(2.0, 0.25)]
        [InlineData(0.5, null)]
        [InlineData(0.0, null)]
        public void Monai_softmax_FocalLoss_is_Focal_with_ChannelEntries(double gamma, double? alpha)
        {
            // MONAI FocalLoss(use_softmax=True, to_onehot_y=True, gamma=γ, alpha=α) ≡
            // new FocalLoss(gamma: γ, classAlpha: [1 − α, α, …, α], pixelMean: PixelMean.ChannelEntries).
            // (MONAI has no ignore_index at the snapshot, so no pixel is ignored here.)
            using var scope = NewDisposeScope();
            long n = 2, c = 4, s = 6;
            var x = TestData.Logits(21, n, c, 2, 3);
            var y = TestData.Labels(22, c, n, 2, 3);
            var labels = y.data<long>().ToArray();

            // forward: target = one_hot(y) (N, C, H, W); softmax_focal_loss: ls = log_softmax(x, 1),
            // loss = −(1 − exp(ls))^γ·ls·target, times [1 − α, α, α, …] per channel when α is given; then .mean()
            // over all N·C·H·W entries.
            double Peer(double[] v)
            {
                double total = 0;
                for (int b = 0; b < n; b++)
                    for (int i = 0; i < s; i++)
                    {
                        var ls = LogSoftmax(v, b, c, s, i);
                        for (int ch = 0; ch < c; ch++)
                        {
                            double onehot = labels[b * s + i] == ch ? 1 : 0;
                            double term = -Math.Pow(1 - Math.Exp(ls[ch]), gamma) * ls[ch] * onehot;
                            if (alpha.HasValue) term *= ch == 0 ? 1 - alpha.Value : alpha.Value;
                            total += term;
                        }
                    }
                return total / (n * c * s);
            }

            Tensor? classAlpha = alpha.HasValue ? tensor(new[] { 1 - alpha.Value }.Concat(Enumerable.Repeat(alpha.Value, (int)c - 1)).ToArray()) : null;
            using var loss = new FocalLoss(gamma: gamma, classAlpha: classAlpha, pixelMean: PixelMean.ChannelEntries);
            AssertMatchesPeer(loss, x, y, Peer);
        }

        [Fact]
        public void Monai_softmax_FocalLoss_without_background_is_Focal_on_the_sliced_channels()
        {
            // MONAI FocalLoss(use_softmax=True, include_background=False, to_onehot_y=True, gamma=2) slices channel 0 off
            // the logits and the one-hot target *before* its softmax (so the softmax runs over C − 1 channels and a
            // background pixel has an all-zero target row), and drops α. No SegLoss option does that on purpose
            // (includeBackground: false keeps the softmax over all C); the peer's value is
            // new FocalLoss(pixelMean: PixelMean.ChannelEntries) on input[:, 1:] and OneHot.Encode(y, C)[:, 1:].
            using var scope = NewDisposeScope();
            long n = 2, c = 4, s = 6;
            var x = TestData.Logits(23, n, c, 2, 3);
            var y = TestData.Labels(24, c, n, 2, 3);
            var labels = y.data<long>().ToArray();

            // forward: target = one_hot(y); input, target = input[:, 1:], target[:, 1:]; softmax_focal_loss on the
            // C − 1 channels: −(1 − exp(ls))^γ·ls·target with ls = log_softmax over channels 1..C−1; .mean() over
            // N·(C − 1)·H·W.
            double Peer(double[] v)
            {
                double total = 0;
                for (int b = 0; b < n; b++)
                    for (int i = 0; i < s; i++)
                    {
                        var z = Enumerable.Range(1, (int)c - 1).Select(ch => v[(b * c + ch) * s + i]).ToArray();
                        double max = z.Max(), lse = max + Math.Log(z.Sum(a => Math.Exp(a - max)));
                        long label = labels[b * s + i];
                        if (label == 0) continue; // an all-zero target row
                        double ls = z[label - 1] - lse;
                        total += -Math.Pow(1 - Math.Exp(ls), 2) * ls;
                    }
                return total / (n * (c - 1) * s);
            }

            var sliced = OneHot.Encode(y, c, dtype: ScalarType.Float64).narrow(1, 1, c - 1);
            using var loss = new FocalLoss(pixelMean: PixelMean.ChannelEntries);
            double expected = Peer(Flat(x));
            LossValues.Value(loss, x.narrow(1, 1, c - 1), sliced).Should().BeApproximately(expected, ValueTol);
            // includeBackground: false is a different loss (softmax over all C channels).
            using var withBackgroundSoftmax = new FocalLoss(includeBackground: false, pixelMean: PixelMean.ChannelEntries);
            Math.Abs(LossValues.Value(withBackgroundSoftmax, x, y) - expected).Should().BeGreaterThan(1e-6);
        }

        // ------------------------------------------------------------------ MONAI FocalLoss / DiceFocalLoss, sigmoid, no background

        [Theory]
        [InlineData(2.0, null)]
        [InlineData(2.0, 0.25)]
        [InlineData(0.75, 0.6)]
        public void Monai_sigmoid_FocalLoss_without_background_is_Multilabel_Focal_without_background(double gamma, double? alpha)
        {
            // MONAI FocalLoss(include_background=False, to_onehot_y=True, gamma=γ, alpha=α) (sigmoid, the default), and
            // the focal part of DiceFocalLoss(include_background=False, to_onehot_y=True, softmax=True, gamma=γ,
            // alpha=α) — DiceFocalLoss builds its FocalLoss without use_softmax, so that part is sigmoid even with
            // softmax=True for the Dice part — ≡
            // new FocalLoss(LossMode.Multilabel, gamma: γ, alpha: α, includeBackground: false) on OneHot.Encode(y, C).
            using var scope = NewDisposeScope();
            long n = 2, c = 3, s = 6;
            var x = TestData.Logits(31, n, c, 2, 3);
            var y = TestData.Labels(32, c, n, 2, 3);
            var labels = y.data<long>().ToArray();

            // forward: target = one_hot(y); input, target = input[:, 1:], target[:, 1:]; sigmoid_focal_loss:
            // loss = x − x·t − logsigmoid(x); invprobs = logsigmoid(−x·(2t − 1)); loss = exp(γ·invprobs)·loss;
            // times t·α + (1 − t)·(1 − α) when α is given; then .mean() over the N·(C − 1)·H·W entries.
            double Peer(double[] v)
            {
                double total = 0;
                for (int b = 0; b < n; b++)
                    for (int ch = 1; ch < c; ch++)
                        for (int i = 0; i < s; i++)
                        {
                            double z = v[(b * c + ch) * s + i];
                            double t = labels[b * s + i] == ch ? 1 : 0;
                            double bce = z - z * t - LogSigmoid(z);
                            double term = Math.Exp(gamma * LogSigmoid(-z * (2 * t - 1))) * bce;
                            if (alpha.HasValue) term *= t * alpha.Value + (1 - t) * (1 - alpha.Value);
                            total += term;
                        }
                return total / (n * (c - 1) * s);
            }

            var oneHot = OneHot.Encode(y, c, dtype: ScalarType.Float64);
            using var loss = new FocalLoss(LossMode.Multilabel, gamma: gamma, alpha: alpha, includeBackground: false);
            AssertMatchesPeer(loss, x, oneHot, Peer);
        }

        // ------------------------------------------------------------------ Berman lovasz_softmax(classes=[1, 2])

        [Theory]
        [InlineData(false, 2)]
        [InlineData(true, 2)]
        [InlineData(false, 3)]
        [InlineData(true, 3)]
        public void Berman_lovasz_softmax_with_a_class_list_is_LovaszSoftmax_with_classSubset_and_All(bool perImage, int second)
        {
            // Berman lovasz_softmax(probas, labels, classes=[1, k], per_image=p, ignore=255) ≡
            // new LovaszSoftmaxLoss(fromLogits: false, classes: LovaszClasses.All, perImage: p, ignoreIndex: 255,
            //     classSubset: new[] { 1, k }) on the same probabilities.
            using var scope = NewDisposeScope();
            long n = 2, c = 4, s = 8;
            var probas = softmax(TestData.Logits(41, n, c, 2, 4), 1);
            // Class 2 is absent from image 1 and class 3 from both: a listed class counts, present or not.
            var y = tensor(new long[] { 0, 1, 2, 255, 1, 0, 2, 0, /* image 1 */ 1, 0, 255, 0, 1, 255, 0, 1 }, new long[] { n, 2, 4 });
            var labels = y.data<long>().ToArray();
            int[] listed = { 1, second };

            // flatten_probas drops void pixels; lovasz_softmax_flat: for each listed c (classes is a list, so no
            // 'present' skip): fg = (labels == c), errors = |fg − probas[:, c]|, sort descending, dot with
            // lovasz_grad(fg sorted); mean over the listed classes; with per_image, the mean over images of that.
            double Flat(double[] v, IEnumerable<int> images)
            {
                var perClass = new List<double>();
                foreach (int cls in listed)
                {
                    var errors = new List<double>();
                    var fg = new List<double>();
                    foreach (int b in images)
                        for (int i = 0; i < s; i++)
                        {
                            long label = labels[b * s + i];
                            if (label == Ignore) continue;
                            double g = label == cls ? 1 : 0;
                            fg.Add(g);
                            errors.Add(Math.Abs(g - v[(b * c + cls) * s + i]));
                        }
                    perClass.Add(LovaszFlat(errors, fg));
                }
                return perClass.Average();
            }
            double Peer(double[] v) => perImage
                ? Enumerable.Range(0, (int)n).Select(b => Flat(v, new[] { b })).Average()
                : Flat(v, Enumerable.Range(0, (int)n));

            using var loss = new LovaszSoftmaxLoss(fromLogits: false, classes: LovaszClasses.All, perImage: perImage, ignoreIndex: Ignore, classSubset: listed);
            AssertMatchesPeer(loss, probas, y, Peer);
        }

        // ------------------------------------------------------------------ smp LovaszLoss(mode="multilabel")

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Smp_multilabel_LovaszLoss_is_LovaszHinge_with_AllChannels(bool perImage)
        {
            // smp LovaszLoss(mode="multilabel", per_image=p, ignore_index=255) ≡
            // new LovaszHingeLoss(LossMode.Multilabel, perImage: p, ignoreIndex: 255, pooling: LovaszHingePooling.AllChannels).
            using var scope = NewDisposeScope();
            var (_, target, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: false, ignore: true, seed: 13);
            long n = target.shape[0], c = target.shape[1], s = 6;
            var x = TestData.Logits(51, target.shape);
            var t = Flat(target);

            // _lovasz_hinge: per image (or the whole batch) _flatten_binary_scores reshapes (C, H, W) — every channel —
            // to one vector and drops labels == ignore; _lovasz_hinge_flat: errors = 1 − logits·(2·labels − 1), sort
            // descending, dot(relu(errors_sorted), _lovasz_grad(labels sorted)); mean over images.
            double Hinge(double[] v, IEnumerable<int> images)
            {
                var errors = new List<double>();
                var fg = new List<double>();
                foreach (int b in images)
                    for (int j = 0; j < c * s; j++)
                    {
                        int idx = (int)(b * c * s + j);
                        if (t[idx] == Ignore) continue;
                        errors.Add(1 - v[idx] * (2 * t[idx] - 1));
                        fg.Add(t[idx]);
                    }
                return LovaszFlat(errors, fg, relu: true);
            }
            double Peer(double[] v) => perImage
                ? Enumerable.Range(0, (int)n).Select(b => Hinge(v, new[] { b })).Average()
                : Hinge(v, Enumerable.Range(0, (int)n));

            using var loss = new LovaszHingeLoss(LossMode.Multilabel, perImage: perImage, ignoreIndex: Ignore, pooling: LovaszHingePooling.AllChannels);
            AssertMatchesPeer(loss, x, target, Peer);
            // The default (one hinge problem per channel) is a different loss on this input.
            using var perChannel = new LovaszHingeLoss(LossMode.Multilabel, perImage: perImage, ignoreIndex: Ignore);
            Math.Abs(LossValues.Value(perChannel, x, target) - Peer(Flat(x))).Should().BeGreaterThan(1e-6);
        }

        // ------------------------------------------------------------------ peer arithmetic in doubles

        /// <summary>Berman's / smp's flat Lovász: sort errors descending, Σ e_sorted·lovasz_grad(gt sorted).</summary>
        private static double LovaszFlat(List<double> errors, List<double> fg, bool relu = false)
        {
            if (errors.Count == 0) return 0;
            var order = Enumerable.Range(0, errors.Count).OrderByDescending(i => errors[i]).ToArray();
            double gts = fg.Sum(), cumFg = 0, cumBg = 0, previous = 0, total = 0;
            foreach (int i in order)
            {
                cumFg += fg[i];
                cumBg += 1 - fg[i];
                double jaccard = 1 - (gts - cumFg) / (gts + cumBg);
                double e = relu ? Math.Max(errors[i], 0) : errors[i];
                total += e * (jaccard - previous);
                previous = jaccard;
            }
            return total;
        }

        private static double[] LogSoftmax(double[] v, long b, long c, long s, long i)
        {
            var z = Enumerable.Range(0, (int)c).Select(ch => v[(b * c + ch) * s + i]).ToArray();
            double max = z.Max();
            double lse = max + Math.Log(z.Sum(a => Math.Exp(a - max)));
            return z.Select(a => a - lse).ToArray();
        }

        private static double LogSigmoid(double z) => z >= 0 ? -Math.Log(1 + Math.Exp(-z)) : z - Math.Log(1 + Math.Exp(z));

        private static double[] Flat(Tensor t) => t.to(ScalarType.Float64).contiguous().flatten().data<double>().ToArray();

        /// <summary>
        /// The SegLoss value equals the peer's, and its autograd gradient equals central differences of the peer's
        /// computation (so value and gradient are those of the peer).
        /// </summary>
        private static void AssertMatchesPeer(SegmentationLoss loss, Tensor x, Tensor target, Func<double[], double> peer)
        {
            var values = Flat(x);
            double expected = peer(values);
            var (actual, gradient) = PixelLossChecks.ValueAndGradient(input => loss.call(input, target), x);
            actual.Should().BeApproximately(expected, ValueTol * Math.Max(1, Math.Abs(expected)), "the SegLoss value is the peer's");
            const double h = 1e-6;
            for (int i = 0; i < values.Length; i++)
            {
                var plus = (double[])values.Clone();
                var minus = (double[])values.Clone();
                plus[i] += h;
                minus[i] -= h;
                double numeric = (peer(plus) - peer(minus)) / (2 * h);
                gradient[i].Should().BeApproximately(numeric, GradTol + 1e-4 * Math.Abs(numeric), $"d loss / d x[{i}] matches the peer's");
            }
        }
    }
}
