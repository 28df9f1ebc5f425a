using System;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss.Tests.Infrastructure
{
    /// <summary>Deterministic small inputs for loss tests.</summary>
    public static class TestData
    {
        /// <summary>Normal logits (N, C, *spatial) in float64 from a fixed seed.</summary>
        public static Tensor Logits(long seed, params long[] shape)
        {
            var rng = new Random((int)seed);
            long n = shape.Aggregate(1L, (a, b) => a * b);
            var values = Enumerable.Range(0, (int)n).Select(_ => Normal(rng) * 1.5).ToArray();
            return tensor(values, shape, ScalarType.Float64);
        }

        /// <summary>Uniform integer labels in [0, classes) of the given shape.</summary>
        public static Tensor Labels(long seed, long classes, params long[] shape)
        {
            var rng = new Random((int)seed);
            long n = shape.Aggregate(1L, (a, b) => a * b);
            var values = Enumerable.Range(0, (int)n).Select(_ => (long)rng.Next((int)classes)).ToArray();
            return tensor(values, shape, ScalarType.Int64);
        }

        /// <summary>Labels with roughly a quarter of the pixels set to <paramref name="ignoreIndex"/>.</summary>
        public static Tensor LabelsWithIgnored(long seed, long classes, long ignoreIndex, params long[] shape)
        {
            var rng = new Random((int)seed);
            long n = shape.Aggregate(1L, (a, b) => a * b);
            var values = Enumerable.Range(0, (int)n).Select(_ => rng.NextDouble() < 0.25 ? ignoreIndex : rng.Next((int)classes)).ToArray();
            return tensor(values, shape, ScalarType.Int64);
        }

        /// <summary>Random 0/1 targets (float64) of the given shape.</summary>
        public static Tensor BinaryTargets(long seed, params long[] shape)
        {
            var rng = new Random((int)seed);
            long n = shape.Aggregate(1L, (a, b) => a * b);
            var values = Enumerable.Range(0, (int)n).Select(_ => rng.NextDouble() < 0.4 ? 1.0 : 0.0).ToArray();
            return tensor(values, shape, ScalarType.Float64);
        }

        /// <summary>Logits that put +<paramref name="margin"/> on the labelled class and 0 elsewhere.</summary>
        public static Tensor PerfectLogits(Tensor labels, long classes, double margin = 30)
        {
            using var scope = NewDisposeScope();
            var oneHot = OneHot.Encode(labels, classes, dtype: ScalarType.Float64);
            return (oneHot * margin).MoveToOuterDisposeScope();
        }

        private static double Normal(Random rng)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
