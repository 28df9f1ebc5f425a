using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class SoftClDiceLossTests
    {
        /// <summary>The hand-computed 1D example shared with <see cref="SoftDiceClDiceLossTests"/>.</summary>
        internal static (Tensor p, Tensor g) LineExample() =>
            (tensor(new[] { 0.2, 0.9, 0.4 }, new long[] { 1, 1, 3 }), tensor(new[] { 0.0, 1, 0 }, new long[] { 1, 1, 3 }));

        /// <summary>1 − clDice of the line example after 3 steps (see the arithmetic in the test below).</summary>
        internal const double LineExampleClDice = 1 - 2 * (1.5 / 1.7) * 0.95 / (1.5 / 1.7 + 0.95);

        [Fact]
        public void OneDimensionalExampleMatchesHandComputation()
        {
            using var scope = NewDisposeScope();
            var (p, g) = LineExample();
            // p = [0.2, 0.9, 0.4]: erode = [0.2, 0.2, 0.4], open = dilate(erode) = [0.2, 0.4, 0.4], S₀ = relu(p − open) = [0, 0.5, 0].
            // Step 1: x₁ = [0.2, 0.2, 0.4], erode(x₁) = [0.2, 0.2, 0.2] = open(x₁), δ = [0, 0, 0.2], S₁ = [0, 0.5, 0.2].
            // Steps 2, 3: x = [0.2, 0.2, 0.2] is its own opening, δ = 0. So S(p) = [0, 0.5, 0.2].
            // g = [0, 1, 0]: its erosion is 0, so S(g) = g.
            // Tprec = (Σ S(p)·g + 1)/(Σ S(p) + 1) = 1.5/1.7; Tsens = (Σ S(g)·p + 1)/(Σ S(g) + 1) = 1.9/2 = 0.95.
            using var loss = new SoftClDiceLoss(LossMode.Binary, fromLogits: false);
            Value(loss, p, g).Should().BeApproximately(LineExampleClDice, 1e-12);
            // Without refinement steps, S(p) = [0, 0.5, 0]: Tprec = 1.5/1.5 = 1 and the loss is 1 − 2·0.95/1.95.
            using var none = new SoftClDiceLoss(LossMode.Binary, fromLogits: false, iterations: 0);
            Value(none, p, g).Should().BeApproximately(1 - 2 * 0.95 / 1.95, 1e-12);
            // smooth = 0.5: Tprec = (0.5 + 0.5)/(0.7 + 0.5), Tsens = (0.9 + 0.5)/(1 + 0.5).
            using var half = new SoftClDiceLoss(LossMode.Binary, fromLogits: false, smooth: 0.5);
            double tp = 1.0 / 1.2, ts = 1.4 / 1.5;
            Value(half, p, g).Should().BeApproximately(1 - 2 * tp * ts / (tp + ts), 1e-12);
            // Logits: the same loss on logit(p).
            using var logits = new SoftClDiceLoss(LossMode.Binary);
            Value(logits, (p / (1 - p)).log(), g).Should().BeApproximately(LineExampleClDice, 1e-12);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void MulticlassDefaultsPoolBatchAndForegroundClassesAsThePlainLoopReference(bool threeD)
        {
            using var scope = NewDisposeScope();
            long[] spatial = threeD ? new long[] { 4, 5, 4 } : new long[] { 7, 6 };
            var x = TestData.Logits(21, new long[] { 2, 3 }.Concat(spatial).ToArray()) * 2;
            var y = TestData.Labels(22, 3, new long[] { 2 }.Concat(spatial).ToArray());
            var p = ClDiceReference.From(x.softmax(1));
            var g = ClDiceReference.From(OneHot.Encode(y, 3, dtype: ScalarType.Float64));
            using var loss = new SoftClDiceLoss();
            Value(loss, x, y).Should().BeApproximately(ClDiceReference.MonaiClDice(g, p), 1e-12);
            using var withBackground = new SoftClDiceLoss(includeBackground: true, iterations: 2, smooth: 0.1);
            Value(withBackground, x, y).Should().BeApproximately(ClDiceReference.MonaiClDice(g, p, 2, 0.1, firstChannel: 0), 1e-12);
        }

        [Fact]
        public void UnpooledValuesAreTheLossOfEachImageAndClassAlone()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(31, 2, 3, 6, 5) * 2;
            var y = TestData.Labels(32, 3, 2, 6, 5);
            var probabilities = x.softmax(1);
            var oneHot = OneHot.Encode(y, 3, dtype: ScalarType.Float64);
            using var single = new SoftClDiceLoss(LossMode.Binary, fromLogits: false);
            double Alone(long n, long c) => Value(single, probabilities[n, c].reshape(1, 1, 6, 5), oneHot[n, c].reshape(1, 1, 6, 5));

            using var perImageAndClass = new SoftClDiceLoss(batch: false, poolClasses: false, reduction: nn.Reduction.None);
            var values = perImageAndClass.call(x, y);
            values.shape.Should().Equal(2, 2);
            for (long n = 0; n < 2; n++)
                for (long c = 1; c < 3; c++)
                    values[n, c - 1].item<double>().Should().BeApproximately(Alone(n, c), 1e-12, $"image {n}, class {c}");

            using var perImage = new SoftClDiceLoss(poolClasses: true, batch: false, reduction: nn.Reduction.None);
            perImage.call(x, y).shape.Should().Equal(2);
            using var perClass = new SoftClDiceLoss(batch: true, poolClasses: false, reduction: nn.Reduction.None);
            perClass.call(x, y).shape.Should().Equal(2);
            using var pooled = new SoftClDiceLoss(reduction: nn.Reduction.None);
            pooled.call(x, y).shape.Should().BeEmpty("one ratio for the batch and the classes");

            using var mean = new SoftClDiceLoss(batch: false, poolClasses: false);
            Value(mean, x, y).Should().BeApproximately(values.mean().item<double>(), 1e-12);
            using var sum = new SoftClDiceLoss(batch: false, poolClasses: false, reduction: nn.Reduction.Sum);
            Value(sum, x, y).Should().BeApproximately(values.sum().item<double>(), 1e-12);
        }

        [Fact]
        public void MultilabelLeavesChannelZeroOutByDefaultAndSoftTargetsAreSkeletonised()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(41, 2, 3, 5, 6) * 2;
            var t = TestData.BinaryTargets(42, 2, 3, 5, 6);
            var p = ClDiceReference.From(x.sigmoid());
            using var multilabel = new SoftClDiceLoss(LossMode.Multilabel);
            Value(multilabel, x, t).Should().BeApproximately(ClDiceReference.MonaiClDice(ClDiceReference.From(t), p), 1e-12);
            using var all = new SoftClDiceLoss(LossMode.Multilabel, includeBackground: true);
            Value(all, x, t).Should().BeApproximately(ClDiceReference.MonaiClDice(ClDiceReference.From(t), p, firstChannel: 0), 1e-12);

            // Multiclass soft labels are used as they are (their own soft skeleton).
            var soft = (TestData.Logits(43, 2, 3, 5, 6) * 2).softmax(1);
            using var multiclass = new SoftClDiceLoss();
            Value(multiclass, x, soft).Should().BeApproximately(ClDiceReference.MonaiClDice(ClDiceReference.From(soft), ClDiceReference.From(x.softmax(1))), 1e-12);
        }

        [Fact]
        public void ASingleChannelIsUsedEvenWithoutBackground()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(51, 2, 1, 5, 5);
            var t = TestData.BinaryTargets(52, 2, 1, 5, 5);
            double expected = ClDiceReference.MonaiClDice(ClDiceReference.From(t), ClDiceReference.From(x.sigmoid()), firstChannel: 0);
            using var binary = new SoftClDiceLoss(LossMode.Binary);
            Value(binary, x, t).Should().BeApproximately(expected, 1e-12, "MONAI's [:, 1:] would leave nothing");
            Value(binary, x, t.squeeze(1)).Should().BeApproximately(expected, 1e-12, "(N, *spatial) binary targets");
            using var multilabel = new SoftClDiceLoss(LossMode.Multilabel);
            Value(multilabel, x, t).Should().BeApproximately(expected, 1e-12);
        }

        [Fact]
        public void PerfectPredictionScoresZeroAndABrokenVesselScoresMore()
        {
            using var scope = NewDisposeScope();
            // A one-pixel vessel along row 3 of a 7×12 image.
            var vessel = zeros(new long[] { 1, 1, 7, 12 }, ScalarType.Float64);
            vessel[0, 0, 3, TensorIndex.Slice(1, 11)] = tensor(1.0);
            using var loss = new SoftClDiceLoss(LossMode.Binary, fromLogits: false);
            Value(loss, vessel, vessel).Should().BeApproximately(0, 1e-15);
            var broken = vessel.clone();
            broken[0, 0, 3, 6] = tensor(0.0);
            var half = vessel.clone();
            half[0, 0, 3, TensorIndex.Slice(6, 11)] = tensor(0.0);
            double gap = Value(loss, broken, vessel), missing = Value(loss, half, vessel);
            gap.Should().BeGreaterThan(0, "a gap breaks the vessel's skeleton");
            missing.Should().BeGreaterThan(gap, "missing half the vessel is worse than a one-pixel gap");
            var thick = vessel.clone();
            thick[0, 0, TensorIndex.Slice(2, 5), TensorIndex.Slice(1, 11)] = tensor(1.0);
            Value(loss, thick, vessel).Should().BeApproximately(0, 1e-15, "a prediction three pixels thick still covers the centre line (clDice alone does not punish thickness)");

            // Logits: confident correct logits score near 0, less than random ones.
            using var multiclass = new SoftClDiceLoss();
            var labels = TestData.Labels(61, 3, 2, 6, 6);
            Value(multiclass, TestData.PerfectLogits(labels, 3, 40), labels).Should().BeApproximately(0, 1e-9);
            Value(multiclass, TestData.Logits(62, 2, 3, 6, 6), labels).Should().BeGreaterThan(0.05);
        }

        [Theory]
        [MemberData(nameof(PixelLossChecks.ModeCases), MemberType = typeof(PixelLossChecks))]
        public void GradientMatchesFiniteDifferences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            long? ignoreIndex = ignore ? PixelLossChecks.IgnoreValue : null;
            GradCheck.EachLoss(new SegmentationLoss[]
            {
                new SoftClDiceLoss(mode, ignoreIndex: ignoreIndex),
                new SoftClDiceLoss(mode, iterations: 1, smooth: 0.3, includeBackground: true, batch: false, poolClasses: false, ignoreIndex: ignoreIndex, reduction: nn.Reduction.None),
            }, x, target);
            // Probability input (MONAI's), differentiated through the caller's activation.
            using var probabilities = new SoftClDiceLoss(mode, fromLogits: false, iterations: 5, batch: false, ignoreIndex: ignoreIndex, reduction: nn.Reduction.Sum);
            GradCheck.Full(v => probabilities.call(mode == LossMode.Multiclass ? v.softmax(1) : v.sigmoid(), target), x);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void OneDimensionalInputsWorkAndHaveExactGradients(LossMode mode)
        {
            using var scope = NewDisposeScope();
            // 1D maps use the 3-pixel window for both erosion and dilation (max_pool1d).
            long c = mode == LossMode.Binary ? 1 : 3;
            var x = TestData.Logits(75, 2, c, 9);
            Tensor target = mode == LossMode.Multiclass
                ? TestData.LabelsWithIgnored(76, 3, 255, 2, 9)
                : TestData.BinaryTargets(76, 2, c, 9).masked_fill(TestData.LabelsWithIgnored(77, 1, 255, 2, c, 9).eq(255), 255);
            GradCheck.EachLoss(new SegmentationLoss[]
            {
                new SoftClDiceLoss(mode, ignoreIndex: 255),
                new SoftDiceClDiceLoss(mode, batch: false, poolClasses: false, ignoreIndex: 255, reduction: nn.Reduction.None),
            }, x, target);
            // The value follows MONAI's steps on the masked maps (the reference embeds 1D as (1, 1, L)).
            var valid = mode == LossMode.Multiclass ? target.ne(255).unsqueeze(1).to(ScalarType.Float64) : target.ne(255).to(ScalarType.Float64);
            var p = (mode == LossMode.Multiclass ? x.softmax(1) : x.sigmoid()) * valid;
            var g = mode == LossMode.Multiclass
                ? OneHot.Encode(target.masked_fill(target.eq(255), 0), 3, dtype: ScalarType.Float64) * valid
                : target.masked_fill(target.eq(255), 0);
            using var loss = new SoftClDiceLoss(mode, ignoreIndex: 255);
            Value(loss, x, target).Should().BeApproximately(ClDiceReference.MonaiClDice(ClDiceReference.From(g), ClDiceReference.From(p), firstChannel: c > 1 ? 1 : 0), 1e-12);
        }

        [Theory]
        [MemberData(nameof(PixelLossChecks.ModeCases), MemberType = typeof(PixelLossChecks))]
        public void GradientMatchesFiniteDifferencesOnLargerImages(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            long c = mode == LossMode.Binary ? 1 : 3;
            long[] spatial = threeD ? new long[] { 4, 4, 5 } : new long[] { 7, 8 };
            var shape = new[] { 2L, c }.Concat(spatial).ToArray();
            var x = TestData.Logits(71, shape) * 2;
            Tensor target;
            if (mode == LossMode.Multiclass)
            {
                var labelShape = new[] { 2L }.Concat(spatial).ToArray();
                target = ignore ? TestData.LabelsWithIgnored(72, 3, 255, labelShape) : TestData.Labels(72, 3, labelShape);
            }
            else
            {
                target = TestData.BinaryTargets(72, shape);
                if (ignore) target = target.masked_fill(TestData.LabelsWithIgnored(73, 1, 255, shape).eq(255), 255);
            }
            using var loss = new SoftClDiceLoss(mode, iterations: 4, ignoreIndex: ignore ? 255 : null);
            GradCheck.Directional(v => loss.call(v, target), x, directions: 6);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode) =>
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new SoftClDiceLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue));

        [Fact]
        public void IgnoredPixelsActAsBackgroundInBothMaps()
        {
            using var scope = NewDisposeScope();
            // Ignoring a pixel equals setting it to background in both prediction and target before skeletonisation.
            var x = TestData.Logits(81, 1, 1, 6, 6) * 2;
            var t = TestData.BinaryTargets(82, 1, 1, 6, 6);
            var ignored = zeros(new long[] { 1, 1, 6, 6 }, ScalarType.Bool);
            ignored[0, 0, 2, TensorIndex.Slice(1, 4)] = tensor(true);
            using var loss = new SoftClDiceLoss(LossMode.Binary, ignoreIndex: 255);
            var p = x.sigmoid().masked_fill(ignored, 0.0);
            double expected = ClDiceReference.MonaiClDice(ClDiceReference.From(t.masked_fill(ignored, 0.0)), ClDiceReference.From(p), firstChannel: 0);
            Value(loss, x, t.masked_fill(ignored, 255)).Should().BeApproximately(expected, 1e-12);
        }

        [Fact]
        public void Float32AgreesWithFloat64()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(91, 2, 3, 8, 8);
            var y = TestData.Labels(92, 3, 2, 8, 8);
            using var loss = new SoftClDiceLoss(ignoreIndex: 255);
            using var value = loss.call(x.to(ScalarType.Float32), y);
            value.dtype.Should().Be(ScalarType.Float32);
            value.item<float>().Should().BeApproximately((float)Value(loss, x, y), 1e-5f);
        }

        [Fact]
        public void ConstructorRejectsBadOptionsByName()
        {
            FluentActions.Invoking(() => new SoftClDiceLoss(iterations: -1)).Should().Throw<ArgumentException>().WithParameterName("iterations");
            FluentActions.Invoking(() => new SoftClDiceLoss(iterations: 1001)).Should().Throw<ArgumentException>().WithParameterName("iterations").WithMessage("*[0, 1000]*1001*");
            foreach (double s in new[] { 0.0, -1, double.NaN, double.PositiveInfinity })
                FluentActions.Invoking(() => new SoftClDiceLoss(smooth: s)).Should().Throw<ArgumentException>().WithParameterName("smooth");
            FluentActions.Invoking(() => new SoftClDiceLoss((LossMode)7)).Should().Throw<ArgumentException>().WithParameterName("mode");
            FluentActions.Invoking(() => new SoftClDiceLoss(reduction: (nn.Reduction)7)).Should().Throw<ArgumentException>().WithParameterName("reduction");
        }

        [Fact]
        public void BadInputNamesTheArgument()
        {
            using var scope = NewDisposeScope();
            using var loss = new SoftClDiceLoss();
            FluentActions.Invoking(() => loss.call(zeros(2, 1, 4, 4), zeros(new long[] { 2, 4, 4 }, ScalarType.Int64)))
                .Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*Multiclass*");
            FluentActions.Invoking(() => loss.call(zeros(2, 3, 4, 4), zeros(new long[] { 2, 4, 5 }, ScalarType.Int64)))
                .Should().Throw<ArgumentException>().WithParameterName("target");
            using var probabilities = new SoftClDiceLoss(LossMode.Binary, fromLogits: false);
            FluentActions.Invoking(() => probabilities.call(full(new long[] { 1, 1, 3, 3 }, 2.0), zeros(1, 1, 3, 3)))
                .Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*[0, 1]*");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class SoftClDiceLossLeakTests
    {
        [Theory]
        [MemberData(nameof(PixelLossChecks.ModeCases), MemberType = typeof(PixelLossChecks))]
        public void ForwardAndBackwardLeaveNoTensorBehind(LossMode mode, bool threeD, bool ignore)
        {
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD, ignore);
            using (ignored)
            using (target)
            using (var leaf = x.requires_grad_(true))
            {
                long? ignoreIndex = ignore ? PixelLossChecks.IgnoreValue : null;
                using var clDice = new SoftClDiceLoss(mode, ignoreIndex: ignoreIndex);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(clDice, leaf, target);
                using var combined = new SoftDiceClDiceLoss(mode, batch: false, poolClasses: false, ignoreIndex: ignoreIndex, reduction: nn.Reduction.Sum);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(combined, leaf, target);
            }
        }
    }
}
