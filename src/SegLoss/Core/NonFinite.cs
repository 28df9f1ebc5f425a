using System;
using System.Globalization;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The non-finite policy shared by every loss: a loss never returns NaN or ±∞. The finiteness of the result, which
    /// the loss has anyway, is tested once per call (one small reduction and one read-back, no pass over the input);
    /// only when it fails are the arguments searched, and the first non-finite one is named with its count and first
    /// index. See <see cref="SegLossSettings.ThrowOnNonFinite"/> to let NaN propagate as in PyTorch.
    /// </summary>
    internal static class NonFinite
    {
        /// <summary>Whether every value of <paramref name="value"/> is finite (true for an empty tensor).</summary>
        internal static bool IsFinite(Tensor value)
        {
            if (value.numel() == 0) return true;
            using var scope = NewDisposeScope();
            var finite = value.numel() == 1 ? value.detach().isfinite() : value.detach().isfinite().all();
            return finite.item<bool>();
        }

        /// <summary>
        /// Throws the exception that explains a non-finite result of <paramref name="lossName"/>: an
        /// <see cref="ArgumentException"/> naming the first argument that holds a non-finite value, or, when every
        /// argument is finite, an <see cref="ArithmeticException"/> naming the loss.
        /// </summary>
        internal static Exception Explain(string lossName, params (string Name, Tensor? Value)[] arguments)
        {
            foreach (var (name, value) in arguments)
            {
                if (value is not null && Describe(value) is { } description)
                    return new ArgumentException($"{name} holds {description}; {lossName} is not defined there", name);
            }
            return new ArithmeticException($"{lossName} gave a non-finite value from finite arguments ({string.Join(", ", arguments.Where(a => a.Value is not null).Select(a => a.Name))}); please report it with the inputs' shapes and options");
        }

        /// <summary>Throws an <see cref="ArgumentException"/> when <paramref name="value"/> holds a non-finite value.</summary>
        internal static void Require(Tensor value, string paramName)
        {
            if (Describe(value) is { } description) throw new ArgumentException($"{paramName} holds {description}", paramName);
        }

        /// <summary>"3 non-finite values (first NaN at [0, 2, 5, 7])", or null when every value is finite.</summary>
        internal static string? Describe(Tensor value)
        {
            if (!value.is_floating_point() && !value.is_complex()) return null;
            if (value.numel() == 0) return null;
            using var scope = NewDisposeScope();
            var bad = value.detach().isfinite().logical_not().reshape(-1);
            long count = bad.sum().item<long>();
            if (count == 0) return null;
            long first = bad.to(ScalarType.Byte).argmax().item<long>(); // argmax returns the first maximum
            double at = value.detach().reshape(-1)[first].to(ScalarType.Float64).item<double>();
            string kind = double.IsNaN(at) ? "NaN" : at > 0 ? "+Inf" : "-Inf";
            string index = string.Join(", ", Unravel(first, value.shape).Select(i => i.ToString(CultureInfo.InvariantCulture)));
            string values = count == 1 ? "1 non-finite value" : $"{count} non-finite values";
            return $"{values} (first {kind} at [{index}])";
        }

        private static long[] Unravel(long flat, long[] shape)
        {
            var index = new long[shape.Length];
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                index[d] = flat % shape[d];
                flat /= shape[d];
            }
            return index;
        }
    }
}
