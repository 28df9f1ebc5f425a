using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// Each managed CPU kernel against the libtorch path it replaces, on the same input, timed interleaved
    /// (managed, libtorch, managed, ...) so that both see the same load: the Lovász weights (radix sort) against
    /// <c>sort</c> + gathers, forward and backward, and the top-k selection against <c>topk</c> + scatter. A kernel is
    /// kept only while its ratio stays below 1.
    /// </summary>
    internal static class KernelTimings
    {
        private const int Warmup = 10;
        private const int Iterations = 15;

        /// <summary>(kernel, shape, managed median ms, libtorch median ms) per case.</summary>
        public static IEnumerable<(string Kernel, string Shape, double Managed, double Libtorch)> Run()
        {
            manual_seed(11);
            foreach (var (rows, length) in new[] { (4L, 524_288L), (32L, 65_536L), (8L, 65_536L) })
            {
                using var errors = rand(rows, length).requires_grad_(true);
                using var foreground = rand(rows, length).gt(0.7).to(ScalarType.Float32);
                yield return Pair("lovasz (hard targets)", $"{rows}x{length}",
                    () => LovaszExtension.Loss(errors, foreground, null, hardTargets: true).sum(),
                    () => LovaszExtension.SortedLoss(errors, foreground, null).sum(), errors);
            }
            using (var errors = rand(4, 524_288).requires_grad_(true))
            using (var soft = rand(4, 524_288))
                yield return Pair("lovasz (soft targets)", "4x524288",
                    () => LovaszExtension.Loss(errors, soft, null).sum(),
                    () => LovaszExtension.SortedLoss(errors, soft, null).sum(), errors);
            foreach (var (rows, length) in new[] { (8L, 65_536L), (1L, 524_288L) })
            {
                using var scores = rand(rows, length);
                var budget = Enumerable.Repeat(length / 10, (int)rows).ToArray();
                yield return Pair("topk selection (k = 10 %)", $"{rows}x{length}",
                    () => TopSelection.Mask(scores, budget), () => TopSelection.TopKMask(scores, budget), null);
            }
        }

        private static (string, string, double, double) Pair(string kernel, string shape, Func<Tensor> managed, Func<Tensor> libtorch, Tensor? input)
        {
            void Step(Func<Tensor> f)
            {
                using var scope = NewDisposeScope();
                var value = f();
                if (input is not null)
                {
                    value.backward();
                    input.grad = null;
                }
            }
            for (int i = 0; i < Warmup; i++)
            {
                Step(managed);
                Step(libtorch);
            }
            var a = new double[Iterations];
            var b = new double[Iterations];
            var clock = new Stopwatch();
            for (int i = 0; i < Iterations; i++)
            {
                clock.Restart();
                Step(managed);
                a[i] = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                Step(libtorch);
                b[i] = clock.Elapsed.TotalMilliseconds;
            }
            Array.Sort(a);
            Array.Sort(b);
            return (kernel, shape, a[Iterations / 2], b[Iterations / 2]);
        }
    }
}
