using static TorchSharp.torch;

namespace TorchSharpCompat.Tests.Infrastructure
{
    /// <summary>Reads a tensor's elements back (row-major) with the element type its dtype requires.</summary>
    public static class Values
    {
        public static double[] F64(Tensor t) => t.data<double>().ToArray();

        public static float[] F32(Tensor t) => t.data<float>().ToArray();

        public static long[] I64(Tensor t) => t.data<long>().ToArray();

        public static bool[] Bool(Tensor t) => t.data<bool>().ToArray();
    }
}
