using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss.Tests.Infrastructure
{
    /// <summary>Reads a loss's scalar value without leaving tensors behind.</summary>
    public static class LossValues
    {
        /// <summary>The value of <paramref name="loss"/> at (input, target) as a double (the result must be a scalar).</summary>
        public static double Value(SegmentationLoss loss, Tensor input, Tensor target)
        {
            using var scope = NewDisposeScope();
            return loss.call(input, target).ToDouble();
        }
    }
}
