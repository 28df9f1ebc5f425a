using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class HausdorffErosionLossTests
    {
        private static double Value(Tensor loss) { using (loss) return loss.item<double>(); }

        [Fact]
        public void OneDimensionalExampleMatchesHandComputation()
        {
            using var scope = NewDisposeScope();
            // e₀ = (p − q)² = [1, 1, 1, 0, 0]; D₁ = [2/3, 1, 2/3, 1/3, 0]; relu(D₁ − ½) = [1/6, 1/2, 1/6, 0, 0];
            // normalised E₁ = [1/3, 1, 1/3, 0, 0]. D₂ = [4/9, 5/9, 4/9, 1/9, 0]; relu(D₂ − ½) = [0, 1/18, 0, 0, 0]; E₂ = [0, 1, 0, 0, 0].
            var p = tensor(new[] { 0.0, 0, 0, 1, 1 }, new long[] { 1, 1, 5 });
            var q = ones(1, 1, 5, ScalarType.Float64);
            using var one = new HausdorffErosionLoss(LossMode.Binary, fromLogits: false, erosions: 1);
            Value(one.call(p, q)).Should().BeApproximately(1.0 / 3, 1e-12);
            using var two = new HausdorffErosionLoss(LossMode.Binary, fromLogits: false, erosions: 2);
            Value(two.call(p, q)).Should().BeApproximately((5.0 / 3 + 4) / 5, 1e-12, "E₁ + 2²·E₂ averaged over 5 pixels");
            using var linear = new HausdorffErosionLoss(LossMode.Binary, fromLogits: false, alpha: 1, erosions: 2);
            Value(linear.call(p, q)).Should().BeApproximately((5.0 / 3 + 2) / 5, 1e-12);
            using var defaults = new HausdorffErosionLoss(LossMode.Binary, fromLogits: false);
            Value(defaults.call(p, q)).Should().BeApproximately((5.0 / 3 + 4) / 5, 1e-12, "from the third erosion on nothing survives the threshold");
        }

        [Fact]
        public void SmallErrorsAndPerfectPredictionsScoreZero()
        {
            using var scope = NewDisposeScope();
            using var loss = new HausdorffErosionLoss(LossMode.Binary, fromLogits: false);
            var q = zeros(new long[] { 1, 1, 5, 5 }, ScalarType.Float64);
            q[0, 0, TensorIndex.Slice(1, 4), TensorIndex.Slice(1, 4)] = tensor(1.0);
            Value(loss.call(q.clone(), q)).Should().Be(0, "no error, nothing to erode");
            Value(loss.call(q * 0.8 + 0.1, q)).Should().Be(0, "an error of 0.1 everywhere never exceeds the 0.5 threshold of the cross mean");
            // All-background image and all-background prediction: 0 as well, in every mode.
            using var multiclass = new HausdorffErosionLoss();
            var labels = zeros(new long[] { 1, 4, 4 }, ScalarType.Int64);
            Value(multiclass.call(TestData.PerfectLogits(labels, 3, 40), labels)).Should().BeApproximately(0, 1e-12);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void MatchesAManagedReferenceOfTheErosions(bool threeD)
        {
            using var scope = NewDisposeScope();
            long[] spatial = threeD ? new long[] { 3, 4, 4 } : new long[] { 6, 5 };
            var x = TestData.Logits(3, new long[] { 2, 3 }.Concat(spatial).ToArray()) * 3;
            var y = TestData.Labels(4, 3, new long[] { 2 }.Concat(spatial).ToArray());
            using var loss = new HausdorffErosionLoss(erosions: 4, alpha: 1.5, reduction: nn.Reduction.None);
            var values = loss.call(x, y);
            values.shape.Should().Equal(2, 3);
            var p = x.softmax(1);
            var q = OneHot.Encode(y, 3, dtype: ScalarType.Float64);
            for (int n = 0; n < 2; n++)
            {
                for (int c = 0; c < 3; c++)
                {
                    var error = (p[n, c] - q[n, c]).square().flatten().data<double>().ToArray();
                    double expected = Reference(error, spatial.Select(s => (int)s).ToArray(), 4, 1.5);
                    values[n, c].item<double>().Should().BeApproximately(expected, 1e-12, $"image {n}, class {c}");
                }
            }
            using var noBackground = new HausdorffErosionLoss(erosions: 4, alpha: 1.5, includeBackground: false, reduction: nn.Reduction.None);
            var without = noBackground.call(x, y);
            without.shape.Should().Equal(2, 2);
            (without - values.narrow(1, 1, 2)).abs().max().item<double>().Should().BeLessThan(1e-14);
            using var mean = new HausdorffErosionLoss(erosions: 4, alpha: 1.5);
            Value(mean.call(x, y)).Should().BeApproximately(values.mean().item<double>(), 1e-12);
            using var sum = new HausdorffErosionLoss(erosions: 4, alpha: 1.5, reduction: nn.Reduction.Sum);
            Value(sum.call(x, y)).Should().BeApproximately(values.sum().item<double>(), 1e-12);
        }

        /// <summary>The erosion loss of one image, written out with loops: cross mean with zero padding, ReLU(· − ½), min–max.</summary>
        private static double Reference(double[] error, int[] shape, int erosions, double alpha)
        {
            int d = shape.Length;
            int size = error.Length;
            var strides = new int[d];
            for (int i = d - 1, s = 1; i >= 0; i--) { strides[i] = s; s *= shape[i]; }
            var current = (double[])error.Clone();
            var total = new double[size];
            for (int k = 1; k <= erosions; k++)
            {
                var next = new double[size];
                for (int i = 0; i < size; i++)
                {
                    double sum = current[i];
                    for (int axis = 0; axis < d; axis++)
                    {
                        int coordinate = i / strides[axis] % shape[axis];
                        if (coordinate > 0) sum += current[i - strides[axis]];
                        if (coordinate < shape[axis] - 1) sum += current[i + strides[axis]];
                    }
                    next[i] = Math.Max(sum / (2 * d + 1) - 0.5, 0);
                }
                double min = next.Min(), max = next.Max();
                if (max > min) for (int i = 0; i < size; i++) next[i] = (next[i] - min) / (max - min);
                for (int i = 0; i < size; i++) total[i] += Math.Pow(k, alpha) * next[i];
                current = next;
            }
            return total.Average();
        }

        [Theory]
        [MemberData(nameof(GradCases.MapLosses), MemberType = typeof(GradCases))]
        public void GradientsMatchFiniteDifferences(LossMode mode, long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            // Large logits give errors above the erosion threshold, so that several erosions carry a gradient.
            var x = TestData.Logits(41, shape) * 2;
            var target = BoundaryLossTests.MakeTarget(mode, shape, withIgnored, 42);
            long? ignore = withIgnored ? -1 : null;
            var variants = new[]
            {
                new HausdorffErosionLoss(mode, ignoreIndex: ignore),
                new HausdorffErosionLoss(mode, alpha: 1.5, erosions: 3, includeBackground: false, ignoreIndex: ignore, reduction: nn.Reduction.None),
                new HausdorffErosionLoss(mode, erosions: 2, ignoreIndex: ignore, reduction: nn.Reduction.Sum),
            };
            GradCheck.EachLoss(variants, x, target);
        }

        [Fact]
        public void TheGradientReachesThroughSeveralErosions()
        {
            using var scope = NewDisposeScope();
            var y = zeros(new long[] { 1, 7, 7 }, ScalarType.Int64);
            y[0, TensorIndex.Slice(1, 6), TensorIndex.Slice(1, 6)] = tensor(1L);
            var x = TestData.PerfectLogits(1 - y, 2, 3) + TestData.Logits(43, 1, 2, 7, 7) * 0.1; // mostly wrong
            using var loss = new HausdorffErosionLoss();
            GradCheck.Full(input => loss.call(input, y), x);
            GradCheck.Gradient(input => loss.call(input, y), x).Should().Contain(g => g != 0);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, ignored) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var loss = new HausdorffErosionLoss(mode, erosions: 3, ignoreIndex: PixelLossChecks.IgnoreValue);
            PixelLossChecks.IgnoredPixelsAreInert(input => loss.call(input, target), x * 3, ignored);
            var (x3, target3, ignored3) = PixelLossChecks.Case(mode, threeD: true, ignore: true);
            PixelLossChecks.IgnoredPixelsAreInert(input => loss.call(input, target3), x3 * 3, ignored3);
        }

        [Fact]
        public void PerfectPredictionIsTheMinimumAndErrorsThatSurviveMoreErosionsCostMore()
        {
            using var scope = NewDisposeScope();
            var y = zeros(new long[] { 1, 11, 11 }, ScalarType.Int64);
            y[0, TensorIndex.Slice(3, 8), TensorIndex.Slice(3, 8)] = tensor(1L);
            using var loss = new HausdorffErosionLoss();
            Value(loss.call(TestData.PerfectLogits(y, 2, 40), y)).Should().BeApproximately(0, 1e-12);
            // A lone wrong pixel is eroded away at once (its cross mean is 1/5 < 1/2).
            Value(loss.call(TestData.PerfectLogits(WithWrongSquare(y, 1), 2, 40), y)).Should().BeApproximately(0, 1e-12);
            // A wrong 3×3 square survives three erosions (centre 1, edges 0.6, corners 0.2 after the first; then the
            // centre alone; then nothing).
            double square3 = Value(loss.call(TestData.PerfectLogits(WithWrongSquare(y, 3), 2, 40), y));
            square3.Should().BeGreaterThan(0);
            // A wrong 2×2 square is a fixed point of erosion + min–max normalisation (every pixel: 3/5 − 1/2, rescaled
            // to 1), so it survives all ten erosions and costs more than the larger square: the published loss is not
            // monotone in the size of the error region (documented).
            double square2 = Value(loss.call(TestData.PerfectLogits(WithWrongSquare(y, 2), 2, 40), y));
            square2.Should().BeApproximately(2 * 4 * Enumerable.Range(1, 10).Sum(k => k * k) / (2 * 121.0), 1e-9, "4 pixels of value 1 in both channels, weights 1² + … + 10²");
            square2.Should().BeGreaterThan(square3);
            // Confidently wrong everywhere costs more than nothing wrong.
            Value(loss.call(TestData.PerfectLogits(1 - y, 2, 40), y)).Should().BeGreaterThan(0);
        }

        private static Tensor WithWrongSquare(Tensor labels, int side)
        {
            var wrong = labels.clone();
            wrong[0, TensorIndex.Slice(0, side), TensorIndex.Slice(0, side)] = tensor(1L);
            return wrong;
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            FluentActions.Invoking(() => new HausdorffErosionLoss(alpha: -1)).Should().Throw<ArgumentException>().WithParameterName("alpha").WithMessage("*-1*");
            FluentActions.Invoking(() => new HausdorffErosionLoss(alpha: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("alpha");
            FluentActions.Invoking(() => new HausdorffErosionLoss(erosions: 0)).Should().Throw<ArgumentException>().WithParameterName("erosions").WithMessage("*got 0*");
            FluentActions.Invoking(() => new HausdorffErosionLoss(erosions: 1001)).Should().Throw<ArgumentException>().WithParameterName("erosions");
            FluentActions.Invoking(() => new HausdorffErosionLoss(mode: (LossMode)9)).Should().Throw<ArgumentException>().WithParameterName("mode");
            FluentActions.Invoking(() => new HausdorffErosionLoss(reduction: (nn.Reduction)7)).Should().Throw<ArgumentException>().WithParameterName("reduction").WithMessage("*None, Mean or Sum*");
            using var scope = NewDisposeScope();
            using var loss = new HausdorffErosionLoss(LossMode.Binary);
            FluentActions.Invoking(() => loss.call(TestData.Logits(1, 1, 2, 3, 3), TestData.BinaryTargets(2, 1, 2, 3, 3)))
                .Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*2 channels*Binary*");
            using var multiclass = new HausdorffErosionLoss();
            FluentActions.Invoking(() => multiclass.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 5, 2, 4, 4)))
                .Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*label*");
        }

        [Fact]
        public void Float32InputGivesFloat32Output()
        {
            using var scope = NewDisposeScope();
            using var loss = new HausdorffErosionLoss();
            var value = loss.call(TestData.Logits(5, 2, 3, 8, 8).to(ScalarType.Float32), TestData.Labels(6, 3, 2, 8, 8));
            value.dtype.Should().Be(ScalarType.Float32);
            double.IsFinite(value.item<float>()).Should().BeTrue();
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(71, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(72, 2, 3, 5, 5).requires_grad_(true);
                using var loss = new HausdorffErosionLoss(ignoreIndex: -1);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
            }
        }
    }
}
