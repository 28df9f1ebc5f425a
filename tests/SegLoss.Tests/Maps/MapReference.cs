using System;

namespace SegLoss.Tests.Maps
{
    /// <summary>Brute-force references for the map tests (O(P²) per image: tiny inputs only).</summary>
    public static class MapReference
    {
        /// <summary>
        /// For each of <paramref name="images"/> consecutive images of <paramref name="shape"/>: the Euclidean
        /// distance of every element to the nearest element where <paramref name="foreground"/> is false
        /// (+∞ without one), with per-axis spacing.
        /// </summary>
        public static double[] Edt(bool[] foreground, int images, int[] shape, double[]? spacing = null)
        {
            int dims = shape.Length;
            int size = 1;
            foreach (var s in shape) size *= s;
            var result = new double[foreground.Length];
            var a = new int[dims];
            var b = new int[dims];
            for (int img = 0; img < images; img++)
            {
                for (int i = 0; i < size; i++)
                {
                    if (!foreground[img * size + i]) { result[img * size + i] = 0; continue; }
                    Unravel(i, shape, a);
                    double best = double.PositiveInfinity;
                    for (int j = 0; j < size; j++)
                    {
                        if (foreground[img * size + j]) continue;
                        Unravel(j, shape, b);
                        double d2 = 0;
                        for (int k = 0; k < dims; k++)
                        {
                            double d = (a[k] - b[k]) * (spacing?[k] ?? 1.0);
                            d2 += d * d;
                        }
                        best = Math.Min(best, d2);
                    }
                    result[img * size + i] = Math.Sqrt(best);
                }
            }
            return result;
        }

        /// <summary>Random booleans, true with probability <paramref name="density"/>.</summary>
        public static bool[] RandomMask(int seed, int length, double density)
        {
            var rng = new Random(seed);
            var m = new bool[length];
            for (int i = 0; i < length; i++) m[i] = rng.NextDouble() < density;
            return m;
        }

        private static void Unravel(int index, int[] shape, int[] coords)
        {
            for (int k = shape.Length - 1; k >= 0; k--)
            {
                coords[k] = index % shape[k];
                index /= shape[k];
            }
        }
    }
}
