using System.IO;
using FluentAssertions;
using SegLoss.Quickstart;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Samples
{
    /// <summary>The quickstart's --data loader on data sets the tests write themselves: what loads, and every refusal.</summary>
    public class PngFolderDatasetTests
    {
        [Fact]
        public void GreyPairsLoadWithTheirLabelValuesSplitAndClassNames()
        {
            using var set = new PngDataSet();
            var first = set.AddPair("a", 8, 12, 3, 0);
            set.AddPair("b", 8, 12, 3, 1);
            set.AddPair("c", 8, 12, 3, 2);
            File.WriteAllLines(Path.Combine(set.Root, "classes.txt"), new[] { "background", "one", "two" });
            using var data = PngFolderDataset.Load(set.Root, classes: null);
            data.ClassNames.Should().Equal("background", "one", "two");
            data.Channels.Should().Be(1);
            data.TrainImages.shape.Should().Equal(2, 1, 8, 12);
            data.ValLabels.shape.Should().Equal(1, 8, 12);
            data.TrainLabels.dtype.Should().Be(ScalarType.Int64);
            data.TrainLabels[0].flatten().data<long>().ToArray().Should().Equal(first);
            ((double)data.TrainImages.mean().item<float>()).Should().BeApproximately(0, 1e-5, "images are standardised with the training split's statistics");
        }

        [Fact]
        public void PaletteMasksGiveTheirPaletteIndices()
        {
            using var set = new PngDataSet();
            set.AddPair("a", 8, 8, 3, 0);
            set.AddPair("b", 8, 8, 3, 1);
            set.WritePaletteLabel("b");
            var labels = PngFolderDataset.ReadLabel(Path.Combine(set.Labels, "b.png"));
            labels[0].data<long>().ToArray().Should().Equal(0, 0, 0, 1, 1, 1, 2, 2);
            using var data = PngFolderDataset.Load(set.Root, classes: 3);
            data.ValLabels[0, 7].data<long>().ToArray().Should().Equal(0, 0, 0, 1, 1, 1, 2, 2);
        }

        [Fact]
        public void AMissingFolderOrAnUnpairedFileIsNamed()
        {
            using var set = new PngDataSet();
            set.AddPair("a", 8, 8, 2, 0);
            set.AddPair("b", 8, 8, 2, 1);
            Directory.Delete(set.Labels, recursive: true);
            Fails(set, null).WithMessage("*has no labels/ folder*");

            Directory.CreateDirectory(set.Labels);
            set.AddPair("c", 8, 8, 2, 0);
            set.AddPair("d", 8, 8, 2, 0);
            Fails(set, null).WithMessage($"*{Path.Combine(set.Images, "a.png")} has no label*(and 1 more)*");

            File.Delete(Path.Combine(set.Images, "a.png"));
            File.Delete(Path.Combine(set.Images, "b.png"));
            File.Delete(Path.Combine(set.Images, "d.png"));
            Fails(set, null).WithMessage($"*{Path.Combine(set.Labels, "d.png")} has no image*");
        }

        [Fact]
        public void OnePairIsTooFew()
        {
            using var set = new PngDataSet();
            set.AddPair("a", 8, 8, 2, 0);
            Fails(set, null).WithMessage("*holds 1 PNG pair(s); at least 2 are needed*");
        }

        [Fact]
        public void SizesMustMatchWithinAPairAndAcrossTheSet()
        {
            using var set = new PngDataSet();
            set.AddPair("a", 8, 8, 2, 0);
            set.AddPair("b", 8, 12, 2, 1);
            Fails(set, null).WithMessage($"*{Path.Combine(set.Images, "b.png")} is 12x8 but*a.png is 8x8; every image must have one size*");

            set.AddPair("b", 8, 8, 2, 1);
            using (NewDisposeScope()) set.WriteLabel("b", zeros(1, 4, 8, dtype: uint8));
            Fails(set, null).WithMessage($"*{Path.Combine(set.Labels, "b.png")} is 8x4 but its image*b.png is 8x8*");
        }

        [Fact]
        public void SizesMustBeMultiplesOfFour()
        {
            using var set = new PngDataSet();
            set.AddPair("a", 6, 8, 2, 0);
            set.AddPair("b", 6, 8, 2, 1);
            Fails(set, null).WithMessage("*8x6*multiples of 4*");
        }

        [Fact]
        public void ALabelBeyondTheClassCountIsNamedWithItsFileAndPixel()
        {
            using var set = new PngDataSet();
            set.AddPair("a", 8, 8, 2, 0);
            set.AddPair("b", 8, 8, 4, 0);
            Fails(set, 3).WithMessage($"*{Path.Combine(set.Labels, "b.png")} has label 3 at (x 3, y 0) but --classes is 3 (labels must lie in [0, 2])*");
            using var data = PngFolderDataset.Load(set.Root, classes: null);
            data.Classes.Should().Be(4, "without --classes the count is the largest label + 1");
        }

        [Fact]
        public void AnRgbLabelAndANonPngAreRefused()
        {
            using var set = new PngDataSet();
            set.AddPair("a", 8, 8, 2, 0);
            set.AddPair("b", 8, 8, 2, 1);
            using (NewDisposeScope()) set.WriteLabel("b", zeros(3, 8, 8, dtype: uint8));
            Fails(set, null).WithMessage($"*{Path.Combine(set.Labels, "b.png")} has RGB* pixels; a label must be 8-bit grey*or an 8-bit palette PNG*");
            File.WriteAllText(Path.Combine(set.Labels, "b.png"), "not a picture");
            Fails(set, null).WithMessage($"*{Path.Combine(set.Labels, "b.png")} is not a PNG file*");
        }

        [Fact]
        public void TheQuickstartTrainsOnAFolderAndWritesBothPictures()
        {
            using var set = new PngDataSet();
            for (int i = 0; i < 5; i++) set.AddPair($"p{i}", 16, 16, 3, i);
            string output = Path.Combine(set.Root, "out");
            var command = QuickstartCommand.Create(SegLoss.Quickstart.Quickstart.Run);
            int rc = command.Parse(new[] { "--data", set.Root, "--epochs", "1", "--batch", "2", "--threads", "1", "--out", output, "--plain" }).Invoke();
            rc.Should().Be(0);
            File.Exists(Path.Combine(output, "quickstart-predictions.png")).Should().BeTrue();
            File.Exists(Path.Combine(output, "quickstart-training.png")).Should().BeTrue();

            File.Delete(Path.Combine(set.Labels, "p0.png"));
            command.Parse(new[] { "--data", set.Root, "--epochs", "1", "--out", output }).Invoke().Should().Be(2, "a data problem is reported, not thrown");
            command.Parse(new[] { "--epochs", "abc" }).Invoke().Should().Be(1, "a bad option value is a parse error");
            command.Parse(new[] { "--help" }).Invoke().Should().Be(0);
        }

        private static FluentAssertions.Specialized.ExceptionAssertions<PngDataError> Fails(PngDataSet set, int? classes)
        {
            var load = () => PngFolderDataset.Load(set.Root, classes);
            return load.Should().Throw<PngDataError>();
        }
    }
}
