using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using SegLoss.Benchmarks.Ports;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// Forward + backward of each SegLoss loss and of the line-by-line port of a peer it is paired with
    /// (<see cref="PortPairs"/>), float32, on the pair's workload shape. Compare the two Side rows of one Pair.
    /// </summary>
    public class PortBenchmarks
    {
        public const string SegLossSide = "segloss";
        public const string PortSide = "port";

        private Workload _workload = null!;
        private PairCase _case = null!;

        public static IEnumerable<string> Pairs => PortPairs.All.Select(p => p.Name);

        [ParamsSource(nameof(Pairs))]
        public string Pair { get; set; } = "monai-dice-sigmoid";

        [Params(SegLossSide, PortSide)]
        public string Side { get; set; } = SegLossSide;

        [GlobalSetup]
        public void Setup()
        {
            BenchSettings.ApplyThreads();
            var pair = PortPairs.Find(Pair);
            _workload = Workload.Create(pair.Shape);
            _case = pair.Create(_workload.Input, _workload.Target);
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _case.Dispose();
            _workload.Dispose();
        }

        [Benchmark(Description = "forward+backward")]
        public void ForwardBackward() => _workload.Step(Side == PortSide ? _case.Port : _case.SegLoss);
    }
}
