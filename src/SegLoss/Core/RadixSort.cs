using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SegLoss
{
    /// <summary>
    /// Stable least-significant-digit radix sorts of unsigned 64-bit keys: one counting pass for all digits, then a
    /// scatter pass only for the digits whose values differ among the keys.
    /// </summary>
    /// <remarks>
    /// Two forms: <see cref="SortPacked"/> sorts words that carry a 32-bit key in their high half and a 32-bit payload
    /// (an index, a label code) in their low half, moving 8 bytes per element and pass with digits of at most 11 bits
    /// over the keys' range only; <see cref="Sort"/> sorts full 64-bit keys with a separate int32 payload, with 11-bit
    /// digits. <see cref="FloatKeys"/> maps floating-point values to keys whose unsigned order is
    /// the descending order of the values.
    /// </remarks>
    internal static class RadixSort
    {
        private const int MaxPackedDigitBits = 11;
        private const int KeyDigitBits = 11;
        private const int MaxCounts = 6 << KeyDigitBits;

        /// <summary>
        /// Scratch space of one sorting thread, reused across rows of up to the given length; the arrays are rented
        /// from <see cref="ArrayPool{T}.Shared"/> on first use (so repeated calls do not fault in fresh pages) and
        /// returned on <see cref="Dispose"/>.
        /// </summary>
        internal sealed class Workspace : IDisposable
        {
            private readonly int _length;
            private ulong[]? _items, _scratch;
            private int[]? _order, _orderScratch, _counts;
            private double[]? _weights;

            internal Workspace(int length) => _length = length;

            /// <summary>The caller's words or keys.</summary>
            internal ulong[] Items => _items ??= ArrayPool<ulong>.Shared.Rent(_length);

            /// <summary>The caller's payload (indices).</summary>
            internal int[] Order => _order ??= ArrayPool<int>.Shared.Rent(_length);

            /// <summary>Per-element values of the caller's own use.</summary>
            internal double[] Weights => _weights ??= ArrayPool<double>.Shared.Rent(_length);

            internal ulong[] Scratch => _scratch ??= ArrayPool<ulong>.Shared.Rent(_length);
            internal int[] OrderScratch => _orderScratch ??= ArrayPool<int>.Shared.Rent(_length);
            internal int[] Counts => _counts ??= ArrayPool<int>.Shared.Rent(MaxCounts);

            /// <summary>Returns the rented arrays.</summary>
            public void Dispose()
            {
                Return(ref _items);
                Return(ref _scratch);
                Return(ref _order);
                Return(ref _orderScratch);
                Return(ref _counts);
                Return(ref _weights);
            }

            private static void Return<T>(ref T[]? array)
            {
                if (array is not null) ArrayPool<T>.Shared.Return(array);
                array = null;
            }
        }

        /// <summary>
        /// Sorts <paramref name="items"/> ascending by their bits from <paramref name="lowBit"/> up (the bits below
        /// travel along unchanged), stably. The span must not be the workspace's <see cref="Workspace.Scratch"/>.
        /// </summary>
        /// <remarks>
        /// The digits cover only the range of the keys: with b = bit length of (max − min), the sort makes
        /// ⌈b / 11⌉ passes of ⌈b / passes⌉-bit digits of (key − min). Errors in [0, 1] as float32 keys span 30 bits,
        /// so they take three 10-bit passes instead of four 8-bit ones.
        /// </remarks>
        internal static void SortPacked(Span<ulong> items, int lowBit, Workspace work)
        {
            int n = items.Length;
            if (n < 2) return;
            ulong min = ulong.MaxValue, max = 0;
            foreach (ulong item in items)
            {
                ulong key = item >> lowBit;
                if (key < min) min = key;
                if (key > max) max = key;
            }
            int bits = 64 - BitOperations.LeadingZeroCount(max - min);
            if (bits == 0) return;
            int passes = (bits + MaxPackedDigitBits - 1) / MaxPackedDigitBits;
            int width = (bits + passes - 1) / passes;
            int buckets = 1 << width;
            var counts = work.Counts.AsSpan(0, passes * buckets);
            counts.Clear();
            ulong mask = (ulong)buckets - 1;
            foreach (ulong item in items)
            {
                ulong k = (item >> lowBit) - min;
                for (int d = 0; d < passes; d++, k >>= width)
                    counts[d * buckets + (int)(k & mask)]++;
            }

            Span<ulong> source = items, target = work.Scratch.AsSpan(0, n);
            for (int d = 0; d < passes; d++)
            {
                var count = counts.Slice(d * buckets, buckets);
                int shift = d * width;
                if (count[(int)((((source[0] >> lowBit) - min) >> shift) & mask)] == n) continue;
                ToOffsets(count);
                Scatter(source, target, count, lowBit, min, shift, mask);
                var swap = source; source = target; target = swap;
            }
            if (!source.Overlaps(items)) source.CopyTo(items);
        }

        /// <summary>
        /// Moves every word to the next free slot of its bucket. The slots come from the counting pass, so every write
        /// is in range by construction; the loop uses unchecked references because bounds checks cost a third of it.
        /// </summary>
        private static void Scatter(ReadOnlySpan<ulong> source, Span<ulong> target, Span<int> offsets, int lowBit, ulong min, int shift, ulong mask)
        {
            ref ulong from = ref MemoryMarshal.GetReference(source);
            ref ulong to = ref MemoryMarshal.GetReference(target);
            ref int next = ref MemoryMarshal.GetReference(offsets);
            for (int i = 0; i < source.Length; i++)
            {
                ulong item = Unsafe.Add(ref from, i);
                ref int slot = ref Unsafe.Add(ref next, (int)((((item >> lowBit) - min) >> shift) & mask));
                Unsafe.Add(ref to, slot) = item;
                slot++;
            }
        }

        /// <summary>
        /// Sorts <paramref name="keys"/> ascending, stably, applying the same permutation to
        /// <paramref name="order"/>; both spans hold the result on return and must not be the workspace's scratch.
        /// </summary>
        internal static void Sort(Span<ulong> keys, Span<int> order, Workspace work)
        {
            const int buckets = 1 << KeyDigitBits;
            int n = keys.Length;
            if (order.Length != n) throw new ArgumentException($"order has {order.Length} elements but keys has {n}", nameof(order));
            if (n < 2) return;
            int digits = DigitCount(keys, 0, KeyDigitBits);
            var counts = Histogram(keys, 0, KeyDigitBits, digits, work.Counts);

            Span<ulong> sourceKeys = keys, targetKeys = work.Scratch.AsSpan(0, n);
            Span<int> sourceOrder = order, targetOrder = work.OrderScratch.AsSpan(0, n);
            for (int d = 0; d < digits; d++)
            {
                int shift = d * KeyDigitBits;
                var count = counts.Slice(d * buckets, buckets);
                if (count[(int)((sourceKeys[0] >> shift) & (buckets - 1))] == n) continue;
                ToOffsets(count);
                for (int i = 0; i < n; i++)
                {
                    ulong k = sourceKeys[i];
                    int slot = count[(int)((k >> shift) & (buckets - 1))]++;
                    targetKeys[slot] = k;
                    targetOrder[slot] = sourceOrder[i];
                }
                var swapKeys = sourceKeys; sourceKeys = targetKeys; targetKeys = swapKeys;
                var swapOrder = sourceOrder; sourceOrder = targetOrder; targetOrder = swapOrder;
            }
            if (!sourceKeys.Overlaps(keys))
            {
                sourceKeys.CopyTo(keys);
                sourceOrder.CopyTo(order);
            }
        }

        /// <summary>How many digits above lowBit hold a set bit in some key.</summary>
        private static int DigitCount(ReadOnlySpan<ulong> keys, int lowBit, int digitBits)
        {
            ulong any = 0;
            foreach (var k in keys) any |= k;
            any >>= lowBit;
            return any == 0 ? 0 : (64 - BitOperations.LeadingZeroCount(any) + digitBits - 1) / digitBits;
        }

        /// <summary>The bucket counts of every digit, in one pass over the keys.</summary>
        private static Span<int> Histogram(ReadOnlySpan<ulong> keys, int lowBit, int digitBits, int digits, int[] storage)
        {
            int buckets = 1 << digitBits;
            ulong mask = (ulong)buckets - 1;
            var counts = storage.AsSpan(0, digits * buckets);
            counts.Clear();
            foreach (ulong key in keys)
            {
                ulong k = key >> lowBit;
                for (int d = 0; d < digits; d++, k >>= digitBits)
                    counts[d * buckets + (int)(k & mask)]++;
            }
            return counts;
        }

        /// <summary>Turns bucket counts into the first slot of each bucket.</summary>
        private static void ToOffsets(Span<int> count)
        {
            int start = 0;
            for (int b = 0; b < count.Length; b++)
            {
                int c = count[b];
                count[b] = start;
                start += c;
            }
        }

        /// <summary>Keys whose ascending unsigned order is the descending order of the values.</summary>
        internal static class FloatKeys
        {
            /// <summary>
            /// The descending key of a float32 value: the IEEE bits made order-preserving (sign bit flipped for
            /// positives, all bits flipped for negatives), then complemented. −0 sorts after +0; NaNs sort first.
            /// </summary>
            internal static ulong Descending(float value)
            {
                // Any NaN (either sign) first, as libtorch's descending sort puts it; never taken for finite inputs.
                if (float.IsNaN(value)) return 0;
                uint bits = BitConverter.SingleToUInt32Bits(value);
                // Branch-free: the mask is all ones for negatives (flip everything) and the sign bit otherwise.
                uint ascending = bits ^ ((uint)((int)bits >> 31) | 0x8000_0000u);
                return ~ascending;
            }

            /// <summary>The float32 value of a (non-NaN) descending key: the inverse of <see cref="Descending(float)"/>.</summary>
            internal static float SingleFromDescending(ulong key)
            {
                uint ascending = ~(uint)key;
                uint bits = (ascending & 0x8000_0000u) != 0 ? ascending & 0x7FFF_FFFFu : ~ascending;
                return BitConverter.UInt32BitsToSingle(bits);
            }

            /// <summary>The float64 value of a (non-NaN) descending key: the inverse of <see cref="Descending(double)"/>.</summary>
            internal static double DoubleFromDescending(ulong key)
            {
                ulong ascending = ~key;
                ulong bits = (ascending & 0x8000_0000_0000_0000ul) != 0 ? ascending & 0x7FFF_FFFF_FFFF_FFFFul : ~ascending;
                return BitConverter.UInt64BitsToDouble(bits);
            }

            /// <summary>The descending key of a float64 value (the same mapping on 64 bits).</summary>
            internal static ulong Descending(double value)
            {
                if (double.IsNaN(value)) return 0;
                ulong bits = BitConverter.DoubleToUInt64Bits(value);
                ulong ascending = bits ^ ((ulong)((long)bits >> 63) | 0x8000_0000_0000_0000ul);
                return ~ascending;
            }
        }
    }
}
