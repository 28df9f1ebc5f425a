using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Composition
{
    /// <summary>The terms of a sum validate (input, target) once: the first term's views serve the others.</summary>
    [Collection(LiveTensorCollection.Name)]
    public class SharedValidationTests
    {
        [Fact]
        public void InsideAContextTheValidatedInputsAreBuiltOnceAndOutliveTheFirstTermsScope()
        {
            using var x = TestData.Logits(1, 2, 3, 4, 4);
            using var labels = TestData.LabelsWithIgnored(2, 3, 255, 2, 4, 4);
            long before = LiveTensors.SettledCount();
            using (var scope = NewDisposeScope())
            using (SharedActivations.Open(x, labels, scope))
            {
                SegmentationInputs first;
                using (NewDisposeScope()) first = SegmentationInputs.Create(x, labels, LossMode.Multiclass, 255);
                foreach (var t in first.OwnedTensors()) t.IsInvalid.Should().BeFalse("the context's scope owns the views now");
                SegmentationInputs.Create(x, labels, LossMode.Multiclass, 255).Should().BeSameAs(first);
                SegmentationInputs.Create(x, labels, LossMode.Multiclass, 255, fromLogits: true).Should().BeSameAs(first);
                // Other options validate anew (and here refuse: without the ignore index, 255 is out of range).
                var other = () => SegmentationInputs.Create(x, labels, LossMode.Multiclass, null);
                other.Should().Throw<System.ArgumentException>().Where(e => e.ParamName == "target");
            }
            Tensor.TotalCount.Should().Be(before, "the context's scope disposes the shared views");
        }

        [Fact]
        public void OutsideAContextEveryCallValidates()
        {
            using var x = TestData.Logits(1, 2, 3, 4, 4);
            using var labels = TestData.Labels(2, 3, 2, 4, 4);
            using var scope = NewDisposeScope();
            SegmentationInputs.Create(x, labels, LossMode.Multiclass, null).Should().NotBeSameAs(SegmentationInputs.Create(x, labels, LossMode.Multiclass, null));
        }
    }
}
