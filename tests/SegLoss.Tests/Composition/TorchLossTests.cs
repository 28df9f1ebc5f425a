using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Composition
{
    /// <summary>TorchLoss: TorchSharp's own losses inside SegLoss compositions.</summary>
    [Collection(LiveTensorCollection.Name)]
    public class TorchLossTests
    {
        [Fact]
        public void TheValueAndGradientAreTheWrappedLosses()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(1, 2, 3, 4, 4);
            var y = TestData.Labels(2, 3, 2, 4, 4);
            using var torchCe = nn.CrossEntropyLoss();
            using var wrapped = new TorchLoss(nn.CrossEntropyLoss());
            Value(wrapped, x, y).Should().BeApproximately(torchCe.call(x, y).ToDouble(), 1e-12);
            GradCheck.Gradient(v => wrapped.call(v, y), x).Should().Equal(GradCheck.Gradient(v => torchCe.call(v, y), x));
            wrapped.DisplayName.Should().Be("nn.CrossEntropyLoss");
            wrapped.reduction.Should().Be(nn.Reduction.Mean);
        }

        [Fact]
        public void ASumWithASegLossLossEqualsTheSumOfTheTerms()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 4, 4);
            var y = TestData.Labels(4, 3, 2, 4, 4);
            using var dice = new DiceLoss();
            using var torchCe = nn.CrossEntropyLoss();
            using var sum = new DiceLoss() + 0.5 * nn.CrossEntropyLoss().AsSegmentationLoss();
            sum.Should().BeOfType<WeightedSumLoss>();
            sum.DisplayName.Should().Be("Dice + 0.5·nn.CrossEntropyLoss");
            Value(sum, x, y).Should().BeApproximately(Value(dice, x, y) + 0.5 * torchCe.call(x, y).ToDouble(), 1e-12);
            // SegLoss's own CE is TorchSharp's CE: the two sums agree.
            using var native = new DiceLoss() + 0.5 * new CrossEntropyLoss();
            Value(sum, x, y).Should().BeApproximately(Value(native, x, y), 1e-12);
            GradCheck.Full(v => sum.call(v, y), x);
        }

        [Fact]
        public void BinaryLossesOfTorchSharpComposeWithSegLossBinaryLosses()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(5, 2, 1, 4, 4);
            var y = (TestData.Labels(6, 2, 2, 4, 4).unsqueeze(1)).to(float64);
            using var bce = nn.BCEWithLogitsLoss();
            using var dice = new DiceLoss(LossMode.Binary);
            using var sum = new DiceLoss(LossMode.Binary) + nn.BCEWithLogitsLoss().AsSegmentationLoss();
            Value(sum, x, y).Should().BeApproximately(Value(dice, x, y) + bce.call(x, y).ToDouble(), 1e-12);
        }

        [Fact]
        public void ASegmentationLossIsReturnedAsItIsAndCannotBeWrapped()
        {
            using var dice = new DiceLoss();
            dice.AsSegmentationLoss().Should().BeSameAs(dice);
            var wrap = () => new TorchLoss(dice);
            wrap.Should().Throw<ArgumentException>().WithMessage("*already a SegmentationLoss*");
            var none = () => new TorchLoss(null!);
            none.Should().Throw<ArgumentNullException>();
        }

        [Fact]
        public void DisposingTheWrapperDisposesTheWrappedLossAndRefusesCalls()
        {
            using var scope = NewDisposeScope();
            var weight = tensor(new[] { 1.0, 2.0, 3.0 });
            var inner = nn.CrossEntropyLoss(weight);
            var wrapped = new TorchLoss(inner);
            wrapped.Dispose();
            weight.IsInvalid.Should().BeTrue("the wrapped loss's weight buffer goes with it");
            var call = () => wrapped.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 3, 2, 4, 4));
            call.Should().Throw<ObjectDisposedException>().WithMessage("*TorchLoss*");
        }

        [Fact]
        public void ANonFiniteResultIsRefusedNamingTheArgument()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(7, 2, 3, 4, 4);
            using (no_grad()) x.view(-1)[5] = tensor(double.NaN);
            var y = TestData.Labels(8, 3, 2, 4, 4);
            using var wrapped = nn.CrossEntropyLoss().AsSegmentationLoss();
            var call = () => wrapped.call(x, y);
            call.Should().Throw<ArgumentException>().WithMessage("*input holds 1 non-finite value*");
            using var sum = new DiceLoss() + nn.CrossEntropyLoss().AsSegmentationLoss();
            var summed = () => sum.call(x, y);
            summed.Should().Throw<ArgumentException>().WithMessage("*input*non-finite*");
        }
    }
}
