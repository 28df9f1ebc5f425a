using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class SensitivitySpecificityLossTests
    {
        [Fact]
        public void SmallExampleMatchesHandComputation()
        {
            using var scope = NewDisposeScope();
            // g = [1, 1, 0, 0], p = [0.8, 0.4, 0.1, 0.3]: object error (0.04 + 0.36)/2 = 0.2, background error
            // (0.01 + 0.09)/2 = 0.05; SS = 0.1·0.2 + 0.9·0.05 = 0.065.
            var p = tensor(new[] { 0.8, 0.4, 0.1, 0.3 }, new long[] { 1, 1, 4 });
            var g = tensor(new[] { 1.0, 1, 0, 0 }, new long[] { 1, 1, 4 });
            using var exact = new SensitivitySpecificityLoss(LossMode.Binary, fromLogits: false, smoothDenominator: 0);
            Value(exact, p, g).Should().BeApproximately(0.065, 1e-12);
            using var half = new SensitivitySpecificityLoss(LossMode.Binary, fromLogits: false, r: 0.5, smoothDenominator: 0);
            Value(half, p, g).Should().BeApproximately(0.125, 1e-12);
            using var smoothed = new SensitivitySpecificityLoss(LossMode.Binary, fromLogits: false, smoothDenominator: 1);
            Value(smoothed, p, g).Should().BeApproximately(0.1 * 0.4 / 3 + 0.9 * 0.1 / 3, 1e-12, "JunMa11's SSLoss, smooth = 1");
            using var defaults = new SensitivitySpecificityLoss(LossMode.Binary, fromLogits: false);
            Value(defaults, p, g).Should().BeApproximately(0.1 * 0.4 / (2 + 1e-5) + 0.9 * 0.1 / (2 + 1e-5), 1e-12);
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(1e-5)]
        public void EmptyAndFullClassesAreDefined(double smooth)
        {
            using var scope = NewDisposeScope();
            using var loss = new SensitivitySpecificityLoss(LossMode.Binary, fromLogits: false, smoothDenominator: smooth);
            // Absent object: no object term; background error (0.04 + 0.16)/2 = 0.1.
            var p = tensor(new[] { 0.2, 0.4 }, new long[] { 1, 1, 2 }).requires_grad_(true);
            var value = loss.call(p, zeros(1, 1, 2, ScalarType.Float64));
            value.item<double>().Should().BeApproximately(0.9 * 0.2 / (2 + smooth), 1e-12);
            value.backward();
            p.grad!.isfinite().all().item<bool>().Should().BeTrue();
            // Object covering the image: no background term; object error (0.25 + 0)/2.
            Value(loss, tensor(new[] { 0.5, 1.0 }, new long[] { 1, 1, 2 }), ones(1, 1, 2, ScalarType.Float64))
                .Should().BeApproximately(0.1 * 0.25 / (2 + smooth), 1e-12);
            // Multiclass, all background: the absent classes have only a background term.
            using var multiclass = new SensitivitySpecificityLoss(fromLogits: false, smoothDenominator: smooth, reduction: nn.Reduction.None);
            var probabilities = tensor(new[] { 0.7, 0.6, 0.2, 0.3, 0.1, 0.1 }, new long[] { 1, 3, 2 });
            var values = multiclass.call(probabilities, zeros(new long[] { 1, 2 }, ScalarType.Int64));
            values[0, 0].item<double>().Should().BeApproximately(0.1 * (0.09 + 0.16) / (2 + smooth), 1e-12);
            values[0, 1].item<double>().Should().BeApproximately(0.9 * (0.04 + 0.09) / (2 + smooth), 1e-12);
            values[0, 2].item<double>().Should().BeApproximately(0.9 * (0.01 + 0.01) / (2 + smooth), 1e-12);
        }

        [Fact]
        public void MulticlassMatchesTheDenseFormulaPerImageAndOverTheBatch()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(5, 2, 3, 4, 5);
            var y = TestData.LabelsWithIgnored(6, 3, 255, 2, 4, 5);
            var p = x.softmax(1).flatten(2);
            var g = OneHot.Encode(y, 3, ignoreIndex: 255, dtype: ScalarType.Float64).flatten(2);
            var valid = y.ne(255).to(ScalarType.Float64).flatten(1).unsqueeze(1);
            var e = (g - p).square() * valid;
            Tensor Expected(long[] dims)
            {
                var sensitivity = (e * g).sum(dims) / (g.sum(dims) + 1e-5);
                var specificity = (e * (1 - g)).sum(dims) / (((1 - g) * valid).sum(dims) + 1e-5);
                return sensitivity * 0.2 + specificity * 0.8;
            }
            using var perImage = new SensitivitySpecificityLoss(r: 0.2, ignoreIndex: 255, reduction: nn.Reduction.None);
            var actual = perImage.call(x, y);
            var expected = Expected(new long[] { 2 });
            actual.shape.Should().Equal(2, 3);
            (actual - expected).abs().max().item<double>().Should().BeLessThan(1e-14);
            using var batch = new SensitivitySpecificityLoss(r: 0.2, batch: true, includeBackground: false, ignoreIndex: 255, reduction: nn.Reduction.None);
            var pooled = batch.call(x, y);
            pooled.shape.Should().Equal(2);
            (pooled - Expected(new long[] { 0, 2 }).narrow(0, 1, 2)).abs().max().item<double>().Should().BeLessThan(1e-14);
            using var mean = new SensitivitySpecificityLoss(r: 0.2, ignoreIndex: 255);
            Value(mean, x, y).Should().BeApproximately(expected.mean().item<double>(), 1e-12);
            using var sum = new SensitivitySpecificityLoss(r: 0.2, ignoreIndex: 255, reduction: nn.Reduction.Sum);
            Value(sum, x, y).Should().BeApproximately(expected.sum().item<double>(), 1e-12);
            // Soft labels use the same formula with g the class probabilities.
            var soft = TestData.Logits(7, 2, 3, 4, 5).softmax(1);
            var gs = soft.flatten(2);
            var es = (gs - p).square();
            var softExpected = (es * gs).sum(2) / (gs.sum(2) + 1e-5) * 0.2 + (es * (1 - gs)).sum(2) / ((1 - gs).sum(2) + 1e-5) * 0.8;
            using var softLoss = new SensitivitySpecificityLoss(r: 0.2, reduction: nn.Reduction.None);
            (softLoss.call(x, soft) - softExpected).abs().max().item<double>().Should().BeLessThan(1e-14);
        }

        [Theory]
        [MemberData(nameof(DiceLossTests.GradCases), MemberType = typeof(DiceLossTests))]
        public void GradientsMatchFiniteDifferences(LossMode mode, long[] shape, bool withIgnored)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(31, shape);
            var target = DiceLossTests.MakeTarget(mode, shape, withIgnored, 32);
            long? ignore = withIgnored ? -1 : null;
            var variants = new[]
            {
                new SensitivitySpecificityLoss(mode, ignoreIndex: ignore),
                new SensitivitySpecificityLoss(mode, r: 0.7, smoothDenominator: 0, batch: true, includeBackground: false, ignoreIndex: ignore, reduction: nn.Reduction.None),
                new SensitivitySpecificityLoss(mode, smoothDenominator: 1, ignoreIndex: ignore, reduction: nn.Reduction.Sum),
            };
            GradCheck.EachLoss(variants, x, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void IgnoredPixelsAreInert(LossMode mode)
        {
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new SensitivitySpecificityLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue));
        }

        [Fact]
        public void PerfectPredictionIsTheMinimumAndMoreErrorCostsMore()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(8, 3, 2, 5, 5);
            using var loss = new SensitivitySpecificityLoss();
            Value(loss, TestData.PerfectLogits(y, 3, 40), y).Should().BeApproximately(0, 1e-12);
            PixelLossChecks.AssertErrorLadderIncreases(loss, TestData.PerfectLogits(y, 3, 1), TestData.PerfectLogits((y + 1).remainder(3), 3, 1), y);
            // A missed object pixel costs r/Σg, a false alarm (1 − r)/Σ(1 − g).
            using var binary = new SensitivitySpecificityLoss(LossMode.Binary, fromLogits: false, smoothDenominator: 0);
            var g = tensor(new[] { 1.0, 0, 0, 0, 0 }, new long[] { 1, 1, 5 });
            Value(binary, tensor(new[] { 0.0, 0, 0, 0, 0 }, new long[] { 1, 1, 5 }), g).Should().BeApproximately(0.1, 1e-12);
            Value(binary, tensor(new[] { 1.0, 1, 0, 0, 0 }, new long[] { 1, 1, 5 }), g).Should().BeApproximately(0.9 / 4, 1e-12);
        }

        [Fact]
        public void BadArgumentsAreRejectedWithTheirNames()
        {
            FluentActions.Invoking(() => new SensitivitySpecificityLoss(r: -0.1)).Should().Throw<ArgumentException>().WithParameterName("r").WithMessage("*[0, 1]*-0.1*");
            FluentActions.Invoking(() => new SensitivitySpecificityLoss(r: 1.5)).Should().Throw<ArgumentException>().WithParameterName("r");
            FluentActions.Invoking(() => new SensitivitySpecificityLoss(r: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("r");
            FluentActions.Invoking(() => new SensitivitySpecificityLoss(smoothDenominator: -1)).Should().Throw<ArgumentException>().WithParameterName("smoothDenominator");
            FluentActions.Invoking(() => new SensitivitySpecificityLoss(smoothDenominator: double.PositiveInfinity)).Should().Throw<ArgumentException>().WithParameterName("smoothDenominator");
            FluentActions.Invoking(() => new SensitivitySpecificityLoss(mode: (LossMode)3)).Should().Throw<ArgumentException>().WithParameterName("mode");
            FluentActions.Invoking(() => new SensitivitySpecificityLoss(reduction: (nn.Reduction)3)).Should().Throw<ArgumentException>().WithParameterName("reduction");
            using var scope = NewDisposeScope();
            using var loss = new SensitivitySpecificityLoss(LossMode.Multilabel);
            loss.Invoking(l => l.call(TestData.Logits(1, 2, 3, 4, 4), TestData.BinaryTargets(2, 2, 2, 4, 4))).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[2, 2, 4, 4]*");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(95, 3, -1, 2, 5, 5);
                using var x = TestData.Logits(96, 2, 3, 5, 5).requires_grad_(true);
                using var loss = new SensitivitySpecificityLoss(ignoreIndex: -1, batch: true);
                LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, x, y);
            }
        }
    }
}
