using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss.Quickstart
{
    /// <summary>Hard (argmax) Dice per class over a whole data set.</summary>
    internal static class Metrics
    {
        /// <summary>Dice of class c = 2|P∩G| / (|P| + |G|) over all pixels; 1 when the class is absent from both.</summary>
        internal static double[] DicePerClass(Tensor predictedLabels, Tensor labels, int classes)
        {
            using var scope = NewDisposeScope();
            var dice = new double[classes];
            for (int c = 0; c < classes; c++)
            {
                var p = predictedLabels.eq(c);
                var g = labels.eq(c);
                double inter = p.logical_and(g).sum().ToDouble();
                double total = p.sum().ToDouble() + g.sum().ToDouble();
                dice[c] = total == 0 ? 1.0 : 2 * inter / total;
            }
            return dice;
        }
    }
}
