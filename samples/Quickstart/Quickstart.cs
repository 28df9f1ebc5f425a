using System;
using System.IO;
using System.Linq;
using SegLoss.Samples;
using static TorchSharp.torch;

namespace SegLoss.Quickstart
{
    /// <summary>What the command does once its options are parsed: load, train, report, draw.</summary>
    internal static class Quickstart
    {
        internal static int Run(Options options)
        {
            set_num_threads(options.Threads);
            manual_seed(options.Seed);
            if (options.ExportDirectory is not null) return Export(options);

            SegmentationData data;
            try
            {
                data = options.DataDirectory is null
                    ? SyntheticShapes.Load(options.TrainImages, options.Seed)
                    : PngFolderDataset.Load(options.DataDirectory, options.Classes);
            }
            catch (PngDataError e)
            {
                Console.Error.WriteLine($"--data: {e.Message}");
                return 2;
            }
            using var _ = data;
            Console.WriteLine($"SegLoss quickstart: {data.Description}; classes: {string.Join(", ", data.ClassNames)}");

            using var model = new TinyUNet(data.Channels, data.Classes);
            using var loss = LossFactory.Create(options.Loss);
            Console.WriteLine($"loss: {loss.DisplayName}; {model.parameters().Sum(p => p.numel())} parameters; {options.Epochs} epochs, batch {options.BatchSize}, {options.Threads} threads");

            var trainer = new Trainer(model, loss, options);
            var history = ProgressDisplay.Run(options, data.ClassNames, progress =>
            {
                using var log = new TensorBoardLog(progress, options.TensorBoardDirectory, data.ClassNames);
                return trainer.Train(data, log);
            });
            var last = history.Epochs[^1];
            Console.WriteLine($"final validation Dice (foreground mean): {last.ForegroundDice:F3} after {last.Seconds:F1} s");

            Directory.CreateDirectory(options.OutputDirectory);
            PlotFont.Register();
            string predictions = Path.Combine(options.OutputDirectory, "quickstart-predictions.png");
            string curves = Path.Combine(options.OutputDirectory, "quickstart-training.png");
            using (NewDisposeScope())
            {
                long rows = Math.Min(6, data.ValImages.shape[0]);
                var images = data.ValImages.narrow(0, 0, rows);
                PredictionPicture.Write(predictions, images, data.ValLabels.narrow(0, 0, rows), trainer.Predict(images), data.ClassNames);
            }
            TrainingCurves.Write(curves, history, loss.DisplayName, data.ClassNames);
            Console.WriteLine($"wrote {predictions} (input, ground truth, prediction, errors) and {curves} (loss and validation Dice per epoch)");
            if (options.TensorBoardDirectory is not null) Console.WriteLine($"TensorBoard scalars in {options.TensorBoardDirectory}");
            return 0;
        }

        private static int Export(Options options)
        {
            using var data = SyntheticShapes.Load(options.TrainImages, options.Seed);
            DataExport.Write(options.ExportDirectory!, data.TrainImages, data.TrainLabels, data.ClassNames);
            Console.WriteLine($"wrote {data.TrainImages.shape[0]} image/label PNG pairs and classes.txt to {options.ExportDirectory}; train on them with --data {options.ExportDirectory}");
            return 0;
        }
    }
}
