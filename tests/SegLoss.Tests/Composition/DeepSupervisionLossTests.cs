using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Composition
{
    public class DeepSupervisionLossTests
    {
        [Fact]
        public void DefaultWeightsHalvePerLevelAndSumToOne()
        {
            using var loss = new DeepSupervisionLoss(new DiceLoss());
            loss.LevelWeights(1).Should().Equal(1.0);
            loss.LevelWeights(3).Should().Equal(new[] { 4.0 / 7, 2.0 / 7, 1.0 / 7 }, (a, b) => Math.Abs(a - b) < 1e-15);
            using var raw = new DeepSupervisionLoss(new DiceLoss(), new[] { 1.0, 0.5, 0.0 }, normalize: false);
            raw.LevelWeights(3).Should().Equal(1.0, 0.5, 0.0);
            FluentActions.Invoking(() => raw.LevelWeights(2)).Should().Throw<ArgumentException>().WithMessage("*3 level weights*2 outputs*");
        }

        [Fact]
        public void EachLevelSeesTheNearestNeighbourTarget()
        {
            using var scope = NewDisposeScope();
            var y = TestData.LabelsWithIgnored(1, 3, 255, 2, 4, 4);
            var full = TestData.Logits(2, 2, 3, 4, 4);
            var half = TestData.Logits(3, 2, 3, 2, 2);
            using var inner = new DiceLoss(ignoreIndex: 255) + new CrossEntropyLoss(ignoreIndex: 255);
            using var loss = new DeepSupervisionLoss(new DiceLoss(ignoreIndex: 255) + new CrossEntropyLoss(ignoreIndex: 255));
            // nearest-exact at scale 1/2 samples source index floor((i + 0.5)·2) = 2i + 1.
            var yHalf = y.index_select(1, tensor(new long[] { 1, 3 })).index_select(2, tensor(new long[] { 1, 3 }));
            double expected = 2.0 / 3 * inner.call(full, y).item<double>() + 1.0 / 3 * inner.call(half, yHalf).item<double>();
            loss.call(new[] { full, half }, y).item<double>().Should().BeApproximately(expected, 1e-12);
        }

        [Fact]
        public void SoftTargetsAreResizedAndGradientsFlowToEveryLevel()
        {
            using var scope = NewDisposeScope();
            var t = TestData.BinaryTargets(4, 1, 1, 4, 4, 4);
            var full = TestData.Logits(5, 1, 1, 4, 4, 4);
            var half = TestData.Logits(6, 1, 1, 2, 2, 2);
            using var loss = new DeepSupervisionLoss(new DiceLoss(LossMode.Binary), new[] { 2.0, 1.0 });
            GradCheck.Full(v => loss.call(new[] { v, half }, t), full);
            GradCheck.Full(v => loss.call(new[] { full, v }, t), half);
            // A squeezed binary target (N, *spatial) is accepted too.
            loss.call(new[] { full, half }, t.squeeze(1)).item<double>().Should().BeApproximately(loss.call(new[] { full, half }, t).item<double>(), 1e-12);
        }

        [Fact]
        public void LevelsWithZeroWeightAreNotEvaluated()
        {
            using var scope = NewDisposeScope();
            var y = TestData.Labels(7, 3, 1, 4, 4);
            var full = TestData.Logits(8, 1, 3, 4, 4);
            var wrongChannels = TestData.Logits(9, 1, 2, 2, 2);
            using var loss = new DeepSupervisionLoss(new CrossEntropyLoss(), new[] { 1.0, 0.0 });
            using var ce = new CrossEntropyLoss();
            loss.call(new[] { full, wrongChannels }, y).item<double>().Should().BeApproximately(ce.call(full, y).item<double>(), 1e-12);
        }

        [Fact]
        public void BadArgumentsAreRejected()
        {
            using var scope = NewDisposeScope();
            FluentActions.Invoking(() => new DeepSupervisionLoss(null!)).Should().Throw<ArgumentNullException>().WithParameterName("loss");
            FluentActions.Invoking(() => new DeepSupervisionLoss(new DiceLoss(), new[] { 0.0, 0.0 })).Should().Throw<ArgumentException>().WithParameterName("weights");
            FluentActions.Invoking(() => new DeepSupervisionLoss(new DiceLoss(), new[] { 1.0, double.NaN })).Should().Throw<ArgumentException>().WithParameterName("weights");
            using var loss = new DeepSupervisionLoss(new DiceLoss());
            var y = TestData.Labels(1, 3, 1, 4, 4);
            FluentActions.Invoking(() => loss.call(Array.Empty<Tensor>(), y)).Should().Throw<ArgumentException>().WithParameterName("outputs");
            FluentActions.Invoking(() => loss.call(new[] { TestData.Logits(1, 1, 3, 4, 4) }, TestData.Labels(1, 3, 4))).Should().Throw<ArgumentException>().WithParameterName("target");
            FluentActions.Invoking(() => loss.call(new[] { TestData.Logits(1, 1, 3, 4, 4), TestData.Logits(2, 1, 3) }, y)).Should().Throw<ArgumentException>().WithParameterName("outputs");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(5, 3, 255, 2, 8, 8);
                using var full = TestData.Logits(6, 2, 3, 8, 8).requires_grad_(true);
                using var half = TestData.Logits(7, 2, 3, 4, 4).requires_grad_(true);
                using var loss = new DeepSupervisionLoss(new DiceLoss(ignoreIndex: 255) + new CrossEntropyLoss(ignoreIndex: 255));
                var outputs = new[] { full, half };
                LiveTensors.AssertNoLeak(() =>
                {
                    using (var value = loss.call(outputs, y)) value.backward();
                    full.grad = null;
                    half.grad = null;
                }, "resized targets and per-level values are disposed");
            }
        }
    }
}
