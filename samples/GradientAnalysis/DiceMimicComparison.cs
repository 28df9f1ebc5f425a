using System;
using System.Linq;
using ScottPlot;
using static TorchSharp.torch;

namespace SegLoss.GradientAnalysis
{
    /// <summary>
    /// Dice against its gradient mimic (Kervadec and de Bruijne 2023): the gradient along the middle row of the
    /// simulated prediction, each loss scaled to its own largest |value| so that the shapes compare; one panel per stage.
    /// </summary>
    internal static class DiceMimicComparison
    {
        private static readonly (string name, Func<SegmentationLoss> make, Color color)[] Losses =
        {
            ("Dice", () => new DiceLoss(LossMode.Binary), Color.FromHex("#1f77b4")),
            ("DiceMimic", () => new DiceMimicLoss(LossMode.Binary), Color.FromHex("#ff7f0e")),
            ("DiceMimic b = 0.1", () => new DiceMimicLoss(LossMode.Binary, backgroundValue: 0.1), Color.FromHex("#2ca02c")),
            ("CE", () => new CrossEntropyLoss(LossMode.Binary), Colors.Gray),
        };

        internal static Figure Write(string directory)
        {
            using var scope = NewDisposeScope();
            var truth = SimulatedPrediction.Truth();
            var noise = SimulatedPrediction.Noise();
            var multiplot = MultiplotGrid.Create(1, SimulatedPrediction.Stages.Length);
            int row = SimulatedPrediction.Size / 2;
            double[] xs = Enumerable.Range(0, SimulatedPrediction.Size).Select(x => (double)x).ToArray();
            foreach (var (stage, sharpness) in SimulatedPrediction.Stages)
            {
                var logits = SimulatedPrediction.Logits(truth, sharpness, noise);
                var plot = new Plot();
                var fg = plot.Add.HorizontalSpan(row - 6, row + 6, Colors.Gray.WithAlpha(0.15));
                fg.LegendText = "foreground (disc)";
                foreach (var (name, make, color) in Losses)
                {
                    var grad = SimulatedPrediction.Gradient(make, logits, truth);
                    var profile = grad.Skip(row * SimulatedPrediction.Size).Take(SimulatedPrediction.Size).ToArray();
                    double scale = Math.Max(profile.Max(Math.Abs), 1e-300);
                    var line = plot.Add.ScatterLine(xs, profile.Select(v => v / scale).ToArray());
                    line.LegendText = name;
                    line.Color = color;
                    // Dice is drawn wide underneath: where the mimic matches it, the mimic's line runs inside Dice's.
                    line.LineWidth = name switch { "Dice" => 6, "CE" => 1.5f, _ => 2 };
                    if (name == "CE") line.LinePattern = LinePattern.Dashed;
                }
                plot.Add.HorizontalLine(0, 1, Colors.Black, LinePattern.Dotted);
                plot.Title($"middle row, predictions {stage}");
                plot.XLabel("x (pixel)");
                plot.YLabel("d loss / d z, scaled to max |·| = 1");
                plot.ShowLegend(Edge.Bottom);
                plot.Legend.Orientation = Orientation.Horizontal;
                multiplot.Subplots.Add(plot);
            }
            const string file = "dice-mimic.png";
            multiplot.SavePng(System.IO.Path.Combine(directory, file), 1300, 560);
            return new Figure(file, "Dice against its gradient mimic",
                "The gradient along the middle row (through the disc, shaded) for Dice, DiceMimic, DiceMimic with background value 0.1 and CE (dashed), "
                + "each scaled to its own largest |value|. The mimic reproduces Dice's sign pattern, negative inside the disc and zero (or, with b = 0.1, positive) outside, without the ratio.");
        }
    }
}
