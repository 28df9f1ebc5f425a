using ScottPlot;
using Range = ScottPlot.Range;
using static TorchSharp.torch;

namespace SegLoss.Quickstart
{
    /// <summary>
    /// A grid of validation images, one per row, in four titled columns: the input, the ground truth and the
    /// prediction in class colours, and the pixels the prediction gets wrong; a legend names the class colours.
    /// </summary>
    internal static class PredictionPicture
    {
        private static readonly string[] Columns = { "input", "ground truth", "prediction", "errors" };
        private const double Gap = 0.12; // between tiles, in tile sizes

        internal static void Write(string path, Tensor images, Tensor labels, Tensor predicted, string[] classNames)
        {
            int rows = (int)images.shape[0];
            int height = (int)images.shape[2], width = (int)images.shape[3];
            var plot = new Plot();
            for (int r = 0; r < rows; r++)
            {
                var grey = Grid(images[r].mean(new long[] { 0 }), height, width);
                var truth = Grid(labels[r], height, width);
                var guess = Grid(predicted[r], height, width);
                var wrong = Grid(labels[r].ne(predicted[r]), height, width);
                Tile(plot, r, 0, grey, new ScottPlot.Colormaps.Grayscale(), null);
                Tile(plot, r, 1, truth, new ClassColormap(classNames.Length), new Range(0, classNames.Length - 1));
                Tile(plot, r, 2, guess, new ClassColormap(classNames.Length), new Range(0, classNames.Length - 1));
                Tile(plot, r, 3, wrong, new ScottPlot.Colormaps.Custom(new[] { Color.FromHex("#EEEEEE"), Colors.Red }), new Range(0, 1));
            }
            for (int c = 0; c < Columns.Length; c++)
            {
                var title = plot.Add.Text(Columns[c], c * (1 + Gap) + 0.5, 0.04);
                title.LabelFontSize = 15;
                title.LabelBold = true;
                title.LabelAlignment = Alignment.LowerCenter;
            }
            for (int k = 0; k < classNames.Length; k++)
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = classNames[k], FillColor = ClassColours.Of(k), LineWidth = 0, MarkerSize = 0 });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "wrong pixel", FillColor = Colors.Red, LineWidth = 0, MarkerSize = 0 });
            plot.ShowLegend(Edge.Bottom);
            plot.Legend.Orientation = Orientation.Horizontal;
            plot.Legend.FontSize = 14;
            plot.Axes.Frameless();
            plot.HideGrid();
            plot.Axes.SetLimits(-0.02, Columns.Length * (1 + Gap) - Gap + 0.02, -rows * (1 + Gap) + Gap - 0.02, 0.2);
            int tile = 150;
            plot.SavePng(path, (int)(Columns.Length * tile * (1 + Gap)), (int)((rows * (1 + Gap) + 0.2) * tile) + 60);
        }

        /// <summary>A tile of one unit square at row r (top down), column c.</summary>
        private static void Tile(Plot plot, int r, int c, double[,] values, IColormap colormap, Range? range)
        {
            var map = plot.Add.Heatmap(values);
            map.Colormap = colormap;
            map.ManualRange = range;
            double left = c * (1 + Gap), top = -r * (1 + Gap);
            map.Extent = new CoordinateRect(left, left + 1, top - 1, top);
        }

        private static double[,] Grid(Tensor t, int height, int width)
        {
            var flat = t.to(float64).contiguous().cpu().data<double>().ToArray();
            var grid = new double[height, width];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    grid[y, x] = flat[y * width + x];
            return grid;
        }
    }
}
