using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// Forward + backward of every registered loss, and of the baseline (F.cross_entropy; for the binary shape
    /// F.binary_cross_entropy_with_logits), on each workload shape. Each invocation disposes all it creates.
    /// </summary>
    public class LossBenchmarks
    {
        public const string Baseline = "baseline";

        private Workload _workload = null!;
        private LossInstance? _loss;

        public static IEnumerable<string> Losses => new[] { Baseline }.Concat(LossRegistry.All.Select(e => e.Name));

        public static IEnumerable<string> Shapes => Workload.Shapes;

        [ParamsSource(nameof(Losses))]
        public string Loss { get; set; } = Baseline;

        [ParamsSource(nameof(Shapes))]
        public string Shape { get; set; } = "8x4x256x256";

        [GlobalSetup]
        public void Setup()
        {
            BenchSettings.ApplyThreads();
            _workload = Workload.Create(Shape);
            if (Loss != Baseline)
            {
                try
                {
                    _loss = LossRegistry.Find(Loss).Create(_workload);
                }
                catch (ArgumentException e)
                {
                    _workload.Dispose();
                    throw new NotSupportedException($"{Loss} does not support {_workload.Mode} ({Shape}): {e.Message}", e);
                }
            }
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _loss?.Dispose();
            _workload.Dispose();
        }

        [Benchmark(Description = "forward+backward")]
        public void ForwardBackward()
        {
            if (_loss is null)
                _workload.Step(_workload.Baseline);
            else
                _workload.Step(_loss.Call);
        }
    }
}
