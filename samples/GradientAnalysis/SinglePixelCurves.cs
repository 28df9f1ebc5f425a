using System;
using ScottPlot;
using static TorchSharp.torch;

namespace SegLoss.GradientAnalysis
{
    /// <summary>
    /// Loss and d loss / d logit for one sigmoid output against its logit z, for CE, Dice, Tversky and focal, with
    /// label 1 and label 0. Each logit value is its own image, so one batched call with reduction None gives every
    /// point of a curve.
    /// </summary>
    internal static class SinglePixelCurves
    {
        private static readonly (string name, Func<SegmentationLoss> make, Color color)[] Losses =
        {
            ("CE", () => new CrossEntropyLoss(LossMode.Binary, reduction: nn.Reduction.None), Colors.Black),
            ("Dice (s = 1)", () => new DiceLoss(LossMode.Binary, smoothNumerator: 1, smoothDenominator: 1, reduction: nn.Reduction.None), Color.FromHex("#1f77b4")),
            ("Tversky α 0.3 β 0.7 (s = 1)", () => new TverskyLoss(LossMode.Binary, smoothNumerator: 1, smoothDenominator: 1, reduction: nn.Reduction.None), Color.FromHex("#2ca02c")),
            ("focal γ = 2", () => new FocalLoss(LossMode.Binary, gamma: 2, reduction: nn.Reduction.None), Color.FromHex("#d62728")),
        };

        internal static Figure Write(string directory)
        {
            var zs = new double[121];
            for (int i = 0; i < zs.Length; i++) zs[i] = -6 + 0.1 * i;
            var multiplot = MultiplotGrid.Create(2, 2);
            foreach (var label in new[] { 1.0, 0.0 })
            {
                var lossPlot = new Plot();
                var gradPlot = new Plot();
                foreach (var (name, make, color) in Losses)
                {
                    var (loss, grad) = Curve(make(), zs, label);
                    Line(lossPlot, zs, loss, name, color);
                    Line(gradPlot, zs, grad, name, color);
                    Console.WriteLine($"label {label}  {name,-27} at z = 0: loss {loss[60],7:F4}  grad {grad[60],8:F4};  at z = {zs[0]}: grad {grad[0],8:F4};  at z = {zs[^1]}: grad {grad[^1],8:F4}");
                }
                Style(lossPlot, $"loss, label {label:F0}", "loss");
                Style(gradPlot, $"d loss / d z, label {label:F0}", "gradient");
                gradPlot.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dotted);
                multiplot.Subplots.Add(lossPlot);
                multiplot.Subplots.Add(gradPlot);
            }
            const string file = "single-pixel.png";
            multiplot.SavePng(System.IO.Path.Combine(directory, file), 1200, 860);
            return new Figure(file, "One pixel: loss and gradient against the logit",
                "Loss (left) and d loss / d z (right) of one sigmoid output for CE, Dice, Tversky and focal, label 1 (top) and label 0 (bottom). "
                + "CE's gradient is σ(z) − y, largest for a confident mistake; focal damps it where the pixel is already right; "
                + "for a lone pixel Dice and Tversky are ratios whose gradient fades at both ends.");
        }

        private static void Line(Plot plot, double[] xs, double[] ys, string name, Color color)
        {
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = name;
            line.Color = color;
            line.LineWidth = 2;
        }

        private static void Style(Plot plot, string title, string yLabel)
        {
            plot.Title(title);
            plot.XLabel("logit z");
            plot.YLabel(yLabel);
            plot.ShowLegend(Alignment.UpperCenter);
        }

        private static (double[] loss, double[] grad) Curve(SegmentationLoss lossFn, double[] zs, double label)
        {
            using var scope = NewDisposeScope();
            using var _ = lossFn;
            var z = tensor(zs, new long[] { zs.Length, 1, 1 }, ScalarType.Float64).requires_grad_(true);
            var target = full(new long[] { zs.Length, 1, 1 }, label, ScalarType.Float64);
            var values = lossFn.call(z, target);
            values.sum().backward();
            return (values.flatten().data<double>().ToArray(), z.grad!.flatten().data<double>().ToArray());
        }
    }
}
