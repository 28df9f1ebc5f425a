using System;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Constructor-argument checks shared by the pixel-wise losses. Each throws an <see cref="ArgumentException"/>
    /// naming the parameter, what was expected and what was given.
    /// </summary>
    internal static class Arguments
    {
        /// <summary>
        /// The value is a named member of <typeparamref name="TEnum"/>: a cast such as <c>(nn.Reduction)9</c> is
        /// rejected with the members listed, e.g. "reduction must be None, Mean or Sum, got 9". Returns the value,
        /// so that it can also check an argument on its way to a base constructor.
        /// </summary>
        internal static TEnum Defined<TEnum>(TEnum value, string paramName) where TEnum : struct, Enum
        {
            if (Enum.IsDefined(value)) return value;
            var names = Enum.GetNames<TEnum>();
            var list = names.Length == 1 ? names[0] : $"{string.Join(", ", names[..^1])} or {names[^1]}";
            throw new ArgumentException($"{paramName} must be {list}, got {value}", paramName);
        }

        /// <summary>The mode is a defined <see cref="LossMode"/> and one of <paramref name="allowed"/> (any when empty).</summary>
        internal static void Mode(LossMode mode, string paramName, params LossMode[] allowed)
        {
            Defined(mode, paramName);
            if (allowed.Length > 0 && Array.IndexOf(allowed, mode) < 0)
                throw new ArgumentException($"{paramName} must be {string.Join(" or ", allowed)}, got {mode}", paramName);
        }

        /// <summary>The reduction is a defined <see cref="nn.Reduction"/> value.</summary>
        internal static void Reduction(nn.Reduction reduction, string paramName) => Defined(reduction, paramName);

        /// <summary>A finite value ≥ 0.</summary>
        internal static void NonNegative(double value, string paramName)
        {
            if (!(value >= 0) || double.IsInfinity(value))
                throw new ArgumentException($"{paramName} must be finite and non-negative, got {value}", paramName);
        }

        /// <summary>A value in [0, 1].</summary>
        internal static void UnitInterval(double value, string paramName)
        {
            if (!(value >= 0 && value <= 1))
                throw new ArgumentException($"{paramName} must be in [0, 1], got {value}", paramName);
        }

        /// <summary>
        /// Checks a scalar-or-per-channel weight tensor: a 0-d or one-dimensional tensor of finite, non-negative
        /// values. Returns a float64 copy owned by the caller (null for null).
        /// </summary>
        internal static Tensor? ChannelWeights(Tensor? weights, string paramName)
        {
            if (weights is null) return null;
            if (weights.dim() > 1)
                throw new ArgumentException($"{paramName} must be a scalar or one-dimensional (C), got shape {Shapes.Format(weights.shape)}", paramName);
            if (weights.numel() == 0)
                throw new ArgumentException($"{paramName} must not be empty, got shape {Shapes.Format(weights.shape)}", paramName);
            if (weights.is_complex() || weights.dtype == ScalarType.Bool)
                throw new ArgumentException($"{paramName} must hold real numbers, got dtype {weights.dtype}", paramName);
            using var scope = NewDisposeScope();
            var w = weights.detach().to(ScalarType.Float64).reshape(-1);
            var values = TensorData.ToArray<double>(w);
            if (values.Any(v => !double.IsFinite(v) || v < 0))
                throw new ArgumentException($"{paramName} must be finite and non-negative, got [{string.Join(", ", values)}]", paramName);
            return w.clone().MoveToOuterDisposeScope().DetachFromDisposeScope();
        }

        /// <summary>A scalar-or-per-channel weight has 1 or C entries.</summary>
        internal static void ChannelCount(Tensor? weights, long channels, string paramName)
        {
            if (weights is null) return;
            long n = weights.shape[0];
            if (n != 1 && n != channels)
                throw new ArgumentException($"{paramName} has {n} entries but the input has {channels} channels (expected 1 or {channels})", paramName);
        }
    }
}
