using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace SegLoss.Quickstart
{
    /// <summary>
    /// Reads a PNG's colour type and palette (the IHDR and PLTE chunks) without decoding pixels. Why: decoders
    /// (TorchVision's SkiaSharp imager among them) expand a palette mask to colours, and the class of a pixel is
    /// its palette index; the sample decodes the colours with TorchVision and maps them back through the palette.
    /// </summary>
    internal static class PngPalette
    {
        internal const int ColourTypeGrey = 0, ColourTypeRgb = 2, ColourTypePalette = 3, ColourTypeGreyAlpha = 4, ColourTypeRgba = 6;

        /// <summary>The colour type, bit depth and, for palette images, the palette's RGB entries.</summary>
        internal static (int colourType, int bitDepth, byte[][] palette) Read(string path)
        {
            using var file = File.OpenRead(path);
            var header = new byte[8];
            if (file.Read(header) != 8 || header[0] != 0x89 || Encoding.ASCII.GetString(header, 1, 3) != "PNG")
                throw new PngDataError($"{path} is not a PNG file");
            int colourType = -1, bitDepth = 0;
            var chunk = new byte[8];
            while (file.Read(chunk) == 8)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(chunk);
                string type = Encoding.ASCII.GetString(chunk, 4, 4);
                if (length < 0 || length > file.Length - file.Position) throw new PngDataError($"{path} is a truncated PNG file");
                if (type == "IHDR")
                {
                    var ihdr = new byte[length];
                    file.ReadExactly(ihdr);
                    bitDepth = ihdr[8];
                    colourType = ihdr[9];
                }
                else if (type == "PLTE")
                {
                    var plte = new byte[length];
                    file.ReadExactly(plte);
                    var palette = new byte[length / 3][];
                    for (int i = 0; i < palette.Length; i++) palette[i] = new[] { plte[3 * i], plte[3 * i + 1], plte[3 * i + 2] };
                    return (colourType, bitDepth, palette);
                }
                else if (type is "IDAT" or "IEND") break; // PLTE precedes the image data
                else file.Seek(length, SeekOrigin.Current);
                file.Seek(4, SeekOrigin.Current); // CRC
            }
            if (colourType < 0) throw new PngDataError($"{path} has no PNG header chunk");
            return (colourType, bitDepth, Array.Empty<byte[]>());
        }
    }
}
