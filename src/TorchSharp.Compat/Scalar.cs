using System;
using TorchSharp.Interop;

namespace TorchSharp
{
    /// <summary>
    /// A number passed to tensor operations. Unlike TorchSharp's, this binding's Scalar holds its value in
    /// managed memory (nothing native to free); it is still IDisposable for source compatibility.
    /// </summary>
    public sealed class Scalar : IDisposable
    {
        internal readonly ShimScalar Value;

        private Scalar(ShimScalar value) => Value = value;

        /// <summary>The scalar's type: Float64, Int64 or Bool.</summary>
        public torch.ScalarType Type => Value.Kind switch { 1 => torch.ScalarType.Int64, 2 => torch.ScalarType.Bool, _ => torch.ScalarType.Float64 };

#pragma warning disable CS1591 // conversions mirror TorchSharp's and are self-describing
        public static implicit operator Scalar(byte value) => new Scalar(ShimScalar.FromLong(value));
        public static implicit operator Scalar(sbyte value) => new Scalar(ShimScalar.FromLong(value));
        public static implicit operator Scalar(short value) => new Scalar(ShimScalar.FromLong(value));
        public static implicit operator Scalar(int value) => new Scalar(ShimScalar.FromLong(value));
        public static implicit operator Scalar(long value) => new Scalar(ShimScalar.FromLong(value));
        public static implicit operator Scalar(float value) => new Scalar(ShimScalar.FromDouble(value));
        public static implicit operator Scalar(double value) => new Scalar(ShimScalar.FromDouble(value));
        public static implicit operator Scalar(Half value) => new Scalar(ShimScalar.FromDouble((double)value));
        public static implicit operator Scalar(bool value) => new Scalar(ShimScalar.FromBool(value));
#pragma warning restore CS1591

        /// <summary>The value as a double.</summary>
        public double ToDouble() => Value.Kind == 0 ? Value.D : Value.I;

        /// <summary>The value as a long (truncated).</summary>
        public long ToInt64() => Value.Kind == 0 ? (long)Value.D : Value.I;

        /// <summary>The value as a float.</summary>
        public float ToSingle() => (float)ToDouble();

        /// <summary>The value as a bool (non-zero).</summary>
        public bool ToBoolean() => ToDouble() != 0;

        /// <summary>Nothing to release; present for source compatibility.</summary>
        public void Dispose() { }

        /// <inheritdoc/>
        public override string ToString() => Value.Kind switch
        {
            1 => Value.I.ToString(System.Globalization.CultureInfo.InvariantCulture),
            2 => (Value.I != 0).ToString(),
            _ => Value.D.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Conversions of primitives to <see cref="Scalar"/>.</summary>
    public static class ScalarExtensionMethods
    {
        /// <summary>Wraps a double.</summary>
        public static Scalar ToScalar(this double value) => value;
        /// <summary>Wraps a float.</summary>
        public static Scalar ToScalar(this float value) => value;
        /// <summary>Wraps an int.</summary>
        public static Scalar ToScalar(this int value) => value;
        /// <summary>Wraps a long.</summary>
        public static Scalar ToScalar(this long value) => value;
        /// <summary>Wraps a bool.</summary>
        public static Scalar ToScalar(this bool value) => value;
    }
}
