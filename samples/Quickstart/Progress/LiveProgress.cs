using System;
using Spectre.Console;

namespace SegLoss.Quickstart
{
    /// <summary>
    /// A Spectre.Console progress bar over all batches of all epochs, with the epoch's line printed above it as each
    /// epoch ends.
    /// </summary>
    internal sealed class LiveProgress : IEpochProgress
    {
        private readonly ProgressTask _task;
        private readonly int _epochs;
        private readonly string[] _classNames;

        private LiveProgress(ProgressTask task, int epochs, string[] classNames)
        {
            _task = task;
            _epochs = epochs;
            _classNames = classNames;
        }

        internal static T Run<T>(int epochs, string[] classNames, Func<IEpochProgress, T> train) =>
            AnsiConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx => train(new LiveProgress(ctx.AddTask("training", maxValue: 1), epochs, classNames)));

        public void EpochStarted(int epoch, int batches)
        {
            // The bar's total is known after the first epoch starts: epochs x batches per epoch.
            if (epoch == 1) _task.MaxValue = (double)_epochs * batches;
            _task.Description = $"epoch {epoch}/{_epochs}";
        }

        public void BatchDone() => _task.Increment(1);

        public void EpochDone(EpochResult result) => AnsiConsole.MarkupLine(Markup.Escape(EpochLine.Format(result, _epochs, _classNames)));
    }
}
