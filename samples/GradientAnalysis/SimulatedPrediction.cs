using System;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss.GradientAnalysis
{
    /// <summary>
    /// A foreground disc of radius 6 in a 32x32 image and logits around it: noise around 0 ("around 0.5"), or the
    /// same noise shifted toward the truth by ±2 ("sharpened"). Gradients are taken per pixel in float64.
    /// </summary>
    internal static class SimulatedPrediction
    {
        internal const int Size = 32;
        internal static readonly (string name, double sharpness)[] Stages = { ("around 0.5", 0.0), ("sharpened", 2.0) };

        internal static Tensor Truth() => Disc(Size, Size / 2.0, Size / 2.0, 6);

        internal static Tensor Logits(Tensor truth, double sharpness, Tensor noise) => truth * (2 * sharpness) - sharpness + noise;

        internal static Tensor Noise()
        {
            manual_seed(3);
            return randn(new long[] { 1, 1, Size, Size }, ScalarType.Float64) * 0.5;
        }

        /// <summary>d loss / d logit for every pixel, row-major.</summary>
        internal static double[] Gradient(Func<SegmentationLoss> make, Tensor logits, Tensor truth)
        {
            using var scope = NewDisposeScope();
            using var loss = make();
            var z = logits.detach().clone().requires_grad_(true);
            loss.call(z, truth).backward();
            return z.grad!.flatten().data<double>().ToArray();
        }

        /// <summary>Mean gradient over the foreground and the background pixels.</summary>
        internal static (double fg, double bg) Means(double[] grad, Tensor truth)
        {
            var mask = truth.flatten().data<double>().ToArray();
            return (grad.Where((_, i) => mask[i] > 0.5).Average(), grad.Where((_, i) => mask[i] < 0.5).Average());
        }

        internal static double[,] Grid(double[] values)
        {
            var grid = new double[Size, Size];
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                    grid[y, x] = values[y * Size + x];
            return grid;
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
