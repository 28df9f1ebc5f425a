using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Composition
{
    public class WeightedSumLossTests
    {
        [Fact]
        public void DicePlusCrossEntropyIsTheSumOfItsTermsInValueAndGradient()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(1, 2, 3, 4, 4);
            var y = TestData.LabelsWithIgnored(2, 3, 255, 2, 4, 4);
            using var dice = new DiceLoss(ignoreIndex: 255);
            using var ce = new CrossEntropyLoss(ignoreIndex: 255);
            using var combined = new DiceLoss(ignoreIndex: 255) + new CrossEntropyLoss(ignoreIndex: 255);
            combined.Should().BeOfType<WeightedSumLoss>();
            Value(combined, x, y).Should().BeApproximately(Value(dice, x, y) + Value(ce, x, y), 1e-12);

            var g = GradCheck.Gradient(v => combined.call(v, y), x);
            var gd = GradCheck.Gradient(v => dice.call(v, y), x);
            var gc = GradCheck.Gradient(v => ce.call(v, y), x);
            g.Should().Equal(gd.Zip(gc, (a, b) => a + b), (a, b) => Math.Abs(a - b) < 1e-12);
            GradCheck.Full(v => combined.call(v, y), x);
        }

        [Fact]
        public void TermsSharingActivationsGiveTheirStandaloneValuesAndGradients()
        {
            // Inside a sum the terms share log_softmax and the true-class gather; each must still equal itself alone.
            using var scope = NewDisposeScope();
            var x = TestData.Logits(7, 2, 3, 4, 4);
            var y = TestData.LabelsWithIgnored(8, 3, 255, 2, 4, 4);
            Func<SegmentationLoss>[] makers =
            {
                () => new DiceLoss(ignoreIndex: 255),
                () => new CrossEntropyLoss(ignoreIndex: 255, labelSmoothing: 0.1),
                () => new FocalLoss(gamma: 0.5, ignoreIndex: 255),
                () => new TverskyLoss(gamma: 0.75, ignoreIndex: 255),
                () => new ComboLoss(ignoreIndex: 255),
                () => new ExponentialLogarithmicLoss(ignoreIndex: 255),
                () => new DiceLoss(fromLogits: true, ignoreIndex: 255, batch: true),
            };
            using var sum = new WeightedSumLoss(makers.Select((m, i) => (m(), 1.0 + i)).ToArray());
            double expected = 0;
            var expectedGrad = new double[x.numel()];
            for (int i = 0; i < makers.Length; i++)
            {
                using var alone = makers[i]();
                expected += (1.0 + i) * Value(alone, x, y);
                var g = GradCheck.Gradient(v => alone.call(v, y), x);
                for (int k = 0; k < g.Length; k++) expectedGrad[k] += (1.0 + i) * g[k];
            }
            Value(sum, x, y).Should().BeApproximately(expected, 1e-12);
            GradCheck.Gradient(v => sum.call(v, y), x).Should().Equal(expectedGrad, (a, b) => Math.Abs(a - b) < 1e-10);
        }

        [Fact]
        public void WeightsScaleAndNestedSumsFlatten()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 3);
            var y = TestData.Labels(4, 3, 2, 3, 3);
            using var dice = new DiceLoss();
            using var focal = new FocalLoss();
            using var ce = new CrossEntropyLoss();
            using var sum = 0.5 * new DiceLoss() + new FocalLoss() * 2.0 + new CrossEntropyLoss();
            var terms = ((WeightedSumLoss)sum).Terms;
            terms.Select(t => t.weight).Should().Equal(0.5, 2.0, 1.0);
            sum.DisplayName.Should().Be("0.5·Dice + 2·Focal + CrossEntropy");
            Value(sum, x, y).Should().BeApproximately(0.5 * Value(dice, x, y) + 2 * Value(focal, x, y) + Value(ce, x, y), 1e-12);
            using var scaled = 3.0 * (new DiceLoss() + new FocalLoss());
            ((WeightedSumLoss)scaled).Terms.Select(t => t.weight).Should().Equal(3.0, 3.0);
            Value(scaled, x, y).Should().BeApproximately(3 * (Value(dice, x, y) + Value(focal, x, y)), 1e-12);
        }

        [Fact]
        public void TermsAreRegisteredSoThatToMovesTheirBuffers()
        {
            using var weights = tensor(new[] { 1.0, 2.0, 3.0 });
            using var sum = new DiceLoss(classWeights: weights) + new CrossEntropyLoss(classWeights: weights);
            sum.named_buffers().Should().HaveCount(2);
            sum.to(ScalarType.Float32);
            var terms = ((WeightedSumLoss)sum).Terms;
            ((DiceLoss)terms[0].loss).ClassWeights!.dtype.Should().Be(ScalarType.Float32);
            ((CrossEntropyLoss)terms[1].loss).ClassWeights!.dtype.Should().Be(ScalarType.Float32);
        }

        [Fact]
        public void BadTermsAreRejected()
        {
            using var dice = new DiceLoss();
            FluentActions.Invoking(() => new WeightedSumLoss()).Should().Throw<ArgumentException>().WithParameterName("terms");
            FluentActions.Invoking(() => new WeightedSumLoss((dice, double.NaN))).Should().Throw<ArgumentException>().WithParameterName("terms").WithMessage("*NaN*Dice*");
            FluentActions.Invoking(() => new WeightedSumLoss((null!, 1.0))).Should().Throw<ArgumentNullException>().WithParameterName("terms");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void CompositionsLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(5, 3, 255, 2, 5, 5);
                using var x = TestData.Logits(6, 2, 3, 5, 5).requires_grad_(true);
                using var loss = new DiceLoss(ignoreIndex: 255) + 0.5 * new FocalLoss(ignoreIndex: 255);
                LiveTensors.AssertNoLeak(() =>
                {
                    using (var value = loss.call(x, y)) value.backward();
                    x.grad = null;
                }, "a weighted sum disposes its terms' results");
            }
        }
    }
}
