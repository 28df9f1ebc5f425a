using System;

namespace SegLoss.Quickstart
{
    /// <summary>One line per epoch on standard output: what a log file or CI shows.</summary>
    internal sealed class PlainProgress : IEpochProgress
    {
        private readonly int _epochs;
        private readonly string[] _classNames;

        internal PlainProgress(int epochs, string[] classNames)
        {
            _epochs = epochs;
            _classNames = classNames;
        }

        public void EpochStarted(int epoch, int batches) { }
        public void BatchDone() { }
        public void EpochDone(EpochResult result) => Console.WriteLine(EpochLine.Format(result, _epochs, _classNames));
    }
}
