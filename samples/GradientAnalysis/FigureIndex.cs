using System.Collections.Generic;
using System.IO;
using System.Text;

namespace SegLoss.GradientAnalysis
{
    /// <summary>index.md next to the figures: each figure's title, a link to it and what it shows.</summary>
    internal static class FigureIndex
    {
        internal static string Write(string directory, IEnumerable<Figure> figures)
        {
            var text = new StringBuilder("# SegLoss gradient analysis\n\nWritten by `dotnet run --project samples/GradientAnalysis -c Release`; the numbers behind the figures are printed on standard output.\n");
            foreach (var f in figures)
                text.Append($"\n## {f.Title}\n\n![{f.Title}]({f.File})\n\n`{f.File}`: {f.Shows}\n");
            string path = Path.Combine(directory, "index.md");
            File.WriteAllText(path, text.ToString());
            return path;
        }
    }
}
