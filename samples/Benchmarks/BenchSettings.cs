using System;
using System.Collections.Generic;
using System.Globalization;
using SegLoss.Maps;
using static TorchSharp.torch;

namespace SegLoss.Benchmarks
{
    /// <summary>
    /// Command-line switches of this program (--quick, --threads N, --filter S) and the libtorch thread count.
    /// The thread count travels to BenchmarkDotNet's child processes through an environment variable.
    /// </summary>
    internal sealed class BenchSettings
    {
        public const string ThreadsVariable = "SEGLOSS_BENCH_THREADS";

        public bool Quick { get; private set; }

        public int Threads { get; private set; } = 1;

        public string? Filter { get; private set; }

        /// <summary>Arguments left for BenchmarkDotNet (everything but --quick and --threads).</summary>
        public List<string> Rest { get; } = new();

        public static BenchSettings Parse(string[] args)
        {
            var settings = new BenchSettings();
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--quick":
                        settings.Quick = true;
                        break;
                    case "--threads" when i + 1 < args.Length:
                        string value = args[++i];
                        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int threads) || threads < 1)
                            throw new ArgumentException($"--threads must be a whole number >= 1, got '{value}'");
                        settings.Threads = threads;
                        break;
                    case "--filter" when i + 1 < args.Length:
                        settings.Filter = args[i + 1];
                        settings.Rest.Add(args[i]);
                        settings.Rest.Add(args[++i]);
                        break;
                    default:
                        settings.Rest.Add(args[i]);
                        break;
                }
            }
            Environment.SetEnvironmentVariable(ThreadsVariable, settings.Threads.ToString(CultureInfo.InvariantCulture));
            return settings;
        }

        /// <summary>
        /// Applies the thread count chosen on the command line (1 when none), also in child processes: libtorch's
        /// intra-op threads and the threads SegLoss's distance-map builders use.
        /// </summary>
        public static int ApplyThreads()
        {
            var text = Environment.GetEnvironmentVariable(ThreadsVariable);
            int threads = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
            set_num_threads(threads);
            DistanceTransform.MaxDegreeOfParallelism = threads;
            return threads;
        }
    }
}
