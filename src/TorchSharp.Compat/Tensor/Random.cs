using System;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        /// <summary>A random permutation of 0 .. n-1 (int64 unless another dtype is given).</summary>
        public static Tensor randperm(long n, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null)
        {
            if (n < 0) throw new ArgumentException($"n must be non-negative, got {n}", nameof(n));
            return Tensor.Wrap(Native.shim_randperm(n, dtype.HasValue ? (int)dtype.Value : (int)ScalarType.Int64, DevType(device), DevIndex(device), requires_grad ? 1 : 0));
        }
    }
}
