using ScottPlot;

namespace SegLoss.Quickstart
{
    /// <summary>The colour of each class in the pictures and curves: dark background, then Category10's colours.</summary>
    internal static class ClassColours
    {
        private static readonly Color Background = Color.FromHex("#202020");
        private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

        internal static Color Of(int c) => c == 0 ? Background : Palette.GetColor(c - 1);
    }
}
