using System;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Infrastructure
{
    /// <summary>Tests that count live native tensors run in this collection, never in parallel with others.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class LiveTensorCollection
    {
        public const string Name = "LiveTensorCount";
    }

    /// <summary>Asserts that an action leaves no new live native tensor behind.</summary>
    public static class LiveTensors
    {
        /// <summary>The live tensor count after a forced collection, so that no earlier garbage is finalized while a test counts.</summary>
        public static long SettledCount()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return Tensor.TotalCount;
        }

        /// <summary><see cref="AssertNoLeak"/> for one forward + backward call of <paramref name="loss"/>.</summary>
        public static void AssertForwardAndBackwardLeaveNothing(SegmentationLoss loss, Tensor x, Tensor target) =>
            AssertNoLeak(() =>
            {
                using (var value = loss.call(x, target)) value.backward();
                x.grad = null;
            }, "forward disposes every intermediate and only the result survives");

        public static void AssertNoLeak(Action action, string because)
        {
            action(); // warm-up: lazily created caches must not count as leaks
            // Collect first so that no earlier garbage is finalized during the measurement; then measure
            // without collecting, so that only deterministic disposal (not the finalizer) can pass the check.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = Tensor.TotalCount;
            action();
            Tensor.TotalCount.Should().Be(before, because);
        }
    }
}
