using BenchmarkDotNet.Running;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// dotnet run -c Release --project samples/Benchmarks -- --quick [--threads N] [--filter S]: quick JSON lines.
    /// Without --quick the arguments go to BenchmarkDotNet's switcher (e.g. --filter '*LossBenchmarks*' --job short);
    /// --threads N (default 1) sets libtorch's intra-op threads in both modes.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var settings = BenchSettings.Parse(args);
            if (settings.Quick)
                return QuickRunner.Run(settings.Filter);
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(settings.Rest.ToArray());
            return 0;
        }
    }
}
