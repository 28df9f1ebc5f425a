using ScottPlot;

namespace SegLoss.GradientAnalysis
{
    /// <summary>An empty ScottPlot multiplot laid out as a grid; subplots are added row by row.</summary>
    internal static class MultiplotGrid
    {
        internal static Multiplot Create(int rows, int columns)
        {
            var multiplot = new Multiplot();
            // A new Multiplot starts with one plot of its own; the callers add all of theirs.
            while (multiplot.Subplots.Count > 0) multiplot.Subplots.RemoveAt(0);
            multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
            return multiplot;
        }
    }
}
