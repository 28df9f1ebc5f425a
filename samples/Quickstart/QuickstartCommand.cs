using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;

namespace SegLoss.Quickstart
{
    /// <summary>
    /// The command line (System.CommandLine): every option with its default, range check and help text. Parse
    /// errors print the problem and the usage to stderr and exit 1; --help exits 0.
    /// </summary>
    internal static class QuickstartCommand
    {
        internal static RootCommand Create(Func<Options, int> run)
        {
            var defaults = new Options();
            var loss = new Option<string>("--loss") { Description = $"The loss to train with: {LossFactory.Names}", DefaultValueFactory = _ => defaults.Loss, HelpName = "name" };
            loss.Validators.Add(r =>
            {
                string name = r.GetValueOrDefault<string>();
                if (!LossFactory.IsKnown(name)) r.AddError($"--loss: unknown loss '{name}'; choose one of: {LossFactory.Names}");
            });
            var epochs = Positive("--epochs", "Training epochs", defaults.Epochs);
            var threads = Positive("--threads", "CPU threads for libtorch", defaults.Threads);
            var batch = Positive("--batch", "Images per batch", defaults.BatchSize);
            var trainImages = Positive("--train-images", "Synthetic training images (ignored with --data)", defaults.TrainImages);
            var lr = Checked("--lr", "Adam learning rate", defaults.LearningRate, "x", "a number in (0, 10)", double.TryParse, v => v > 0 && v < 10);
            var seed = Checked("--seed", "Seed of the data generator and of libtorch", defaults.Seed, "n", "an integer", int.TryParse, _ => true);
            var output = new Option<string>("--out") { Description = "Folder for the pictures", DefaultValueFactory = _ => defaults.OutputDirectory, HelpName = "dir" };
            var data = new Option<DirectoryInfo>("--data") { Description = "Train on DIR/images/*.png with labels DIR/labels/*.png of the same names (8-bit grey class indices or palette masks) instead of the synthetic shapes", HelpName = "dir" };
            data.AcceptExistingOnly();
            var classes = Checked("--classes", "Class count for --data (default: largest label value + 1)", 0, "n", "an integer from 2 to 256", int.TryParse, v => v is >= 2 and <= 256);
            classes.DefaultValueFactory = null; // absent means "from the labels", not a number
            var export = new Option<string?>("--export-data") { Description = "Write the synthetic set as PNGs in --data's layout to DIR and exit", HelpName = "dir" };
            var tensorboard = new Option<string?>("--tensorboard") { Description = "Write TensorBoard scalars (loss, Dice per class) to DIR", HelpName = "dir" };
            var plain = new Option<bool>("--plain") { Description = "Plain progress lines even on a terminal (they are plain anyway when output is redirected)" };

            var command = new RootCommand("SegLoss quickstart: trains a small U-Net with a segmentation loss and writes prediction and training-curve pictures.")
            {
                loss, epochs, threads, batch, trainImages, lr, seed, output, data, classes, export, tensorboard, plain,
            };
            command.SetAction(parsed => run(new Options
            {
                Loss = parsed.GetValue(loss)!,
                Epochs = parsed.GetValue(epochs),
                Threads = parsed.GetValue(threads),
                BatchSize = parsed.GetValue(batch),
                TrainImages = parsed.GetValue(trainImages),
                LearningRate = parsed.GetValue(lr),
                Seed = parsed.GetValue(seed),
                OutputDirectory = parsed.GetValue(output)!,
                DataDirectory = parsed.GetValue(data)?.FullName,
                Classes = parsed.GetResult(classes) is { Implicit: false } ? parsed.GetValue(classes) : null,
                ExportDirectory = parsed.GetValue(export),
                TensorBoardDirectory = parsed.GetValue(tensorboard),
                Plain = parsed.GetValue(plain),
            }));
            return command;
        }

        private static Option<int> Positive(string name, string description, int value) =>
            Checked(name, description, value, "n", "a positive integer", int.TryParse, v => v > 0);

        /// <summary>
        /// An option parsed by <paramref name="tryParse"/> (invariant culture) and checked by <paramref name="valid"/>;
        /// either failure is a parse error "NAME must be WHAT, got 'TEXT'". Why a custom parser: a validator runs after
        /// System.CommandLine's own conversion and would throw on a value it could not convert.
        /// </summary>
        private static Option<T> Checked<T>(string name, string description, T value, string helpName, string what, TryParse<T> tryParse, Func<T, bool> valid)
        {
            return new Option<T>(name)
            {
                Description = description,
                DefaultValueFactory = _ => value,
                HelpName = helpName,
                CustomParser = r =>
                {
                    string text = r.Tokens.Count == 1 ? r.Tokens[0].Value : string.Join(" ", r.Tokens.Select(t => t.Value));
                    if (tryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out T parsed) && valid(parsed)) return parsed;
                    r.AddError($"{name} must be {what}, got '{text}'");
                    return value;
                },
            };
        }

        private delegate bool TryParse<T>(string text, NumberStyles style, IFormatProvider provider, out T value);
    }
}
