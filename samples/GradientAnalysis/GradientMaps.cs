using System;
using System.Globalization;
using ScottPlot;
using static TorchSharp.torch;

namespace SegLoss.GradientAnalysis
{
    /// <summary>
    /// Per-pixel gradient maps of several losses on the simulated prediction, one row per stage. Shows Dice's
    /// two-valued, region-wide gradient against CE's local one; prints the mean foreground and background gradient
    /// and their ratio for each.
    /// </summary>
    internal static class GradientMaps
    {
        internal static readonly (string name, Func<SegmentationLoss> make)[] Losses =
        {
            ("CE", () => new CrossEntropyLoss(LossMode.Binary)),
            ("Dice", () => new DiceLoss(LossMode.Binary)),
            ("Focal", () => new FocalLoss(LossMode.Binary)),
            ("Tversky", () => new TverskyLoss(LossMode.Binary)),
            ("DiceMimic", () => new DiceMimicLoss(LossMode.Binary)),
            ("DiceMimic b=0.1", () => new DiceMimicLoss(LossMode.Binary, backgroundValue: 0.1)),
        };

        internal static Figure Write(string directory)
        {
            using var scope = NewDisposeScope();
            var truth = SimulatedPrediction.Truth();
            var noise = SimulatedPrediction.Noise();
            var multiplot = MultiplotGrid.Create(SimulatedPrediction.Stages.Length, Losses.Length);
            foreach (var (stage, sharpness) in SimulatedPrediction.Stages)
            {
                var logits = SimulatedPrediction.Logits(truth, sharpness, noise);
                foreach (var (name, make) in Losses)
                {
                    var grad = SimulatedPrediction.Gradient(make, logits, truth);
                    var (fg, bg) = SimulatedPrediction.Means(grad, truth);
                    // The ratio is undefined when the background receives no gradient; + 0.0 turns −0 into 0.
                    string ratio = bg != 0 ? Math.Abs(fg / bg).ToString("F1", CultureInfo.InvariantCulture) : "n/a";
                    Console.WriteLine($"{stage,-11} {name,-16} mean gradient: foreground {fg + 0.0,11:E3}  background {bg + 0.0,11:E3}  |fg/bg| {ratio,6}");
                    multiplot.Subplots.Add(Panel(grad, $"{name}, {stage}", $"|fg/bg| {ratio}"));
                }
            }
            const string file = "gradient-maps.png";
            multiplot.SavePng(System.IO.Path.Combine(directory, file), 1560, 620);
            return new Figure(file, "Gradient maps: Dice against CE on a simulated prediction",
                "d loss / d logit per pixel (blue negative: the loss wants the logit up; red positive: down; each panel scaled to its own largest |value|) "
                + "for a disc of radius 6 in 32x32, predictions around 0.5 (top) and sharpened toward the truth (bottom). "
                + "CE and focal push every pixel by its own error; Dice and Tversky push the whole foreground and the whole background with nearly uniform values set by the region's totals.");
        }

        private static Plot Panel(double[] grad, string title, string subtitle)
        {
            var plot = new Plot();
            double maxAbs = 0;
            foreach (var g in grad) maxAbs = Math.Max(maxAbs, Math.Abs(g));
            var map = plot.Add.Heatmap(SimulatedPrediction.Grid(grad));
            map.Colormap = new ScottPlot.Colormaps.Balance();
            map.ManualRange = new ScottPlot.Range(-Math.Max(maxAbs, 1e-300), Math.Max(maxAbs, 1e-300));
            plot.Title($"{title}\n{subtitle}, max |g| {maxAbs.ToString("0.0E+0", CultureInfo.InvariantCulture)}", size: 12);
            // Hide the axes one by one: Axes.Frameless() would hide the title panel too.
            plot.Axes.Left.IsVisible = false;
            plot.Axes.Right.IsVisible = false;
            plot.Axes.Bottom.IsVisible = false;
            plot.Axes.Top.IsVisible = false;
            plot.HideGrid();
            plot.Axes.SquareUnits();
            return plot;
        }
    }
}
