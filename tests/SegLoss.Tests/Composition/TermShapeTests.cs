using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Composition
{
    /// <summary>Terms (and deep-supervision levels) whose results cannot be added are refused by name, before any sum.</summary>
    [Collection(LiveTensorCollection.Name)]
    public class TermShapeTests
    {
        [Fact]
        public void ASumOfNoneTermsOfDifferentShapesNamesTheTermsAndShapes()
        {
            using var loss = new DiceLoss(reduction: nn.Reduction.None) + new CrossEntropyLoss(reduction: nn.Reduction.None);
            using var input = TestData.Logits(1, 2, 3, 8, 8);
            using var labels = TestData.Labels(2, 3, 2, 8, 8);
            long before = LiveTensors.SettledCount();
            loss.Invoking(l => l.call(input, labels)).Should().Throw<ArgumentException>()
                .WithMessage("the terms of Dice + CrossEntropy give results of different shapes: Dice [2, 3], CrossEntropy [2, 8, 8]*");
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void ASumOfNoneTermsOfOneShapeIsTheirElementwiseSum()
        {
            using var a = new CrossEntropyLoss(reduction: nn.Reduction.None);
            using var b = new FocalLoss(reduction: nn.Reduction.None);
            using var sum = new CrossEntropyLoss(reduction: nn.Reduction.None) + 2.0 * new FocalLoss(reduction: nn.Reduction.None);
            using var input = TestData.Logits(3, 2, 3, 4, 4);
            using var labels = TestData.Labels(4, 3, 2, 4, 4);
            using var expected = a.call(input, labels) + 2.0 * b.call(input, labels);
            using var actual = sum.call(input, labels);
            actual.allclose(expected, 1e-12, 1e-12).Should().BeTrue();
        }

        [Fact]
        public void DeepSupervisionOfNoneResultsOfDifferentSizesNamesTheLevels()
        {
            using var loss = new DeepSupervisionLoss(new CrossEntropyLoss(reduction: nn.Reduction.None));
            using var full = TestData.Logits(1, 2, 3, 8, 8);
            using var half = TestData.Logits(2, 2, 3, 4, 4);
            using var labels = TestData.Labels(3, 3, 2, 8, 8);
            long before = LiveTensors.SettledCount();
            loss.Invoking(l => l.call(new[] { full, half }, labels)).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "outputs")
                .WithMessage("CrossEntropy gives [2, 8, 8] for outputs[0] but [2, 4, 4] for outputs[1]*");
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void DeepSupervisionNamesTheLevelThatHoldsANaN()
        {
            using var loss = new DeepSupervisionLoss(new DiceLoss() + new CrossEntropyLoss());
            using var full = TestData.Logits(1, 2, 3, 8, 8);
            using var half = TestData.Logits(2, 2, 3, 4, 4);
            using var labels = TestData.Labels(3, 3, 2, 8, 8);
            half[1, 2, 3, 0] = tensor(double.NaN);
            loss.Invoking(l => l.call(new[] { full, half }, labels)).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "outputs[1]")
                .WithMessage("outputs[1] holds 1 non-finite value (first NaN at [1, 2, 3, 0])*");
        }
    }
}
