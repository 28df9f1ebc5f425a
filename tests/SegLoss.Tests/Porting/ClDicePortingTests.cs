using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using SegLoss.Tests.Losses;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Porting
{
    /// <summary>
    /// Porting-guide rows for MONAI's <c>monai/losses/cldice.py</c> (June 2025 snapshot): <c>SoftclDiceLoss(iter_,
    /// smooth)</c> and <c>SoftDiceclDiceLoss(iter_, alpha, smooth)</c>, called as MONAI calls them —
    /// <c>forward(y_true, y_pred)</c> on probabilities and a one-hot target, no activation, channel 0 dropped by
    /// <c>[:, 1:]</c>, sums over batch, channels and space together. The expectation follows MONAI's steps with the
    /// plain-loop <see cref="ClDiceReference"/> (soft_erode, soft_dilate, soft_open, soft_skel, soft_dice).
    /// </summary>
    public class ClDicePortingTests
    {
        private static long[] Shape(long n, long c, bool threeD) => new[] { n, c }.Concat(threeD ? new long[] { 4, 5, 4 } : new long[] { 7, 8 }).ToArray();

        private static (Tensor logits, Tensor labels, ClDiceReference yTrue, ClDiceReference yPred) Multiclass(bool threeD, long seed)
        {
            var x = TestData.Logits(seed, Shape(2, 3, threeD)) * 2;
            var labels = TestData.Labels(seed + 1, 3, Shape(2, 3, threeD).Where((_, i) => i != 1).ToArray());
            // MONAI's inputs: y_true = one_hot(labels), y_pred = softmax(logits) (applied by the caller).
            return (x, labels, ClDiceReference.From(OneHot.Encode(labels, 3, dtype: ScalarType.Float64)), ClDiceReference.From(x.softmax(1)));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void MonaiSoftclDiceLoss_Default_Is_SoftClDiceLoss_OnLogitsOrProbabilities(bool threeD)
        {
            using var scope = NewDisposeScope();
            // MONAI: SoftclDiceLoss()(y_true=one_hot(y), y_pred=softmax(z))
            // SegLoss: new SoftClDiceLoss().call(z, y)  ==  new SoftClDiceLoss(fromLogits: false).call(softmax(z), y)
            var (x, labels, yTrue, yPred) = Multiclass(threeD, 101);
            double monai = ClDiceReference.MonaiClDice(yTrue, yPred);
            using var logits = new SoftClDiceLoss();
            Value(logits, x, labels).Should().BeApproximately(monai, 1e-12);
            using var probabilities = new SoftClDiceLoss(fromLogits: false);
            Value(probabilities, x.softmax(1), labels).Should().BeApproximately(monai, 1e-12);
            Value(probabilities, x.softmax(1), OneHot.Encode(labels, 3, dtype: ScalarType.Float64)).Should().BeApproximately(monai, 1e-12, "MONAI's one-hot y_true as a floating target");
        }

        [Fact]
        public void MonaiSoftclDiceLoss_Options_Are_IterationsAndSmooth()
        {
            using var scope = NewDisposeScope();
            // MONAI: SoftclDiceLoss(iter_=6, smooth=0.25)(one_hot(y), softmax(z)) -> SoftClDiceLoss(iterations: 6, smooth: 0.25)
            var (x, labels, yTrue, yPred) = Multiclass(threeD: false, 111);
            using var loss = new SoftClDiceLoss(iterations: 6, smooth: 0.25);
            Value(loss, x, labels).Should().BeApproximately(ClDiceReference.MonaiClDice(yTrue, yPred, 6, 0.25), 1e-12);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void MonaiSoftDiceclDiceLoss_Is_SoftDiceClDiceLoss(bool threeD)
        {
            using var scope = NewDisposeScope();
            // MONAI: SoftDiceclDiceLoss()(one_hot(y), softmax(z)) -> new SoftDiceClDiceLoss().call(z, y)
            // MONAI: SoftDiceclDiceLoss(iter_=5, alpha=0.3, smooth=0.5) -> SoftDiceClDiceLoss(iterations: 5, alpha: 0.3, smooth: 0.5)
            var (x, labels, yTrue, yPred) = Multiclass(threeD, 121);
            using var defaults = new SoftDiceClDiceLoss();
            Value(defaults, x, labels).Should().BeApproximately(ClDiceReference.MonaiDiceClDice(yTrue, yPred), 1e-12);
            using var configured = new SoftDiceClDiceLoss(iterations: 5, alpha: 0.3, smooth: 0.5);
            Value(configured, x, labels).Should().BeApproximately(ClDiceReference.MonaiDiceClDice(yTrue, yPred, 5, 0.3, 0.5), 1e-12);
        }

        [Fact]
        public void MonaiSoftclDiceLoss_OnTwoChannelBinaryMaps_Is_BinarySoftClDiceLoss()
        {
            using var scope = NewDisposeScope();
            // A sigmoid output fed to MONAI as one channel gives loss 0 ([:, 1:] is empty: s/s = 1 both ways); MONAI users
            // stack [1 − p, p] and [1 − g, g]. SegLoss: new SoftClDiceLoss(LossMode.Binary).call(z, g).
            var z = TestData.Logits(131, 2, 1, 7, 8) * 2;
            var g = TestData.BinaryTargets(132, 2, 1, 7, 8);
            var p = z.sigmoid();
            var yTrue = ClDiceReference.From(cat(new[] { 1 - g, g }, 1));
            var yPred = ClDiceReference.From(cat(new[] { 1 - p, p }, 1));
            using var binary = new SoftClDiceLoss(LossMode.Binary);
            Value(binary, z, g).Should().BeApproximately(ClDiceReference.MonaiClDice(yTrue, yPred), 1e-12);
            using var combined = new SoftDiceClDiceLoss(LossMode.Binary);
            Value(combined, z, g).Should().BeApproximately(ClDiceReference.MonaiDiceClDice(yTrue, yPred), 1e-12);
            ClDiceReference.MonaiClDice(ClDiceReference.From(g), ClDiceReference.From(p)).Should().Be(0, "MONAI's own result on one channel");
        }

        [Fact]
        public void MonaiSoftclDiceLoss_OnSigmoidChannels_Is_MultilabelSoftClDiceLoss()
        {
            using var scope = NewDisposeScope();
            // MONAI: SoftclDiceLoss()(y_true=multi-hot g, y_pred=sigmoid(z)) -> new SoftClDiceLoss(LossMode.Multilabel).call(z, g)
            // (channel 0 left out as MONAI does; includeBackground: true keeps it).
            var z = TestData.Logits(141, 2, 3, 6, 7) * 2;
            var g = TestData.BinaryTargets(142, 2, 3, 6, 7);
            using var loss = new SoftClDiceLoss(LossMode.Multilabel);
            Value(loss, z, g).Should().BeApproximately(ClDiceReference.MonaiClDice(ClDiceReference.From(g), ClDiceReference.From(z.sigmoid())), 1e-12);
        }

        [Fact]
        public void MonaiSoftDiceclDiceLoss_Gradient_MatchesFiniteDifferencesOfMonaisSteps()
        {
            using var scope = NewDisposeScope();
            // Same gradient: SegLoss's autograd gradient with respect to the probabilities against central differences
            // of the plain-loop MONAI computation.
            // Unscaled logits: no probability crowds near 0, where two window values could lie within a step of each other.
            var x = TestData.Logits(151, 2, 3, 5, 6);
            var labels = TestData.Labels(152, 3, 2, 5, 6);
            var yTrue = ClDiceReference.From(OneHot.Encode(labels, 3, dtype: ScalarType.Float64));
            var probabilities = x.softmax(1).detach();
            using var loss = new SoftDiceClDiceLoss(fromLogits: false);
            var analytic = GradCheck.Gradient(v => loss.call(v, labels), probabilities);
            var values = probabilities.contiguous().data<double>().ToArray();
            var shape = probabilities.shape.Select(v => (int)v).ToArray();
            const double h = 1e-7;
            double Monai(double[] v) => ClDiceReference.MonaiDiceClDice(yTrue, new ClDiceReference(v, shape[0], shape[1], 1, shape[2], shape[3]));
            for (int i = 0; i < values.Length; i++)
            {
                var plus = (double[])values.Clone();
                var minus = (double[])values.Clone();
                plus[i] += h;
                minus[i] -= h;
                double numeric = (Monai(plus) - Monai(minus)) / (2 * h);
                analytic[i].Should().BeApproximately(numeric, 1e-6 + 1e-4 * Math.Abs(numeric), $"d loss / d p[{i}]");
            }
        }

        [Fact]
        public void PerImagePooling_Is_BatchFalse()
        {
            using var scope = NewDisposeScope();
            // Pooling classes per image (as MONAI's later API, PR #8703, describes its reduction over the batch):
            // batch: false gives one ratio per image over its foreground channels; Mean averages the images.
            var (x, labels, _, _) = Multiclass(threeD: false, 161);
            using var perImage = new SoftClDiceLoss(batch: false);
            double expected = Enumerable.Range(0, 2).Select(n =>
            {
                var xn = x.narrow(0, n, 1);
                var yn = labels.narrow(0, n, 1);
                return ClDiceReference.MonaiClDice(ClDiceReference.From(OneHot.Encode(yn, 3, dtype: ScalarType.Float64)), ClDiceReference.From(xn.softmax(1)));
            }).Average();
            Value(perImage, x, labels).Should().BeApproximately(expected, 1e-12);
        }
    }
}
