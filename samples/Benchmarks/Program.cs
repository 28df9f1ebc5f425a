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
            BenchSettings settings;
            try
            {
                settings = BenchSettings.Parse(args);
            }
            catch (System.ArgumentException e)
            {
                // A bad switch is the user's mistake, not a crash: say what was wrong and exit 1.
                System.Console.Error.WriteLine(e.Message);
                System.Console.Error.WriteLine("usage: --quick [--threads N] [--filter S], or BenchmarkDotNet's own arguments");
                return 1;
            }
            if (settings.Quick)
                return QuickRunner.Run(settings.Filter);
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(settings.Rest.ToArray());
            return 0;
        }
    }
}
