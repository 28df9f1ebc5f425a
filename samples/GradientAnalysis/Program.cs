using System;
using System.IO;
using System.Linq;
using SegLoss.GradientAnalysis;
using SegLoss.Samples;

// Why Dice behaves differently from CE: loss and gradient curves for one sigmoid output, per-pixel gradient maps of
// several losses on a simulated prediction, and Dice against its gradient mimic. Writes PNG plots and index.md, and
// prints the numbers behind them.
string outDir = args.Length > 1 && args[0] == "--out" ? args[1] : Path.Combine("out", "gradient-analysis");
if (args.Length > 0 && !(args.Length == 2 && args[0] == "--out"))
{
    Console.Error.WriteLine("usage: GradientAnalysis [--out DIR]   (default DIR: out/gradient-analysis)");
    return args.Contains("--help") || args.Contains("-h") ? 0 : 1;
}
Directory.CreateDirectory(outDir);
PlotFont.Register();

Console.WriteLine("== one sigmoid output: CE, Dice, Tversky, focal ==");
var single = SinglePixelCurves.Write(outDir);
Console.WriteLine();
Console.WriteLine($"== per-pixel gradient maps (foreground disc of radius 6 in {SimulatedPrediction.Size}x{SimulatedPrediction.Size}) ==");
var maps = GradientMaps.Write(outDir);
var mimic = DiceMimicComparison.Write(outDir);
Console.WriteLine();
string index = FigureIndex.Write(outDir, new[] { single, maps, mimic });
Console.WriteLine($"wrote {string.Join(", ", new[] { single, maps, mimic }.Select(f => Path.Combine(outDir, f.File)))} and {index}");
return 0;
