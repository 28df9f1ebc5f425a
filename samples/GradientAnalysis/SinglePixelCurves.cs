using System;
using System.Collections.Generic;
using SegLoss.Samples;
using static TorchSharp.torch;

namespace SegLoss.GradientAnalysis
{
    /// <summary>
    /// Loss and d loss / d logit for one sigmoid output, CE vs Dice, for label 1 and label 0. Each logit value is
    /// its own image, so one batched call with reduction None gives every point of the curve.
    /// </summary>
    internal static class SinglePixelCurves
    {
        internal static void Write(string path)
        {
            var zs = new double[121];
            for (int i = 0; i < zs.Length; i++) zs[i] = -6 + 0.1 * i;
            var svg = new Svg(1000, 720);
            int panel = 0;
            foreach (var label in new[] { 1.0, 0.0 })
            {
                var ce = Curve(new CrossEntropyLoss(LossMode.Binary, reduction: nn.Reduction.None), zs, label);
                var dice = Curve(new DiceLoss(LossMode.Binary, smoothNumerator: 1, smoothDenominator: 1, reduction: nn.Reduction.None), zs, label);
                double top = 40 + panel * 350;
                svg.Plot(70, top, 380, 260, $"loss, label {label}", "logit z", zs,
                    new List<(string, double[], string)> { ("CE", ce.loss, "#d62728"), ("Dice (s=1)", dice.loss, "#1f77b4") });
                svg.Plot(570, top, 380, 260, $"d loss / d z, label {label}", "logit z", zs,
                    new List<(string, double[], string)> { ("CE", ce.grad, "#d62728"), ("Dice (s=1)", dice.grad, "#1f77b4") });
                Console.WriteLine($"label {label}: at z = 0  CE grad {ce.grad[60]:F4}, Dice grad {dice.grad[60]:F4};  at z = {zs[0]}  CE grad {ce.grad[0]:F4}, Dice grad {dice.grad[0]:F4}");
                panel++;
            }
            System.IO.File.WriteAllText(path, svg.ToString());
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
