using System.IO;
using static TorchSharp.torch;
using static TorchSharp.torchvision.io;

namespace SegLoss.Quickstart
{
    /// <summary>
    /// Writes a data set in the layout --data reads (images/, labels/ with grey class values, classes.txt), with
    /// TorchVision's PNG writer: a worked example of the format, and a round trip of the loader.
    /// </summary>
    internal static class DataExport
    {
        static DataExport() => DefaultImager = new SkiaImager();

        internal static void Write(string directory, Tensor images, Tensor labels, string[] classNames)
        {
            Directory.CreateDirectory(Path.Combine(directory, "images"));
            Directory.CreateDirectory(Path.Combine(directory, "labels"));
            using var scope = NewDisposeScope();
            // Grey levels: the data set's range mapped onto 0..255.
            var lo = images.min();
            var grey = ((images - lo) / (images.max() - lo).clamp_min(1e-6) * 255).round().to(uint8);
            for (long n = 0; n < images.shape[0]; n++)
            {
                string name = $"{n:D4}.png";
                write_png(grey[n], Path.Combine(directory, "images", name));
                write_png(labels[n].unsqueeze(0).to(uint8), Path.Combine(directory, "labels", name));
            }
            File.WriteAllLines(Path.Combine(directory, "classes.txt"), classNames);
        }
    }
}
