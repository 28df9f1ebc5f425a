// Helpers the ports share. Python's `.float()` / `.type(torch.float32)` casts become PortTensors.Float, which keeps
// float64 as float64 so that the float64 agreement tests compare exact arithmetic; at float32 (the timed case) it is a
// no-op, as the cast is in PyTorch.
using static TorchSharp.torch;

namespace SegLoss.Benchmarks.Ports
{
    internal static class PortTensors
    {
        /// <summary>`.float()`: float32, except that float64 stays float64 (see the file comment).</summary>
        public static Tensor Float(Tensor t) => t.dtype == ScalarType.Float64 || t.dtype == ScalarType.Float32 ? t : t.to(ScalarType.Float32);

        /// <summary>
        /// The value 1 as a scatter source shaped like <paramref name="index"/>: a one-element tensor expanded (a view,
        /// no allocation). TorchSharp 0.107 has no scatter_(dim, index, value) overload; this stands for PyTorch's
        /// scatter_(dim, index, 1).
        /// </summary>
        public static Tensor Ones(Tensor index, ScalarType dtype) => ones(new long[] { 1 }, dtype).expand(index.shape);

        /// <summary>Dimensions 2 .. ndim−1 (`torch.arange(2, len(shape)).tolist()`), with 0 first when <paramref name="batch"/>.</summary>
        public static long[] SpatialAxes(Tensor t, bool batch = false)
        {
            var axes = new System.Collections.Generic.List<long>();
            if (batch) axes.Add(0);
            for (long d = 2; d < t.dim(); d++) axes.Add(d);
            return axes.ToArray();
        }
    }
}
