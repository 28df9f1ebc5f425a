using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// The cost of the non-finite policy (<see cref="SegLossSettings.ThrowOnNonFinite"/>): each loss timed with the
    /// check on and off, interleaved, forward + backward at 8x4x256x256, with F (torch's own cross-entropy) for the ratio.
    /// </summary>
    internal static class CheckTimings
    {
        private const int Warmup = 10;
        private const int Iterations = 41;

        /// <summary>(loss, shape, median ms with the check, without it, and F) per case.</summary>
        public static IEnumerable<(string Loss, string Shape, double Checked, double Unchecked, double F)> Run()
        {
            const string shape = "8x4x256x256";
            using var workload = Workload.Create(shape);
            foreach (var (name, make) in new (string, Func<SegmentationLoss>)[]
            {
                ("CE", () => new CrossEntropyLoss()),
                ("Dice", () => new DiceLoss()),
                ("Dice+CE", () => new DiceLoss() + new CrossEntropyLoss()),
            })
            {
                using var loss = make();
                var on = new double[Iterations];
                var off = new double[Iterations];
                var f = new double[Iterations];
                var clock = new Stopwatch();
                double Timed(bool check)
                {
                    SegLossSettings.ThrowOnNonFinite = check;
                    clock.Restart();
                    workload.Step(loss.call);
                    return clock.Elapsed.TotalMilliseconds;
                }
                for (int i = -Warmup; i < Iterations; i++)
                {
                    // Alternate which comes first, so that neither always follows F (allocator and cache state).
                    bool onFirst = (i & 1) == 0;
                    double a = Timed(onFirst), b = Timed(!onFirst);
                    clock.Restart();
                    workload.Step(workload.Baseline);
                    if (i < 0) continue;
                    f[i] = clock.Elapsed.TotalMilliseconds;
                    on[i] = onFirst ? a : b;
                    off[i] = onFirst ? b : a;
                }
                SegLossSettings.ThrowOnNonFinite = true;
                yield return (name, shape, Median(on), Median(off), Median(f));
            }
        }

        private static double Median(double[] samples)
        {
            var sorted = (double[])samples.Clone();
            Array.Sort(sorted);
            return sorted[sorted.Length / 2];
        }
    }
}
