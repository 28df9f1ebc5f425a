using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegLoss.Quickstart
{
    /// <summary>Optional TensorBoard scalars (--tensorboard DIR) through TorchSharp's SummaryWriter.</summary>
    internal sealed class TensorBoardLog : IEpochProgress, IDisposable
    {
        private readonly IEpochProgress _inner;
        private readonly SummaryWriter? _writer;
        private readonly string[] _classNames;

        internal TensorBoardLog(IEpochProgress inner, string? directory, string[] classNames)
        {
            _inner = inner;
            _classNames = classNames;
            if (directory is not null) _writer = utils.tensorboard.SummaryWriter(directory);
        }

        public void EpochStarted(int epoch, int batches) => _inner.EpochStarted(epoch, batches);

        public void BatchDone() => _inner.BatchDone();

        public void EpochDone(EpochResult result)
        {
            _inner.EpochDone(result);
            if (_writer is null) return;
            _writer.add_scalar("train/loss", (float)result.Loss, result.Epoch);
            for (int c = 0; c < result.Dice.Length; c++) _writer.add_scalar($"val_dice/{_classNames[c]}", (float)result.Dice[c], result.Epoch);
        }

        public void Dispose() => (_writer as IDisposable)?.Dispose();
    }
}
