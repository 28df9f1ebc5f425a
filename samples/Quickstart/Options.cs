using System;
using System.Globalization;
using System.IO;

namespace SegLoss.Quickstart
{
    /// <summary>Command-line options of the quickstart.</summary>
    internal sealed class Options
    {
        public string Loss { get; private set; } = "dice+ce";
        public int Epochs { get; private set; } = 12;
        public int Threads { get; private set; } = Environment.ProcessorCount;
        public int BatchSize { get; private set; } = 16;
        public int TrainImages { get; private set; } = 384;
        public double LearningRate { get; private set; } = 3e-3;
        public int Seed { get; private set; } = 1;
        public string OutputDirectory { get; private set; } = Path.Combine("out", "quickstart");

        /// <summary>Parses the arguments; prints usage and returns null on --help or a bad argument.</summary>
        public static Options? Parse(string[] args)
        {
            var o = new Options();
            try
            {
                for (int i = 0; i < args.Length; i++)
                {
                    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                    switch (args[i])
                    {
                        case "--loss": o.Loss = Next(); LossFactory.Create(o.Loss).Dispose(); break;
                        case "--epochs": o.Epochs = Positive(Next(), "--epochs"); break;
                        case "--threads": o.Threads = Positive(Next(), "--threads"); break;
                        case "--batch": o.BatchSize = Positive(Next(), "--batch"); break;
                        case "--train-images": o.TrainImages = Positive(Next(), "--train-images"); break;
                        case "--lr": o.LearningRate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                        case "--seed": o.Seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                        case "--out": o.OutputDirectory = Next(); break;
                        case "--help": case "-h": Usage(); return null;
                        default: throw new ArgumentException($"unknown argument '{args[i]}'");
                    }
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                Console.Error.WriteLine(e.Message);
                Usage();
                return null;
            }
            return o;
        }

        private static int Positive(string s, string name)
        {
            int v = int.Parse(s, CultureInfo.InvariantCulture);
            return v > 0 ? v : throw new ArgumentException($"{name} must be positive, got {v}");
        }

        private static void Usage()
        {
            Console.Error.WriteLine("usage: Quickstart [--loss NAME] [--epochs N] [--threads N] [--batch N] [--train-images N] [--lr X] [--seed N] [--out DIR]");
            Console.Error.WriteLine($"losses: {LossFactory.Names}");
        }
    }
}
