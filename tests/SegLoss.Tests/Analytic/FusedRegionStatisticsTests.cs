using System;
using System.Collections.Generic;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Analytic
{
    /// <summary>
    /// The region losses' analytic operation (<see cref="SigmoidRegionSums"/>, <see cref="SoftmaxRegionSums"/>) gives
    /// the values and gradients of their autograd path in every option that reaches it, at sizes that cover the vector
    /// tail and several blocks, and its gradient passes the finite-difference check.
    /// </summary>
    public class FusedRegionStatisticsTests
    {
        public static IEnumerable<object[]> Spatial() => new[]
        {
            new object[] { new long[] { 3, 5 } },                // 15 values: the scalar tail only
            new object[] { new long[] { 37, 41 } },              // 1517: one softmax block and a tail, part of a sigmoid block
            new object[] { new long[] { 9, 11, 53 } },           // 5247 (3D): several blocks of both kernels
        };

        private static IEnumerable<(string Name, Func<RegionLoss> Make)> BinaryLosses(long? ignore)
        {
            yield return ("Dice", () => new DiceLoss(LossMode.Binary, ignoreIndex: ignore));
            yield return ("Dice batch, smooth 0", () => new DiceLoss(LossMode.Binary, smoothNumerator: 0, smoothDenominator: 0, batch: true, ignoreIndex: ignore));
            yield return ("Jaccard", () => new JaccardLoss(LossMode.Binary, ignoreIndex: ignore));
            yield return ("F2", () => new DiceLoss(LossMode.Binary, beta: 2, ignoreIndex: ignore));
            yield return ("Tversky", () => new TverskyLoss(LossMode.Binary, alpha: 0.3, beta: 0.7, gamma: 1.5, ignoreIndex: ignore));
            yield return ("GeneralizedDice", () => new GeneralizedDiceLoss(LossMode.Binary, ignoreIndex: ignore));
            yield return ("MCC", () => new MatthewsCorrelationLoss(LossMode.Binary, ignoreIndex: ignore));
        }

        [Theory]
        [MemberData(nameof(Spatial))]
        public void BinaryAndMultilabelLossesAgreeWithTheirAutogradPath(long[] spatial)
        {
            foreach (var mode in new[] { LossMode.Binary, LossMode.Multilabel })
                foreach (bool ignore in new[] { false, true })
                {
                    long c = mode == LossMode.Binary ? 1 : 3;
                    manual_seed(3);
                    var x = randn(new long[] { 2, c }.Concat(spatial), float64) * 3;
                    var target = randint(0, 2, x.shape, float64);
                    if (ignore) target = target.where(rand(x.shape, float64) > 0.2, full_like(target, 7.0));
                    foreach (var (name, make) in BinaryLosses(ignore ? 7 : null))
                    {
                        var loss = make();
                        if (mode == LossMode.Multilabel) loss = Remade(loss, mode, ignore ? 7 : null);
                        using (loss) AnalyticAgreement.AssertSame(input => loss.call(input, target), x, $"{name} {mode} {string.Join("x", spatial)} ignore {ignore}");
                    }
                }
        }

        [Theory]
        [MemberData(nameof(Spatial))]
        public void MulticlassLossesAgreeWithTheirAutogradPath(long[] spatial)
        {
            foreach (bool ignore in new[] { false, true })
            {
                manual_seed(4);
                var x = randn(new long[] { 2, 4 }.Concat(spatial), float64) * 3;
                var labels = randint(0, 4, new long[] { 2 }.Concat(spatial), int64);
                if (ignore) labels = labels.where(rand(labels.shape) > 0.2, full_like(labels, 255));
                long? index = ignore ? 255 : null;
                var weights = tensor(new[] { 0.5, 1.0, 2.0, 1.5 }, float64);
                var losses = new (string, RegionLoss)[]
                {
                    ("Dice", new DiceLoss(ignoreIndex: index)),
                    ("Dice no background, batch (nnU-Net)", new DiceLoss(includeBackground: false, batch: true, ignoreIndex: index)),
                    ("Dice class weights, EntryCount", new DiceLoss(classWeights: weights, ignoreIndex: index, classMean: ClassMean.EntryCount)),
                    ("Dice AbsentAsZero", new DiceLoss(ignoreIndex: index, classMean: ClassMean.AbsentAsZero)),
                    ("log Dice", new DiceLoss(logLoss: true, ignoreIndex: index)),
                    ("Jaccard", new JaccardLoss(ignoreIndex: index)),
                    ("Tversky", new TverskyLoss(alpha: 0.7, beta: 0.3, gamma: 0.75, ignoreIndex: index)),
                    ("GeneralizedDice", new GeneralizedDiceLoss(ignoreIndex: index)),
                    ("MCC", new MatthewsCorrelationLoss(ignoreIndex: index)),
                };
                foreach (var (name, loss) in losses)
                    using (loss) AnalyticAgreement.AssertSame(input => loss.call(input, labels), x, $"{name} {string.Join("x", spatial)} ignore {ignore}");
            }
        }

        [Fact]
        public void MaskedLossesAndSumsAgreeWithTheirAutogradPath()
        {
            manual_seed(5);
            var x = randn(new long[] { 2, 3, 40, 30 }, float64);
            var labels = randint(0, 3, new long[] { 2, 40, 30 }, int64);
            var mask = rand(new long[] { 2, 40, 30 }) > 0.3;
            using var masked = new MaskedLoss(new DiceLoss());
            AnalyticAgreement.AssertSame(input => masked.call(input, labels, mask), x, "a masked multiclass Dice");
            using var sum = new DiceLoss() + new CrossEntropyLoss();
            AnalyticAgreement.AssertSame(input => sum.call(input, labels), x, "Multiclass Dice + CE, whose terms share one log_softmax", analytic: false);
            var xb = randn(new long[] { 2, 1, 40, 30 }, float64);
            var gb = randint(0, 2, xb.shape, float64);
            using var binarySum = new DiceLoss(LossMode.Binary) + new CrossEntropyLoss(LossMode.Binary);
            AnalyticAgreement.AssertSame(input => binarySum.call(input, gb), xb, "binary Dice + CE");
        }

        [Fact]
        public void TheAnalyticGradientPassesTheFiniteDifferenceCheck()
        {
            manual_seed(6);
            var xb = randn(new long[] { 2, 1, 3, 4 }, float64);
            var gb = randint(0, 2, xb.shape, float64);
            using var binary = new DiceLoss(LossMode.Binary);
            GradCheck.Full(input => binary.call(input, gb), xb);
            var xm = randn(new long[] { 2, 3, 3, 4 }, float64);
            var labels = randint(0, 3, new long[] { 2, 3, 4 }, int64);
            labels[0, 0, 0] = tensor(9L);
            using var multiclass = new TverskyLoss(alpha: 0.3, beta: 0.7, ignoreIndex: 9);
            GradCheck.Full(input => multiclass.call(input, labels), xm);
            // The heads: every one, with ignored pixels, batch pooling and class weights where the loss has them.
            using var jaccard = new JaccardLoss(batch: true, ignoreIndex: 9);
            GradCheck.Full(input => jaccard.call(input, labels), xm);
            using var generalized = new GeneralizedDiceLoss(ignoreIndex: 9, reduction: nn.Reduction.Sum);
            GradCheck.Full(input => generalized.call(input, labels), xm);
            using var weighted = new DiceLoss(beta: 2, logLoss: true, classWeights: tensor(new[] { 0.2, 1.0, 3.0 }, float64), ignoreIndex: 9);
            GradCheck.Full(input => weighted.call(input, labels), xm);
            using var generalizedBinary = new GeneralizedDiceLoss(LossMode.Binary, weighting: GeneralizedDiceWeighting.Simple);
            GradCheck.Full(input => generalizedBinary.call(input, gb), xb);
            // Several blocks of each kernel, along random directions.
            var large = randn(new long[] { 1, 3, 70, 80 }, float64);
            var largeLabels = randint(0, 3, new long[] { 1, 70, 80 }, int64);
            using var dice = new DiceLoss();
            GradCheck.Directional(input => dice.call(input, largeLabels), large);
            var largeBinary = randn(new long[] { 1, 1, 70, 80 }, float64);
            var largeTarget = randint(0, 2, largeBinary.shape, float64);
            using var binaryDice = new DiceLoss(LossMode.Binary);
            GradCheck.Directional(input => binaryDice.call(input, largeTarget), largeBinary);
        }

        [Fact]
        public void Float32InputAgreesWithItsAutogradPathToFloat32Rounding()
        {
            manual_seed(7);
            var x = randn(new long[] { 2, 4, 50, 50 }, float32);
            var labels = randint(0, 4, new long[] { 2, 50, 50 }, int64);
            using var dice = new DiceLoss();
            var (value, gradient) = AnalyticAgreement.ValueAndGradient(input => dice.call(input, labels), x);
            double reference;
            double[] referenceGradient;
            using (AnalyticFunction.Disable()) (reference, referenceGradient) = AnalyticAgreement.ValueAndGradient(input => dice.call(input, labels), x);
            value.Should().BeApproximately(reference, 1e-6);
            for (int i = 0; i < gradient.Length; i++) gradient[i].Should().BeApproximately(referenceGradient[i], 1e-9, $"d loss / d x[{i}]");
        }

        [Fact]
        public void WhatTheKernelsCannotReadTakesTheAutogradPath()
        {
            manual_seed(8);
            long before = AnalyticFunction.Applications;
            var soft = rand(new long[] { 2, 1, 8, 8 }, float64);
            using var binary = new DiceLoss(LossMode.Binary);
            using (var value = binary.call(randn(new long[] { 2, 1, 8, 8 }, float64), soft)) value.item<double>();
            AnalyticFunction.Applications.Should().Be(before, "soft targets keep the L1 form of TP");
            using var squared = new DiceLoss(squaredDenominator: true);
            using (var value = squared.call(randn(new long[] { 2, 3, 8, 8 }, float64), randint(0, 3, new long[] { 2, 8, 8 }, int64))) value.item<double>();
            AnalyticFunction.Applications.Should().Be(before, "V-Net's squared sums stay on autograd");
            using var probabilities = new DiceLoss(fromLogits: false);
            using (var value = probabilities.call(rand(new long[] { 2, 3, 8, 8 }, float64), randint(0, 3, new long[] { 2, 8, 8 }, int64))) value.item<double>();
            AnalyticFunction.Applications.Should().Be(before, "probability inputs have no activation to fuse");
            using var none = new DiceLoss(reduction: nn.Reduction.None);
            var x = randn(new long[] { 2, 3, 8, 8 }, float64);
            var labels = randint(0, 3, new long[] { 2, 8, 8 }, int64);
            AnalyticAgreement.AssertSame(input => none.call(input, labels), x, "per-entry Dice losses (the sums are fused, the head stays tensor operations)");
            // The kernels read only contiguous CPU float32/float64 memory; the validated views are made contiguous first.
            AnalyticKernels.Supports(randn(new long[] { 2, 3, 8 }, float64).transpose(1, 2)).Should().BeFalse();
            AnalyticKernels.Supports(randn(new long[] { 2, 3, 8 }, float16)).Should().BeFalse();
            AnalyticKernels.Supports(empty(new long[] { 2, 0, 8 }, float32)).Should().BeFalse();
            var stridedLabels = randint(0, 3, new long[] { 2, 9, 8 }, int64).transpose(1, 2);
            using var dice = new DiceLoss();
            AnalyticAgreement.AssertSame(input => dice.call(input.transpose(2, 3), stridedLabels), randn(new long[] { 2, 3, 9, 8 }, float64), "a strided input and target");
        }

        private static RegionLoss Remade(RegionLoss binary, LossMode mode, long? ignore)
        {
            string name = binary.GetType().Name;
            binary.Dispose();
            return name switch
            {
                nameof(DiceLoss) => new DiceLoss(mode, ignoreIndex: ignore, includeBackground: false),
                nameof(JaccardLoss) => new JaccardLoss(mode, ignoreIndex: ignore),
                nameof(TverskyLoss) => new TverskyLoss(mode, alpha: 0.3, beta: 0.7, gamma: 1.5, ignoreIndex: ignore),
                nameof(GeneralizedDiceLoss) => new GeneralizedDiceLoss(mode, ignoreIndex: ignore),
                _ => new MatthewsCorrelationLoss(mode, ignoreIndex: ignore),
            };
        }
    }
}
