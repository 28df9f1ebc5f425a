using System.IO;

namespace SegLoss.Quickstart
{
    /// <summary>The quickstart's settings, as parsed by <see cref="QuickstartCommand"/>.</summary>
    internal sealed record Options
    {
        public string Loss { get; init; } = "dice+ce";
        public int Epochs { get; init; } = 12;
        public int Threads { get; init; } = System.Environment.ProcessorCount;
        public int BatchSize { get; init; } = 16;
        public int TrainImages { get; init; } = 384;
        public double LearningRate { get; init; } = 3e-3;
        public int Seed { get; init; } = 1;
        public string OutputDirectory { get; init; } = Path.Combine("out", "quickstart");
        /// <summary>A folder with images/ and labels/ of PNGs; null: the synthetic shapes.</summary>
        public string? DataDirectory { get; init; }
        /// <summary>Class count for --data; null: the largest label value + 1.</summary>
        public int? Classes { get; init; }
        /// <summary>Writes the synthetic set as PNGs in --data's layout to this folder and exits.</summary>
        public string? ExportDirectory { get; init; }
        /// <summary>A TensorBoard log folder; null: none.</summary>
        public string? TensorBoardDirectory { get; init; }
        /// <summary>Plain lines instead of the live display, even on a terminal.</summary>
        public bool Plain { get; init; }
    }
}
