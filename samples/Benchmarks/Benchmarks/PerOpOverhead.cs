using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// The fixed cost of one small op through the binding (managed call, native call, wrapper, dispose):
    /// tensors of 4 or 16 elements, so the arithmetic itself is negligible. Results are per op.
    /// </summary>
    public class PerOpOverhead
    {
        private const int Ops = 1000;
        private Tensor _vector = null!;
        private Tensor _matrix = null!;

        [GlobalSetup]
        public void Setup()
        {
            BenchSettings.ApplyThreads();
            _vector = rand(4);
            _matrix = rand(4, 4);
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _vector.Dispose();
            _matrix.Dispose();
        }

        [Benchmark(Baseline = true, OperationsPerInvoke = Ops, Description = "t + 1.0 (4)")]
        public void AddScalar()
        {
            for (int i = 0; i < Ops; i++)
            {
                using var r = _vector + 1.0;
            }
        }

        [Benchmark(OperationsPerInvoke = Ops, Description = "t.exp() (4)")]
        public void Exp()
        {
            for (int i = 0; i < Ops; i++)
            {
                using var r = _vector.exp();
            }
        }

        [Benchmark(OperationsPerInvoke = Ops, Description = "t.sum() (4)")]
        public void Sum()
        {
            for (int i = 0; i < Ops; i++)
            {
                using var r = _vector.sum();
            }
        }

        [Benchmark(OperationsPerInvoke = Ops, Description = "softmax(1) (4x4)")]
        public void Softmax()
        {
            for (int i = 0; i < Ops; i++)
            {
                using var r = _matrix.softmax(1);
            }
        }

        [Benchmark(OperationsPerInvoke = 3 * Ops, Description = "(t * 2 + 1).exp() (4), per op")]
        public void Chain3()
        {
            for (int i = 0; i < Ops; i++)
            {
                using var a = _vector * 2.0;
                using var b = a + 1.0;
                using var c = b.exp();
            }
        }

        [Benchmark(OperationsPerInvoke = Ops, Description = "t + 1.0 in a dispose scope (4)")]
        public void AddScalarScoped()
        {
            for (int i = 0; i < Ops; i++)
            {
                using var scope = NewDisposeScope();
                _ = _vector + 1.0;
            }
        }
    }
}
