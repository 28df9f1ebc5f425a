using System;
using FluentAssertions;
using SegLoss.Benchmarks.Ports;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Porting
{
    /// <summary>
    /// MONAI classes that are only sums of losses SegLoss already has get no class of their own: README's porting guide
    /// gives the sum. These tests pin each such row — value and input gradient in float64 — against MONAI's steps as
    /// written in the line-by-line ports (samples/Benchmarks/Ports/MonaiPorts.cs), and one row by hand.
    /// </summary>
    public class MonaiCompositionPortingTests
    {
        private const double Tolerance = 1e-10;

        [Fact]
        public void DiceFocalSigmoidByHand()
        {
            using var scope = NewDisposeScope();
            // One image, one channel, two pixels: logits z = [0, ln 3] (p = [1/2, 3/4]), target t = [0, 1].
            // Dice: TP = 3/4, P = 5/4, G = 1 → 1 − (2·3/4 + s)/(9/4 + s) with s = 1e-5.
            // Focal γ = 2: pixel 1 BCE = ln 2, (1 − p_t)² = 1/4; pixel 2 BCE = ln(4/3), (1 − p_t)² = 1/16; mean of the two.
            var z = tensor(new[] { 0.0, Math.Log(3) }, new long[] { 1, 1, 2 });
            var t = tensor(new[] { 0.0, 1.0 }, new long[] { 1, 1, 2 });
            double dice = 1 - (1.5 + 1e-5) / (2.25 + 1e-5);
            double focal = (Math.Log(2) / 4 + Math.Log(4.0 / 3) / 16) / 2;
            // MONAI DiceFocalLoss(sigmoid=True, lambda_dice=0.7, lambda_focal=0.3).
            using var loss = 0.7 * new DiceLoss(LossMode.Binary) + 0.3 * new FocalLoss(LossMode.Binary);
            loss.call(z, t).item<double>().Should().BeApproximately(0.7 * dice + 0.3 * focal, 1e-12);
            Monai.DiceFocalLoss(z, t, sigmoid: true).item<double>().Should().BeApproximately(dice + focal, 1e-12, "the port does MONAI's steps");
        }

        [Theory]
        [InlineData(1.0, 1.0, 2.0)]
        [InlineData(0.6, 0.4, 1.5)]
        public void GeneralizedDiceFocalSigmoidIsGdlPlusFocal(double lambdaGdl, double lambdaFocal, double gamma)
        {
            // MONAI GeneralizedDiceFocalLoss(sigmoid=True, gamma, lambda_gdl, lambda_focal) on (N, 1, H, W).
            using var scope = NewDisposeScope();
            var (x, t) = Binary(11);
            using var segLoss = lambdaGdl * new GeneralizedDiceLoss(LossMode.Binary) + lambdaFocal * new FocalLoss(LossMode.Binary, gamma: gamma);
            AssertAgree(x, (i) => segLoss.call(i, t),
                (i) => Monai.GeneralizedDiceLoss(i, t, sigmoid: true) * lambdaGdl + Monai.FocalLoss(i, t, gamma) * lambdaFocal);
        }

        [Fact]
        public void GeneralizedDiceFocalSoftmaxIsGdlOnLabelsPlusSigmoidFocalOnOneHot()
        {
            // MONAI GeneralizedDiceFocalLoss(softmax=True, to_onehot_y=True): the GDL takes softmax probabilities, while
            // MONAI's focal part stays the sigmoid focal loss per channel on the one-hot target (use_softmax is not
            // passed). SegLoss: GeneralizedDiceLoss() on the labels plus FocalLoss(Multilabel) on OneHot.Encode(labels).
            using var scope = NewDisposeScope();
            var (x, y) = Multiclass(12);
            var oneHot = OneHot.Encode(y, 4, dtype: ScalarType.Float64);
            using var gdl = new GeneralizedDiceLoss();
            using var focal = new FocalLoss(LossMode.Multilabel);
            AssertAgree(x, i => gdl.call(i, y) + focal.call(i, oneHot),
                i => Monai.GeneralizedDiceLoss(i, y.unsqueeze(1), softmax: true, toOnehotY: true) + Monai.FocalLoss(i, y.unsqueeze(1), toOnehotY: true));
        }

        [Theory]
        [InlineData(1.0, 1.0)]
        [InlineData(0.5, 2.0)]
        public void DiceCESoftmaxIsWeightedDicePlusCrossEntropy(double lambdaDice, double lambdaCe)
        {
            // MONAI DiceCELoss(softmax=True, to_onehot_y=True, lambda_dice, lambda_ce).
            using var scope = NewDisposeScope();
            var (x, y) = Multiclass(13);
            using var segLoss = lambdaDice * new DiceLoss() + lambdaCe * new CrossEntropyLoss();
            AssertAgree(x, i => segLoss.call(i, y),
                i => Monai.DiceLoss(i, y.unsqueeze(1), softmax: true, toOnehotY: true) * lambdaDice + nn.functional.cross_entropy(i, y) * lambdaCe);
        }

        [Fact]
        public void DiceFocalSoftmaxIsDiceOnLabelsPlusSigmoidFocalOnOneHot()
        {
            // MONAI DiceFocalLoss(softmax=True, to_onehot_y=True, gamma=2).
            using var scope = NewDisposeScope();
            var (x, y) = Multiclass(14);
            var oneHot = OneHot.Encode(y, 4, dtype: ScalarType.Float64);
            using var dice = new DiceLoss();
            using var focal = new FocalLoss(LossMode.Multilabel);
            AssertAgree(x, i => dice.call(i, y) + focal.call(i, oneHot),
                i => Monai.DiceFocalLoss(i, y.unsqueeze(1), softmax: true, toOnehotY: true));
        }

        /// <summary>Value and input gradient of both sides agree to 1e-10 (relative to the gradient's scale).</summary>
        private static void AssertAgree(Tensor x, Func<Tensor, Tensor> segLoss, Func<Tensor, Tensor> monai)
        {
            var (segValue, segGrad) = Evaluate(segLoss, x);
            var (monaiValue, monaiGrad) = Evaluate(monai, x);
            segValue.Should().BeApproximately(monaiValue, Tolerance * Math.Max(1, Math.Abs(monaiValue)));
            double scale = monaiGrad.abs().max().item<double>();
            scale.Should().BeGreaterThan(0);
            (segGrad - monaiGrad).abs().max().item<double>().Should().BeLessThan(Tolerance * scale);
        }

        private static (double Value, Tensor Grad) Evaluate(Func<Tensor, Tensor> loss, Tensor input)
        {
            var leaf = input.detach().clone().requires_grad_(true);
            var value = loss(leaf);
            value.backward();
            return (value.item<double>(), leaf.grad!.detach().clone());
        }

        private static (Tensor X, Tensor T) Binary(long seed)
        {
            var x = TestData.Logits(seed, 2, 1, 6, 5);
            var t = TestData.BinaryTargets(seed + 100, 2, 1, 6, 5);
            t[0, 0, 0, 0] = tensor(1.0);
            t[0, 0, 0, 1] = tensor(0.0);
            return (x, t);
        }

        private static (Tensor X, Tensor Y) Multiclass(long seed)
        {
            var x = TestData.Logits(seed, 2, 4, 6, 5);
            var y = TestData.Labels(seed + 100, 4, 2, 6, 5);
            for (long k = 0; k < 4; k++) y[TensorIndex.Colon, 0, k] = tensor(k);
            return (x, y);
        }
    }
}
