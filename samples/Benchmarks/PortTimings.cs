using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using SegLoss.Benchmarks.Ports;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// Each SegLoss loss against the line-by-line port of a peer (<see cref="PortPairs"/>), forward + backward in
    /// float32 on the benchmark workload of the pair's shape, timed in interleaved rounds (the order within a round
    /// alternates): at least 10 warm-up rounds and at least <see cref="WarmupMs"/> of them, then 15 timed, medians.
    /// Values agree by the float64 agreement tests.
    /// </summary>
    /// <remarks>
    /// Why a time floor: .NET compiles a method first without optimisation and recompiles it once it has been called
    /// about 30 times and the process has been quiet for a moment; the TensorPrimitives methods behind SegLoss's managed
    /// kernels took 150 to 250 calls to reach their steady speed in this busy process (the sigmoid focal loss ran at
    /// 3.7, 1.7, then 0.88 ms per call in consecutive blocks of 60 calls). A training loop is past that within seconds.
    /// </remarks>
    internal static class PortTimings
    {
        private const int Warmup = 10;
        private const double WarmupMs = 1500;
        private const int Rounds = 15;

        /// <summary>(pair, SegLoss median ms, port median ms) per pair.</summary>
        public static IEnumerable<(PortPair Pair, double SegLoss, double Port)> Run()
        {
            foreach (var group in PortPairs.All.GroupBy(p => p.Shape))
            {
                using var workload = Workload.Create(group.Key);
                foreach (var pair in group)
                {
                    using var pairCase = pair.Create(workload.Input, workload.Target);
                    var (segLoss, port) = Time(workload, pairCase);
                    yield return (pair, segLoss, port);
                }
            }
        }

        private static (double SegLoss, double Port) Time(Workload workload, PairCase pairCase)
        {
            var warm = Stopwatch.StartNew();
            for (int i = 0; i < Warmup || warm.Elapsed.TotalMilliseconds < WarmupMs; i++)
            {
                workload.Step(pairCase.SegLoss);
                workload.Step(pairCase.Port);
            }
            var a = new double[Rounds];
            var b = new double[Rounds];
            var clock = new Stopwatch();
            for (int i = 0; i < Rounds; i++)
            {
                for (int side = 0; side < 2; side++)
                {
                    bool segLossNow = (side == 0) == (i % 2 == 0);
                    clock.Restart();
                    workload.Step(segLossNow ? pairCase.SegLoss : pairCase.Port);
                    double ms = clock.Elapsed.TotalMilliseconds;
                    if (segLossNow) a[i] = ms;
                    else b[i] = ms;
                }
            }
            return (Median(a), Median(b));
        }

        private static double Median(double[] samples)
        {
            var sorted = samples.OrderBy(x => x).ToArray();
            return sorted[sorted.Length / 2];
        }

        /// <summary>Geometric mean of SegLoss/port over the pairs.</summary>
        public static double GeometricMean(IReadOnlyCollection<double> ratios) => Math.Exp(ratios.Sum(Math.Log) / ratios.Count);
    }
}
