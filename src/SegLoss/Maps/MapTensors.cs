using System;
using static TorchSharp.torch;

namespace SegLoss.Maps
{
    /// <summary>
    /// Argument checks and tensor ↔ array transfers shared by the map builders. Maps are computed on CPU arrays;
    /// tensors on another device are copied to the CPU and the result is copied back.
    /// </summary>
    internal static class MapTensors
    {
        /// <summary>
        /// The most elements a map can hold: maps are computed in .NET arrays, whose length is capped at
        /// <see cref="Array.MaxLength"/> (slightly below <see cref="int.MaxValue"/>).
        /// </summary>
        internal static long MaxElements => Array.MaxLength;

        /// <summary>Throws unless the tensor is non-null, real or bool, and small enough for .NET arrays.</summary>
        internal static void CheckTensor(Tensor? t, string paramName)
        {
            if (t is null) throw new ArgumentNullException(paramName);
            if (t.is_complex())
                throw new ArgumentException($"{paramName} must hold real or bool values, got dtype {t.dtype}", paramName);
            if (t.numel() > MaxElements)
                throw new ArgumentException($"{paramName} has shape {Shapes.Format(t.shape)} ({t.numel()} elements), more than the {MaxElements} a map can hold", paramName);
        }

        /// <summary>Whether a shape has a zero-size dimension (no element).</summary>
        internal static bool IsEmpty(long[] shape) => Array.IndexOf(shape, 0L) >= 0;

        /// <summary>
        /// The result for an input without elements: an empty tensor of the result's shape and dtype on the input's
        /// device. Taken before any size is cast to int: a zero-size tensor may have other sizes above int.MaxValue,
        /// and the array kernels (parallel loops, pooled buffers) never see an empty input.
        /// </summary>
        internal static Tensor Empty(long[] shape, ScalarType type, Device device) => empty(shape, type, device: device);

        /// <summary>Throws unless the rank is within [min, max], describing the expected layout.</summary>
        internal static void CheckRank(Tensor t, int min, int max, string layout, string paramName)
        {
            long dims = t.dim();
            if (dims < min || dims > max)
                throw new ArgumentException($"{paramName} has shape {Shapes.Format(t.shape)} but must be {layout}", paramName);
        }

        /// <summary>Throws unless the tensor holds integers.</summary>
        internal static void CheckIntegral(Tensor t, string layout, string paramName)
        {
            if (!t.is_integral() || t.dtype == ScalarType.Bool)
                throw new ArgumentException($"{paramName} has dtype {t.dtype} but must be an integer tensor {layout}", paramName);
        }

        /// <summary>
        /// Validates a loss's optional pixel spacing (1 to 3 finite positive entries, one per spatial axis) and
        /// returns a private copy, or null for unit spacing.
        /// </summary>
        internal static double[]? CheckedSpacing(double[]? spacing, string paramName)
        {
            if (spacing is null) return null;
            if (spacing.Length < 1 || spacing.Length > 3)
                throw new ArgumentException($"{paramName} must have 1 to 3 entries (one per spatial axis), got {spacing.Length}", paramName);
            SquaredSpacing(spacing, spacing.Length, paramName);
            return (double[])spacing.Clone();
        }

        /// <summary>
        /// Squared spacing per spatial axis (all 1 when <paramref name="spacing"/> is null). Throws unless there is
        /// one finite, positive entry per spatial axis.
        /// </summary>
        internal static double[] SquaredSpacing(double[]? spacing, int spatialDims, string paramName = "spacing")
        {
            var weights = new double[spatialDims];
            if (spacing is null)
            {
                Array.Fill(weights, 1.0);
                return weights;
            }
            if (spacing.Length != spatialDims)
                throw new ArgumentException($"{paramName} has {spacing.Length} entries but the mask has {spatialDims} spatial dimensions (expected {spatialDims})", paramName);
            for (int i = 0; i < spacing.Length; i++)
            {
                double s = spacing[i];
                if (!(s > 0) || double.IsInfinity(s))
                    throw new ArgumentException($"{paramName} entries must be finite and positive, got [{string.Join(", ", spacing)}]", paramName);
                weights[i] = s * s;
            }
            return weights;
        }

        /// <summary>The spatial shape (the trailing <paramref name="spatialDims"/> sizes) as ints.</summary>
        internal static int[] Spatial(long[] shape, int spatialDims)
        {
            var result = new int[spatialDims];
            for (int i = 0; i < spatialDims; i++) result[i] = (int)shape[shape.Length - spatialDims + i];
            return result;
        }

        /// <summary>The product of the leading (non-spatial) sizes.</summary>
        internal static int Leading(long[] shape, int spatialDims)
        {
            long n = 1;
            for (int i = 0; i < shape.Length - spatialDims; i++) n *= shape[i];
            return (int)n;
        }

        /// <summary>The product of the sizes.</summary>
        internal static int Product(int[] shape)
        {
            int n = 1;
            foreach (var s in shape) n *= s;
            return n;
        }

        /// <summary>Float32 unless the request or a float64 source says float64; only floating types are allowed.</summary>
        internal static ScalarType OutputType(ScalarType? requested, Tensor source, string paramName = "dtype")
        {
            var type = requested ?? (source.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32);
            if (type != ScalarType.Float32 && type != ScalarType.Float64)
                throw new ArgumentException($"{paramName} must be Float32 or Float64, got {type}", paramName);
            return type;
        }

        /// <summary>1 where the tensor is nonzero and 0 elsewhere, row-major, read on the CPU into a pooled array.</summary>
        internal static PooledArray<byte> ReadNonzero(Tensor t)
        {
            using var scope = NewDisposeScope();
            // A bool tensor holds one byte per element, 0 or 1.
            return TensorData.ToPooled<byte>(t.dtype == ScalarType.Bool ? t : t.ne(0));
        }

        /// <summary>The values as int64, row-major, read on the CPU into a pooled array.</summary>
        internal static PooledArray<long> ReadInt64(Tensor t)
        {
            using var scope = NewDisposeScope();
            return TensorData.ToPooled<long>(t.dtype == ScalarType.Int64 ? t : t.to(ScalarType.Int64));
        }

        /// <summary>Creates a tensor of <paramref name="type"/> on <paramref name="device"/> from CPU values.</summary>
        internal static Tensor Create(double[] values, long[] shape, ScalarType type, Device device)
        {
            if (type == ScalarType.Float32)
            {
                var single = new float[values.Length];
                for (int i = 0; i < values.Length; i++) single[i] = (float)values[i];
                return OnDevice(tensor(single, shape, ScalarType.Float32), device);
            }
            return OnDevice(tensor(values, shape, ScalarType.Float64), device);
        }

        /// <summary>Creates a float32 tensor on <paramref name="device"/> from CPU values.</summary>
        internal static Tensor Create(float[] values, long[] shape, Device device) =>
            OnDevice(tensor(values, shape, ScalarType.Float32), device);

        /// <summary>Creates an int64 tensor on <paramref name="device"/> from CPU values.</summary>
        internal static Tensor Create(long[] values, long[] shape, Device device) =>
            OnDevice(tensor(values, shape, ScalarType.Int64), device);

        private static Tensor OnDevice(Tensor cpu, Device device)
        {
            if (device.type == TorchSharp.DeviceType.CPU) return cpu;
            using (cpu) return cpu.to(device);
        }
    }
}
