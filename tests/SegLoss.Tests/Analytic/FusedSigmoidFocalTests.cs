using System.Collections.Generic;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Analytic
{
    /// <summary>
    /// The sigmoid focal loss's analytic operation (<see cref="SigmoidFocalTerms"/>) gives the values and gradients of
    /// its autograd path for every γ branch (0, 1, 2 and the general power), α, ignored entries, every reduction and
    /// pixel mean, and its gradient passes the finite-difference check.
    /// </summary>
    public class FusedSigmoidFocalTests
    {
        public static IEnumerable<object[]> Gammas() => new[] { new object[] { 0.0 }, new object[] { 1.0 }, new object[] { 2.0 }, new object[] { 0.5 }, new object[] { 3.25 } };

        [Theory]
        [MemberData(nameof(Gammas))]
        public void EveryOptionAgreesWithTheAutogradPath(double gamma)
        {
            foreach (var mode in new[] { LossMode.Binary, LossMode.Multilabel })
                foreach (var spatial in new[] { new long[] { 3, 5 }, new long[] { 45, 50 }, new long[] { 7, 9, 40 } })
                {
                    long c = mode == LossMode.Binary ? 1 : 3;
                    manual_seed(11);
                    // Logits up to ±40 reach the saturated ends of σ, where q or p_t underflows.
                    var x = randn(new long[] { 2, c }.Concat(spatial), float64) * 8;
                    x[0, 0, 0] = tensor(40.0, float64);
                    x[1, 0, 0] = tensor(-40.0, float64);
                    var target = randint(0, 2, x.shape, float64);
                    var ignored = target.where(rand(x.shape, float64) > 0.25, full_like(target, 5.0));
                    foreach (double? alpha in new double?[] { null, 0.25 })
                        foreach (var reduction in new[] { nn.Reduction.Mean, nn.Reduction.Sum, nn.Reduction.None })
                            foreach (var pixelMean in new[] { PixelMean.ValidElements, PixelMean.AllElements })
                            {
                                using var plain = new FocalLoss(mode, gamma: gamma, alpha: alpha, reduction: reduction, pixelMean: pixelMean);
                                string what = $"{mode} {string.Join("x", spatial)} γ {gamma} α {alpha} {reduction} {pixelMean}";
                                AnalyticAgreement.AssertSame(input => plain.call(input, target), x, what);
                                using var ignoring = new FocalLoss(mode, gamma: gamma, alpha: alpha, ignoreIndex: 5, reduction: reduction, pixelMean: pixelMean);
                                AnalyticAgreement.AssertSame(input => ignoring.call(input, ignored), x, what + " with ignored entries");
                            }
                }
        }

        [Fact]
        public void BoolTargetsAndOneHotLabelsTakeTheAnalyticOperation()
        {
            manual_seed(12);
            var x = randn(new long[] { 2, 4, 30, 30 }, float64);
            var labels = randint(0, 4, new long[] { 2, 30, 30 }, int64);
            using var focal = new FocalLoss(LossMode.Multilabel);
            AnalyticAgreement.AssertSame(input => focal.call(input, OneHot.Encode(labels, 4, dtype: ScalarType.Float64)), x, "smp's one-vs-rest focal on a one-hot target");
            var xb = randn(new long[] { 2, 1, 30, 30 }, float64);
            var bools = rand(xb.shape) > 0.5;
            using var binary = new FocalLoss(LossMode.Binary, alpha: 0.25);
            AnalyticAgreement.AssertSame(input => binary.call(input, bools), xb, "bool targets");
            using var sum = new DiceLoss(LossMode.Binary) + new FocalLoss(LossMode.Binary);
            AnalyticAgreement.AssertSame(input => sum.call(input, bools), xb, "MONAI's DiceFocal as a sum");
        }

        [Fact]
        public void TheAnalyticGradientPassesTheFiniteDifferenceCheck()
        {
            manual_seed(13);
            var x = randn(new long[] { 2, 2, 3, 4 }, float64) * 2;
            var target = randint(0, 2, x.shape, float64);
            foreach (double gamma in new[] { 0.0, 1.0, 2.0, 0.5, 3.25 })
            {
                using var focal = new FocalLoss(LossMode.Multilabel, gamma: gamma, alpha: 0.3);
                GradCheck.Full(input => focal.call(input, target), x);
            }
            // Plain binary cross-entropy runs as the focal operation with γ = 0 and no α.
            using var crossEntropy = new CrossEntropyLoss(LossMode.Multilabel, ignoreIndex: 5);
            var ignored = target.where(rand(x.shape, float64) > 0.3, full_like(target, 5.0));
            long before = AnalyticFunction.Applications;
            GradCheck.Full(input => crossEntropy.call(input, ignored), x);
            AnalyticFunction.Applications.Should().BeGreaterThan(before, "plain BCE takes the analytic operation");
            var large = randn(new long[] { 1, 1, 90, 100 }, float64) * 3;
            var largeTarget = randint(0, 2, large.shape, float64);
            using var binary = new FocalLoss(LossMode.Binary, reduction: nn.Reduction.None);
            GradCheck.Directional(input => binary.call(input, largeTarget), large);
        }

        [Fact]
        public void PlainBinaryCrossEntropyAgreesWithTheAutogradPathAndTorchSharp()
        {
            manual_seed(14);
            var x = randn(new long[] { 2, 3, 30, 31 }, float64) * 6;
            var target = randint(0, 2, x.shape, float64);
            foreach (var reduction in new[] { nn.Reduction.Mean, nn.Reduction.Sum, nn.Reduction.None })
                foreach (var pixelMean in new[] { PixelMean.ValidElements, PixelMean.AllElements })
                {
                    using var crossEntropy = new CrossEntropyLoss(LossMode.Multilabel, reduction: reduction, pixelMean: pixelMean);
                    AnalyticAgreement.AssertSame(input => crossEntropy.call(input, target), x, $"BCE {reduction} {pixelMean}");
                }
            using var mean = new CrossEntropyLoss(LossMode.Multilabel);
            var (value, gradient) = AnalyticAgreement.ValueAndGradient(input => mean.call(input, target), x);
            var (reference, referenceGradient) = AnalyticAgreement.ValueAndGradient(input => nn.functional.binary_cross_entropy_with_logits(input, target), x);
            AnalyticAgreement.AssertClose(value, reference, "TorchSharp's binary_cross_entropy_with_logits");
            for (int i = 0; i < gradient.Length; i++) gradient[i].Should().BeApproximately(referenceGradient[i], 1e-15, $"d loss / d x[{i}]");
            // Options the operation does not cover keep the autograd path.
            long before = AnalyticFunction.Applications;
            using var smoothed = new CrossEntropyLoss(LossMode.Multilabel, labelSmoothing: 0.1);
            using (var v = smoothed.call(x, target)) v.item<double>();
            using var weighted = new CrossEntropyLoss(LossMode.Multilabel, posWeight: tensor(new[] { 1.0, 2.0, 0.5 }, float64));
            using (var v = weighted.call(x, target)) v.item<double>();
            AnalyticFunction.Applications.Should().Be(before, "label smoothing and posWeight stay on the fused libtorch kernel");
        }

        [Fact]
        public void SaturatedLogitsGiveFiniteGradientsForSmallGamma()
        {
            // (1 − p_t)^γ with γ < 1 has an unbounded slope at p_t = 1; the analytic derivative carries (1 − p_t)^γ
            // instead and stays finite, as the autograd path does through its floor.
            var x = tensor(new[] { 60.0, -60.0, 30.0, -0.0 }, float64).reshape(1, 1, 4);
            var target = tensor(new[] { 1.0, 0.0, 1.0, 1.0 }, float64).reshape(1, 1, 4);
            using var focal = new FocalLoss(LossMode.Binary, gamma: 0.3);
            var (value, gradient) = AnalyticAgreement.ValueAndGradient(input => focal.call(input, target), x);
            double.IsFinite(value).Should().BeTrue();
            gradient.Should().OnlyContain(g => double.IsFinite(g));
            // At x = 0, t = 1: p_t = q = 1/2, BCE = ln 2, ∂ℓ/∂x = 0.5^γ·(−γ·½·ln 2 − ½) / 4 entries.
            gradient[3].Should().BeApproximately(System.Math.Pow(0.5, 0.3) * (-0.3 * 0.5 * System.Math.Log(2) - 0.5) / 4, 1e-15);
        }
    }
}
