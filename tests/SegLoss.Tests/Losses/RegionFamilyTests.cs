using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary>
    /// Checks shared by the region losses built on the per-class statistics (generalized Dice, Tversky, exp-log,
    /// combo): finite-difference gradients in every mode, 2D and 3D, with and without ignored pixels; ignored
    /// pixels inert; no tensor left behind.
    /// </summary>
    public class RegionFamilyTests
    {
        private static IEnumerable<SegmentationLoss> Variants(LossMode mode, long? ignore)
        {
            yield return new GeneralizedDiceLoss(mode, ignoreIndex: ignore);
            yield return new GeneralizedDiceLoss(mode, weighting: GeneralizedDiceWeighting.Simple, batch: true, includeBackground: false, ignoreIndex: ignore, reduction: nn.Reduction.None);
            yield return new TverskyLoss(mode, ignoreIndex: ignore);
            yield return new TverskyLoss(mode, alpha: 0.6, beta: 0.2, gamma: 0.75, batch: true, ignoreIndex: ignore, reduction: nn.Reduction.None);
            yield return new ExponentialLogarithmicLoss(mode, ignoreIndex: ignore);
            yield return new ExponentialLogarithmicLoss(mode, diceGamma: 0.5, crossGamma: 1.5, batch: true, includeBackground: false, ignoreIndex: ignore);
            yield return new ComboLoss(mode, ignoreIndex: ignore);
            yield return new ComboLoss(mode, alpha: 0.3, beta: 0.7, batch: false, ignoreIndex: ignore, reduction: nn.Reduction.None);
        }

        [Theory]
        [MemberData(nameof(DiceLossTests.GradCases), MemberType = typeof(DiceLossTests))]
        public void GradientsMatchFiniteDifferences(LossMode mode, long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(61, shape);
            var target = DiceLossTests.MakeTarget(mode, shape, withIgnored, 62);
            foreach (var loss in Variants(mode, withIgnored ? -1 : null))
            {
                GradCheck.Full(input => loss.call(input, target), x);
                loss.Dispose();
            }
        }

        [Fact]
        public void ProbabilityInputsAndSoftTargetsHaveCorrectGradients()
        {
            using var scope = NewDisposeScope();
            var p = TestData.Logits(63, 2, 3, 3, 2).softmax(1);
            var soft = TestData.Logits(64, 2, 3, 3, 2).softmax(1);
            foreach (var loss in Variants(LossMode.Multiclass, null))
            {
                GradCheck.Full(input => loss.call(input, soft), TestData.Logits(65, 2, 3, 3, 2));
                loss.Dispose();
            }
            var labels = TestData.Labels(66, 3, 2, 3, 2);
            GradCheck.Full(input => new GeneralizedDiceLoss(fromLogits: false).call(input, labels), p);
            GradCheck.Full(input => new TverskyLoss(fromLogits: false, gamma: 1.5).call(input, labels), p);
            GradCheck.Full(input => new ExponentialLogarithmicLoss(fromLogits: false).call(input, labels), p);
            GradCheck.Full(input => new ComboLoss(fromLogits: false).call(input, labels), p);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var shape = mode == LossMode.Binary ? new long[] { 2, 1, 4, 4 } : new long[] { 2, 3, 4, 4 };
            var x = TestData.Logits(67, shape);
            var target = DiceLossTests.MakeTarget(mode, shape, true, 68);
            var ignored = mode == LossMode.Multiclass ? target.eq(-1).unsqueeze(1).expand(shape) : target.eq(-1);
            foreach (var loss in Variants(mode, -1))
            {
                PixelLossChecks.IgnoredPixelsAreInert(input => reductionToScalar(loss.call(input, target)), x, ignored);
                loss.Dispose();
            }

            static Tensor reductionToScalar(Tensor value) => value.dim() == 0 ? value : value.sum();
        }

        [Fact]
        public void AllBackgroundImageWithAbsentClassesMatchesHandComputedValues()
        {
            // One image of 4 pixels, all labelled 0; classes 1 and 2 are absent but predicted.
            double[] p0 = { 0.7, 0.6, 0.8, 0.5 }, p1 = { 0.2, 0.3, 0.1, 0.25 }, p2 = { 0.1, 0.1, 0.1, 0.25 };
            using var p = tensor(p0.Concat(p1).Concat(p2).ToArray(), new long[] { 1, 3, 4 });
            using var y = zeros(new long[] { 1, 4 }, ScalarType.Int64);
            const double s = 1e-5;
            double tp0 = 2.6, pSum1 = 0.85, pSum2 = 0.55; // TP = [2.6, 0, 0], P = [2.6, 0.85, 0.55], G = [4, 0, 0]

            using var tversky = new TverskyLoss(fromLogits: false);
            double t0 = (tp0 + s) / (tp0 + 0.7 * (4 - tp0) + s), t1 = s / (0.3 * pSum1 + s), t2 = s / (0.3 * pSum2 + s);
            Value(tversky, p, y).Should().BeApproximately((3 - t0 - t1 - t2) / 3, 1e-12);

            // Absent classes take the largest finite weight, 1/16.
            using var gdl = new GeneralizedDiceLoss(fromLogits: false);
            Value(gdl, p, y).Should().BeApproximately(1 - (2 * tp0 / 16 + s) / ((tp0 + 4 + pSum1 + pSum2) / 16 + s), 1e-12);

            using var combo = new ComboLoss(fromLogits: false);
            double bce = 0.5 * (p0.Sum(v => -Math.Log(v)) + p1.Concat(p2).Sum(v => -Math.Log(1 - v))) / 12;
            double dsc = (2 * tp0 + 1) / (tp0 + 4 + 1) + 1 / (pSum1 + 1) + 1 / (pSum2 + 1);
            Value(combo, p, y).Should().BeApproximately(0.5 * bce - 0.5 * dsc, 1e-12);

            using var expLog = new ExponentialLogarithmicLoss(fromLogits: false);
            static double Power(double u) => Math.Pow(u + 1e-8, 0.3) - Math.Pow(1e-8, 0.3);
            double diceTerm = (Power(-Math.Log((2 * tp0 + 1) / (tp0 + 4 + 1))) + Power(-Math.Log(1 / (pSum1 + 1))) + Power(-Math.Log(1 / (pSum2 + 1)))) / 3;
            double crossTerm = p0.Average(v => Power(-Math.Log(v))); // w_0 = (4/4)^0.5 = 1
            Value(expLog, p, y).Should().BeApproximately(0.8 * diceTerm + 0.2 * crossTerm, 1e-12);
        }

        [Fact]
        public void ExtremeLogitsGiveFiniteValuesAndGradients()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(69, 3, 2, 3, 3);
            var x = (TestData.Logits(70, 2, 3, 3, 3).sign() * 1e4).to(ScalarType.Float32);
            foreach (var loss in Variants(LossMode.Multiclass, null))
            {
                var leaf = x.detach().requires_grad_(true);
                var value = loss.call(leaf, y).sum();
                value.backward();
                double.IsFinite(value.item<float>()).Should().BeTrue(loss.DisplayName);
                leaf.grad!.isfinite().all().item<bool>().Should().BeTrue(loss.DisplayName);
                loss.Dispose();
            }
        }

        [Fact]
        public void BadInputNamesTheArgument()
        {
            using var scope = NewDisposeScope();
            foreach (var loss in Variants(LossMode.Multiclass, null))
            {
                FluentActions.Invoking(() => loss.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 3, 2, 4, 5)))
                    .Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[2, 4, 5]*[2, 4, 4]*");
                FluentActions.Invoking(() => loss.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 4, 2, 4, 4)))
                    .Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*label 3*");
                FluentActions.Invoking(() => loss.call(TestData.Logits(1, 2, 3), TestData.Labels(2, 3, 2)))
                    .Should().Throw<ArgumentException>().WithParameterName("input");
                loss.Dispose();
            }
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(71, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(72, 2, 3, 5, 5).requires_grad_(true);
                foreach (var loss in Variants(LossMode.Multiclass, -1))
                {
                    using (loss)
                    {
                        LiveTensors.AssertNoLeak(() =>
                        {
                            using (var value = loss.call(x, y))
                            using (var total = value.sum())
                                total.backward();
                            x.grad = null;
                        }, $"{loss.DisplayName} disposes every intermediate");
                    }
                }
            }
        }
    }
}
