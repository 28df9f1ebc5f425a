using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Porting
{
    /// <summary>
    /// Porting rows for MONAI's <c>MaskedDiceLoss</c> and <c>MaskedLoss</c> (monai/losses/dice.py, spatial_mask.py).
    /// MONAI's MaskedLoss multiplies input and target by the mask and then calls the wrapped loss; MaskedDiceLoss is
    /// MaskedLoss(DiceLoss.forward), so with sigmoid/softmax set the mask multiplies the logits before the activation.
    /// Each expectation below follows MONAI's steps with plain loops: the masking product, the activation, to_onehot_y,
    /// then DiceLoss per (image, class): 1 − (2·Σ p·g + 1e-5) / (Σ p + Σ g + 1e-5), averaged over N·C.
    /// </summary>
    public class MaskedLossPortingTests
    {
        private const double Smooth = 1e-5;

        // Two images of 3 × 3 pixels; the mask drops 4 pixels of image 0 and 3 of image 1.
        private static readonly double[] Logits1 = { 1.2, -0.7, 0.3, -2.1, 0.9, 1.7, -0.4, 0.2, -1.3, 0.6, -1.1, 2.2, 0.1, -0.5, -1.8, 1.4, 0.8, -0.2 };
        private static readonly double[] Binary = { 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0 };
        private static readonly double[] Mask = { 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1 };
        private static readonly long[] Labels = { 0, 2, 1, 1, 0, 2, 2, 1, 0, 1, 1, 0, 2, 0, 2, 1, 0, 2 };
        private const int N = 2, P = 9, C = 3;

        private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

        /// <summary>Logits (N, C, 3, 3) for the Multiclass rows: channel k at pixel i is a fixed function of i and k.</summary>
        private static double[] Logits3() => Enumerable.Range(0, N * C * P).Select(j => Math.Sin(1.7 * j) * 2.0).ToArray();

        private static double At(double[] values, int n, int c, int i, int channels) => values[(n * channels + c) * P + i];

        /// <summary>MONAI's DiceLoss on p, g given as [n][c][i], mean over N·C.</summary>
        private static double MonaiDice(Func<int, int, int, double> p, Func<int, int, int, double> g, int channels)
        {
            double total = 0;
            for (int n = 0; n < N; n++)
                for (int c = 0; c < channels; c++)
                {
                    double tp = 0, sp = 0, sg = 0;
                    for (int i = 0; i < P; i++)
                    {
                        tp += p(n, c, i) * g(n, c, i);
                        sp += p(n, c, i);
                        sg += g(n, c, i);
                    }
                    total += 1 - (2 * tp + Smooth) / (sp + sg + Smooth);
                }
            return total / (N * channels);
        }

        private static double[] Softmax(double[] logits, int n, int i, double scale)
        {
            var z = Enumerable.Range(0, C).Select(c => At(logits, n, c, i, C) * scale).ToArray();
            double max = z.Max();
            var e = z.Select(v => Math.Exp(v - max)).ToArray();
            return e.Select(v => v / e.Sum()).ToArray();
        }

        [Fact]
        public void MonaiMaskedDiceLossSigmoid_IsDiceOnTheMaskMultipliedLogits()
        {
            // MONAI: MaskedDiceLoss(sigmoid=True)(x, t, m) = DiceLoss(sigmoid=True)(x·m, t·m): p = σ(x·m), g = t·m.
            double monai = MonaiDice((n, _, i) => Sigmoid(Logits1[n * P + i] * Mask[n * P + i]), (n, _, i) => Binary[n * P + i] * Mask[n * P + i], 1);
            using var scope = NewDisposeScope();
            var x = tensor(Logits1, new long[] { N, 1, 3, 3 });
            var t = tensor(Binary, new long[] { N, 1, 3, 3 });
            var m = tensor(Mask, new long[] { N, 1, 3, 3 });
            using var dice = new DiceLoss(LossMode.Binary);
            LossValues.Value(dice, x * m, t * m).Should().BeApproximately(monai, 1e-12, "SegLoss: new DiceLoss(LossMode.Binary).call(x * m, t * m)");

            // MaskedLoss leaves the masked pixels out instead; MONAI counts each as a prediction p = σ(0) = 0.5 of a
            // non-object pixel (in Σ p, not in Σ p·g): the two differ exactly by that term.
            double leftOut = 0;
            for (int n = 0; n < N; n++)
            {
                double tp = 0, sp = 0, sg = 0, dropped = 0;
                for (int i = 0; i < P; i++)
                {
                    int j = n * P + i;
                    if (Mask[j] == 0) { dropped++; continue; }
                    tp += Sigmoid(Logits1[j]) * Binary[j];
                    sp += Sigmoid(Logits1[j]);
                    sg += Binary[j];
                }
                leftOut += 1 - (2 * tp + Smooth) / (sp + sg + Smooth);
                double monaiImage = 1 - (2 * tp + Smooth) / (sp + 0.5 * dropped + sg + Smooth);
                monaiImage.Should().BeGreaterThan(1 - (2 * tp + Smooth) / (sp + sg + Smooth), "MONAI's masked pixels add 0.5 each to Σ p");
            }
            leftOut /= N;
            using var masked = new MaskedLoss(new DiceLoss(LossMode.Binary));
            using var value = masked.call(x, t, m);
            value.item<double>().Should().BeApproximately(leftOut, 1e-12);
            value.item<double>().Should().NotBeApproximately(monai, 1e-3, "MONAI masks the logits, SegLoss leaves the pixels out");
        }

        [Fact]
        public void MonaiMaskedDiceLossSoftmaxToOnehot_IsDiceOnTheMaskMultipliedLogitsAndLabels()
        {
            // MONAI: MaskedDiceLoss(softmax=True, to_onehot_y=True)(x, y (N,1,H,W), m): p = softmax(x·m),
            // g = one_hot(y·m): a masked pixel becomes label 0 (background) with p = 1/C in every class.
            var logits = Logits3();
            double monai = MonaiDice((n, c, i) => Softmax(logits, n, i, Mask[n * P + i])[c], (n, c, i) => Labels[n * P + i] * (long)Mask[n * P + i] == c ? 1 : 0, C);
            using var scope = NewDisposeScope();
            var x = tensor(logits, new long[] { N, C, 3, 3 });
            var y = tensor(Labels, new long[] { N, 3, 3 });
            var m = tensor(Mask, new long[] { N, 1, 3, 3 });
            using var dice = new DiceLoss();
            LossValues.Value(dice, x * m, y * m.squeeze(1).to(ScalarType.Int64)).Should().BeApproximately(monai, 1e-12,
                "SegLoss: new DiceLoss().call(x * m, y * m) (the mask applied to logits and labels by hand)");

            // Leaving the masked pixels out (SegLoss's MaskedLoss) is a different number.
            double leftOut = MonaiDice((n, c, i) => Mask[n * P + i] * Softmax(logits, n, i, 1)[c], (n, c, i) => Mask[n * P + i] * (Labels[n * P + i] == c ? 1 : 0), C);
            using var masked = new MaskedLoss(new DiceLoss());
            using var value = masked.call(x, y, m);
            value.item<double>().Should().BeApproximately(leftOut, 1e-12);
            value.item<double>().Should().NotBeApproximately(monai, 1e-3);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void MonaiMaskedDiceLossWithoutActivationOnProbabilities_IsMaskedLossOfDiceOnProbabilities(bool multiclass)
        {
            // MONAI: MaskedDiceLoss()(p, g, m) with p already probabilities (sigmoid=softmax=False) and g one-hot/binary:
            // p·m = g·m = 0 at masked pixels, which is leaving them out. Also the recipe for logits: apply the activation
            // first, MaskedDiceLoss()(σ(x), t, m) or MaskedDiceLoss()(softmax(x), one_hot(y), m) ≡ MaskedLoss(DiceLoss).
            using var scope = NewDisposeScope();
            int channels = multiclass ? C : 1;
            var logits = multiclass ? Logits3() : Logits1;
            Func<int, int, int, double> prob = multiclass ? (n, c, i) => Softmax(logits, n, i, 1)[c] : (n, _, i) => Sigmoid(Logits1[n * P + i]);
            Func<int, int, int, double> truth = multiclass ? (n, c, i) => Labels[n * P + i] == c ? 1 : 0 : (n, _, i) => Binary[n * P + i];
            double monai = MonaiDice((n, c, i) => prob(n, c, i) * Mask[n * P + i], (n, c, i) => truth(n, c, i) * Mask[n * P + i], channels);

            var mode = multiclass ? LossMode.Multiclass : LossMode.Binary;
            var shape = new long[] { N, channels, 3, 3 };
            var x = tensor(logits, shape);
            var target = multiclass ? tensor(Labels, new long[] { N, 3, 3 }) : tensor(Binary, shape);
            var m = tensor(Mask, new long[] { N, 1, 3, 3 });
            var p = multiclass ? x.softmax(1) : x.sigmoid();
            using var onProbabilities = new MaskedLoss(new DiceLoss(mode, fromLogits: false));
            using var onLogits = new MaskedLoss(new DiceLoss(mode));
            using (var v = onProbabilities.call(p, target, m)) v.item<double>().Should().BeApproximately(monai, 1e-12, "new MaskedLoss(new DiceLoss(mode, fromLogits: false)).call(p, labels, m)");
            using (var v = onLogits.call(x, target, m)) v.item<double>().Should().BeApproximately(monai, 1e-12, "new MaskedLoss(new DiceLoss(mode)).call(logits, labels, m)");

            // Gradient: MONAI's with respect to p is 0 at masked pixels (p·m), and so is SegLoss's.
            var leaf = p.detach().requires_grad_(true);
            onProbabilities.call(leaf, target, m).backward();
            var maskedGrad = leaf.grad!.masked_select(m.eq(0).expand_as(leaf));
            maskedGrad.abs().max().item<double>().Should().Be(0.0);
        }

        [Fact]
        public void MonaiMaskedLossOfBceWithLogits_IsBceOnTheMaskMultipliedLogits()
        {
            // MONAI: MaskedLoss(torch.nn.BCEWithLogitsLoss())(x, t, m) = mean over all N·H·W of BCE(x·m, t·m): a masked
            // pixel contributes BCE(0, 0) = log 2 and counts in the mean. SegLoss reproduces it only by hand; its
            // MaskedLoss leaves the pixels out of sum and count.
            double sum = 0, kept = 0, keptCount = 0;
            for (int j = 0; j < N * P; j++)
            {
                double z = Logits1[j] * Mask[j], g = Binary[j] * Mask[j];
                sum += Math.Max(z, 0) - z * g + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                if (Mask[j] == 1)
                {
                    kept += Math.Max(Logits1[j], 0) - Logits1[j] * Binary[j] + Math.Log(1 + Math.Exp(-Math.Abs(Logits1[j])));
                    keptCount++;
                }
            }
            using var scope = NewDisposeScope();
            var x = tensor(Logits1, new long[] { N, 1, 3, 3 });
            var t = tensor(Binary, new long[] { N, 1, 3, 3 });
            var m = tensor(Mask, new long[] { N, 1, 3, 3 });
            using var bce = new CrossEntropyLoss(LossMode.Binary);
            LossValues.Value(bce, x * m, t * m).Should().BeApproximately(sum / (N * P), 1e-12, "new CrossEntropyLoss(LossMode.Binary).call(x * m, t * m)");
            using var masked = new MaskedLoss(new CrossEntropyLoss(LossMode.Binary));
            using var value = masked.call(x, t, m);
            value.item<double>().Should().BeApproximately(kept / keptCount, 1e-12, "MaskedLoss: the mean over kept pixels");
        }
    }
}
