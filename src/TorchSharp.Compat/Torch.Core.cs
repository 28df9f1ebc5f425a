using System;
using System.Runtime.InteropServices;
using TorchSharp.Interop;

namespace TorchSharp
{
    /// <summary>The root of TorchSharp's API: tensors, factories and the nn/optim namespaces hang off this class.</summary>
    public static partial class torch
    {
        /// <summary>Element types; the values are libtorch's c10::ScalarType codes.</summary>
        public enum ScalarType : sbyte
        {
            /// <summary>8-bit unsigned integer.</summary>
            Byte = 0,
            /// <summary>8-bit signed integer.</summary>
            Int8 = 1,
            /// <summary>16-bit signed integer.</summary>
            Int16 = 2,
            /// <summary>32-bit signed integer.</summary>
            Int32 = 3,
            /// <summary>64-bit signed integer.</summary>
            Int64 = 4,
            /// <summary>IEEE half precision.</summary>
            Float16 = 5,
            /// <summary>IEEE single precision.</summary>
            Float32 = 6,
            /// <summary>IEEE double precision.</summary>
            Float64 = 7,
            /// <summary>Complex of two float32.</summary>
            ComplexFloat32 = 9,
            /// <summary>Complex of two float64.</summary>
            ComplexFloat64 = 10,
            /// <summary>Boolean.</summary>
            Bool = 11,
            /// <summary>Quantized int8.</summary>
            QInt8 = 12,
            /// <summary>Quantized uint8.</summary>
            QUInt8 = 13,
            /// <summary>Quantized int32.</summary>
            QInt32 = 14,
            /// <summary>Brain floating point.</summary>
            BFloat16 = 15,
        }

#pragma warning disable CS1591 // the dtype aliases are self-describing, as in TorchSharp
        public static ScalarType @bool = ScalarType.Bool;
        public static ScalarType uint8 = ScalarType.Byte;
        public static ScalarType int8 = ScalarType.Int8;
        public static ScalarType int16 = ScalarType.Int16;
        public static ScalarType int32 = ScalarType.Int32;
        public static ScalarType int64 = ScalarType.Int64;
        public static ScalarType bfloat16 = ScalarType.BFloat16;
        public static ScalarType float16 = ScalarType.Float16;
        public static ScalarType float32 = ScalarType.Float32;
        public static ScalarType float64 = ScalarType.Float64;
        public static ScalarType complex64 = ScalarType.ComplexFloat32;
        public static ScalarType complex128 = ScalarType.ComplexFloat64;
        public static ScalarType @short = ScalarType.Int16;
        public static ScalarType @int = ScalarType.Int32;
        public static ScalarType @long = ScalarType.Int64;
        public static ScalarType half = ScalarType.Float16;
        public static ScalarType @float = ScalarType.Float32;
        public static ScalarType @double = ScalarType.Float64;
        public static ScalarType cfloat = ScalarType.ComplexFloat32;
        public static ScalarType cdouble = ScalarType.ComplexFloat64;
        public static ScalarType qint8 = ScalarType.QInt8;
        public static ScalarType quint8 = ScalarType.QUInt8;
        public static ScalarType qint32 = ScalarType.QInt32;
#pragma warning restore CS1591

        private static ScalarType _defaultDType = ScalarType.Float32;

        /// <summary>Sets the dtype used by factories when none is given (float32 initially).</summary>
        public static void set_default_dtype(ScalarType dtype) => _defaultDType = dtype;

        /// <summary>The dtype used by factories when none is given.</summary>
        public static ScalarType get_default_dtype() => _defaultDType;

        /// <summary>True for float16, bfloat16, float32 and float64.</summary>
        public static bool is_floating_point(ScalarType type) =>
            type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

        /// <summary>True for the integer types (bool excluded).</summary>
        public static bool is_integral(ScalarType type) =>
            type is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64;

        /// <summary>True when the tensor's dtype is floating point.</summary>
        public static bool is_floating_point(Tensor input) => input.is_floating_point();

        /// <summary>True when the tensor's dtype is an integer type.</summary>
        public static bool is_integral(Tensor input) => input.is_integral();

        /// <summary>
        /// Throws the pending native error, if any, as an <see cref="ExternalException"/> carrying libtorch's message.
        /// </summary>
        public static void CheckForErrors()
        {
            IntPtr error = Native.shim_get_and_reset_last_err();
            if (error == IntPtr.Zero) return;
            string message;
            try { message = Marshal.PtrToStringUTF8(error) ?? "native error"; }
            finally { Native.shim_free_string(error); }
            throw new ExternalException(message);
        }

        /// <summary>Seeds libtorch's default CPU (and CUDA) generators.</summary>
        public static Generator manual_seed(long seed)
        {
            Native.shim_manual_seed(seed);
            CheckForErrors();
            return Generator.Default;
        }

        /// <summary>Sets the number of threads libtorch uses for intra-op parallelism.</summary>
        public static void set_num_threads(int num)
        {
            Native.shim_set_num_threads(num);
            CheckForErrors();
        }

        /// <summary>The number of intra-op threads.</summary>
        public static int get_num_threads() => Native.shim_get_num_threads();

        /// <summary>Sets the number of inter-op threads (only before any parallel work has started).</summary>
        public static void set_num_interop_threads(int num)
        {
            Native.shim_set_num_interop_threads(num);
            CheckForErrors();
        }

        /// <summary>True when the linked libtorch has CUDA and a device is present.</summary>
        public static bool cuda_is_available() => cuda.is_available();

        /// <summary>Random-number generator handle (only the default generator is supported by this binding).</summary>
        public sealed class Generator
        {
            internal static readonly Generator Default = new Generator();
            private Generator() { }
        }

        /// <summary>torch.random.</summary>
        public static class random
        {
            /// <summary>Seeds the default generators.</summary>
            public static Generator manual_seed(long seed) => torch.manual_seed(seed);
        }

        /// <summary>torch.cuda.</summary>
        public static class cuda
        {
            /// <summary>True when the linked libtorch has CUDA and a device is present.</summary>
            public static bool is_available() => Native.shim_cuda_is_available() != 0 && Native.shim_cuda_device_count() > 0;

            /// <summary>Number of CUDA devices visible to libtorch.</summary>
            public static int device_count() => Native.shim_cuda_device_count();

            /// <summary>Seeds the CUDA generators (libtorch's manual_seed seeds every device).</summary>
            public static void manual_seed(long seed) => torch.manual_seed(seed);

            /// <summary>Seeds the CUDA generators of every device.</summary>
            public static void manual_seed_all(long seed) => torch.manual_seed(seed);

            /// <summary>Waits for outstanding CUDA work. Reading a value back also synchronises, which this binding relies on.</summary>
            public static void synchronize(Device? device = null)
            {
                if (!is_available()) return;
                using var probe = zeros(1, device: device ?? CUDA);
                probe.cpu().Dispose();
            }
        }
    }
}
