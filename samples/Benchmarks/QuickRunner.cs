using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using static TorchSharp.torch;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// --quick: a Stopwatch timing of every loss x shape (forward + backward), printed as one JSON object per line
    /// (a shape's lines once all its losses are timed), with the ratio of medians to the baseline timed interleaved
    /// with the loss on the same shape (F.cross_entropy; F.binary_cross_entropy_with_logits for the binary shape); plus
    /// the distance maps, each managed kernel against the libtorch path it replaces, and the cost of the non-finite check. Skipped or failed losses are reported on stderr. Not a substitute for BenchmarkDotNet's
    /// statistics; made to finish in well under two minutes on 2 cores.
    /// </summary>
    internal static class QuickRunner
    {
        private const int Warmup = 30;
        private const int BaselineWarmup = 5;
        private const int Iterations = 12;
        private const int MinIterations = 3;
        private const double CaseBudgetMs = 1200;
        private const double SlowWarmupMs = 500;
        private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        public static int Run(string? filter)
        {
            int threads = BenchSettings.ApplyThreads();
            var total = Stopwatch.StartNew();
            if (File.Exists("/proc/loadavg"))
                Console.Error.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");

            foreach (var shape in Workload.Shapes)
            {
                var entries = LossRegistry.All.Where(e => Matches(filter, e.Name, shape)).ToList();
                if (entries.Count == 0 && !Matches(filter, "F.cross_entropy F.bce_with_logits", shape)) continue;
                using var workload = Workload.Create(shape);
                // The baseline is timed before and after the losses and the faster of the two kept, so that the
                // ratios do not depend on which came first (JIT tiering, heap growth, a neighbour's load).
                var before = Time(workload, workload.Baseline, BaselineWarmup);
                var rows = new List<(string Name, double Median, double Min, double Ratio)>();
                foreach (var entry in entries)
                {
                    if (TimeLoss(entry, workload) is { } row) rows.Add((entry.Name, row.Median, row.Min, row.Ratio));
                }
                var after = Time(workload, workload.Baseline, Warmup);
                var baseline = after.Median < before.Median ? after : before;
                Print(new { loss = workload.BaselineName, shape, threads, median_ms = Round(baseline.Median), min_ms = Round(baseline.Min), ratio_to_ce = 1.0 });
                foreach (var (name, median, min, ratio) in rows)
                    Print(new { loss = name, shape, threads, median_ms = Round(median), min_ms = Round(min), ratio_to_ce = Round(ratio) });
            }
            if (Matches(filter, "maps", "maps"))
                foreach (var (name, shape, median, min) in MapTimings.Run())
                    Print(new { map = name, shape, threads, median_ms = Round(median), min_ms = Round(min) });
            if (Matches(filter, "kernels", "kernels"))
                foreach (var (kernel, shape, managed, libtorch) in KernelTimings.Run())
                    Print(new { kernel, shape, threads, managed_ms = Round(managed), libtorch_ms = Round(libtorch), managed_over_libtorch = Round(managed / libtorch) });
            if (Matches(filter, "checks", "checks"))
                foreach (var (loss, shape, on, off, f) in CheckTimings.Run())
                    Print(new { check = "non-finite result", loss, shape, threads, checked_ms = Round(on), unchecked_ms = Round(off), cost_ms = Round(on - off), cost_in_f = Round((on - off) / f) });
            if (Matches(filter, "ports", "ports"))
            {
                var ratios = new List<double>();
                foreach (var (pair, segLoss, port) in PortTimings.Run())
                {
                    ratios.Add(segLoss / port);
                    Print(new { pair = pair.Name, loss = pair.Loss, peer = pair.Peer, shape = pair.Shape, threads, segloss_ms = Round(segLoss), port_ms = Round(port), ratio = Round(segLoss / port) });
                }
                Print(new { ports_summary = "SegLoss/port", pairs = ratios.Count, faster = ratios.Count(r => r < 1), threads, geomean_ratio = Round(PortTimings.GeometricMean(ratios)) });
            }
            Console.Error.WriteLine($"quick run took {total.Elapsed.TotalSeconds:F1} s");
            return 0;
        }

        /// <summary>
        /// Times a loss with the baseline interleaved (loss, baseline, loss, ...), so that the ratio compares runs
        /// made under the same load; the ratio is median(loss) / median(interleaved baseline).
        /// </summary>
        private static (double Median, double Min, double Ratio)? TimeLoss(LossEntry entry, Workload workload)
        {
            LossInstance loss;
            try
            {
                loss = entry.Create(workload);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"skipped {entry.Name} on {workload.Shape} ({workload.Mode}): {FirstLine(e.Message)}");
                return null;
            }
            using (loss)
            {
                try
                {
                    var baselineSamples = new List<double>();
                    var clock = new Stopwatch();
                    var timed = Time(workload, loss.Call, Warmup, () =>
                    {
                        clock.Restart();
                        workload.Step(workload.Baseline);
                        baselineSamples.Add(clock.Elapsed.TotalMilliseconds);
                    });
                    return (timed.Median, timed.Min, timed.Median / Median(baselineSamples.ToArray()));
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"failed {entry.Name} on {workload.Shape}: {FirstLine(e.Message)}");
                    return null;
                }
            }
        }

        private static bool Matches(string? filter, string loss, string shape) =>
            filter is null || loss.Contains(filter, StringComparison.OrdinalIgnoreCase) || shape.Contains(filter, StringComparison.OrdinalIgnoreCase);

        /// <summary>Median and min of forward + backward in ms after warm-up; 3 to 12 iterations, fewer for slow losses.</summary>
        private static (double Median, double Min) Time(Workload workload, Func<Tensor, Tensor, Tensor> loss, int warmup, Action? between = null)
        {
            var clock = Stopwatch.StartNew();
            workload.Step(loss);
            double estimateMs = clock.Elapsed.TotalMilliseconds;
            if (estimateMs < SlowWarmupMs && warmup > 1)
            {
                clock.Restart();
                for (int i = 1; i < warmup; i++) workload.Step(loss);
                estimateMs = clock.Elapsed.TotalMilliseconds / (warmup - 1);
            }
            int iterations = Math.Clamp((int)(CaseBudgetMs / estimateMs), MinIterations, Iterations);
            var samples = new double[iterations];
            long liveBefore = Tensor.TotalCount;
            for (int i = 0; i < iterations; i++)
            {
                clock.Restart();
                workload.Step(loss);
                samples[i] = clock.Elapsed.TotalMilliseconds;
                between?.Invoke();
            }
            long leaked = Tensor.TotalCount - liveBefore;
            if (leaked != 0)
                Console.Error.WriteLine($"warning: {leaked} tensors left alive by {iterations} iterations on {workload.Shape}");
            return (Median(samples), samples.Min());
        }

        private static double Median(double[] samples)
        {
            var sorted = samples.OrderBy(x => x).ToArray();
            int mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }

        private static double Round(double value) => Math.Round(value, 3);

        private static string FirstLine(string message) => message.Split('\n')[0];

        private static void Print<T>(T record) => Console.WriteLine(JsonSerializer.Serialize(record, Json));
    }
}
