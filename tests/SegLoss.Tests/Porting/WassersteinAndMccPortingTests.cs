using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Porting
{
    /// <summary>
    /// Porting-guide rows for MONAI's <c>GeneralizedWassersteinDiceLoss</c> and smp's <c>MCCLoss</c>: each SegLoss call
    /// gives the value and the input gradient of the peer's computation, redone here step by step as the peer does it
    /// (its flattening, its normalisation of M, its α, its eps on every count), in float64 on small inputs.
    /// </summary>
    public class WassersteinAndMccPortingTests
    {
        private static readonly double[] Distances = { 0, 1, 1, 1, 0, 0.5, 1, 0.5, 0 };

        // ------------------------------------------------------------------ MONAI GeneralizedWassersteinDiceLoss

        /// <summary>
        /// MONAI's forward, step by step: flatten to (B, C, S) and (B, S); softmax over the classes; divide M by its
        /// maximum unless that is 1; W = Σ_c M[y, c]·p_c; α = 1 with α[:, 0] = 0 ("default") or 1/(one-hot volume + 1)
        /// ("GDL"); TP = Σ α_y·(1 − W); denominator 2·TP + Σ W ("default") or Σ α_y·(2 − W) ("GDL");
        /// 1 − (2·TP + smooth_nr)/(denominator + smooth_dr); then the reduction. <paramref name="beforeFix"/> keeps
        /// the (B, 1, S) × (B, S) broadcast of MONAI before PR #8744, which mixes the images of a batch.
        /// </summary>
        private static Tensor Monai(Tensor input, Tensor target, Tensor distMatrix, string weightingMode, string reduction,
            double smoothNr = 1e-5, double smoothDr = 1e-5, bool beforeFix = false)
        {
            long b = input.shape[0], c = input.shape[1];
            var flatInput = input.reshape(b, c, -1);
            var flatTarget = target.reshape(b, -1).to(ScalarType.Int64);
            long s = flatTarget.shape[1];
            var probs = flatInput.softmax(1);
            var m = distMatrix.to(ScalarType.Float64);
            double max = m.max().item<double>();
            if (max != 1) m = m / max;
            // m expanded to (B, C, C, S), gathered at the label along dim 1: the label's row for every pixel.
            var rows = m.index_select(0, flatTarget.reshape(-1)).reshape(b, s, c).permute(0, 2, 1);
            var wass = (rows * probs).sum(1);
            Tensor alpha;
            if (weightingMode == "GDL")
            {
                var oneHot = nn.functional.one_hot(flatTarget, c).permute(0, 2, 1).to(ScalarType.Float64);
                alpha = 1.0 / (oneHot.sum(2) + 1.0);
            }
            else
            {
                alpha = ones(b, c, ScalarType.Float64).index_fill_(1, tensor(new long[] { 0 }), 0.0);
            }
            var alphaAtLabel = alpha.unsqueeze(2).expand(b, c, s).gather(1, flatTarget.unsqueeze(1)); // (B, 1, S)
            Tensor Sum(Tensor perPixelTerm) => beforeFix
                ? (alphaAtLabel * perPixelTerm).sum(new long[] { 1, 2 })          // (B, 1, S) × (B, S) → (B, B, S)
                : (alphaAtLabel.squeeze(1) * perPixelTerm).sum(1);
            var truePos = Sum(1.0 - wass);
            var denom = weightingMode == "GDL" ? Sum(2.0 - wass) : truePos * 2 + wass.sum(1);
            var loss = 1.0 - (truePos * 2.0 + smoothNr) / (denom + smoothDr);
            return reduction switch { "mean" => loss.mean(), "sum" => loss.sum(), _ => loss };
        }

        private static Tensor Matrix() => tensor(Distances, new long[] { 3, 3 }, ScalarType.Float64);

        public static TheoryData<string, string, long[]> MonaiRows() => new()
        {
            { "default", "mean", new long[] { 2, 3, 4, 3 } },
            { "default", "none", new long[] { 3, 3, 2, 2, 2 } },
            { "GDL", "mean", new long[] { 2, 3, 4, 3 } },
            { "GDL", "sum", new long[] { 1, 3, 3, 2, 2 } },
        };

        /// <summary>
        /// MONAI <c>GeneralizedWassersteinDiceLoss(dist_matrix=M, weighting_mode="default"|"GDL", reduction=r)</c> ≡
        /// <c>new GeneralizedWassersteinDiceLoss(distanceMatrix: M, weighting: Foreground|InverseVolume, reduction: r)</c>.
        /// </summary>
        [Theory]
        [MemberData(nameof(MonaiRows))]
        public void MonaiGeneralizedWassersteinDiceLossMatchesInValueAndGradient(string weightingMode, string reduction, long[] shape)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(7, shape);
            var y = TestData.Labels(8, 3, new[] { shape[0] }.Concat(shape[2..]).ToArray());
            var weighting = weightingMode == "GDL" ? WassersteinDiceWeighting.InverseVolume : WassersteinDiceWeighting.Foreground;
            var r = reduction switch { "mean" => nn.Reduction.Mean, "sum" => nn.Reduction.Sum, _ => nn.Reduction.None };
            // An unnormalised matrix: MONAI divides it by its maximum, SegLoss too.
            using var loss = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix() * 3, weighting: weighting, reduction: r);
            AssertSame(v => loss.call(v, y), v => Monai(v, y, Matrix() * 3, weightingMode, reduction), x);
        }

        /// <summary>MONAI's smoothing options map one to one: <c>smooth_nr</c> → smoothNumerator, <c>smooth_dr</c> → smoothDenominator.</summary>
        [Fact]
        public void MonaiSmoothingOptionsMapOneToOne()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(9, 2, 3, 3, 3);
            var y = TestData.Labels(10, 3, 2, 3, 3);
            using var loss = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix(), weighting: WassersteinDiceWeighting.InverseVolume, smoothNumerator: 0.5, smoothDenominator: 2.0);
            AssertSame(v => loss.call(v, y), v => Monai(v, y, Matrix(), "GDL", "mean", smoothNr: 0.5, smoothDr: 2.0), x);
        }

        /// <summary>
        /// The documented difference: MONAI before PR #8744 (issue #4650) mixes the images of a batch; for one image it
        /// agrees with SegLoss, for two it does not.
        /// </summary>
        [Fact]
        public void MonaiBeforeItsBatchFixAgreesForOneImageOnly()
        {
            using var scope = NewDisposeScope();
            using var loss = new GeneralizedWassersteinDiceLoss(distanceMatrix: Matrix());
            var x1 = TestData.Logits(11, 1, 3, 4, 4);
            var y1 = TestData.Labels(12, 3, 1, 4, 4);
            loss.call(x1, y1).item<double>().Should().BeApproximately(Monai(x1, y1, Matrix(), "default", "mean", beforeFix: true).item<double>(), 1e-12);
            var x2 = TestData.Logits(13, 2, 3, 4, 4);
            var y2 = TestData.Labels(14, 3, 2, 4, 4);
            double ours = loss.call(x2, y2).item<double>();
            ours.Should().BeApproximately(Monai(x2, y2, Matrix(), "default", "mean").item<double>(), 1e-12);
            Math.Abs(ours - Monai(x2, y2, Matrix(), "default", "mean", beforeFix: true).item<double>()).Should().BeGreaterThan(1e-3);
        }

        // ------------------------------------------------------------------ smp MCCLoss

        /// <summary>
        /// smp's forward, step by step: view both as (bs, 1, −1); sum over everything (the whole batch) TP = Σ p·g,
        /// TN = Σ (1 − p)(1 − g), FP = Σ p·(1 − g), FN = Σ (1 − p)·g, each + eps; 1 − (TP·TN − FP·FN) /
        /// sqrt((TP + FP)(TP + FN)(TN + FP)(TN + FN)). No activation: y_pred holds probabilities.
        /// </summary>
        private static Tensor Smp(Tensor yPred, Tensor yTrue, double eps = 1e-5)
        {
            long bs = yTrue.shape[0];
            var t = yTrue.reshape(bs, 1, -1).to(ScalarType.Float64);
            var p = yPred.reshape(bs, 1, -1);
            var tp = (p * t).sum() + eps;
            var tn = ((1 - p) * (1 - t)).sum() + eps;
            var fp = (p * (1 - t)).sum() + eps;
            var fn = ((1 - p) * t).sum() + eps;
            var numerator = tp * tn - fp * fn;
            var denominator = ((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)).sqrt();
            return 1.0 - numerator.sum() / denominator.sum();
        }

        /// <summary>
        /// smp <c>MCCLoss()(probabilities, y)</c> ≡ <c>new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false,
        /// batch: true)</c>, with y shaped (N, 1, H, W) or (N, H, W), 2D and 3D.
        /// </summary>
        [Theory]
        [InlineData(false, false)]
        [InlineData(true, false)]
        [InlineData(false, true)]
        public void SmpMccLossMatchesInValueAndGradient(bool squeezedTarget, bool threeD)
        {
            using var scope = NewDisposeScope();
            long[] shape = threeD ? new long[] { 2, 1, 3, 2, 3 } : new long[] { 3, 1, 4, 4 };
            var probabilities = TestData.Logits(21, shape).sigmoid();
            var y = TestData.BinaryTargets(22, shape);
            if (squeezedTarget) y = y.squeeze(1);
            using var loss = new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false, batch: true);
            AssertSame(v => loss.call(v, y), v => Smp(v, y), probabilities);
        }

        /// <summary>
        /// smp <c>MCCLoss(eps)(torch.sigmoid(logits), y)</c>, the usual call with a logit model, ≡
        /// <c>new MatthewsCorrelationLoss(LossMode.Binary, epsilon: eps, batch: true)</c> on the logits.
        /// </summary>
        [Theory]
        [InlineData(1e-5)]
        [InlineData(1.0)]
        public void SmpMccLossOnSigmoidOutputsMatchesTheLogitCall(double eps)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(23, 2, 1, 5, 4);
            var y = TestData.BinaryTargets(24, 2, 1, 5, 4);
            using var loss = new MatthewsCorrelationLoss(LossMode.Binary, epsilon: eps, batch: true);
            AssertSame(v => loss.call(v, y), v => Smp(v.sigmoid(), y, eps), x);
        }

        /// <summary>
        /// The per-image default differs from smp on purpose: smp pools the batch. Pin that the per-image default is the
        /// mean of smp's loss applied to each image alone.
        /// </summary>
        [Fact]
        public void ThePerImageDefaultIsSmpPerImageAveraged()
        {
            using var scope = NewDisposeScope();
            var p = TestData.Logits(25, 3, 1, 4, 4).sigmoid();
            var y = TestData.BinaryTargets(26, 3, 1, 4, 4);
            using var loss = new MatthewsCorrelationLoss(LossMode.Binary, fromLogits: false);
            double perImage = (Smp(p.narrow(0, 0, 1), y.narrow(0, 0, 1)) + Smp(p.narrow(0, 1, 1), y.narrow(0, 1, 1)) + Smp(p.narrow(0, 2, 1), y.narrow(0, 2, 1))).item<double>() / 3;
            loss.call(p, y).item<double>().Should().BeApproximately(perImage, 1e-12);
        }

        // ------------------------------------------------------------------ helpers

        /// <summary>Asserts equal values and equal input gradients (contracted with fixed weights when not scalar).</summary>
        private static void AssertSame(Func<Tensor, Tensor> ours, Func<Tensor, Tensor> peer, Tensor x)
        {
            Tensor Scalar(Func<Tensor, Tensor> f, Tensor v)
            {
                var y = f(v);
                if (y.dim() == 0) return y;
                var weights = arange(1, y.numel() + 1, ScalarType.Float64).reshape(y.shape);
                return (y * weights).sum();
            }
            var (a, ga) = PixelLossChecks.ValueAndGradient(v => Scalar(ours, v), x);
            var (b, gb) = PixelLossChecks.ValueAndGradient(v => Scalar(peer, v), x);
            a.Should().BeApproximately(b, 1e-12 * Math.Max(1, Math.Abs(b)), "the peer's value");
            double scale = 0;
            foreach (var g in gb) scale = Math.Max(scale, Math.Abs(g));
            scale.Should().BeGreaterThan(0, "the peer's gradient is not zero");
            for (int i = 0; i < ga.Length; i++) ga[i].Should().BeApproximately(gb[i], 1e-10 * scale, $"d loss / d x[{i}]");
        }
    }
}
