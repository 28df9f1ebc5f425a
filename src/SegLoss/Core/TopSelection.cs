using System;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Marks (true) the k largest entries of every row of a 2-D score tensor: exactly k[r] entries of row r, every entry
    /// greater than the row's k-th largest value and as many of the entries equal to it as the budget leaves (the
    /// first ones by position). Not differentiable; the caller masks with it.
    /// </summary>
    /// <remarks>
    /// On the CPU (float32/float64 scores without NaN) the k-th largest value comes from a managed radix select: one
    /// counting pass over the row's order-preserving keys, one pass keeping the elements of the bucket that holds
    /// the k-th, and the remaining digits on those few candidates; the mask is then one comparison. Against
    /// <c>topk</c> and a scatter on libtorch 2.10, one thread, k = 10 %: 1.4 against 4.6 ms for 8x65536, 1.0 against
    /// 4.2 ms for 1x524288 (quick benchmarks, kernels section). Other devices use <c>topk</c> and a scatter.
    /// </remarks>
    internal static class TopSelection
    {
        private const int DigitBits = 11;

        /// <summary>Sample size of the bracketing step (rows shorter than 4× this go straight to the full select).</summary>
        private const int SampleSize = 2048;

        /// <summary>The selection mask (rows, P), bool: true on the k[r] largest entries of row r.</summary>
        /// <param name="scores">Scores (rows, P), detached; entries to leave out should be −∞.</param>
        /// <param name="budget">How many entries to select in each row, 0 ≤ k[r] ≤ P.</param>
        internal static Tensor Mask(Tensor scores, long[] budget)
        {
            long rows = scores.shape[0];
            if (budget.Length != rows) throw new ArgumentException($"budget has {budget.Length} entries but scores has {rows} rows", nameof(budget));
            var thresholds = Thresholds(scores, budget);
            if (thresholds is null) return TopKMask(scores, budget);

            var (values, greater, equal) = thresholds.Value;
            // Rows without a budget get the threshold +∞ and select nothing (a score of +∞ aside, handled below).
            var threshold = tensor(values, new long[] { rows, 1 }, ScalarType.Float64, scores.device).to(scores.dtype);
            bool tiesFit = Enumerable.Range(0, (int)rows).All(r => budget[r] == 0 || greater[r] + equal[r] == budget[r]);
            bool emptyRows = budget.Any(b => b == 0);
            if (tiesFit && !emptyRows) return scores.ge(threshold);

            // Entries tied at the threshold: keep the first budget − greater of them in each row (none in empty rows).
            var tied = scores.eq(threshold);
            var room = tensor(budget.Select((b, r) => b - greater[r]).ToArray(), ScalarType.Int64, scores.device).unsqueeze(1);
            var keepTied = tied.logical_and(tied.to(ScalarType.Int64).cumsum(1).le(room));
            var chosen = scores.gt(threshold).logical_or_(keepTied);
            return emptyRows ? chosen.logical_and_(tensor(budget, ScalarType.Int64, scores.device).gt(0).unsqueeze(1)) : chosen;
        }

        /// <summary>
        /// Per row: the k-th largest value, how many entries are greater and how many equal it; null when the managed
        /// path does not apply (not a CPU float32/float64 tensor, or a NaN in the scores).
        /// </summary>
        private static (double[] Values, long[] Greater, long[] Equal)? Thresholds(Tensor scores, long[] budget)
        {
            bool managed = scores.device_type == DeviceType.CPU && scores.numel() <= int.MaxValue
                && (scores.dtype == ScalarType.Float32 || scores.dtype == ScalarType.Float64);
            if (!managed) return null;
            return scores.dtype == ScalarType.Float32 ? Thresholds<float>(scores, budget) : Thresholds<double>(scores, budget);
        }

        private static (double[] Values, long[] Greater, long[] Equal)? Thresholds<T>(Tensor scores, long[] budget)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            int rows = (int)scores.shape[0], length = (int)scores.shape[1];
            using var scope = NewDisposeScope();
            using var values = TensorData.ToPooled<T>(scores);
            using var candidates = new PooledArray<ulong>(length);
            var thresholds = new double[rows];
            var greater = new long[rows];
            var equal = new long[rows];
            for (int r = 0; r < rows; r++)
            {
                if (budget[r] == 0)
                {
                    thresholds[r] = double.PositiveInfinity;
                    continue;
                }
                var row = values.Array.AsSpan(r * length, length);
                var (key, below, ties, hasNaN) = KthSmallestKey<T>(row, (int)budget[r], candidates.Array);
                // libtorch's comparisons treat NaN differently from the key order: leave such rows to topk.
                if (hasNaN) return null;
                thresholds[r] = typeof(T) == typeof(float) ? RadixSort.FloatKeys.SingleFromDescending(key) : RadixSort.FloatKeys.DoubleFromDescending(key);
                greater[r] = below;
                equal[r] = ties;
            }
            return (thresholds, greater, equal);
        }

        /// <summary>
        /// The k-th smallest descending key (1-based k) of the values, the number of keys below it and the number
        /// equal to it. A strided sample of the row brackets the k-th key; one pass then counts the keys below the
        /// bracket and gathers those inside it, and a radix select on the gathered few finishes exactly. When the
        /// bracket misses (a rare, heavy-tailed row), a radix select over the whole row does the same work in two passes.
        /// </summary>
        private static (ulong Key, int Below, int Equal, bool HasNaN) KthSmallestKey<T>(ReadOnlySpan<T> row, int k, ulong[] buffer)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            int n = row.Length;
            if (n > 4 * SampleSize)
            {
                Span<ulong> sample = stackalloc ulong[SampleSize];
                int stride = n / SampleSize;
                bool sampledNaN = false;
                for (int i = 0; i < SampleSize; i++)
                {
                    T v = row[i * stride];
                    sampledNaN |= T.IsNaN(v);
                    sample[i] = Key(v);
                }
                if (!sampledNaN)
                {
                    sample.Sort();
                    // The k-th key's rank in the sample is about q; a margin of 4 standard deviations of that rank
                    // (binomial) plus a few makes a miss very unlikely while keeping the bracket to ~1 % of the row.
                    double q = (double)k / n * SampleSize;
                    int margin = (int)(4 * Math.Sqrt(q * (1 - q / SampleSize)) + 8);
                    ulong low = sample[Math.Clamp((int)q - margin, 0, SampleSize - 1)];
                    ulong high = sample[Math.Clamp((int)q + margin, 0, SampleSize - 1)];
                    if ((int)q - margin < 0) low = 0;
                    if ((int)q + margin >= SampleSize) high = ulong.MaxValue;
                    // Keys below `low` are values above `upper`; keys in [low, high] are values in [lower, upper].
                    T upper = low == 0 ? T.PositiveInfinity : Value<T>(low);
                    T lower = high == ulong.MaxValue ? T.NegativeInfinity : Value<T>(high);
                    var (below, kept, hasNaN) = Bracket(row, lower, upper, buffer);
                    if (hasNaN) return (0, 0, 0, true);
                    if (below < k && k <= below + kept)
                    {
                        var (key, skipped, equal) = Select(buffer, kept, k - below, 64);
                        return (key, below + skipped, equal, false);
                    }
                }
            }
            return FullSelect(row, k, buffer);
        }

        /// <summary>
        /// One pass over the row: how many values are above <paramref name="upper"/>, the keys of those in
        /// [<paramref name="lower"/>, <paramref name="upper"/>] (into the buffer), and whether a NaN occurs. Compares
        /// 256-bit vectors of values; only lanes inside the bracket (about 1 % of them) take the scalar path.
        /// </summary>
        private static (int Below, int Kept, bool HasNaN) Bracket<T>(ReadOnlySpan<T> row, T lower, T upper, ulong[] buffer)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            int below = 0, kept = 0, i = 0;
            bool hasNaN = false;
            if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            {
                int width = Vector256<T>.Count;
                var lo = Vector256.Create(lower);
                var hi = Vector256.Create(upper);
                ref T start = ref MemoryMarshal.GetReference(row);
                uint nanLanes = 0;
                for (; i + width <= row.Length; i += width)
                {
                    var v = Vector256.LoadUnsafe(ref start, (nuint)i);
                    below += BitOperations.PopCount(Vector256.GreaterThan(v, hi).ExtractMostSignificantBits());
                    nanLanes |= ~Vector256.Equals(v, v).ExtractMostSignificantBits();
                    uint inside = (Vector256.GreaterThanOrEqual(v, lo) & Vector256.LessThanOrEqual(v, hi)).ExtractMostSignificantBits();
                    while (inside != 0)
                    {
                        buffer[kept++] = Key(row[i + BitOperations.TrailingZeroCount(inside)]);
                        inside &= inside - 1;
                    }
                }
                hasNaN = (nanLanes & ((1u << width) - 1)) != 0;
            }
            for (; i < row.Length; i++)
            {
                T v = row[i];
                hasNaN |= T.IsNaN(v);
                below += v > upper ? 1 : 0;
                if (v >= lower && v <= upper) buffer[kept++] = Key(v);
            }
            return (below, kept, hasNaN);
        }

        /// <summary>The value of a (non-NaN) descending key.</summary>
        private static T Value<T>(ulong key) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            if (typeof(T) == typeof(float))
            {
                float f = RadixSort.FloatKeys.SingleFromDescending(key);
                return Unsafe.As<float, T>(ref f);
            }
            double d = RadixSort.FloatKeys.DoubleFromDescending(key);
            return Unsafe.As<double, T>(ref d);
        }

        /// <summary>Radix select over the whole row: a counting pass, a gathering pass, then the candidates.</summary>
        private static (ulong Key, int Below, int Equal, bool HasNaN) FullSelect<T>(ReadOnlySpan<T> row, int k, ulong[] buffer)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            int keyBits = typeof(T) == typeof(float) ? 32 : 64;
            Span<int> counts = stackalloc int[1 << DigitBits];
            int shift = keyBits - DigitBits;
            const ulong topMask = (1UL << DigitBits) - 1;
            counts.Clear();
            bool hasNaN = false;
            foreach (T v in row)
            {
                hasNaN |= T.IsNaN(v);
                counts[(int)((Key(v) >> shift) & topMask)]++;
            }
            if (hasNaN) return (0, 0, 0, true);
            int bucket = Bucket(counts, ref k, out int below);
            int kept = 0;
            foreach (T v in row)
            {
                ulong key = Key(v);
                if ((int)(key >> shift) == bucket) buffer[kept++] = key;
            }
            var (found, skipped, equal) = Select(buffer, kept, k, shift);
            return (found, below + skipped, equal, false);
        }

        /// <summary>
        /// Radix select among the first <paramref name="count"/> keys of the buffer, which agree on every bit at and
        /// above <paramref name="bits"/> (pass 64 when they may differ anywhere); compacts the buffer in place.
        /// </summary>
        private static (ulong Key, int Below, int Equal) Select(ulong[] buffer, int count, int k, int bits)
        {
            Span<int> counts = stackalloc int[1 << DigitBits];
            int below = 0, kept = count, shift = bits;
            while (kept > 1 && shift > 0)
            {
                int width = Math.Min(DigitBits, shift);
                shift -= width;
                ulong mask = (1UL << width) - 1;
                var count2 = counts[..(1 << width)];
                count2.Clear();
                var current = buffer.AsSpan(0, kept);
                foreach (ulong key in current) count2[(int)((key >> shift) & mask)]++;
                int bucket = Bucket(count2, ref k, out int skipped);
                below += skipped;
                kept = 0;
                // In place: the write index never passes the read index.
                foreach (ulong key in current)
                    if ((int)((key >> shift) & mask) == bucket) buffer[kept++] = key;
            }
            return (buffer[0], below, kept);
        }

        /// <summary>The bucket holding the k-th key; k becomes its rank within the bucket, below counts the keys before.</summary>
        private static int Bucket(ReadOnlySpan<int> counts, ref int k, out int below)
        {
            int bucket = 0;
            below = 0;
            while (below + counts[bucket] < k) below += counts[bucket++];
            k -= below;
            return bucket;
        }

        /// <summary>The descending key, with −0 taken as +0 (libtorch's comparisons treat them as equal).</summary>
        private static ulong Key<T>(T value) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            if (typeof(T) == typeof(float)) return RadixSort.FloatKeys.Descending(Unsafe.As<T, float>(ref value) + 0f);
            return RadixSort.FloatKeys.Descending(Unsafe.As<T, double>(ref value) + 0.0);
        }

        /// <summary>The same mask by <c>topk</c> and a scatter (CUDA and other dtypes).</summary>
        internal static Tensor TopKMask(Tensor scores, long[] budget)
        {
            long maxBudget = budget.Max();
            var mask = zeros(scores.shape, ScalarType.Bool, scores.device);
            if (maxBudget == 0) return mask;
            bool uniform = budget.All(b => b == maxBudget);
            // Rows with a smaller budget keep only their first budget[r] indices, so those must be sorted.
            var (_, index) = scores.topk(checked((int)maxBudget), 1, largest: true, sorted: !uniform);
            var src = uniform
                ? ones(index.shape, ScalarType.Bool, scores.device)
                : arange(maxBudget, ScalarType.Int64, scores.device).unsqueeze(0).lt(tensor(budget, ScalarType.Int64, scores.device).unsqueeze(1));
            return mask.scatter_(1, index, src);
        }
    }
}
