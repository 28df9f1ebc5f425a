using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torchvision.io;

namespace SegLoss.Quickstart
{
    /// <summary>
    /// Loads a folder of PNG pairs, read with TorchVision:
    /// <code>
    /// DIR/images/NAME.png   grey, RGB (alpha dropped) or palette pictures, all one size (H, W multiples of 4)
    /// DIR/labels/NAME.png   8-bit grey (the value is the class) or 8-bit palette (the palette index is the class)
    /// DIR/classes.txt       optional: one class name per line
    /// </code>
    /// Every problem (an unpaired file, a size mismatch, a label out of range, an RGB label) is a
    /// <see cref="PngDataError"/> that names the file. The last fifth of the pairs (by name, at least one) validates.
    /// </summary>
    internal static class PngFolderDataset
    {
        static PngFolderDataset() => DefaultImager = new SkiaImager();

        internal static SegmentationData Load(string directory, int? classes)
        {
            var pairs = Pairs(directory);
            var images = new List<Tensor>();
            var labels = new List<Tensor>();
            using var scope = NewDisposeScope();
            long channels = -1, height = -1, width = -1;
            foreach (var (name, imagePath, labelPath) in pairs)
            {
                var image = ReadPicture(imagePath);
                var label = ReadLabel(labelPath);
                if (channels < 0) (channels, height, width) = (image.shape[0], image.shape[1], image.shape[2]);
                if (image.shape[0] != channels)
                    throw new PngDataError($"{imagePath} has {image.shape[0]} channel(s) but {pairs[0].imagePath} has {channels}; use one kind of picture (grey or RGB) throughout");
                if (image.shape[1] != height || image.shape[2] != width)
                    throw new PngDataError($"{imagePath} is {image.shape[2]}x{image.shape[1]} but {pairs[0].imagePath} is {width}x{height}; every image must have one size");
                if (label.shape[0] != image.shape[1] || label.shape[1] != image.shape[2])
                    throw new PngDataError($"{labelPath} is {label.shape[1]}x{label.shape[0]} but its image {imagePath} is {image.shape[2]}x{image.shape[1]}");
                images.Add(image);
                labels.Add(label);
            }
            if (height % 4 != 0 || width % 4 != 0)
                throw new PngDataError($"the images are {width}x{height}; the sample's U-Net halves the size twice, so width and height must be multiples of 4");

            var allImages = stack(images).to(float32) / 255.0;
            var allLabels = stack(labels);
            int classCount = ClassCount(allLabels, labels, pairs, classes);
            string[] names = ClassNames(directory, classCount);
            // Standardise with the training split's statistics so the network sees zero-mean, unit-variance input.
            int val = Math.Max(1, pairs.Count / 5);
            int train = pairs.Count - val;
            var trainImages = allImages.narrow(0, 0, train);
            var mean = trainImages.mean();
            var std = trainImages.std().clamp_min(1e-6);
            var standard = (allImages - mean) / std;
            var data = new SegmentationData(
                $"{pairs.Count} PNG pairs from {directory} ({train} training, {val} validation) of {width}x{height}, {channels} channel(s)",
                names,
                standard.narrow(0, 0, train).contiguous().MoveToOuterDisposeScope(),
                allLabels.narrow(0, 0, train).contiguous().MoveToOuterDisposeScope(),
                standard.narrow(0, train, val).contiguous().MoveToOuterDisposeScope(),
                allLabels.narrow(0, train, val).contiguous().MoveToOuterDisposeScope());
            return data;
        }

        /// <summary>The (name, image, label) triples, sorted by name; every image needs a label and vice versa.</summary>
        internal static List<(string name, string imagePath, string labelPath)> Pairs(string directory)
        {
            string imageDir = Path.Combine(directory, "images"), labelDir = Path.Combine(directory, "labels");
            foreach (var dir in new[] { imageDir, labelDir })
                if (!Directory.Exists(dir)) throw new PngDataError($"{directory} has no {Path.GetFileName(dir)}/ folder; expected {directory}/images/*.png and {directory}/labels/*.png with the same file names");
            var imageNames = PngNames(imageDir);
            var labelNames = PngNames(labelDir);
            var unlabeled = imageNames.Except(labelNames).ToList();
            if (unlabeled.Count > 0) throw new PngDataError($"{Path.Combine(imageDir, unlabeled[0])} has no label {Path.Combine(labelDir, unlabeled[0])}{More(unlabeled)}");
            var orphans = labelNames.Except(imageNames).ToList();
            if (orphans.Count > 0) throw new PngDataError($"{Path.Combine(labelDir, orphans[0])} has no image {Path.Combine(imageDir, orphans[0])}{More(orphans)}");
            if (imageNames.Count < 2) throw new PngDataError($"{imageDir} holds {imageNames.Count} PNG pair(s); at least 2 are needed (one to train on, one to validate)");
            return imageNames.Select(n => (Path.GetFileNameWithoutExtension(n), Path.Combine(imageDir, n), Path.Combine(labelDir, n))).ToList();
        }

