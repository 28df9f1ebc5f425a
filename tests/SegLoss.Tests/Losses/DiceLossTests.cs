using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class DiceLossTests
    {
        [Fact]
        public void BinaryProbabilitiesMatchHandComputedDice()
        {
            // p = [0.9, 0.2, 0.6, 0.1], g = [1, 0, 1, 0]: TP = 1.5, P = 1.8, G = 2.
            using var p = tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 1, 1, 4 });
            using var g = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            using var loss = new DiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
            Value(loss, p, g).Should().BeApproximately(1 - 3.0 / 3.8, 1e-12);

            using var smoothed = new DiceLoss(LossMode.Binary, fromLogits: false);
            Value(smoothed, p, g).Should().BeApproximately(1 - (3.0 + 1e-5) / (3.8 + 1e-5), 1e-12);
        }

        [Fact]
        public void VariantsMatchHandComputedValues()
        {
            using var p = tensor(new[] { 0.9, 0.2, 0.6, 0.1 }, new long[] { 1, 1, 4 });
            using var g = tensor(new[] { 1.0, 0, 1, 0 }, new long[] { 1, 1, 4 });
            const double tp = 1.5, pSum = 1.8, gSum = 2.0, pSq = 0.81 + 0.04 + 0.36 + 0.01;

            using var jaccard = new DiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, jaccard: true);
            Value(jaccard, p, g).Should().BeApproximately(1 - tp / (pSum + gSum - tp), 1e-12);

            using var vnet = new DiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, squaredDenominator: true);
            Value(vnet, p, g).Should().BeApproximately(1 - 2 * tp / (pSq + gSum), 1e-12);

            using var log = new DiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, logLoss: true);
            Value(log, p, g).Should().BeApproximately(-Math.Log(2 * tp / (pSum + gSum)), 1e-12);

            // F-beta with beta = 2: (1 + 4) TP / ((1 + 4) TP + 4 FN + FP), FN = 0.5, FP = 0.3.
            using var fbeta = new DiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 0, beta: 2);
            Value(fbeta, p, g).Should().BeApproximately(1 - 5 * tp / (5 * tp + 4 * 0.5 + 0.3), 1e-12);
        }

        [Fact]
        public void MulticlassLogitsMatchSoftmaxArithmetic()
        {
            // One image, 2 classes, 2 pixels: logits (pixel 0: [2, 0], pixel 1: [0, 1]); labels [0, 1].
            using var x = tensor(new[] { 2.0, 0.0, 0.0, 1.0 }, new long[] { 1, 2, 2 });
            using var y = tensor(new long[] { 0, 1 }, new long[] { 1, 2 });
            double p00 = Math.Exp(2) / (Math.Exp(2) + 1), p01 = 1 / (1 + Math.E);
            double p10 = 1 - p00, p11 = 1 - p01;
            double dice0 = 2 * p00 / (p00 + p01 + 1), dice1 = 2 * p11 / (p10 + p11 + 1);
            using var loss = new DiceLoss(smoothNumerator: 0, smoothDenominator: 0);
            Value(loss, x, y).Should().BeApproximately(1 - (dice0 + dice1) / 2, 1e-12);

            using var perClass = new DiceLoss(smoothNumerator: 0, smoothDenominator: 0, reduction: nn.Reduction.None);
            using var values = perClass.call(x, y);
            values.shape.Should().Equal(1, 2);
            values.data<double>().ToArray().Should().Equal(new[] { 1 - dice0, 1 - dice1 }, (a, b) => Math.Abs(a - b) < 1e-12);
        }

        [Fact]
        public void AbsentClassScoresZeroWhenNotPredictedAndOneWhenPredicted()
        {
            // Probabilities for 3 classes over 2 pixels; class 2 is absent from the target.
            using var notPredicted = tensor(new[] { 1.0, 0.0, /* c1 */ 0.0, 1.0, /* c2 */ 0.0, 0.0 }, new long[] { 1, 3, 2 });
            using var predicted = tensor(new[] { 0.5, 0.0, /* c1 */ 0.0, 1.0, /* c2 */ 0.5, 0.0 }, new long[] { 1, 3, 2 });
            using var y = tensor(new long[] { 0, 1 }, new long[] { 1, 2 });
            using var loss = new DiceLoss(fromLogits: false, reduction: nn.Reduction.None);

            using var a = loss.call(notPredicted, y);
            a.data<double>().ToArray()[2].Should().BeApproximately(0.0, 1e-12, "an absent, unpredicted class has Dice (0 + s)/(0 + s) = 1");
            using var b = loss.call(predicted, y);
            b.data<double>().ToArray()[2].Should().BeApproximately(1 - 1e-5 / (0.5 + 1e-5), 1e-12, "predicting an absent class costs almost 1");
        }

        [Fact]
        public void AllBackgroundImageWithoutBackgroundChannelCostsOnlyFalsePositives()
        {
            using var y = zeros(new long[] { 1, 2, 2 }, ScalarType.Int64);
            using var good = tensor(new[] { 1.0, 1, 1, 1, 0, 0, 0, 0 }, new long[] { 1, 2, 2, 2 });
            using var bad = tensor(new[] { 0.5, 1, 1, 1, 0.5, 0, 0, 0 }, new long[] { 1, 2, 2, 2 });
            using var loss = new DiceLoss(fromLogits: false, includeBackground: false);
            Value(loss, good, y).Should().BeApproximately(0.0, 1e-12);
            Value(loss, bad, y).Should().BeApproximately(1 - 1e-5 / (0.5 + 1e-5), 1e-12);
        }

        [Fact]
        public void BatchDicePoolsImagesBeforeTheRatio()
        {
            // Two binary images: image 0 perfect on 1 pixel, image 1 predicts 0.5 on an empty target.
            using var p = tensor(new[] { 1.0, 0.0, 0.5, 0.0 }, new long[] { 2, 1, 2 });
            using var g = tensor(new[] { 1.0, 0.0, 0.0, 0.0 }, new long[] { 2, 1, 2 });
            using var perImage = new DiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 1e-12);
            using var pooled = new DiceLoss(LossMode.Binary, fromLogits: false, smoothNumerator: 0, smoothDenominator: 1e-12, batch: true);
            Value(perImage, p, g).Should().BeApproximately((0.0 + 1.0) / 2, 1e-9);
            Value(pooled, p, g).Should().BeApproximately(1 - 2.0 / (1.5 + 1.0), 1e-9);
            using var none = new DiceLoss(LossMode.Binary, fromLogits: false, batch: true, reduction: nn.Reduction.None);
            using var v = none.call(p, g);
            v.shape.Should().Equal(1);
        }

        [Fact]
        public void ClassWeightsAndBackgroundExclusionWeightTheClassMean()
        {
            using var x = TestData.Logits(3, 2, 3, 4, 4);
            using var y = TestData.Labels(4, 3, 2, 4, 4);
            using var none = new DiceLoss(reduction: nn.Reduction.None);
            using var perClass = none.call(x, y);
            var v = perClass.data<double>().ToArray(); // (2, 3)
            using var weighted = new DiceLoss(classWeights: tensor(new[] { 1.0, 2.0, 3.0 }));
            double expected = (v[0] * 1 + v[1] * 2 + v[2] * 3 + v[3] * 1 + v[4] * 2 + v[5] * 3) / (6.0 * 2);
            Value(weighted, x, y).Should().BeApproximately(expected, 1e-12);
            using var noBackground = new DiceLoss(includeBackground: false);
            Value(noBackground, x, y).Should().BeApproximately((v[1] + v[2] + v[4] + v[5]) / 4, 1e-12);
            using var sum = new DiceLoss(reduction: nn.Reduction.Sum);
            Value(sum, x, y).Should().BeApproximately(v.Sum(), 1e-12);
        }

        [Fact]
        public void SoftTargetsScoreZeroAtEquality()
        {
            using var g = tensor(new[] { 0.7, 0.2, 0.3, 0.8 }, new long[] { 1, 2, 2 });
            using var loss = new DiceLoss(fromLogits: false, smoothNumerator: 0, smoothDenominator: 0);
            Value(loss, g, g).Should().BeApproximately(0.0, 1e-12, "the L1 form gives Dice 1 when p equals a soft target");
            using var other = tensor(new[] { 0.5, 0.5, 0.5, 0.5 }, new long[] { 1, 2, 2 });
            Value(loss, other, g).Should().BeGreaterThan(0.05);
        }

        [Fact]
        public void PerfectPredictionIsTheMinimumAndMoreErrorCostsMore()
        {
            using var y = TestData.Labels(5, 3, 2, 4, 4);
            using var perfect = TestData.PerfectLogits(y, 3);
            using var loss = new DiceLoss();
            double best = Value(loss, perfect, y);
            best.Should().BeApproximately(0.0, 1e-9);
            double previous = best;
            foreach (var noise in new[] { 4.0, 16.0, 64.0 })
            {
                using var scope = NewDisposeScope();
                var worse = perfect * (1.0 / noise);
                double value = Value(loss, worse, y);
                value.Should().BeGreaterThan(previous, $"flattening the logits by {noise} moves predictions away from the labels");
                previous = value;
            }
        }

        public static TheoryData<LossMode, long[], bool> GradCases() => new()
        {
            { LossMode.Multiclass, new long[] { 2, 3, 3, 2 }, false },
            { LossMode.Multiclass, new long[] { 2, 3, 3, 2 }, true },
            { LossMode.Multiclass, new long[] { 1, 2, 2, 2, 2 }, false },
            { LossMode.Multiclass, new long[] { 1, 3, 2, 2, 2 }, true },
            { LossMode.Binary, new long[] { 2, 1, 3, 3 }, false },
            { LossMode.Binary, new long[] { 2, 1, 3, 3 }, true },
            { LossMode.Binary, new long[] { 1, 1, 2, 2, 3 }, false },
            { LossMode.Multilabel, new long[] { 2, 2, 3, 2 }, true },
            { LossMode.Multilabel, new long[] { 1, 2, 2, 2, 2 }, false },
        };

        [Theory]
        [MemberData(nameof(GradCases))]
        public void GradientsMatchFiniteDifferences(LossMode mode, long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(21, shape);
            var target = MakeTarget(mode, shape, withIgnored, 22);
            var variants = new[]
            {
                new DiceLoss(mode, ignoreIndex: withIgnored ? -1 : null),
                new DiceLoss(mode, squaredDenominator: true, batch: true, ignoreIndex: withIgnored ? -1 : null),
                new DiceLoss(mode, logLoss: true, beta: 1.5, ignoreIndex: withIgnored ? -1 : null, reduction: nn.Reduction.None),
                new DiceLoss(mode, jaccard: true, includeBackground: false, ignoreIndex: withIgnored ? -1 : null),
            };
            GradCheck.EachLoss(variants, x, target);
        }

        [Fact]
        public void IgnoredPixelsChangeNeitherValueNorGradient()
        {
            using var scope = NewDisposeScope();
            var y = TestData.LabelsWithIgnored(31, 3, 255, 2, 4, 4);
            var x = TestData.Logits(32, 2, 3, 4, 4);
            var ignored = y.eq(255).unsqueeze(1).expand(2, 3, 4, 4);
            var perturbed = x + ignored.to(ScalarType.Float64) * TestData.Logits(33, 2, 3, 4, 4) * 5;
            using var loss = new DiceLoss(ignoreIndex: 255);
            Value(loss, perturbed, y).Should().BeApproximately(Value(loss, x, y), 1e-12);

            var g = GradCheck.Gradient(input => loss.call(input, y), x);
            var mask = ignored.flatten().data<bool>().ToArray();
            g.Where((_, i) => mask[i]).Should().OnlyContain(v => v == 0.0, "ignored pixels receive no gradient");
            g.Where((_, i) => !mask[i]).Should().Contain(v => v != 0.0);
        }

        [Fact]
        public void ExtremeLogitsGiveFiniteValuesAndGradients()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(41, 3, 2, 3, 3);
            var x = (TestData.Logits(42, 2, 3, 3, 3).sign() * 1e4).to(ScalarType.Float32);
            using var loss = new DiceLoss(logLoss: true);
            var leaf = x.detach().requires_grad_(true);
            var value = loss.call(leaf, y);
            value.backward();
            double.IsFinite(value.item<float>()).Should().BeTrue();
            leaf.grad!.isfinite().all().item<bool>().Should().BeTrue();
        }

        [Fact]
        public void HalfPrecisionInputIsComputedInFloat32()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(43, 3, 2, 3, 3);
            var x = TestData.Logits(44, 2, 3, 3, 3);
            using var loss = new DiceLoss();
            var reference = loss.call(x, y).item<double>();
            var half = loss.call(x.to(ScalarType.Float16), y);
            half.dtype.Should().Be(ScalarType.Float32);
            half.item<float>().Should().BeApproximately((float)reference, 2e-3f);
        }

        [Fact]
        public void ConstructorRejectsBadOptions()
        {
            FluentActions.Invoking(() => new DiceLoss(smoothNumerator: -1)).Should().Throw<ArgumentException>().WithParameterName("smoothNumerator").WithMessage("*-1*");
            FluentActions.Invoking(() => new DiceLoss(smoothDenominator: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("smoothDenominator");
            FluentActions.Invoking(() => new DiceLoss(beta: 0)).Should().Throw<ArgumentException>().WithParameterName("beta");
            FluentActions.Invoking(() => new DiceLoss(jaccard: true, beta: 2)).Should().Throw<ArgumentException>().WithParameterName("beta");
            FluentActions.Invoking(() => new DiceLoss(classWeights: tensor(new[] { 1.0, -1.0 }))).Should().Throw<ArgumentException>().WithParameterName("classWeights").WithMessage("*-1*");
            FluentActions.Invoking(() => new DiceLoss(classWeights: ones(2, 2))).Should().Throw<ArgumentException>().WithParameterName("classWeights").WithMessage("*[2, 2]*");
            FluentActions.Invoking(() => new DiceLoss(mode: (LossMode)7)).Should().Throw<ArgumentException>().WithParameterName("mode");
        }

        [Fact]
        public void WrongLengthClassWeightsAreRejectedAtForward()
        {
            using var scope = NewDisposeScope();
            using var loss = new DiceLoss(classWeights: tensor(new[] { 1.0, 2.0 }));
            FluentActions.Invoking(() => loss.call(TestData.Logits(1, 1, 3, 2, 2), TestData.Labels(2, 3, 1, 2, 2)))
                .Should().Throw<ArgumentException>().WithParameterName("classWeights").WithMessage("*2 entries*3 classes*");
        }

        [Fact]
        public void ClassWeightsMoveWithTheModule()
        {
            using var loss = new DiceLoss(classWeights: tensor(new[] { 1.0, 2.0, 3.0 }));
            loss.named_buffers().Select(b => b.name).Should().Contain("classWeights");
            loss.to(ScalarType.Float32);
            loss.ClassWeights!.dtype.Should().Be(ScalarType.Float32);
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(51, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(52, 2, 3, 5, 5).requires_grad_(true);
                using var loss = new DiceLoss(ignoreIndex: -1, classWeights: tensor(new[] { 1.0, 1.0, 2.0 }));
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
            }
        }

        internal static Tensor MakeTarget(LossMode mode, long[] shape, bool withIgnored, long seed)
        {
            var spatial = shape.Skip(2).ToArray();
            var labelShape = new[] { shape[0] }.Concat(spatial).ToArray();
            if (mode == LossMode.Multiclass)
                return withIgnored ? TestData.LabelsWithIgnored(seed, shape[1], -1, labelShape) : TestData.Labels(seed, shape[1], labelShape);
            var t = TestData.Labels(seed, 2, shape);
            if (!withIgnored) return t.to(ScalarType.Float64);
            var ignore = TestData.Labels(seed + 1, 4, shape).eq(0);
            return t.masked_fill(ignore, -1);
        }
    }
}
