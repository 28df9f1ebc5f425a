using System;

namespace SegLoss.Quickstart
{
    /// <summary>Receives the training loop's events; a display decides how to show them.</summary>
    internal interface IEpochProgress
    {
        void EpochStarted(int epoch, int batches);
        void BatchDone();
        void EpochDone(EpochResult result);
    }

    /// <summary>Runs training under the display that suits the console.</summary>
    internal static class ProgressDisplay
    {
        /// <summary>
        /// A live Spectre.Console bar on an interactive terminal; plain lines when output is redirected (a log, a
        /// pipe, CI), on a terminal without cursor control, or with --plain.
        /// </summary>
        internal static T Run<T>(Options options, string[] classNames, Func<IEpochProgress, T> train)
        {
            bool live = !options.Plain && !Console.IsOutputRedirected && Spectre.Console.AnsiConsole.Profile.Capabilities.Interactive;
            return live ? LiveProgress.Run(options.Epochs, classNames, train) : train(new PlainProgress(options.Epochs, classNames));
        }
    }
}
