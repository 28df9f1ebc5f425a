using static TorchSharp.torch;

namespace TorchSharp
{
    /// <summary>Moving and casting modules; each returns the same module (its tensors are replaced).</summary>
    public static class ModuleExtensionMethods
    {
        /// <summary>Moves parameters and buffers to a device.</summary>
        public static T to<T>(this T module, Device device, bool non_blocking = false) where T : nn.Module { module._to(device, null, non_blocking); return module; }

        /// <summary>Moves parameters and buffers to a device given by name.</summary>
        public static T to<T>(this T module, string device, bool non_blocking = false) where T : nn.Module => module.to(new Device(device), non_blocking);

        /// <summary>Casts floating-point parameters and buffers.</summary>
        public static T to<T>(this T module, ScalarType type, bool non_blocking = false) where T : nn.Module { module._to(null, type, non_blocking); return module; }

        /// <summary>Moves and casts.</summary>
        public static T to<T>(this T module, Device device, ScalarType type, bool non_blocking = false) where T : nn.Module { module._to(device, type, non_blocking); return module; }

        /// <summary>Moves to a device given by type and index.</summary>
        public static T to<T>(this T module, DeviceType deviceType, int deviceIndex = -1, bool non_blocking = false) where T : nn.Module => module.to(new Device(deviceType, deviceIndex), non_blocking);

        /// <summary>Moves and casts like another tensor.</summary>
        public static T to<T>(this T module, Tensor other, bool non_blocking = false) where T : nn.Module { module._to(other.device, other.dtype, non_blocking); return module; }

        /// <summary>Moves to the CPU.</summary>
        public static T cpu<T>(this T module, bool non_blocking = false) where T : nn.Module => module.to(CPU, non_blocking);

        /// <summary>Moves to a CUDA device.</summary>
        public static T cuda<T>(this T module, int deviceIndex = -1, bool non_blocking = false) where T : nn.Module => module.to(new Device(DeviceType.CUDA, deviceIndex), non_blocking);

        /// <summary>Casts to float32.</summary>
        public static T @float<T>(this T module, bool non_blocking = false) where T : nn.Module => module.to(ScalarType.Float32, non_blocking);

        /// <summary>Casts to float64.</summary>
        public static T @double<T>(this T module, bool non_blocking = false) where T : nn.Module => module.to(ScalarType.Float64, non_blocking);

        /// <summary>Casts to float16.</summary>
        public static T half<T>(this T module, bool non_blocking = false) where T : nn.Module => module.to(ScalarType.Float16, non_blocking);
    }
}
