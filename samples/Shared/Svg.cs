using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace SegLoss.Samples
{
    /// <summary>A tiny SVG writer for the samples: line plots, heat maps and labelled panels.</summary>
    public sealed class Svg
    {
        private readonly StringBuilder _body = new StringBuilder();
        private readonly double _width;
        private readonly double _height;

        public Svg(double width, double height)
        {
            _width = width;
            _height = height;
        }

        private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        public void Text(double x, double y, string text, int size = 12, string anchor = "start", string weight = "normal") =>
            _body.Append($"<text x=\"{F(x)}\" y=\"{F(y)}\" font-family=\"sans-serif\" font-size=\"{size}\" text-anchor=\"{anchor}\" font-weight=\"{weight}\">{System.Security.SecurityElement.Escape(text)}</text>\n");

        public void Rect(double x, double y, double w, double h, string fill, string stroke = "none") =>
            _body.Append($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(h)}\" fill=\"{fill}\" stroke=\"{stroke}\"/>\n");

        public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string dash = "") =>
            _body.Append($"<line x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\" stroke=\"{stroke}\" stroke-width=\"{F(width)}\"{(dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : "")}/>\n");

        /// <summary>Line plot of several series sharing x, in a box at (x, y) of size (w, h), with axes and legend.</summary>
        public void Plot(double x, double y, double w, double h, string title, string xLabel, double[] xs, IReadOnlyList<(string name, double[] ys, string color)> series)
        {
            double yMin = series.Min(s => s.ys.Min()), yMax = series.Max(s => s.ys.Max());
            if (yMax - yMin < 1e-12) { yMax += 1; yMin -= 1; }
            double xMin = xs.Min(), xMax = xs.Max();
            double Px(double v) => x + (v - xMin) / (xMax - xMin) * w;
            double Py(double v) => y + h - (v - yMin) / (yMax - yMin) * h;
            Rect(x, y, w, h, "white", "#999");
            if (yMin < 0 && yMax > 0) Line(x, Py(0), x + w, Py(0), "#ccc", 1, "4 3");
            Text(x + w / 2, y - 8, title, 13, "middle", "bold");
            Text(x + w / 2, y + h + 28, xLabel, 11, "middle");
            Text(x - 4, y + 10, F(yMax), 10, "end");
            Text(x - 4, y + h, F(yMin), 10, "end");
            Text(x, y + h + 14, F(xMin), 10, "middle");
            Text(x + w, y + h + 14, F(xMax), 10, "middle");
            int row = 0;
            foreach (var (name, ys, color) in series)
            {
                var points = string.Join(" ", xs.Select((v, i) => F(Px(v)) + "," + F(Py(ys[i]))));
                _body.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{points}\"/>\n");
                Line(x + w - 120, y + 14 + row * 14, x + w - 100, y + 14 + row * 14, color, 2);
                Text(x + w - 96, y + 18 + row * 14, name, 11);
                row++;
            }
        }

        /// <summary>Heat map of a row-major (rows x cols) grid with a diverging (signed) or sequential palette.</summary>
        public void HeatMap(double x, double y, double cell, int rows, int cols, double[] values, string title, bool diverging)
        {
            double maxAbs = values.Select(Math.Abs).DefaultIfEmpty(0).Max();
            double min = values.DefaultIfEmpty(0).Min(), max = values.DefaultIfEmpty(0).Max();
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    double v = values[r * cols + c];
                    string color = diverging ? Diverging(maxAbs > 0 ? v / maxAbs : 0) : Sequential(max > min ? (v - min) / (max - min) : 0);
                    Rect(x + c * cell, y + r * cell, cell + 0.3, cell + 0.3, color);
                }
            Rect(x, y, cols * cell, rows * cell, "none", "#666");
            Text(x + cols * cell / 2, y - 6, title, 12, "middle", "bold");
        }

        /// <summary>Blue (negative) – white – red (positive) for t in [-1, 1].</summary>
        public static string Diverging(double t)
        {
            t = Math.Clamp(t, -1, 1);
            int a = (int)(255 * (1 - Math.Abs(t)));
            return t < 0 ? $"rgb({a},{a},255)" : $"rgb(255,{a},{a})";
        }

        /// <summary>Black to white for t in [0, 1].</summary>
        public static string Sequential(double t)
        {
            int g = (int)(255 * Math.Clamp(t, 0, 1));
            return $"rgb({g},{g},{g})";
        }

        public override string ToString() =>
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(_width)}\" height=\"{F(_height)}\" viewBox=\"0 0 {F(_width)} {F(_height)}\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{_body}</svg>\n";
    }
}
