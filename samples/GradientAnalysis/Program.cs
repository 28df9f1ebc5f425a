using System;
using System.IO;
using SegLoss.GradientAnalysis;

// Why Dice behaves differently from CE: loss and gradient curves for one sigmoid output, and per-pixel
// gradient maps of several losses on a simulated prediction. Writes SVG files and prints the numbers.
string outDir = args.Length > 1 && args[0] == "--out" ? args[1] : Path.Combine("out", "gradient-analysis");
Directory.CreateDirectory(outDir);

Console.WriteLine("== single sigmoid output: CE vs Dice ==");
SinglePixelCurves.Write(Path.Combine(outDir, "single-pixel.svg"));
Console.WriteLine();
Console.WriteLine("== per-pixel gradient maps (foreground disc of radius 6 in 32x32) ==");
GradientMaps.Write(Path.Combine(outDir, "gradient-maps.svg"));
Console.WriteLine();
Console.WriteLine($"wrote {Path.Combine(outDir, "single-pixel.svg")} and {Path.Combine(outDir, "gradient-maps.svg")}");
