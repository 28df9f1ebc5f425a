using System;
using System.Globalization;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Size checks for outputs whose shape is set by a caller's argument (a class count), not by the input's own
    /// shape, made before anything is allocated.
    /// </summary>
    /// <remarks>
    /// Why: without them an absurd class count reaches libtorch, whose errors carry C++ frames and name no argument.
    /// Measured on TorchSharp 0.107 with labels (2, 4, 4): <c>numClasses</c> 2⁴⁰ gives "DefaultCPUAllocator: can't
    /// allocate memory", 2⁶² "Storage size calculation overflowed", and an empty (0, 2⁶², 4, 4) output "Stride
    /// calculation overflowed" (libtorch computes a contiguous tensor's strides even when it has no element).
    /// Used by <see cref="OneHot"/> and by the maps.
    /// </remarks>
    internal static class OutputSize
    {
        /// <summary>
        /// Null when a tensor of <paramref name="shape"/> and <paramref name="type"/> can be made within the limits;
        /// otherwise the reason, to follow "would make … of": e.g. "shape [2, 1099511627776, 4, 4] (3.5e13 float32
        /// values, 128 TiB), " + <paramref name="limit"/>. An empty shape has no size to limit; it is refused only
        /// when libtorch could not represent it (its strides overflow a long).
        /// </summary>
        internal static string? Excess(long[] shape, ScalarType type, long maxElements, long maxBytes, string limit)
        {
            if (Array.IndexOf(shape, 0L) >= 0)
            {
                return StridesFit(shape)
                    ? null
                    : $"shape {Shapes.Format(shape)}, which has no values but cannot be represented: its strides overflow a 64-bit integer";
            }
            int elementSize = ElementSize(type);
            bool fits = TryProduct(shape, out long elements) && elements <= maxElements && elements <= maxBytes / elementSize;
            return fits ? null : $"shape {Shapes.Format(shape)} ({Describe(shape, type, elementSize)}), {limit}";
        }

        /// <summary>Bytes per element of <paramref name="type"/>.</summary>
        internal static int ElementSize(ScalarType type) => type switch
        {
            ScalarType.Bool or ScalarType.Byte or ScalarType.Int8 or ScalarType.QInt8 or ScalarType.QUInt8 => 1,
            ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
            ScalarType.Int32 or ScalarType.Float32 or ScalarType.QInt32 => 4,
            ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
            _ => 16, // ComplexFloat64, and the largest size for any type added later
        };

        // libtorch's contiguous strides are the products of the trailing sizes with a zero size counted as 1;
        // including the first size too makes the check a little stricter than libtorch's, and simpler.
        private static bool StridesFit(long[] shape)
        {
            var counted = new long[shape.Length];
            for (int i = 0; i < shape.Length; i++) counted[i] = Math.Max(shape[i], 1);
            return TryProduct(counted, out _);
        }

        private static bool TryProduct(long[] shape, out long product)
        {
            product = 1;
            foreach (var s in shape)
            {
                if (s != 0 && product > long.MaxValue / s) return false;
                product *= s;
            }
            return true;
        }

        // "3.5e13 float32 values, 128 TiB", in doubles: the exact count may not fit in a long.
        private static string Describe(long[] shape, ScalarType type, int elementSize)
        {
            double elements = 1;
            foreach (var s in shape) elements *= s;
            string count = elements < 1e6 ? elements.ToString("0", CultureInfo.InvariantCulture) : elements.ToString("0.#e0", CultureInfo.InvariantCulture);
            return $"{count} {type.ToString().ToLowerInvariant()} values, {Bytes(elements * elementSize)}";
        }

        private static string Bytes(double bytes)
        {
            string[] units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB" };
            int unit = 0;
            while (bytes >= 1024 && unit < units.Length - 1)
            {
                bytes /= 1024;
                unit++;
            }
            return $"{bytes.ToString("0.#", CultureInfo.InvariantCulture)} {units[unit]}";
        }
    }
}
