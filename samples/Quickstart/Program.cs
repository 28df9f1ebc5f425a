using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using SegLoss.Quickstart;
using TorchSharp;
using static TorchSharp.torch;

// SegLoss quickstart: trains a small encoder-decoder on a synthetic shapes data set with Dice + CE (or another
// loss), reports validation Dice per class while it trains, and writes a picture of inputs, ground truth and
// predictions.
var options = Options.Parse(args);
if (options is null) return 1;
set_num_threads(options.Threads);
manual_seed(options.Seed);

const int size = 64;
var (trainImages, trainLabels) = SyntheticShapes.Generate(options.TrainImages, size, options.Seed);
var (valImages, valLabels) = SyntheticShapes.Generate(64, size, options.Seed + 1);
Console.WriteLine($"SegLoss quickstart: {options.TrainImages} training and 64 validation images of {size}x{size}, classes: {string.Join(", ", SyntheticShapes.ClassNames)}");

using var model = new TinyUNet(1, SyntheticShapes.Classes);
using var loss = LossFactory.Create(options.Loss);
using var optimizer = optim.Adam(model.parameters(), lr: options.LearningRate);
Console.WriteLine($"loss: {loss.DisplayName}; {model.parameters().Sum(p => p.numel())} parameters; {options.Epochs} epochs, batch {options.BatchSize}, {options.Threads} threads");

var clock = Stopwatch.StartNew();
double[] dice = Array.Empty<double>();
for (int epoch = 1; epoch <= options.Epochs; epoch++)
{
    model.train();
    double total = 0;
    int batches = 0;
    using (var order = randperm(options.TrainImages))
    {
        for (int start = 0; start < options.TrainImages; start += options.BatchSize)
        {
            using var scope = NewDisposeScope();
            var index = order.narrow(0, start, Math.Min(options.BatchSize, options.TrainImages - start));
            var x = trainImages.index_select(0, index);
            var y = trainLabels.index_select(0, index);
            optimizer.zero_grad();
            var value = loss.call(model.call(x), y);
            value.backward();
            optimizer.step();
            total += value.ToDouble();
            batches++;
        }
    }
    dice = Evaluate(model, valImages, valLabels);
    Console.WriteLine($"epoch {epoch,2}/{options.Epochs}  loss {total / batches:F4}  val Dice {string.Join("  ", SyntheticShapes.ClassNames.Skip(1).Select((n, i) => $"{n} {dice[i + 1]:F3}"))}  ({clock.Elapsed.TotalSeconds:F0} s)");
}

double meanDice = dice.Skip(1).Average();
Console.WriteLine($"final validation Dice (foreground mean): {meanDice:F3}");
Directory.CreateDirectory(options.OutputDirectory);
string picture = Path.Combine(options.OutputDirectory, "quickstart-predictions.png");
using (var scope = NewDisposeScope())
using (no_grad())
{
    model.eval();
    var predicted = model.call(valImages.narrow(0, 0, 6)).argmax(1);
    PredictionPicture.Write(picture, valImages.narrow(0, 0, 6), valLabels.narrow(0, 0, 6), predicted, 6);
}
Console.WriteLine($"wrote {picture} (columns: input, ground truth, prediction)");
return 0;

static double[] Evaluate(TinyUNet model, Tensor images, Tensor labels)
{
    using var scope = NewDisposeScope();
    using var _ = no_grad();
    model.eval();
    var predicted = model.call(images).argmax(1);
    return Metrics.DicePerClass(predicted, labels, SyntheticShapes.Classes);
}
