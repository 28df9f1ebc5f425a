using System.Linq;

namespace SegLoss
{
    /// <summary>Formats shapes for error messages, e.g. [2, 3, 8, 8].</summary>
    internal static class Shapes
    {
        internal static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";

        internal static long Product(long[] shape, int from = 0) => shape.Skip(from).Aggregate(1L, (a, b) => a * b);
    }
}
