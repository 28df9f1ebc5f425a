using System;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace SegLoss.Tests.Core
{
    public class RadixSortTests
    {
        // Values chosen to exercise every key class: negatives, both zeros, subnormals, infinities, duplicates.
        private static float[] MixedSingles(int n, int seed)
        {
            var rng = new Random(seed);
            var special = new[] { 0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, float.PositiveInfinity, float.NegativeInfinity, 0.5f, 1e-30f };
            return Enumerable.Range(0, n).Select(i => i % 7 == 0 ? special[rng.Next(special.Length)] : (float)(rng.NextDouble() * 4 - 2) * MathF.Pow(10, rng.Next(-8, 8))).ToArray();
        }

        [Theory]
        [InlineData(2)]
        [InlineData(257)]
        [InlineData(5000)]
        public void PackedSortOrdersFloatsDescendingAndStably(int n)
        {
            var values = MixedSingles(n, n);
            var items = values.Select((v, i) => (RadixSort.FloatKeys.Descending(v) << 32) | (uint)i).ToArray();
            using var work = new RadixSort.Workspace(n);
            RadixSort.SortPacked(items, 32, work);

            var order = items.Select(x => (int)(uint)x).ToArray();
            // LINQ's OrderByDescending is stable: equal values keep their original order, as the radix sort must.
            // −0 and +0 compare equal there but not in the key order (−0 after +0), so compare by key.
            var expected = Enumerable.Range(0, n).OrderBy(i => RadixSort.FloatKeys.Descending(values[i])).ToArray();
            order.Should().Equal(expected);
            for (int i = 1; i < n; i++)
                values[order[i]].Should().BeLessThanOrEqualTo(values[order[i - 1]]);
        }

        [Fact]
        public void PackedSortKeepsThePayloadBitsBelowTheKey()
        {
            var rng = new Random(3);
            var items = Enumerable.Range(0, 3000).Select(i => ((ulong)rng.Next(0, 50) << 32) | (uint)rng.Next()).ToArray();
            var expected = items.OrderBy(x => x >> 32).ToArray();
            using var work = new RadixSort.Workspace(items.Length);
            RadixSort.SortPacked(items, 32, work);
            items.Should().Equal(expected);
        }

        [Fact]
        public void KeySortOrdersDoublesDescendingWithTheirOrder()
        {
            var rng = new Random(5);
            var values = Enumerable.Range(0, 4000).Select(i => i % 5 == 0 ? Math.Round(rng.NextDouble(), 1) : rng.NextDouble() * 2 - 1).ToArray();
            var keys = values.Select(RadixSort.FloatKeys.Descending).ToArray();
            var order = Enumerable.Range(0, values.Length).ToArray();
            using var work = new RadixSort.Workspace(values.Length);
            RadixSort.Sort(keys, order, work);
            order.Should().Equal(Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ToArray());
            keys.Should().BeInAscendingOrder();
        }

        [Fact]
        public void EqualKeysAndSingleElementsAreLeftAsTheyAre()
        {
            using var work = new RadixSort.Workspace(4);
            var same = new ulong[] { 7UL << 32 | 3, 7UL << 32 | 1, 7UL << 32 | 2 };
            RadixSort.SortPacked(same, 32, work);
            same.Select(x => (uint)x).Should().Equal(3u, 1u, 2u);
            var one = new ulong[] { 42 };
            RadixSort.SortPacked(one, 0, work);
            one.Should().Equal(42UL);
        }

        [Fact]
        public void DescendingKeysPutNanFirstAndNegativeZeroAfterPositiveZero()
        {
            RadixSort.FloatKeys.Descending(float.NaN).Should().BeLessThan(RadixSort.FloatKeys.Descending(float.PositiveInfinity));
            RadixSort.FloatKeys.Descending(0f).Should().BeLessThan(RadixSort.FloatKeys.Descending(-0f));
            RadixSort.FloatKeys.Descending(-0.0).Should().BeLessThan(RadixSort.FloatKeys.Descending(-1e-300));
        }
    }
}
