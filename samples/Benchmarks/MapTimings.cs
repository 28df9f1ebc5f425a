using System;
using System.Collections.Generic;
using System.Diagnostics;
using SegLoss.Maps;
using static TorchSharp.torch;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// Quick timings of the distance-map builders on the sizes the structure-aware issue sets targets for: the exact
    /// EDT of 8 binary 256x256 masks, and signed distance maps of an (8, 256, 256) 4-class label batch.
    /// </summary>
    internal static class MapTimings
    {
        private const int Iterations = 15;

        /// <summary>(name, shape, median ms, min ms) per case.</summary>
        public static IEnumerable<(string Name, string Shape, double Median, double Min)> Run()
        {
            manual_seed(7);
            using var blobs = Blobs(8, 256);
            yield return Time("EDT (exact)", "8x256x256", () => DistanceTransform.Edt(blobs));
            using var labels = Labels(8, 256, 4);
            yield return Time("SignedDistanceMap.FromLabels", "8x256x256, 4 classes", () => SignedDistanceMap.FromLabels(labels, 4));
        }

        private static (string, string, double, double) Time(string name, string shape, Func<Tensor> build)
        {
            for (int i = 0; i < 2; i++) build().Dispose();
            var samples = new double[Iterations];
            var clock = new Stopwatch();
            for (int i = 0; i < Iterations; i++)
            {
                clock.Restart();
                build().Dispose();
                samples[i] = clock.Elapsed.TotalMilliseconds;
            }
            Array.Sort(samples);
            return (name, shape, samples[Iterations / 2], samples[0]);
        }

        /// <summary>Random discs on a background: realistic masks (objects and background both present).</summary>
        private static Tensor Blobs(long count, long size)
        {
            using var scope = NewDisposeScope();
            var masks = zeros(new[] { count, size, size }, ScalarType.Bool);
            var yy = arange(size, ScalarType.Float32).view(1, -1, 1);
            var xx = arange(size, ScalarType.Float32).view(1, 1, -1);
            for (int k = 0; k < 6; k++)
            {
                var c = rand(new[] { count, 3 }) * size;
                var r = c[.., 2].view(-1, 1, 1) * 0.15 + 4;
                var inside = (yy - c[.., 0].view(-1, 1, 1)).square() + (xx - c[.., 1].view(-1, 1, 1)).square() <= r.square();
                masks = masks.logical_or(inside);
            }
            return masks.MoveToOuterDisposeScope();
        }

        /// <summary>Labels 0..classes−1 from overlapping blob masks (later classes paint over earlier ones).</summary>
        private static Tensor Labels(long count, long size, long classes)
        {
            using var scope = NewDisposeScope();
            var labels = zeros(new[] { count, size, size }, ScalarType.Int64);
            for (long c = 1; c < classes; c++)
                labels = labels.masked_fill(Blobs(count, size), c);
            return labels.MoveToOuterDisposeScope();
        }
    }
}
