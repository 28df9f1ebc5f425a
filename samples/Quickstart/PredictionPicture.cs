using System;
using static TorchSharp.torch;

namespace SegLoss.Quickstart
{
    /// <summary>Renders rows of (input, ground truth, prediction) side by side into a PNG.</summary>
    internal static class PredictionPicture
    {
        private static readonly byte[][] Palette = { new byte[] { 20, 20, 20 }, new byte[] { 230, 80, 60 }, new byte[] { 70, 150, 240 }, new byte[] { 250, 200, 60 } };
        private const int Scale = 3, Gap = 6;

        internal static void Write(string path, Tensor images, Tensor labels, Tensor predicted, int rows)
        {
            int size = (int)images.shape[2];
            rows = Math.Min(rows, (int)images.shape[0]);
            int tile = size * Scale;
            int width = 3 * tile + 4 * Gap, height = rows * tile + (rows + 1) * Gap;
            var rgb = new byte[width * height * 3];
            Array.Fill(rgb, (byte)255);
            var img = images.detach().cpu().data<float>().ToArray();
            var lab = labels.cpu().data<long>().ToArray();
            var pre = predicted.cpu().data<long>().ToArray();
            for (int r = 0; r < rows; r++)
            {
                int offset = r * size * size;
                float lo = float.MaxValue, hi = float.MinValue;
                for (int i = 0; i < size * size; i++) { lo = Math.Min(lo, img[offset + i]); hi = Math.Max(hi, img[offset + i]); }
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        int i = offset + y * size + x;
                        byte grey = (byte)(255 * (img[i] - lo) / Math.Max(hi - lo, 1e-6f));
                        Put(rgb, width, Gap + x * Scale, Gap + r * (tile + Gap) + y * Scale, new[] { grey, grey, grey });
                        Put(rgb, width, 2 * Gap + tile + x * Scale, Gap + r * (tile + Gap) + y * Scale, Palette[lab[i] % Palette.Length]);
                        Put(rgb, width, 3 * Gap + 2 * tile + x * Scale, Gap + r * (tile + Gap) + y * Scale, Palette[pre[i] % Palette.Length]);
                    }
            }
            PngWriter.Write(path, width, height, rgb);
        }

        private static void Put(byte[] rgb, int width, int x0, int y0, byte[] color)
        {
            for (int dy = 0; dy < Scale; dy++)
                for (int dx = 0; dx < Scale; dx++)
                {
                    int o = ((y0 + dy) * width + x0 + dx) * 3;
                    rgb[o] = color[0];
                    rgb[o + 1] = color[1];
                    rgb[o + 2] = color[2];
                }
        }
    }
}
