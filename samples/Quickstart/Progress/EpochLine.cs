using System.Globalization;
using System.Linq;

namespace SegLoss.Quickstart
{
    /// <summary>The one-line summary of an epoch, shared by both displays.</summary>
    internal static class EpochLine
    {
        internal static string Format(EpochResult r, int epochs, string[] classNames) => string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch,2}/{epochs}  loss {r.Loss:F4}  val Dice {string.Join("  ", classNames.Skip(1).Select((n, i) => $"{n} {r.Dice[i + 1]:F3}"))}  ({r.Seconds:F0} s)");
    }
}
