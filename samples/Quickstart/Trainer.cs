using System;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss.Quickstart
{
    /// <summary>The training loop: Adam on shuffled batches, validation Dice after every epoch.</summary>
    internal sealed class Trainer
    {
        private readonly TinyUNet _model;
        private readonly SegmentationLoss _loss;
        private readonly Options _options;

        internal Trainer(TinyUNet model, SegmentationLoss loss, Options options)
        {
            _model = model;
            _loss = loss;
            _options = options;
        }

        /// <summary>Trains for the configured epochs, reporting each batch and epoch to <paramref name="progress"/>.</summary>
        internal TrainingHistory Train(SegmentationData data, IEpochProgress progress)
        {
            var history = new TrainingHistory();
            using var optimizer = optim.Adam(_model.parameters(), lr: _options.LearningRate);
            long count = data.TrainImages.shape[0];
            int batches = (int)((count + _options.BatchSize - 1) / _options.BatchSize);
            var clock = Stopwatch.StartNew();
            for (int epoch = 1; epoch <= _options.Epochs; epoch++)
            {
                progress.EpochStarted(epoch, batches);
                _model.train();
                double total = 0;
                using (var order = randperm(count))
                {
                    for (long start = 0; start < count; start += _options.BatchSize)
                    {
                        using var scope = NewDisposeScope();
                        var index = order.narrow(0, start, Math.Min(_options.BatchSize, count - start));
                        optimizer.zero_grad();
                        var value = _loss.call(_model.call(data.TrainImages.index_select(0, index)), data.TrainLabels.index_select(0, index));
                        value.backward();
                        optimizer.step();
                        total += value.ToDouble();
                        progress.BatchDone();
                    }
                }
                var result = new EpochResult(epoch, total / batches, Evaluate(data), clock.Elapsed.TotalSeconds);
                history.Add(result);
                progress.EpochDone(result);
            }
            return history;
        }

        /// <summary>Validation Dice per class, in eval mode and without gradients.</summary>
        internal double[] Evaluate(SegmentationData data)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            _model.eval();
            return Metrics.DicePerClass(Predict(data.ValImages), data.ValLabels, data.Classes);
        }

        /// <summary>Predicted labels (N, H, W) for images (N, C, H, W), in batches so a large set fits in memory.</summary>
        internal Tensor Predict(Tensor images)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            _model.eval();
            var parts = new System.Collections.Generic.List<Tensor>();
            for (long start = 0; start < images.shape[0]; start += 64)
                parts.Add(_model.call(images.narrow(0, start, Math.Min(64, images.shape[0] - start))).argmax(1));
            return cat(parts, 0).MoveToOuterDisposeScope();
        }
    }
}
