using System;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        public partial class Tensor
        {
            internal Tensor To(ScalarType? type, Device? device, bool copy, bool non_blocking) =>
                Wrap(Native.shim_tensor_to(Handle, type.HasValue ? (int)type.Value : -1,
                    device is null ? -1 : (int)device.type, device?.index ?? -1, copy ? 1 : 0, non_blocking ? 1 : 0));

            private Tensor ThenMaybeDispose(Tensor result, bool disposeAfter)
            {
                if (disposeAfter && !ReferenceEquals(result, this)) Dispose();
                return result;
            }

#pragma warning disable CS1591 // conversions mirror TorchSharp's names and overloads
            public Tensor to(ScalarType type, bool copy = false, bool disposeAfter = false, bool non_blocking = false) => ThenMaybeDispose(To(type, null, copy, non_blocking), disposeAfter);
            public Tensor to(Device device, bool copy = false, bool disposeAfter = false, bool non_blocking = false) => ThenMaybeDispose(To(null, device, copy, non_blocking), disposeAfter);
            public Tensor to(string device, bool copy = false, bool disposeAfter = false, bool non_blocking = false) => to(new Device(device), copy, disposeAfter, non_blocking);
            public Tensor to(ScalarType type, Device device, bool copy = false, bool disposeAfter = false, bool non_blocking = false) => ThenMaybeDispose(To(type, device, copy, non_blocking), disposeAfter);
            public Tensor to(DeviceType deviceType, int deviceIndex = -1, bool copy = false, bool disposeAfter = false, bool non_blocking = false) => to(new Device(deviceType, deviceIndex), copy, disposeAfter, non_blocking);
            public Tensor to(Tensor other, bool non_blocking = false) => To(other.dtype, other.device, false, non_blocking);
            public Tensor to_type(ScalarType type, bool copy = false, bool disposeAfter = false, bool non_blocking = false) => to(type, copy, disposeAfter, non_blocking);
            public Tensor type(ScalarType dtype) => to(dtype);
            public Tensor type_as(Tensor tensor) => to(tensor.dtype);
            public Tensor cpu() => to(CPU);
            public Tensor cuda(Device? device = null, bool non_blocking = false) => to(device ?? CUDA, non_blocking: non_blocking);
            public Tensor @float() => to(ScalarType.Float32);
            public Tensor @double() => to(ScalarType.Float64);
            public Tensor half() => to(ScalarType.Float16);
            public Tensor bfloat16() => to(ScalarType.BFloat16);
            public Tensor @long() => to(ScalarType.Int64);
            public Tensor @int() => to(ScalarType.Int32);
            public Tensor @short() => to(ScalarType.Int16);
            public Tensor @bool() => to(ScalarType.Bool);
            public Tensor @byte() => to(ScalarType.Byte);
            public Tensor @char() => to(ScalarType.Int8);

            public Tensor clone() => Wrap(Native.shim_tensor_clone(Handle));
            public Tensor contiguous() => Wrap(Native.shim_tensor_contiguous(Handle));

            public Tensor zeros_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.zeros_like(this, dtype, device, requires_grad);
            public Tensor ones_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.ones_like(this, dtype, device, requires_grad);
            public Tensor empty_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.empty_like(this, dtype, device, requires_grad);
            public Tensor rand_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.rand_like(this, dtype, device, requires_grad);
            public Tensor randn_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.randn_like(this, dtype, device, requires_grad);
            public Tensor full_like(Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.full_like(this, value, dtype, device, requires_grad);
            public Tensor new_zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => zeros(size, dtype ?? this.dtype, device ?? this.device, requires_grad);
            public Tensor new_ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => ones(size, dtype ?? this.dtype, device ?? this.device, requires_grad);
            public Tensor new_empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => empty(size, dtype ?? this.dtype, device ?? this.device, requires_grad);
            public Tensor new_full(long[] size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => full(size, value, dtype ?? this.dtype, device ?? this.device, requires_grad);

            // ---- reading values back ----

            internal static ScalarType TypeOf<T>() where T : unmanaged
            {
                if (typeof(T) == typeof(float)) return ScalarType.Float32;
                if (typeof(T) == typeof(double)) return ScalarType.Float64;
                if (typeof(T) == typeof(long)) return ScalarType.Int64;
                if (typeof(T) == typeof(int)) return ScalarType.Int32;
                if (typeof(T) == typeof(short)) return ScalarType.Int16;
                if (typeof(T) == typeof(byte)) return ScalarType.Byte;
                if (typeof(T) == typeof(sbyte)) return ScalarType.Int8;
                if (typeof(T) == typeof(bool)) return ScalarType.Bool;
                if (typeof(T) == typeof(Half)) return ScalarType.Float16;
                throw new NotSupportedException($"element type {typeof(T).Name} is not supported");
            }

            private void CheckElementType<T>() where T : unmanaged
            {
                var expected = TypeOf<T>();
                if (dtype != expected)
                    throw new ArgumentException($"{typeof(T).Name} is the wrong type for a tensor of dtype {dtype}; use the matching type or convert the tensor first");
            }

            /// <summary>Copies every element (row-major) into a new array; T must match the dtype.</summary>
            internal unsafe T[] CopyOut<T>() where T : unmanaged
            {
                CheckElementType<T>();
                var result = new T[numel()];
                fixed (T* p = result) Native.shim_tensor_copy_out(Handle, p, (long)result.Length * sizeof(T));
                CheckForErrors();
                return result;
            }

            /// <summary>Copies every element (row-major) into <paramref name="array"/> from <paramref name="start"/> on; it must have room.</summary>
            internal unsafe void CopyOutInto<T>(T[] array, int start) where T : unmanaged
            {
                CheckElementType<T>();
                long room = array.LongLength - start;
                if (start < 0 || room < numel()) throw new ArgumentException($"the array has room for {room} elements from index {start} but the tensor has {numel()}", nameof(array));
                fixed (T* p = array) Native.shim_tensor_copy_out(Handle, p + start, room * sizeof(T));
                CheckForErrors();
            }

            internal unsafe void CopyIn<T>(T[] values) where T : unmanaged
            {
                CheckElementType<T>();
                fixed (T* p = values) Native.shim_tensor_copy_in(Handle, p, (long)values.Length * sizeof(T));
                CheckForErrors();
            }

            /// <summary>The single element; the tensor must have one element and T must match its dtype.</summary>
            public T item<T>() where T : unmanaged
            {
                long n = numel();
                if (n != 1) throw new ArgumentException($"item() needs a tensor with exactly one element, got {n} (shape [{string.Join(", ", shape)}])");
                return CopyOut<T>()[0];
            }

            /// <summary>An accessor over the elements (copied on first access); T must match the dtype.</summary>
            public Utils.TensorAccessor<T> data<T>() where T : unmanaged => new Utils.TensorAccessor<T>(CheckedForAccess<T>());

            private Tensor CheckedForAccess<T>() where T : unmanaged
            {
                CheckElementType<T>();
                return this;
            }

            /// <summary>Converts the single element to a Scalar (any dtype).</summary>
            public Scalar ToScalar()
            {
                if (is_floating_point()) return this.ToDouble();
                if (dtype == ScalarType.Bool) return this.ToBoolean();
                return this.ToInt64();
            }

            public double ReadCpuDouble(long i) { using var f = flatten(); using var e = f[i]; return e.item<double>(); }
            public float ReadCpuSingle(long i) { using var f = flatten(); using var e = f[i]; return e.item<float>(); }
            public long ReadCpuInt64(long i) { using var f = flatten(); using var e = f[i]; return e.item<long>(); }
            public int ReadCpuInt32(long i) { using var f = flatten(); using var e = f[i]; return e.item<int>(); }
            public bool ReadCpuBool(long i) { using var f = flatten(); using var e = f[i]; return e.item<bool>(); }
            public T ReadCpuValue<T>(long i) where T : unmanaged { using var f = flatten(); using var e = f[i]; return e.item<T>(); }

            public static explicit operator float(Tensor t) => t.ToSingle();
            public static explicit operator double(Tensor t) => t.ToDouble();
            public static explicit operator long(Tensor t) => t.ToInt64();
            public static explicit operator int(Tensor t) => t.ToInt32();
            public static explicit operator bool(Tensor t) => t.ToBoolean();

            public static implicit operator Tensor(byte value) => tensor((long)value, ScalarType.Byte);
            public static implicit operator Tensor(short value) => tensor((long)value, ScalarType.Int16);
            public static implicit operator Tensor(int value) => tensor((long)value, ScalarType.Int32);
            public static implicit operator Tensor(long value) => tensor(value);
            public static implicit operator Tensor(float value) => tensor(value);
            public static implicit operator Tensor(double value) => tensor(value);
            public static implicit operator Tensor(bool value) => tensor(value);
            public static implicit operator Tensor(byte[] value) => tensor(value);
            public static implicit operator Tensor(short[] value) => tensor(value);
            public static implicit operator Tensor(int[] value) => tensor(value);
            public static implicit operator Tensor(long[] value) => tensor(value);
            public static implicit operator Tensor(float[] value) => tensor(value);
            public static implicit operator Tensor(double[] value) => tensor(value);
            public static implicit operator Tensor(bool[] value) => tensor(value);
            public static implicit operator Tensor(Scalar value) => value.Value.Kind switch
            {
                1 => tensor(value.Value.I),
                2 => tensor(value.Value.I != 0),
                _ => tensor(value.Value.D),
            };
#pragma warning restore CS1591
        }
    }

    /// <summary>Value conversions of single-element tensors (any dtype), as in TorchSharp.</summary>
    public static class TensorExtensionMethods
    {
        private static T Converted<T>(torch.Tensor t, torch.ScalarType type) where T : unmanaged
        {
            if (t.dtype == type) return t.item<T>();
            using var c = t.to(type);
            return c.item<T>();
        }

        /// <summary>The single element as a float.</summary>
        public static float ToSingle(this torch.Tensor value) => Converted<float>(value, torch.ScalarType.Float32);
        /// <summary>The single element as a double.</summary>
        public static double ToDouble(this torch.Tensor value) => Converted<double>(value, torch.ScalarType.Float64);
        /// <summary>The single element as a long.</summary>
        public static long ToInt64(this torch.Tensor value) => Converted<long>(value, torch.ScalarType.Int64);
        /// <summary>The single element as an int.</summary>
        public static int ToInt32(this torch.Tensor value) => Converted<int>(value, torch.ScalarType.Int32);
        /// <summary>The single element as a short.</summary>
        public static short ToInt16(this torch.Tensor value) => Converted<short>(value, torch.ScalarType.Int16);
        /// <summary>The single element as a byte.</summary>
        public static byte ToByte(this torch.Tensor value) => Converted<byte>(value, torch.ScalarType.Byte);
        /// <summary>The single element as an sbyte.</summary>
        public static sbyte ToSByte(this torch.Tensor value) => Converted<sbyte>(value, torch.ScalarType.Int8);
        /// <summary>The single element as a Half.</summary>
        public static Half ToHalf(this torch.Tensor value) => Converted<Half>(value, torch.ScalarType.Float16);
        /// <summary>The single element as a bool.</summary>
        public static bool ToBoolean(this torch.Tensor value) => Converted<bool>(value, torch.ScalarType.Bool);

        /// <summary>Metadata and values as text (numpy-like).</summary>
        public static string str(this torch.Tensor t) => TensorFormatter.Format(t);

        /// <summary>Metadata and values as text (numpy-like).</summary>
        public static string npstr(this torch.Tensor t) => TensorFormatter.Format(t);

        /// <summary>Writes <see cref="str"/> to the console and returns the tensor.</summary>
        public static torch.Tensor print(this torch.Tensor t)
        {
            Console.WriteLine(t.str());
            return t;
        }
    }
}
