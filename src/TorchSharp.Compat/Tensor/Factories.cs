using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        internal static int DType(ScalarType? dtype) => (int)(dtype ?? _defaultDType);
        internal static int DevType(Device? device) => (int)(device?.type ?? DeviceType.CPU);
        internal static int DevIndex(Device? device) => device?.index ?? -1;

        private static T[] Flatten<T>(Array array) where T : unmanaged
        {
            var result = new T[array.LongLength];
            int i = 0;
            foreach (T v in array) result[i++] = v;
            return result;
        }

        private static unsafe Tensor FromArray<T>(T[] data, ReadOnlySpan<long> dimensions, ScalarType? dtype, Device? device, bool requires_grad) where T : unmanaged
        {
            long count = 1;
            foreach (var d in dimensions)
            {
                if (d < 0) throw new ArgumentException($"dimensions must be non-negative, got [{string.Join(", ", dimensions.ToArray())}]", nameof(dimensions));
                count *= d;
            }
            if (count != data.LongLength)
                throw new ArgumentException($"dimensions [{string.Join(", ", dimensions.ToArray())}] hold {count} elements but the array has {data.LongLength}", nameof(dimensions));
            var natural = Tensor.TypeOf<T>();
            bool convert = dtype.HasValue && dtype.Value != natural;
            Tensor result;
            fixed (T* p = data) fixed (long* s = dimensions)
                result = Tensor.Wrap(Native.shim_tensor_from_data(p, (int)natural, s, dimensions.Length, DevType(device), DevIndex(device), requires_grad && !convert ? 1 : 0));
            if (!convert) return result;
            using (result)
            {
                var converted = result.to(dtype!.Value);
                if (requires_grad) converted.requires_grad_(true);
                return converted;
            }
        }

