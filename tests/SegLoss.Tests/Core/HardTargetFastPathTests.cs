using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    /// <summary>
    /// 0/1 float targets take fast paths (Σ p·g for the region statistics, p_t = exp(−BCE) for the sigmoid focal
    /// loss). Each must equal the general soft-target formula, written out here, in value and in gradient, and pass
    /// its own finite-difference check.
    /// </summary>
    public class HardTargetFastPathTests
    {
        [Theory]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void DiceOnHardTargetsEqualsTheL1Form(LossMode mode)
        {
            long c = mode == LossMode.Binary ? 1 : 3;
            using var z = TestData.Logits(1, 2, c, 5, 4).requires_grad_(true);
            using var t = TestData.BinaryTargets(2, 2, c, 5, 4);
            using var loss = new DiceLoss(mode);
            using var value = loss.call(z, t);
            value.backward();
            using var fast = z.grad!.clone();
            z.grad = null;

            using var p = z.sigmoid().reshape(2, c, -1);
            using var g = t.reshape(2, c, -1);
            using var predSum = p.sum(2);
            using var targetSum = g.sum(2);
            using var tp = (predSum + targetSum - (p - g).abs().sum(2)) * 0.5;
            using var expected = (1.0 - (tp * 2 + 1e-5) / (predSum + targetSum + 1e-5)).mean();
            expected.backward();
            value.item<double>().Should().BeApproximately(expected.item<double>(), 1e-12);
            fast.allclose(z.grad!, 1e-10, 1e-12).Should().BeTrue();
        }

        [Theory]
        [InlineData(2.0, null)]
        [InlineData(0.5, 0.25)]
        [InlineData(3.0, 0.75)]
        public void SigmoidFocalOnHardTargetsEqualsTheSigmoidForm(double gamma, double? alpha)
        {
            using var z = (TestData.Logits(3, 2, 2, 4, 4) * 3).requires_grad_(true);
            using var t = TestData.BinaryTargets(4, 2, 2, 4, 4);
            using var loss = new FocalLoss(LossMode.Multilabel, gamma: gamma, alpha: alpha);
            using var value = loss.call(z, t);
            value.backward();
            using var fast = z.grad!.clone();
            z.grad = null;

            using var bce = nn.functional.binary_cross_entropy_with_logits(z, t, reduction: nn.Reduction.None);
            using var oneMinusPt = z.sigmoid() * (1.0 - t) + z.neg().sigmoid() * t;
            var perEntry = bce * oneMinusPt.clamp_min(1e-30).pow(gamma);
            if (alpha is double a) perEntry = perEntry * (t * a + (1.0 - t) * (1.0 - a));
            using var expected = perEntry.mean();
            expected.backward();
            value.item<double>().Should().BeApproximately(expected.item<double>(), 1e-12);
            fast.allclose(z.grad!, 1e-9, 1e-12).Should().BeTrue();
        }

        [Theory]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void FastPathsPassTheirGradientCheck(LossMode mode)
        {
            long c = mode == LossMode.Binary ? 1 : 2;
            using var t = TestData.BinaryTargets(6, 2, c, 3, 3);
            foreach (var loss in new SegmentationLoss[] { new DiceLoss(mode), new TverskyLoss(mode), new FocalLoss(mode, gamma: 2), new FocalLoss(mode, gamma: 0.7, alpha: 0.3), new DiceLoss(mode) + new FocalLoss(mode) })
            {
                using (loss)
                {
                    using var z = TestData.Logits(5, 2, c, 3, 3);
                    GradCheck.Full(x => loss.call(x, t), z);
                }
            }
        }
    }
}
