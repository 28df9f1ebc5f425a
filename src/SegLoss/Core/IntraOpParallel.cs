using System;
using System.Threading.Tasks;
using TorchSharp;

namespace SegLoss
{
    /// <summary>
    /// Splits a managed CPU kernel over libtorch's intra-op thread count, as libtorch splits the operations the kernel
    /// replaces, so that <c>torch.set_num_threads</c> governs both.
    /// </summary>
    internal static class IntraOpParallel
    {
        /// <summary>Values from which a second thread pays for starting it (measured for the target scan).</summary>
        internal const long ParallelMinimum = 1 << 17;

        /// <summary>How many threads a pass over <paramref name="values"/> values uses: 1 below <see cref="ParallelMinimum"/>.</summary>
        internal static int Degree(long values) =>
            values < ParallelMinimum ? 1 : (int)Math.Max(1, Math.Min(torch.get_num_threads(), values / (ParallelMinimum / 2)));

        /// <summary>
        /// Runs <paramref name="body"/> for items 0 … <paramref name="items"/> − 1, on up to <see cref="Degree"/> threads.
        /// Items must be independent; results written per item and combined in item order stay the same for any thread
        /// count.
        /// </summary>
        internal static void For(int items, long values, Action<int> body)
        {
            int degree = Math.Min(Degree(values), items);
            if (degree <= 1)
            {
                for (int i = 0; i < items; i++) body(i);
                return;
            }
            Parallel.For(0, items, new ParallelOptions { MaxDegreeOfParallelism = degree }, body);
        }
    }
}
