using System;
using System.Linq;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Infrastructure
{
    /// <summary>Property checks shared by the pixel-wise loss tests (CE, focal, balanced and pixel-weighted CE).</summary>
    public static class PixelLossChecks
    {
        /// <summary>Every mode, 2D and 3D, with and without ignored pixels: (mode, threeD, ignore).</summary>
        public static TheoryData<LossMode, bool, bool> ModeCases()
        {
            var cases = new TheoryData<LossMode, bool, bool>();
            foreach (var mode in new[] { LossMode.Multiclass, LossMode.Binary, LossMode.Multilabel })
                foreach (var threeD in new[] { false, true })
                    foreach (var ignore in new[] { false, true })
                        cases.Add(mode, threeD, ignore);
            return cases;
        }

        /// <summary>
        /// Asserts that the loss strictly increases along the inputs right·(−k) + wrong·k for k = −3..3, i.e. as the
        /// input moves from confidently right to confidently wrong.
        /// </summary>
        public static void AssertErrorLadderIncreases(SegmentationLoss loss, Tensor right, Tensor wrong, Tensor target)
        {
            double previous = double.NegativeInfinity;
            for (int k = -3; k <= 3; k++)
            {
                double v = LossValues.Value(loss, right * -k + wrong * k, target);
                v.Should().BeGreaterThan(previous, $"step k = {k} is further from the target");
                previous = v;
            }
        }

        /// <summary>
        /// Asserts that <c>a + b</c>, whose terms share one validation and activation, gives the value and gradient of
        /// the two losses called apart (to 1e-12).
        /// </summary>
        public static void AssertSumEqualsTermsApart(SegmentationLoss a, SegmentationLoss b, Tensor x, Tensor y)
        {
            using var sum = a + b;
            var (together, g1) = ValueAndGradient(v => sum.call(v, y), x);
            var (apart, g2) = ValueAndGradient(v => a.call(v, y) + b.call(v, y), x);
            together.Should().BeApproximately(apart, 1e-12);
            g1.Should().Equal(g2, (p, q) => Math.Abs(p - q) < 1e-12);
        }

        /// <summary>The value of <paramref name="f"/> at x and its gradient (float64).</summary>
        public static (double value, double[] gradient) ValueAndGradient(Func<Tensor, Tensor> f, Tensor x)
        {
            using var scope = NewDisposeScope();
            var leaf = x.detach().clone().requires_grad_(true);
            var y = f(leaf);
            y.backward();
            var g = leaf.grad!.flatten().data<double>().ToArray();
            g.Should().OnlyContain(v => double.IsFinite(v), "gradients must be finite");
            return (y.item<double>(), g);
        }

        /// <summary>
        /// <see cref="IgnoredPixelsAreInert(Func{Tensor, Tensor}, Tensor, Tensor, long)"/> on the 2D and the 3D
        /// <see cref="Case"/> of <paramref name="mode"/>, with a loss from <paramref name="make"/> that ignores
        /// <see cref="IgnoreValue"/>.
        /// </summary>
        public static void IgnoredPixelsAreInertIn2DAnd3D(LossMode mode, Func<SegmentationLoss> make)
        {
            using var scope = NewDisposeScope();
            foreach (bool threeD in new[] { false, true })
            {
                var (x, target, ignored) = Case(mode, threeD, ignore: true);
                using var loss = make();
                IgnoredPixelsAreInert(input => loss.call(input, target), x, ignored);
            }
        }

        /// <summary>
        /// Asserts that changing the input where <paramref name="ignored"/> (bool, input-shaped) is true changes
        /// neither the value nor the gradient of the scalar <paramref name="f"/>, and that the gradient there is 0.
        /// </summary>
        public static void IgnoredPixelsAreInert(Func<Tensor, Tensor> f, Tensor x, Tensor ignored, long seed = 5)
        {
            using var scope = NewDisposeScope();
            ignored.any().item<bool>().Should().BeTrue("the test needs ignored pixels");
            var (v1, g1) = ValueAndGradient(f, x);
            var noise = TestData.Logits(seed, x.shape) * 10;
            var perturbed = x + noise * ignored.to(ScalarType.Float64);
            var (v2, g2) = ValueAndGradient(f, perturbed);
            v2.Should().BeApproximately(v1, 1e-12 * Math.Max(1, Math.Abs(v1)), "ignored pixels must not change the value");
            for (int i = 0; i < g1.Length; i++) g2[i].Should().BeApproximately(g1[i], 1e-12, $"ignored pixels must not change the gradient (element {i})");
            var mask = ignored.flatten().data<bool>().ToArray();
            for (int i = 0; i < mask.Length; i++)
                if (mask[i]) g1[i].Should().Be(0.0, $"the gradient at ignored element {i} must be 0");
        }

        /// <summary>
        /// Applies one random permutation to the flattened spatial positions of every tensor (each shaped
        /// (N, *spatial) with spatialStart = 1, or (N, C, *spatial) with 2, given per tensor).
        /// </summary>
        public static Tensor[] PermutePixels(long seed, params (Tensor tensor, int spatialStart)[] tensors)
        {
            var first = tensors[0];
            long pixels = first.tensor.shape.Skip(first.spatialStart).Aggregate(1L, (a, b) => a * b);
            var rng = new Random((int)seed);
            var order = Enumerable.Range(0, (int)pixels).Select(i => (long)i).OrderBy(_ => rng.Next()).ToArray();
            using var index = tensor(order);
            return tensors.Select(t =>
            {
                var shape = t.tensor.shape;
                var flat = t.tensor.reshape(shape.Take(t.spatialStart).Append(-1L).ToArray());
                return flat.index_select(t.spatialStart, index).reshape(shape);
            }).ToArray();
        }

        /// <summary>The ignore value used by <see cref="Case"/>.</summary>
        public const long IgnoreValue = 255;

        /// <summary>
        /// A float64 test case for a mode: 2D input (2, C, 3, 2) or 3D input (1, C, 2, 2, 2) with C = 3 (2D) or 2 (3D)
        /// for Multiclass/Multilabel and 1 for Binary; Multiclass labels or 0/1 float targets; with
        /// <paramref name="ignore"/>, about a quarter of the target set to <see cref="IgnoreValue"/>. Also returns the
        /// input-shaped bool mask of ignored entries.
        /// </summary>
        public static (Tensor input, Tensor target, Tensor ignored) Case(LossMode mode, bool threeD, bool ignore, long seed = 1)
        {
            long[] spatial = threeD ? new long[] { 2, 2, 2 } : new long[] { 3, 2 };
            long n = threeD ? 1 : 2;
            long c = mode == LossMode.Binary ? 1 : threeD ? 2 : 3;
            var inputShape = new[] { n, c }.Concat(spatial).ToArray();
            var input = TestData.Logits(seed, inputShape);
            if (mode == LossMode.Multiclass)
            {
                var labelShape = new[] { n }.Concat(spatial).ToArray();
                var labels = ignore ? TestData.LabelsWithIgnored(seed + 1, c, IgnoreValue, labelShape) : TestData.Labels(seed + 1, c, labelShape);
                if (ignore) labels = labels.masked_fill(FirstElement(labelShape), IgnoreValue);
                return (input, labels, ToInputShape(labels.eq(IgnoreValue), input));
            }
            var target = TestData.BinaryTargets(seed + 1, inputShape);
            if (ignore)
            {
                var ignoredEntries = TestData.LabelsWithIgnored(seed + 2, 1, IgnoreValue, inputShape).eq(IgnoreValue);
                ignoredEntries = ignoredEntries.logical_or(FirstElement(inputShape));
                target = target.masked_fill(ignoredEntries, IgnoreValue);
            }
            return (input, target, target.eq(IgnoreValue));
        }

        private static Tensor FirstElement(long[] shape) => arange(shape.Aggregate(1L, (a, b) => a * b)).reshape(shape).eq(0);

        /// <summary>Expands a pixel mask (N, *spatial) to the input's shape (N, C, *spatial).</summary>
        public static Tensor ToInputShape(Tensor pixelMask, Tensor input) => pixelMask.unsqueeze(1).expand_as(input);
    }
}
