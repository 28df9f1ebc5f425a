using System;
using System.IO;

namespace SegLoss.Samples
{
    /// <summary>
    /// Points ScottPlot at the DejaVu Sans file that the samples ship next to their binaries (Fonts/DejaVuSans.ttf).
    /// Why: ScottPlot draws through SkiaSharp's NoDependencies native build, which does not ask fontconfig for
    /// system fonts, and a fresh Debian 12 with only the .NET SDK has no fonts at all; without a font file every
    /// title, tick label and legend would be blank.
    /// </summary>
    public static class PlotFont
    {
        /// <summary>The family name the samples' plots use.</summary>
        public const string Name = "DejaVu Sans";

        private static bool _registered;

        /// <summary>Registers the bundled font (regular and bold) and makes it ScottPlot's default; idempotent.</summary>
        public static void Register()
        {
            if (_registered) return;
            string path = Path.Combine(AppContext.BaseDirectory, "Fonts", "DejaVuSans.ttf");
            if (!File.Exists(path)) throw new FileNotFoundException($"the samples' plot font is missing: {path} (it is copied there by the build)", path);
            // One file serves both weights: the bundle carries only the regular face, and titles stay legible.
            ScottPlot.Fonts.AddFontFile(Name, path, bold: false, italic: false);
            ScottPlot.Fonts.AddFontFile(Name, path, bold: true, italic: false);
            ScottPlot.Fonts.Default = Name;
            _registered = true;
        }
    }
}
