using System;

namespace TorchSharp
{
    /// <summary>Kinds of device; values are libtorch's c10::DeviceType codes.</summary>
    public enum DeviceType
    {
        /// <summary>The host CPU.</summary>
        CPU = 0,
        /// <summary>An NVIDIA GPU.</summary>
        CUDA = 1,
        /// <summary>Apple Metal.</summary>
        MPS = 13,
        /// <summary>Shape-only tensors without storage.</summary>
        META = 14,
    }

    public static partial class torch
    {
        /// <summary>A device: a type and an index (-1 = the current device of that type).</summary>
        public class Device
        {
            /// <summary>The device type.</summary>
            public DeviceType type { get; }

            /// <summary>The device index, -1 when unspecified.</summary>
            public int index { get; }

            /// <summary>Parses "cpu", "cuda", "cuda:1".</summary>
            public Device(string description)
            {
                if (description is null) throw new ArgumentNullException(nameof(description));
                var parts = description.Trim().ToLowerInvariant().Split(':');
                type = ParseType(parts[0]);
                index = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : -1;
            }

            /// <summary>A device from a type name and index.</summary>
            public Device(string deviceType, int index = -1)
            {
                type = ParseType(deviceType.Trim().ToLowerInvariant());
                this.index = index;
            }

            /// <summary>A device from a type and index.</summary>
            public Device(DeviceType deviceType, int index = -1)
            {
                type = deviceType;
                this.index = index;
            }

            /// <summary>The CUDA device with the given index.</summary>
            public Device(int index) : this(DeviceType.CUDA, index) { }

            private static DeviceType ParseType(string name) => name switch
            {
                "cpu" => DeviceType.CPU,
                "cuda" => DeviceType.CUDA,
                "mps" => DeviceType.MPS,
                "meta" => DeviceType.META,
                _ => throw new ArgumentException($"unknown device type '{name}'; expected cpu, cuda, mps or meta", "description"),
            };

            /// <summary>Converts a description such as "cuda:0".</summary>
            public static implicit operator Device(string description) => new Device(description);

            /// <inheritdoc/>
            public override string ToString() => index >= 0 ? $"{type.ToString().ToLowerInvariant()}:{index}" : type.ToString().ToLowerInvariant();

            /// <inheritdoc/>
            public override bool Equals(object? obj) => obj is Device d && d.type == type && d.index == index;

            /// <inheritdoc/>
            public override int GetHashCode() => HashCode.Combine(type, index);
        }

        /// <summary>The CPU device.</summary>
        public static readonly Device CPU = new Device(DeviceType.CPU, -1);

        private static Device? _cuda;

        /// <summary>The default CUDA device.</summary>
        public static Device CUDA => _cuda ??= new Device(DeviceType.CUDA, -1);

        /// <summary>The meta device.</summary>
        public static readonly Device META = new Device(DeviceType.META, -1);

        /// <summary>Parses a device description.</summary>
        public static Device device(string description) => new Device(description);

        /// <summary>A device from a type name and index.</summary>
        public static Device device(string deviceType, int index = -1) => new Device(deviceType, index);

        /// <summary>A device from a type and index.</summary>
        public static Device device(DeviceType deviceType, int index = -1) => new Device(deviceType, index);

        /// <summary>The CUDA device with the given index.</summary>
        public static Device device(int index) => new Device(index);

        /// <summary>Checks that a device type is usable with the linked libtorch; throws when it is not.</summary>
        public static void InitializeDeviceType(DeviceType deviceType)
        {
            if (!TryInitializeDeviceType(deviceType))
                throw new InvalidOperationException($"device type {deviceType} is not available in the linked libtorch");
        }

        /// <summary>True when the device type is usable with the linked libtorch.</summary>
        public static bool TryInitializeDeviceType(DeviceType deviceType) =>
            deviceType == DeviceType.CPU || deviceType == DeviceType.META || (deviceType == DeviceType.CUDA && cuda.is_available());
    }
}
