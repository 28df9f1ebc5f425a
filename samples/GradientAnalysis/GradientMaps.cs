using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SegLoss.Samples;
using static TorchSharp.torch;

namespace SegLoss.GradientAnalysis
{
    /// <summary>
    /// Per-pixel gradient maps of several losses on a simulated prediction: a foreground disc, predictions drawn
    /// around 0.5 and then sharpened toward the truth. Shows Dice's two-valued gradient against CE's local one.
    /// </summary>
    internal static class GradientMaps
    {
        private const int Size = 32;

        internal static void Write(string path)
        {
            manual_seed(3);
            using var scope = NewDisposeScope();
            var truth = Disc(Size, Size / 2.0, Size / 2.0, 6);
            var noise = randn(new long[] { 1, 1, Size, Size }, ScalarType.Float64) * 0.5;
            var losses = new List<(string name, Func<SegmentationLoss> make)>
            {
                ("CE", () => new CrossEntropyLoss(LossMode.Binary)),
                ("Dice", () => new DiceLoss(LossMode.Binary)),
                ("Focal", () => new FocalLoss(LossMode.Binary)),
                ("Tversky", () => new TverskyLoss(LossMode.Binary)),
                ("DiceMimic", () => new DiceMimicLoss(LossMode.Binary)),
                ("DiceMimic b=0.1", () => new DiceMimicLoss(LossMode.Binary, backgroundValue: 0.1)),
            };
            var stages = new[] { ("around 0.5", 0.0), ("sharpened", 2.0) };
            var svg = new Svg(40 + losses.Count * 180, 60 + stages.Length * 230);
            for (int s = 0; s < stages.Length; s++)
            {
                var (stageName, sharpness) = stages[s];
                var logits = truth * (2 * sharpness) - sharpness + noise;
                svg.Text(20, 40 + s * 230, $"predictions {stageName}", 13, "start", "bold");
                for (int l = 0; l < losses.Count; l++)
                {
                    var (name, make) = losses[l];
                    var grad = Gradient(make, logits, truth);
                    svg.HeatMap(20 + l * 180, 70 + s * 230, 5, Size, Size, grad, $"{name} d/dz", diverging: true);
                    var mask = truth.flatten().data<double>().ToArray();
                    double fg = grad.Where((_, i) => mask[i] > 0.5).Average();
                    double bg = grad.Where((_, i) => mask[i] < 0.5).Average();
                    // + 0.0 turns −0 into 0; the ratio is undefined when the background receives no gradient.
                    string ratio = bg != 0 ? Math.Abs(fg / bg).ToString("F1", CultureInfo.InvariantCulture) : "n/a";
                    Console.WriteLine($"{stageName,-11} {name,-16} mean gradient: foreground {fg + 0.0,11:E3}  background {bg + 0.0,11:E3}  |fg/bg| {ratio,6}");
                }
            }
            System.IO.File.WriteAllText(path, svg.ToString());
        }

        private static double[] Gradient(Func<SegmentationLoss> make, Tensor logits, Tensor truth)
        {
            using var scope = NewDisposeScope();
            using var loss = make();
            var z = logits.detach().clone().requires_grad_(true);
            loss.call(z, truth).backward();
            return z.grad!.flatten().data<double>().ToArray();
        }

        private static Tensor Disc(int size, double cy, double cx, double radius)
        {
            var values = new double[size * size];
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    values[y * size + x] = (y - cy) * (y - cy) + (x - cx) * (x - cx) <= radius * radius ? 1 : 0;
            return tensor(values, new long[] { 1, 1, size, size }, ScalarType.Float64);
        }
    }
}
