using System.Collections.Generic;
using System.Linq;

namespace SegLoss.Quickstart
{
    /// <summary>One epoch's mean training loss, validation Dice per class (background included) and elapsed time.</summary>
    internal sealed record EpochResult(int Epoch, double Loss, double[] Dice, double Seconds)
    {
        /// <summary>The mean Dice of the foreground classes (class 0 is background).</summary>
        internal double ForegroundDice => Dice.Skip(1).Average();
    }

    /// <summary>The epochs trained so far, for the curves and the summary.</summary>
    internal sealed class TrainingHistory
    {
        private readonly List<EpochResult> _epochs = new();
        internal IReadOnlyList<EpochResult> Epochs => _epochs;
        internal void Add(EpochResult result) => _epochs.Add(result);
    }
}
