using System;
using static TorchSharp.torch;

namespace SegLoss.Quickstart
{
    /// <summary>
    /// A synthetic segmentation data set made in code: 64x64 grey images with discs (class 1) and squares
    /// (class 2) of random size, position and brightness on a noisy, shaded background (class 0).
    /// </summary>
    internal static class SyntheticShapes
    {
        internal const int Classes = 3;
        internal static readonly string[] ClassNames = { "background", "disc", "square" };
        internal const int Size = 64, ValidationImages = 64;

        /// <summary>The default data: trainImages training and 64 validation images, from the seed and seed + 1.</summary>
        internal static SegmentationData Load(int trainImages, int seed)
        {
            var (ti, tl) = Generate(trainImages, Size, seed);
            var (vi, vl) = Generate(ValidationImages, Size, seed + 1);
            return new SegmentationData($"synthetic shapes: {trainImages} training and {ValidationImages} validation images of {Size}x{Size}", ClassNames, ti, tl, vi, vl);
        }

        /// <summary>Images (N, 1, size, size) float32 and labels (N, size, size) int64, from a fixed seed.</summary>
        internal static (Tensor images, Tensor labels) Generate(int count, int size, int seed)
        {
            var rng = new Random(seed);
            var images = new float[count * size * size];
            var labels = new long[count * size * size];
            for (int n = 0; n < count; n++)
            {
                int offset = n * size * size;
                double gx = rng.NextDouble() - 0.5, gy = rng.NextDouble() - 0.5;
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                        images[offset + y * size + x] = (float)(0.3 * (gx * x + gy * y) / size + 0.25 * Gaussian(rng));
                int shapes = 2 + rng.Next(3);
                for (int s = 0; s < shapes; s++)
                {
                    int cls = 1 + rng.Next(2);
                    double r = 5 + rng.NextDouble() * 8;
                    double cx = r + rng.NextDouble() * (size - 2 * r), cy = r + rng.NextDouble() * (size - 2 * r);
                    float brightness = (float)(0.6 + 0.6 * rng.NextDouble());
                    for (int y = 0; y < size; y++)
                        for (int x = 0; x < size; x++)
                        {
                            bool inside = cls == 1
                                ? (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r
                                : Math.Abs(x - cx) <= r * 0.85 && Math.Abs(y - cy) <= r * 0.85;
                            if (!inside) continue;
                            images[offset + y * size + x] += brightness;
                            labels[offset + y * size + x] = cls;
                        }
                }
            }
            return (tensor(images, new long[] { count, 1, size, size }), tensor(labels, new long[] { count, size, size }));
        }

        private static double Gaussian(Random rng)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