#pragma warning disable CS1591 // factories mirror TorchSharp's names and overloads
        public static Tensor tensor(float scalar, Device? device = null, bool requires_grad = false) => FromArray(new[] { scalar }, ReadOnlySpan<long>.Empty, null, device, requires_grad);
        public static Tensor tensor(double scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromArray(new[] { scalar }, ReadOnlySpan<long>.Empty, dtype, device, requires_grad);
        public static Tensor tensor(long scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromArray(new[] { scalar }, ReadOnlySpan<long>.Empty, dtype, device, requires_grad);
        public static Tensor tensor(int scalar, Device? device = null, bool requires_grad = false) => FromArray(new[] { scalar }, ReadOnlySpan<long>.Empty, null, device, requires_grad);
        public static Tensor tensor(bool scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromArray(new[] { scalar }, ReadOnlySpan<long>.Empty, dtype, device, requires_grad);
        public static Tensor tensor(float[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, stackalloc long[] { rawArray.LongLength }, dtype, device, requires_grad);
        public static Tensor tensor(float[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(float[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<float>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1) }, dtype, device, requires_grad);
        public static Tensor tensor(float[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<float>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2) }, dtype, device, requires_grad);
        public static Tensor tensor(float[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<float>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2), rawArray.GetLongLength(3) }, dtype, device, requires_grad);
        public static Tensor tensor(IList<float> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
        public static Tensor tensor(IList<float> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), stackalloc long[] { rawArray.Count }, dtype, device, requires_grad);
        public static Tensor tensor(double[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, stackalloc long[] { rawArray.LongLength }, dtype, device, requires_grad);
        public static Tensor tensor(double[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(double[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<double>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1) }, dtype, device, requires_grad);
        public static Tensor tensor(double[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<double>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2) }, dtype, device, requires_grad);
        public static Tensor tensor(double[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<double>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2), rawArray.GetLongLength(3) }, dtype, device, requires_grad);
        public static Tensor tensor(IList<double> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
        public static Tensor tensor(IList<double> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), stackalloc long[] { rawArray.Count }, dtype, device, requires_grad);
        public static Tensor tensor(long[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, stackalloc long[] { rawArray.LongLength }, dtype, device, requires_grad);
        public static Tensor tensor(long[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(long[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<long>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1) }, dtype, device, requires_grad);
        public static Tensor tensor(long[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<long>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2) }, dtype, device, requires_grad);
        public static Tensor tensor(long[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<long>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2), rawArray.GetLongLength(3) }, dtype, device, requires_grad);
        public static Tensor tensor(IList<long> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
        public static Tensor tensor(IList<long> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), stackalloc long[] { rawArray.Count }, dtype, device, requires_grad);
        public static Tensor tensor(int[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, stackalloc long[] { rawArray.LongLength }, dtype, device, requires_grad);
        public static Tensor tensor(int[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(int[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<int>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1) }, dtype, device, requires_grad);
        public static Tensor tensor(int[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<int>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2) }, dtype, device, requires_grad);
        public static Tensor tensor(int[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<int>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2), rawArray.GetLongLength(3) }, dtype, device, requires_grad);
        public static Tensor tensor(IList<int> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
        public static Tensor tensor(IList<int> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), stackalloc long[] { rawArray.Count }, dtype, device, requires_grad);
        public static Tensor tensor(short[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, stackalloc long[] { rawArray.LongLength }, dtype, device, requires_grad);
        public static Tensor tensor(short[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(short[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<short>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1) }, dtype, device, requires_grad);
        public static Tensor tensor(short[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<short>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2) }, dtype, device, requires_grad);
        public static Tensor tensor(short[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<short>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2), rawArray.GetLongLength(3) }, dtype, device, requires_grad);
        public static Tensor tensor(IList<short> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
        public static Tensor tensor(IList<short> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), stackalloc long[] { rawArray.Count }, dtype, device, requires_grad);
        public static Tensor tensor(byte[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, stackalloc long[] { rawArray.LongLength }, dtype, device, requires_grad);
        public static Tensor tensor(byte[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(byte[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<byte>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1) }, dtype, device, requires_grad);
        public static Tensor tensor(byte[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<byte>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2) }, dtype, device, requires_grad);
        public static Tensor tensor(byte[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<byte>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2), rawArray.GetLongLength(3) }, dtype, device, requires_grad);
        public static Tensor tensor(IList<byte> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
        public static Tensor tensor(IList<byte> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), stackalloc long[] { rawArray.Count }, dtype, device, requires_grad);
        public static Tensor tensor(sbyte[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, stackalloc long[] { rawArray.LongLength }, dtype, device, requires_grad);
        public static Tensor tensor(sbyte[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(sbyte[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<sbyte>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1) }, dtype, device, requires_grad);
        public static Tensor tensor(sbyte[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<sbyte>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2) }, dtype, device, requires_grad);
        public static Tensor tensor(sbyte[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<sbyte>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2), rawArray.GetLongLength(3) }, dtype, device, requires_grad);
        public static Tensor tensor(IList<sbyte> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
        public static Tensor tensor(IList<sbyte> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), stackalloc long[] { rawArray.Count }, dtype, device, requires_grad);
        public static Tensor tensor(bool[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, stackalloc long[] { rawArray.LongLength }, dtype, device, requires_grad);
        public static Tensor tensor(bool[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(bool[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<bool>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1) }, dtype, device, requires_grad);
        public static Tensor tensor(bool[,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<bool>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2) }, dtype, device, requires_grad);
        public static Tensor tensor(bool[,,,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(Flatten<bool>(rawArray), stackalloc long[] { rawArray.GetLongLength(0), rawArray.GetLongLength(1), rawArray.GetLongLength(2), rawArray.GetLongLength(3) }, dtype, device, requires_grad);
        public static Tensor tensor(IList<bool> rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), dimensions, dtype, device, requires_grad);
        public static Tensor tensor(IList<bool> rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromArray(rawArray.ToArray(), stackalloc long[] { rawArray.Count }, dtype, device, requires_grad);

        public static unsafe Tensor zeros(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null)
        {
            fixed (long* p = size) return Tensor.Wrap(Native.shim_zeros(p, size.Length, DType(dtype), DevType(device), DevIndex(device), requires_grad ? 1 : 0));
        }
        public static Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => zeros((ReadOnlySpan<long>)size, dtype, device, requires_grad);
        public static Tensor zeros(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => zeros(stackalloc long[] { size }, dtype, device, requires_grad);
        public static Tensor zeros(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => zeros(stackalloc long[] { rows, columns }, dtype, device, requires_grad);
        public static Tensor zeros(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => zeros(stackalloc long[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
        public static Tensor zeros(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => zeros(stackalloc long[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
        public static unsafe Tensor ones(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null)
        {
            fixed (long* p = size) return Tensor.Wrap(Native.shim_ones(p, size.Length, DType(dtype), DevType(device), DevIndex(device), requires_grad ? 1 : 0));
        }
        public static Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ones((ReadOnlySpan<long>)size, dtype, device, requires_grad);
        public static Tensor ones(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ones(stackalloc long[] { size }, dtype, device, requires_grad);
        public static Tensor ones(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ones(stackalloc long[] { rows, columns }, dtype, device, requires_grad);
        public static Tensor ones(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ones(stackalloc long[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
        public static Tensor ones(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => ones(stackalloc long[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
        public static unsafe Tensor empty(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null)
        {
            fixed (long* p = size) return Tensor.Wrap(Native.shim_empty(p, size.Length, DType(dtype), DevType(device), DevIndex(device), requires_grad ? 1 : 0));
        }
        public static Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => empty((ReadOnlySpan<long>)size, dtype, device, requires_grad);
        public static Tensor empty(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => empty(stackalloc long[] { size }, dtype, device, requires_grad);
        public static Tensor empty(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => empty(stackalloc long[] { rows, columns }, dtype, device, requires_grad);
        public static Tensor empty(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => empty(stackalloc long[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
        public static Tensor empty(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => empty(stackalloc long[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
        public static unsafe Tensor rand(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null)
        {
            fixed (long* p = size) return Tensor.Wrap(Native.shim_rand(p, size.Length, DType(dtype), DevType(device), DevIndex(device), requires_grad ? 1 : 0));
        }
        public static Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => rand((ReadOnlySpan<long>)size, dtype, device, requires_grad);
        public static Tensor rand(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => rand(stackalloc long[] { size }, dtype, device, requires_grad);
        public static Tensor rand(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => rand(stackalloc long[] { rows, columns }, dtype, device, requires_grad);
        public static Tensor rand(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => rand(stackalloc long[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
        public static Tensor rand(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => rand(stackalloc long[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);
        public static unsafe Tensor randn(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null)
        {
            fixed (long* p = size) return Tensor.Wrap(Native.shim_randn(p, size.Length, DType(dtype), DevType(device), DevIndex(device), requires_grad ? 1 : 0));
        }
        public static Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => randn((ReadOnlySpan<long>)size, dtype, device, requires_grad);
        public static Tensor randn(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => randn(stackalloc long[] { size }, dtype, device, requires_grad);
        public static Tensor randn(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => randn(stackalloc long[] { rows, columns }, dtype, device, requires_grad);
        public static Tensor randn(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => randn(stackalloc long[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
        public static Tensor randn(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => randn(stackalloc long[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);

        public static unsafe Tensor full(ReadOnlySpan<long> size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null)
        {
            fixed (long* p = size) return Tensor.Wrap(Native.shim_full(p, size.Length, value.Value, dtype.HasValue ? (int)dtype.Value : -1, DevType(device), DevIndex(device), requires_grad ? 1 : 0));
        }
        public static Tensor full(long[] size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => full((ReadOnlySpan<long>)size, value, dtype, device, requires_grad);
        public static Tensor full(long size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => full(stackalloc long[] { size }, value, dtype, device, requires_grad);
        public static Tensor full(long rows, long columns, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => full(stackalloc long[] { rows, columns }, value, dtype, device, requires_grad);

        public static unsafe Tensor randint(long low, long high, ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null)
        {
            if (high <= low) throw new ArgumentException($"randint needs low < high, got low={low}, high={high}", nameof(high));
            fixed (long* p = size) return Tensor.Wrap(Native.shim_randint(low, high, p, size.Length, dtype.HasValue ? (int)dtype.Value : (int)ScalarType.Int64, DevType(device), DevIndex(device), requires_grad ? 1 : 0));
        }
        public static Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => randint(low, high, (ReadOnlySpan<long>)size, dtype, device, requires_grad);
        public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => randint(0, high, (ReadOnlySpan<long>)size, dtype, device, requires_grad);

        public static Tensor arange(Scalar start, Scalar stop, Scalar step, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
        {
            var type = dtype ?? (start.Value.Kind == 0 || stop.Value.Kind == 0 || step.Value.Kind == 0 ? _defaultDType : ScalarType.Int64);
            return Tensor.Wrap(Native.shim_arange(start.Value, stop.Value, step.Value, (int)type, DevType(device), DevIndex(device), requires_grad ? 1 : 0));
        }
        public static Tensor arange(Scalar start, Scalar stop, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => arange(start, stop, 1L, dtype, device, requires_grad);
        public static Tensor arange(Scalar stop, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => arange(0L, stop, 1L, dtype, device, requires_grad);
        public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
            Tensor.Wrap(Native.shim_linspace(start, end, steps, DType(dtype), DevType(device), DevIndex(device), requires_grad ? 1 : 0));
        public static Tensor eye(long rows, long columns = -1L, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
            Tensor.Wrap(Native.shim_eye(rows, columns < 0 ? rows : columns, DType(dtype), DevType(device), DevIndex(device), requires_grad ? 1 : 0));

        private static Tensor Like(Tensor input, int kind, Scalar? value, ScalarType? dtype, Device? device, bool requires_grad) =>
            Tensor.Wrap(Native.shim_like(input.Handle, kind, value?.Value ?? default, dtype.HasValue ? (int)dtype.Value : -1, device is null ? -1 : (int)device.type, device?.index ?? -1, requires_grad ? 1 : 0));
        public static Tensor zeros_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Like(input, 0, null, dtype, device, requires_grad);
        public static Tensor ones_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Like(input, 1, null, dtype, device, requires_grad);
        public static Tensor empty_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Like(input, 2, null, dtype, device, requires_grad);
        public static Tensor rand_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Like(input, 3, null, dtype, device, requires_grad);
        public static Tensor randn_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Like(input, 4, null, dtype, device, requires_grad);
        public static Tensor full_like(Tensor input, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Like(input, 5, value, dtype, device, requires_grad);
#pragma warning restore CS1591
    }
}
