using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    /// <summary>Every validation rule of SegmentationInputs, seen through a loss: ArgumentException naming the argument.</summary>
    public class InputValidationTests
    {
        private static Action Call(LossMode mode, Tensor input, Tensor target, long? ignoreIndex = null, bool fromLogits = true) => () =>
        {
            using var loss = new DiceLoss(mode, fromLogits: fromLogits, ignoreIndex: ignoreIndex);
            using var _ = loss.call(input, target);
        };

        [Fact]
        public void WrongRankNamesTheInputAndItsShape()
        {
            using var x = zeros(2, 3);
            using var y = zeros(new long[] { 2 }, ScalarType.Int64);
            Call(LossMode.Multiclass, x, y).Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*[2, 3]*(N, C, *spatial)*");
            using var x6 = zeros(new long[] { 1, 2, 2, 2, 2, 2 });
            Call(LossMode.Multiclass, x6, y).Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*1 to 3 spatial*");
        }

        [Fact]
        public void ChannelCountMustMatchTheMode()
        {
            using var x3 = zeros(2, 3, 4, 4);
            using var y = zeros(new long[] { 2, 4, 4 });
            Call(LossMode.Binary, x3, y).Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*3 channels*Binary*exactly 1*");
            using var x1 = zeros(2, 1, 4, 4);
            using var labels = zeros(new long[] { 2, 4, 4 }, ScalarType.Int64);
            Call(LossMode.Multiclass, x1, labels).Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*Multiclass*at least 2*");
        }

        [Fact]
        public void BatchOrSpatialMismatchShowsExpectedAndActualShapes()
        {
            using var x = zeros(2, 3, 8, 8);
            using var wrongBatch = zeros(new long[] { 3, 8, 8 }, ScalarType.Int64);
            Call(LossMode.Multiclass, x, wrongBatch).Should().Throw<ArgumentException>().WithParameterName("target")
                .WithMessage("target has shape [3, 8, 8] but input [2, 3, 8, 8] needs [2, 8, 8] for Multiclass*");
            using var wrongSpatial = zeros(new long[] { 2, 5, 8 }, ScalarType.Int64);
            Call(LossMode.Multiclass, x, wrongSpatial).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[2, 5, 8]*[2, 8, 8]*");
            using var b = zeros(2, 1, 8, 8);
            using var bt = zeros(2, 1, 8, 7);
            Call(LossMode.Binary, b, bt).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[2, 1, 8, 7]*[2, 1, 8, 8] or [2, 8, 8]*");
        }

        [Fact]
        public void MulticlassLabelsMustBeIntegersInRange()
        {
            using var x = zeros(1, 3, 2, 2);
            using var floatLabels = zeros(1, 2, 2);
            Call(LossMode.Multiclass, x, floatLabels).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*Float32*integers*");
            using var tooLarge = tensor(new long[] { 0, 1, 2, 3 }, new long[] { 1, 2, 2 });
            Call(LossMode.Multiclass, x, tooLarge).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*label 3*[0, 3)*");
            using var negative = tensor(new long[] { 0, -5, 2, 1 }, new long[] { 1, 2, 2 });
            Call(LossMode.Multiclass, x, negative, ignoreIndex: 255).Should().Throw<ArgumentException>().WithMessage("*label -5*ignore index 255*");
            using var ignored = tensor(new long[] { 0, 255, 2, 1 }, new long[] { 1, 2, 2 });
            Call(LossMode.Multiclass, x, ignored, ignoreIndex: 255).Should().NotThrow();
        }

        [Fact]
        public void InputMustBeFloatingAndProbabilitiesInRange()
        {
            using var ints = zeros(new long[] { 1, 2, 2 }, ScalarType.Int64);
            using var labels = zeros(new long[] { 1, 2 }, ScalarType.Int64);
            Call(LossMode.Multiclass, ints, labels).Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*floating-point*Int64*");
            using var probs = tensor(new[] { 0.5, 1.5, 0.5, -0.5 }, new long[] { 1, 2, 2 });
            Call(LossMode.Multiclass, probs, labels, fromLogits: false).Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*[0, 1]*-0.5*1.5*");
        }

        [Fact]
        public void SigmoidTargetsMustBeInTheUnitInterval()
        {
            using var x = zeros(1, 1, 2, 2);
            using var y = tensor(new[] { 0.0, 2.0, 1.0, 0.0 }, new long[] { 1, 1, 2, 2 });
            Call(LossMode.Binary, x, y).Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[0, 1]*2*");
            using var withIgnore = tensor(new[] { 0.0, -1.0, 1.0, 0.0 }, new long[] { 1, 2, 2 });
            Call(LossMode.Binary, x, withIgnore, ignoreIndex: -1).Should().NotThrow();
        }

        [Fact]
        public void SoftMulticlassTargetsAreAccepted()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(1, 2, 3, 2, 2);
            var soft = x.softmax(1);
            Call(LossMode.Multiclass, x, soft).Should().NotThrow();
        }
    }
}
