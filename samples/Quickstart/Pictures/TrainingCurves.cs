using System.Linq;
using ScottPlot;

namespace SegLoss.Quickstart
{
    /// <summary>Training loss (left axis) and validation Dice per foreground class (right axis) against the epoch.</summary>
    internal static class TrainingCurves
    {
        internal static void Write(string path, TrainingHistory history, string lossName, string[] classNames)
        {
            var plot = new Plot();
            double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
            var loss = plot.Add.Scatter(epochs, history.Epochs.Select(e => e.Loss).ToArray());
            loss.LegendText = $"training loss ({lossName})";
            loss.Color = Colors.Black;
            loss.LineWidth = 2;
            for (int c = 1; c < classNames.Length; c++)
            {
                var dice = plot.Add.Scatter(epochs, history.Epochs.Select(e => e.Dice[c]).ToArray());
                dice.Axes.YAxis = plot.Axes.Right;
                dice.LegendText = $"val Dice: {classNames[c]}";
                dice.Color = ClassColours.Of(c);
                dice.LineWidth = 2;
                dice.LinePattern = LinePattern.Dashed;
            }
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
            plot.Title("Training curve");
            plot.XLabel("epoch");
            plot.YLabel("training loss (mean over batches)");
            plot.Axes.Right.Label.Text = "validation Dice (argmax)";
            plot.Axes.SetLimitsY(0, 1, plot.Axes.Right);
            plot.Axes.SetLimitsY(0, history.Epochs.Max(e => e.Loss) * 1.05, plot.Axes.Left);
            plot.ShowLegend(Alignment.MiddleRight);
            plot.SavePng(path, 900, 520);
        }
    }
}
