using System;
using Xunit;
using static TorchSharp.torch;

namespace TorchSharpCompat.Tests.Infrastructure
{
    /// <summary>
    /// Tensor.TotalCount is process-wide: every test that asserts on it runs in this collection, which xunit
    /// runs on its own after the parallel collections, one test at a time.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class LiveTensorCollection
    {
        public const string Name = "LiveTensorCount";

        /// <summary>
        /// Finalizes every unreachable tensor left by earlier tests and returns the number of live native
        /// tensors, so that a later measurement in the same test compares like with like.
        /// </summary>
        public static long SettledCount()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return Tensor.TotalCount;
        }
    }
}
