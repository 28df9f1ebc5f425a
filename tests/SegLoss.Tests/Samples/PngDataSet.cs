using System;
using System.IO;
using static TorchSharp.torch;
using static TorchSharp.torchvision.io;

namespace SegLoss.Tests.Samples
{
    /// <summary>
    /// A small PNG data set in the quickstart's --data layout, written by the test with TorchVision into a temporary
    /// folder that is deleted on disposal.
    /// </summary>
    internal sealed class PngDataSet : IDisposable
    {
        /// <summary>An 8x8 palette PNG (palette black, red, green) whose columns 0-2 are index 0, 3-5 index 1, 6-7 index 2.</summary>
        internal const string PaletteMask8x8 = "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAMAAADz0U65AAAACVBMVEUAAAD/AAAA/wD0g79+AAAAFElEQVR4nGNgYGBgZGRkYmKgjAEAB7wAOZMVysgAAAAASUVORK5CYII=";

        static PngDataSet() => DefaultImager = new SkiaImager();

        internal PngDataSet()
        {
            Root = Path.Combine(Path.GetTempPath(), "segloss-png-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Images);
            Directory.CreateDirectory(Labels);
        }

        internal string Root { get; }
        internal string Images => Path.Combine(Root, "images");
        internal string Labels => Path.Combine(Root, "labels");

        /// <summary>Writes a grey image and a grey label map (values = classes) under NAME.png; returns the label values.</summary>
        internal long[] AddPair(string name, int height, int width, int classes, int seed)
        {
            using var scope = NewDisposeScope();
            var label = (arange(height * width) * (seed + 1) % classes).reshape(height, width);
            var image = (label * 60 + 20).to(uint8).unsqueeze(0);
            write_png(image, Path.Combine(Images, name + ".png"));
            write_png(label.to(uint8).unsqueeze(0), Path.Combine(Labels, name + ".png"));
            return label.flatten().data<long>().ToArray();
        }

        internal void WriteImage(string name, Tensor picture) => write_png(picture, Path.Combine(Images, name + ".png"));

        internal void WriteLabel(string name, Tensor picture) => write_png(picture, Path.Combine(Labels, name + ".png"));

        internal void WritePaletteLabel(string name) => File.WriteAllBytes(Path.Combine(Labels, name + ".png"), Convert.FromBase64String(PaletteMask8x8));

        public void Dispose()
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
    }
}
