using System.Globalization;
using System.Linq;
using System.Text;

namespace TorchSharp
{
    /// <summary>Renders a tensor's metadata and (for small tensors) its values, for debugging output.</summary>
    internal static class TensorFormatter
    {
        private const long MaxShown = 1000;

        internal static string Format(torch.Tensor t)
        {
            var sb = new StringBuilder(t.ToString());
            if (t.numel() > MaxShown || t.is_complex()) return sb.ToString();
            // Each step returns a new tensor; all three are released here rather than left to the finalizer.
            using var detached = t.detach();
            using var cpu = detached.cpu();
            using var values = cpu.to(torch.ScalarType.Float64);
            var data = values.data<double>().ToArray();
            sb.Append('\n').Append('[').Append(string.Join(", ", data.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))).Append(']');
            return sb.ToString();
        }
    }
}
