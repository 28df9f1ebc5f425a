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
    /// Porting-guide rows for MONAI's unified focal family (<c>monai/losses/unified_focal_loss.py</c>) and
    /// <c>NACLLoss</c> (<c>monai/losses/nacl_loss.py</c>): each MONAI call is reproduced step by step as MONAI's code
    /// does it (one_hot, clamp to [ε, 1 − ε], stacks and means, its filters), written here with plain tensor operations,
    /// and compared in value and input gradient with the SegLoss call of the guide. Float64, small inputs whose
    /// probabilities stay inside MONAI's clamp.
    /// </summary>
    public class UnifiedFocalAndNaclPortingTests
    {
        private const double Eps = 1e-7;

        // ------------------------------------------------------------------ MONAI's steps

        /// <summary>MONAI ≤ 1.5 <c>AsymmetricFocalLoss.forward(y_pred, y_true)</c> on one-hot (B, 2, …) tensors.</summary>
        private static Tensor MonaiAsymmetricFocal(Tensor yPred, Tensor yTrue, double delta, double gamma)
        {
            var p = yPred.clamp(Eps, 1 - Eps);
            var crossEntropy = -yTrue * p.log();
            var backCe = (1 - p.select(1, 0)).pow(gamma) * crossEntropy.select(1, 0) * (1 - delta);
            var foreCe = crossEntropy.select(1, 1) * delta;
            return stack(new[] { backCe, foreCe }, 1).sum(1).mean();
        }

        /// <summary>MONAI ≤ 1.5 <c>AsymmetricFocalTverskyLoss.forward(y_pred, y_true)</c>: (1 − TI)·(1 − TI)^(−γ), unclamped.</summary>
        private static Tensor MonaiAsymmetricFocalTversky(Tensor yPred, Tensor yTrue, double delta, double gamma)
        {
            var p = yPred.clamp(Eps, 1 - Eps);
            var axis = Enumerable.Range(2, (int)p.dim() - 2).Select(a => (long)a).ToArray();
            var tp = (yTrue * p).sum(axis);
            var fn = (yTrue * (1 - p)).sum(axis);
            var fp = ((1 - yTrue) * p).sum(axis);
            var diceClass = (tp + Eps) / (tp + fn * delta + fp * (1 - delta) + Eps);
            var backDice = 1 - diceClass.select(1, 0);
            var foreDice = (1 - diceClass.select(1, 1)) * (1 - diceClass.select(1, 1)).pow(-gamma);
            return stack(new[] { backDice, foreDice }, -1).mean();
        }

        /// <summary>
        /// MONAI ≤ 1.5 <c>AsymmetricUnifiedFocalLoss(weight, gamma, delta)</c>: both parts built with the unified loss's
        /// gamma and delta, weight·AFL + (1 − weight)·AFTL.
        /// </summary>
        private static Tensor MonaiUnifiedFirstVersion(Tensor yPred, Tensor yTrue, double weight, double delta, double gamma) =>
            MonaiAsymmetricFocal(yPred, yTrue, delta, gamma) * weight + MonaiAsymmetricFocalTversky(yPred, yTrue, delta, gamma) * (1 - weight);

        /// <summary>
        /// MONAI's rewritten <c>AsymmetricUnifiedFocalLoss(to_onehot_y=True, use_softmax=True)</c> (dev, commit 05142ed):
        /// softmax, one_hot, clamp, per-channel focal terms averaged over space to (B, C), per-channel focal Tversky
        /// terms with clamp(1 − TI, min = ε)^(1 − γ), then mean of weight·focal + (1 − weight)·tversky over (B, C).
        /// </summary>
        private static Tensor MonaiUnifiedRewrite(Tensor logits, Tensor labels, double weight, double delta, double gamma)
        {
            var p = logits.softmax(1);
            long c = p.shape[1];
            var target = F.one_hot(labels, c).permute(0, 3, 1, 2).to(ScalarType.Float64);
            p = p.clamp(Eps, 1 - Eps);
            var crossEntropy = -target * p.log();
            var backCe = (1 - p.narrow(1, 0, 1)).pow(gamma) * crossEntropy.narrow(1, 0, 1) * (1 - delta);
            var foreCe = crossEntropy.narrow(1, 1, c - 1) * delta;
            var focal = cat(new[] { backCe, foreCe }, 1).mean(new long[] { 2, 3 });
            var axis = new long[] { 2, 3 };
            var tp = (target * p).sum(axis);
            var fn = (target * (1 - p)).sum(axis);
            var fp = ((1 - target) * p).sum(axis);
            var diceClass = (tp + Eps) / (tp + fn * delta + fp * (1 - delta) + Eps);
            var backDice = 1 - diceClass.narrow(1, 0, 1);
            var foreDice = (1 - diceClass.narrow(1, 1, c - 1)).clamp_min(Eps).pow(1 - gamma);
            var tversky = cat(new[] { backDice, foreDice }, 1);
            return (focal * weight + tversky * (1 - weight)).mean();
        }

        /// <summary>MONAI <c>MeanFilter(spatial_dims, size)</c> divided by size^dims (as NACLLoss does), applied with padding "same".</summary>
        private static Tensor MonaiMeanFilter(Tensor x, int size)
        {
            long c = x.shape[1];
            int dims = (int)x.dim() - 2;
            var kernelShape = new long[] { c, 1 }.Concat(Enumerable.Repeat((long)size, dims)).ToArray();
            var kernel = ones(kernelShape, ScalarType.Float64) / Math.Pow(size, dims);
            var padding = Enumerable.Repeat((long)(size / 2), dims).ToArray();
            return dims == 2 ? F.conv2d(x, kernel, padding: padding, groups: c) : F.conv3d(x, kernel, padding: padding, groups: c);
        }

        /// <summary>MONAI <c>gaussian_1d(sigma, truncated=4.0, approx="erf", normalize=False)</c>.</summary>
        private static Tensor MonaiGaussian1d(double sigma)
        {
            long tail = (long)(Math.Max(sigma * 4.0, 0.5) + 0.5);
            var x = arange(-tail, tail + 1, ScalarType.Float64);
            double t = 0.70710678 / Math.Abs(sigma);
            return (((x + 0.5) * t).erf() - ((x - 0.5) * t).erf()).mul(0.5).clamp_min(0);
        }

        /// <summary>MONAI <c>GaussianFilter(spatial_dims, sigma)</c>: separable_filtering with zero padding, one axis after the other.</summary>
        private static Tensor MonaiGaussianFilter(Tensor x, double sigma)
        {
            var kernel = MonaiGaussian1d(sigma);
            long c = x.shape[1], k = kernel.shape[0];
            int dims = (int)x.dim() - 2;
            var result = x;
            for (int d = 0; d < dims; d++)
            {
                var shape = Enumerable.Repeat(1L, dims).ToArray();
                shape[d] = k;
                var weight = kernel.reshape(new long[] { 1, 1 }.Concat(shape).ToArray()).repeat(new long[] { c, 1 }.Concat(Enumerable.Repeat(1L, dims)).ToArray());
                var padding = new long[dims];
                padding[d] = (k - 1) / 2;
                result = dims == 2 ? F.conv2d(result, weight, padding: padding, groups: c) : F.conv3d(result, weight, padding: padding, groups: c);
            }
            return result;
        }

        /// <summary>
        /// MONAI <c>NACLLoss(classes, dim, kernel_size, kernel_ops, distance_type, alpha, sigma).forward(inputs, targets)</c>:
        /// nn.CrossEntropyLoss() + alpha·mean of |one-hot filtered − logits| (or its square).
        /// </summary>
        private static Tensor MonaiNacl(Tensor inputs, Tensor targets, int kernelSize, bool gaussian, bool l2, double alpha, double sigma)
        {
            long classes = inputs.shape[1];
            var lossCe = F.cross_entropy(inputs, targets);
            var dims = (int)inputs.dim() - 2;
            var permutation = new long[] { 0, dims + 1 }.Concat(Enumerable.Range(1, dims).Select(a => (long)a)).ToArray();
            var ohLabels = F.one_hot(targets, classes).permute(permutation).contiguous().to(ScalarType.Float64);
            var utargets = gaussian ? MonaiGaussianFilter(ohLabels, sigma) : MonaiMeanFilter(ohLabels, kernelSize);
            var difference = utargets - inputs;
            var lossConf = l2 ? difference.pow(2).abs().mean() : difference.abs().mean();
            return lossCe + lossConf * alpha;
        }

        // ------------------------------------------------------------------ comparison

        /// <summary>Value and input gradient of both sides agree.</summary>
        private static void SameValueAndGradient(Func<Tensor, Tensor> peer, Func<Tensor, Tensor> segLoss, Tensor x, double tolerance = 1e-10)
        {
            var (peerValue, peerGradient) = PixelLossChecks.ValueAndGradient(peer, x);
            var (value, gradient) = PixelLossChecks.ValueAndGradient(segLoss, x);
            value.Should().BeApproximately(peerValue, tolerance);
            gradient.Should().Equal(peerGradient, (a, b) => Math.Abs(a - b) <= tolerance);
        }

        private static Tensor OneHot2(Tensor labels) => F.one_hot(labels, 2).permute(0, 3, 1, 2).to(ScalarType.Float64);

        // ------------------------------------------------------------------ rows

        [Fact]
        public void Monai_AsymmetricFocalLoss_to_onehot_y_is_AsymmetricFocalLoss_of_probabilities()
        {
            // MONAI: AsymmetricFocalLoss(to_onehot_y=True)(probs (B, 2, H, W), labels (B, 1, H, W)), δ = 0.7, γ = 2.
            using var scope = NewDisposeScope();
            var probabilities = TestData.Logits(51, 2, 2, 4, 3).softmax(1);
            var labels = TestData.Labels(52, 2, 2, 4, 3);
            using var loss = new AsymmetricFocalLoss(fromLogits: false);
            SameValueAndGradient(p => MonaiAsymmetricFocal(p, OneHot2(labels), 0.7, 2), p => loss.call(p, labels), probabilities);
            // The same row in Binary mode, on the foreground channel: AsymmetricFocalLoss(LossMode.Binary, fromLogits: false).
            var foreground = probabilities.narrow(1, 1, 1);
            using var binary = new AsymmetricFocalLoss(LossMode.Binary, fromLogits: false);
            SameValueAndGradient(q => MonaiAsymmetricFocal(cat(new[] { 1 - q, q }, 1), OneHot2(labels), 0.7, 2),
                q => binary.call(q, labels.unsqueeze(1).to(ScalarType.Float64)), foreground);
        }

        [Fact]
        public void Monai_AsymmetricFocalTverskyLoss_to_onehot_y_is_AsymmetricFocalTverskyLoss_of_probabilities()
        {
            // MONAI: AsymmetricFocalTverskyLoss(to_onehot_y=True), δ = 0.7, γ = 0.75, ε = 1e-7.
            using var scope = NewDisposeScope();
            var probabilities = TestData.Logits(53, 2, 2, 4, 3).softmax(1);
            var labels = TestData.Labels(54, 2, 2, 4, 3);
            using var loss = new AsymmetricFocalTverskyLoss(fromLogits: false);
            SameValueAndGradient(p => MonaiAsymmetricFocalTversky(p, OneHot2(labels), 0.7, 0.75), p => loss.call(p, labels), probabilities);
            using var binary = new AsymmetricFocalTverskyLoss(LossMode.Binary, fromLogits: false, delta: 0.6, gamma: 0.3);
            SameValueAndGradient(q => MonaiAsymmetricFocalTversky(cat(new[] { 1 - q, q }, 1), OneHot2(labels), 0.6, 0.3),
                q => binary.call(q, labels.unsqueeze(1).to(ScalarType.Float64)), probabilities.narrow(1, 1, 1));
        }

        [Fact]
        public void Monai_first_AsymmetricUnifiedFocalLoss_is_the_unified_loss_with_delta_0_7()
        {
            // MONAI ≤ 1.5: AsymmetricUnifiedFocalLoss()(probs (B, 2, H, W), one-hot (B, 2, H, W)) with its defaults
            // weight = 0.5, gamma = 0.5, delta = 0.7 → SegLoss's defaults but delta 0.7 (SegLoss follows the paper's 0.6).
            using var scope = NewDisposeScope();
            var probabilities = TestData.Logits(55, 2, 2, 3, 4).softmax(1);
            var labels = TestData.Labels(56, 2, 2, 3, 4);
            var oneHot = OneHot2(labels);
            using var loss = new AsymmetricUnifiedFocalLoss(fromLogits: false, delta: 0.7);
            SameValueAndGradient(p => MonaiUnifiedFirstVersion(p, oneHot, 0.5, 0.7, 0.5), p => loss.call(p, oneHot), probabilities);
            SameValueAndGradient(p => MonaiUnifiedFirstVersion(p, oneHot, 0.3, 0.7, 0.2),
                p => new AsymmetricUnifiedFocalLoss(fromLogits: false, weight: 0.3, delta: 0.7, gamma: 0.2).call(p, labels), probabilities);
        }

        [Fact]
        public void Monai_rewritten_AsymmetricUnifiedFocalLoss_is_a_sum_of_the_parts_with_the_focal_weight_over_C()
        {
            // MONAI dev: AsymmetricUnifiedFocalLoss(to_onehot_y=True, use_softmax=True) on C = 3 logits, with its
            // defaults weight = 0.5, delta = 0.6, gamma = 0.5 → (0.5/3)·AsymmetricFocalLoss(δ, γ) + 0.5·AsymmetricFocalTverskyLoss(δ, γ).
            using var scope = NewDisposeScope();
            var logits = TestData.Logits(57, 2, 3, 4, 3);
            var labels = TestData.Labels(58, 3, 2, 4, 3);
            using var loss = (0.5 / 3) * new AsymmetricFocalLoss(delta: 0.6, gamma: 0.5) + 0.5 * new AsymmetricFocalTverskyLoss(delta: 0.6, gamma: 0.5);
            SameValueAndGradient(z => MonaiUnifiedRewrite(z, labels, 0.5, 0.6, 0.5), z => loss.call(z, labels), logits);
            // On two classes, the unified class itself with λ' = w / (w + C(1 − w)) scaled by (1 − w)/(1 − λ').
            double w = 0.5, c = 2, lambda = w / (w + c * (1 - w)), scale = (1 - w) / (1 - lambda);
            var two = TestData.Logits(59, 2, 2, 4, 3);
            var twoLabels = TestData.Labels(60, 2, 2, 4, 3);
            using var unified = scale * new AsymmetricUnifiedFocalLoss(weight: lambda);
            SameValueAndGradient(z => MonaiUnifiedRewrite(z, twoLabels, w, 0.6, 0.5), z => unified.call(z, twoLabels), two);
        }

        [Theory]
        [InlineData(false, 3, false)]
        [InlineData(false, 5, true)]
        [InlineData(true, 3, true)]
        public void Monai_NACLLoss_mean_kernel_is_NeighborAwareCalibrationLoss(bool threeD, int kernelSize, bool l2)
        {
            // MONAI: NACLLoss(classes=3, dim=2|3, kernel_size=k, kernel_ops="mean", distance_type="l1"|"l2", alpha=0.1).
            using var scope = NewDisposeScope();
            long[] shape = threeD ? new long[] { 1, 3, 3, 4, 3 } : new long[] { 2, 3, 5, 4 };
            var logits = TestData.Logits(61, shape);
            var labels = TestData.Labels(62, 3, new[] { shape[0] }.Concat(shape.Skip(2)).ToArray());
            using var loss = new NeighborAwareCalibrationLoss(kernelSize: kernelSize, distance: l2 ? CalibrationDistance.L2 : CalibrationDistance.L1);
            SameValueAndGradient(z => MonaiNacl(z, labels, kernelSize, false, l2, 0.1, 1.0), z => loss.call(z, labels), logits);
        }

        [Theory]
        [InlineData(false, 1.0)]
        [InlineData(true, 0.6)]
        public void Monai_NACLLoss_gaussian_kernel_is_NeighborAwareCalibrationLoss_with_the_4_sigma_support(bool threeD, double sigma)
        {
            // MONAI: NACLLoss(classes=3, dim, kernel_ops="gaussian", sigma=σ) ignores kernel_size and uses
            // 2·int(max(4σ, 0.5) + 0.5) + 1 taps, unnormalised → NeighborAwareCalibrationLoss(kernel: Gaussian,
            // kernelSize: that, sigma: σ), whose weights sum to 1. τ differs by the factor m^d, m the sum of MONAI's
            // weights, so the L1 penalty differs by at most α·(1 − m^d).
            using var scope = NewDisposeScope();
            long[] shape = threeD ? new long[] { 1, 3, 4, 3, 5 } : new long[] { 2, 3, 6, 5 };
            var logits = TestData.Logits(63, shape);
            var labels = TestData.Labels(64, 3, new[] { shape[0] }.Concat(shape.Skip(2)).ToArray());
            int taps = 2 * (int)(Math.Max(4 * sigma, 0.5) + 0.5) + 1;
            using var loss = new NeighborAwareCalibrationLoss(kernelSize: taps, kernel: NeighborhoodKernel.Gaussian, sigma: sigma);
            double m = MonaiGaussian1d(sigma).sum().item<double>();
            double bound = 0.1 * (1 - Math.Pow(m, shape.Length - 2));
            bound.Should().BeLessThan(1e-5).And.BeGreaterThan(0);
            double peer = MonaiNacl(logits, labels, 3, true, false, 0.1, sigma).item<double>();
            double ours = LossValues.Value(loss, logits, labels);
            Math.Abs(ours - peer).Should().BeLessThanOrEqualTo(bound);
            // The penalty's gradient is a sign: equal wherever τ and z are ordered alike, i.e. everywhere here.
            var (_, peerGradient) = PixelLossChecks.ValueAndGradient(z => MonaiNacl(z, labels, 3, true, false, 0.1, sigma), logits);
            var (_, gradient) = PixelLossChecks.ValueAndGradient(z => loss.call(z, labels), logits);
            gradient.Should().Equal(peerGradient, (a, b) => Math.Abs(a - b) <= 1e-12);
        }
    }
}
