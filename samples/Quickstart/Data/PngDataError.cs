using System;

namespace SegLoss.Quickstart
{
    /// <summary>A data folder that cannot be trained on; the message names the file and what is wrong.</summary>
    internal sealed class PngDataError : Exception
    {
        internal PngDataError(string message) : base(message) { }
    }
}