        private static List<string> PngNames(string dir) =>
            Directory.EnumerateFiles(dir).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                .Select(Path.GetFileName).OfType<string>().OrderBy(n => n, StringComparer.Ordinal).ToList();

        private static string More(List<string> names) => names.Count > 1 ? $" (and {names.Count - 1} more)" : "";

        /// <summary>The picture as uint8 (channels, H, W): grey stays one channel, anything else becomes RGB.</summary>
        private static Tensor ReadPicture(string path)
        {
            var (colourType, _, _) = PngPalette.Read(path);
            var mode = colourType is PngPalette.ColourTypeGrey or PngPalette.ColourTypeGreyAlpha ? ImageReadMode.GRAY : ImageReadMode.RGB;
            return Decode(path, mode);
        }

        /// <summary>The label map as int64 (H, W): grey values, or palette indices recovered from the decoded colours.</summary>
        internal static Tensor ReadLabel(string path)
        {
            var (colourType, bitDepth, palette) = PngPalette.Read(path);
            if (colourType == PngPalette.ColourTypeGrey && bitDepth == 8)
                return Decode(path, ImageReadMode.GRAY)[0].to(int64);
            if (colourType == PngPalette.ColourTypePalette && palette.Length > 0)
                return PaletteIndices(path, Decode(path, ImageReadMode.RGB), palette);
            string kind = colourType switch
            {
                PngPalette.ColourTypeGrey => $"{bitDepth}-bit grey",
                PngPalette.ColourTypeRgb => "RGB",
                PngPalette.ColourTypeRgba => "RGBA",
                PngPalette.ColourTypeGreyAlpha => "grey with alpha",
                _ => $"colour type {colourType}",
            };
            throw new PngDataError($"{path} has {kind} pixels; a label must be 8-bit grey (each value is a class) or an 8-bit palette PNG (each palette index is a class)");
        }

        private static Tensor Decode(string path, ImageReadMode mode)
        {
            try { return read_image(path, mode); }
            catch (Exception e) when (e is not PngDataError) { throw new PngDataError($"{path} cannot be decoded as a PNG: {e.Message}"); }
        }

        /// <summary>Maps each pixel's RGB colour to the first palette entry of that colour.</summary>
        private static Tensor PaletteIndices(string path, Tensor rgb, byte[][] palette)
        {
            using var scope = NewDisposeScope();
            var code = rgb[0].to(int64) * 65536 + rgb[1].to(int64) * 256 + rgb[2].to(int64);
            // Only the colours that occur are looked up: one unique() pass, then a gather.
            var (colours, inverse, _) = code.flatten().unique(return_inverse: true);
            var first = new Dictionary<long, long>();
            for (int i = palette.Length - 1; i >= 0; i--) first[palette[i][0] * 65536L + palette[i][1] * 256L + palette[i][2]] = i;
            var mapped = new long[colours.shape[0]];
            for (int i = 0; i < mapped.Length; i++)
            {
                long c = colours[i].ToInt64();
                if (!first.TryGetValue(c, out mapped[i]))
                    throw new PngDataError($"{path} decodes to colour #{c:x6}, which is not in its palette");
            }
            return tensor(mapped).index(inverse!).reshape(code.shape).MoveToOuterDisposeScope();
        }

        private static int ClassCount(Tensor allLabels, List<Tensor> labels, List<(string name, string imagePath, string labelPath)> pairs, int? classes)
        {
            long max = allLabels.max().ToInt64();
            if (classes is null) return (int)Math.Max(2, max + 1);
            if (max >= classes)
            {
                int file = labels.FindIndex(l => l.max().ToInt64() >= classes);
                var at = (labels[file] >= classes).nonzero()[0];
                throw new PngDataError($"{pairs[file].labelPath} has label {labels[file][at[0], at[1]].ToInt64()} at (x {at[1].ToInt64()}, y {at[0].ToInt64()}) but --classes is {classes} (labels must lie in [0, {classes - 1}])");
            }
            return classes.Value;
        }

        private static string[] ClassNames(string directory, int classes)
        {
            string file = Path.Combine(directory, "classes.txt");
            if (!File.Exists(file)) return Enumerable.Range(0, classes).Select(c => $"class {c}").ToArray();
            var names = File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            if (names.Length != classes) throw new PngDataError($"{file} names {names.Length} classes but the data has {classes}");
            return names;
        }
    }
}
