using System;
using static TorchSharp.torch;

namespace TorchSharp.Modules
{
    /// <summary>PyTorch's default initialisation of layer parameters.</summary>
    internal static class DefaultInit
    {
        /// <summary>
        /// A tensor drawn from U(-bound, bound), outside any dispose scope and the autograd graph.
        /// kaiming_uniform(a = sqrt(5)) reduces to bound = 1/sqrt(fan_in), as does PyTorch's bias initialisation.
        /// </summary>
        internal static Tensor Uniform(long[] shape, double bound, ScalarType? dtype, Device? device)
        {
            using var _ = no_grad();
            var u = rand(shape, dtype, device).DetachFromDisposeScope();
            u.mul_(2 * bound).sub_(bound);
            return u;
        }

        /// <summary>1/sqrt(fan_in), or 0 for an empty fan-in.</summary>
        internal static double Bound(long fanIn) => fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;

        /// <summary>A parameter drawn from U(-bound, bound).</summary>
        internal static Parameter UniformParameter(long[] shape, double bound, ScalarType? dtype, Device? device) =>
            new Parameter(Uniform(shape, bound, dtype, device));

        /// <summary>A constant tensor outside any dispose scope.</summary>
        internal static Tensor Full(long[] shape, double value, ScalarType? dtype, Device? device)
        {
            using var _ = no_grad();
            return full(shape, value, dtype ?? get_default_dtype(), device).DetachFromDisposeScope();
        }
    }
}
