using System;
using ScottPlot;

namespace SegLoss.Quickstart
{
    /// <summary>
    /// A heatmap colormap that paints class indices in their class colours: the heatmap maps its ManualRange
    /// (0, classes − 1) onto [0, 1], and this maps [0, 1] back to the nearest class.
    /// </summary>
    internal sealed class ClassColormap : IColormap
    {
        private readonly int _classes;

        internal ClassColormap(int classes) => _classes = classes;

        public string Name => "classes";

        public Color GetColor(double position) =>
            ClassColours.Of((int)Math.Clamp(Math.Round(position * (_classes - 1)), 0, _classes - 1));
    }
}
