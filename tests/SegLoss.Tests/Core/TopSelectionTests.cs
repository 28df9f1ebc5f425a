using System.Linq;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    public class TopSelectionTests
    {
        private static void AssertSelectsTheLargest(Tensor scores, long[] budget)
        {
            using var scope = NewDisposeScope();
            var mask = TopSelection.Mask(scores, budget).to(ScalarType.Float64);
            mask.shape.Should().Equal(scores.shape);
            var values = scores.to(ScalarType.Float64);
            for (int r = 0; r < budget.Length; r++)
            {
                var row = values[r].data<double>().ToArray();
                var chosen = mask[r].data<double>().ToArray();
                chosen.Should().OnlyContain(v => v == 0 || v == 1);
                chosen.Sum().Should().Be(budget[r], $"row {r} must select exactly its budget");
                if (budget[r] == 0 || budget[r] == row.Length) continue;
                double smallestChosen = row.Where((_, i) => chosen[i] == 1).Min();
                double largestLeft = row.Where((_, i) => chosen[i] == 0).Max();
                smallestChosen.Should().BeGreaterThanOrEqualTo(largestLeft, $"row {r}: everything selected is at least everything left out");
                // The selected sum is the top-k sum whichever tied entries were taken.
                double expected = row.OrderByDescending(v => v).Take((int)budget[r]).Sum();
                row.Where((_, i) => chosen[i] == 1).Sum().Should().BeApproximately(expected, 1e-9 * System.Math.Max(1, System.Math.Abs(expected)));
            }
        }

        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void DistinctScoresSelectExactlyTheTopK(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            manual_seed(7);
            AssertSelectsTheLargest(randn(4, 3000, dtype: dtype), new long[] { 0, 1, 300, 3000 });
            // Rows long enough for the sampled bracket, budgets from one entry to all of them.
            AssertSelectsTheLargest(randn(5, 30000, dtype: dtype).abs(), new long[] { 1, 3000, 15000, 29999, 30000 });
        }

        [Fact]
        public void ASampleThatMissesTheThresholdFallsBackToTheFullSelect()
        {
            using var scope = NewDisposeScope();
            // Every sampled position (multiples of the stride 20000 / 2048 = 9) holds 0 and the rest are larger, so the
            // sample brackets the wrong values; the result must still be the exact top k.
            var values = Enumerable.Range(0, 20000).Select(i => i % 9 == 0 ? 0f : 1f + i).ToArray();
            AssertSelectsTheLargest(tensor(values).unsqueeze(0), new long[] { 100 });
            AssertSelectsTheLargest(tensor(values).unsqueeze(0), new long[] { 19000 });
        }

        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.Float64)]
        public void TiesAtTheThresholdAreCutToTheBudget(ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            manual_seed(8);
            // Five distinct values only: every threshold is heavily tied.
            AssertSelectsTheLargest(randint(0, 5, new long[] { 3, 2000 }).to(dtype), new long[] { 1, 777, 1999 });
            AssertSelectsTheLargest(zeros(2, 500, dtype: dtype), new long[] { 10, 500 });
            AssertSelectsTheLargest(randint(0, 3, new long[] { 2, 20000 }).to(dtype), new long[] { 10, 12345 });
            AssertSelectsTheLargest(zeros(1, 20000, dtype: dtype), new long[] { 7 });
        }

        [Fact]
        public void LeftOutEntriesAtMinusInfinityAreNotSelectedWithinTheValidCount()
        {
            using var scope = NewDisposeScope();
            manual_seed(9);
            var scores = rand(2, 1000);
            scores[0].narrow(0, 0, 600).fill_(double.NegativeInfinity);
            var mask = TopSelection.Mask(scores, new long[] { 400, 50 }).to(ScalarType.Float32);
            mask[0].narrow(0, 0, 600).sum().item<float>().Should().Be(0);
            mask[0].sum().item<float>().Should().Be(400);
            AssertSelectsTheLargest(scores, new long[] { 400, 50 });
        }

        [Fact]
        public void NegativeValuesAndSignedZerosOrderLikeLibtorch()
        {
            using var scope = NewDisposeScope();
            var scores = tensor(new float[] { -0f, 0f, -1f, 2f, -3f, 0f, 1e-30f, -1e-30f }).unsqueeze(0);
            AssertSelectsTheLargest(scores, new long[] { 3 });
            AssertSelectsTheLargest(scores, new long[] { 5 });
        }

        [Fact]
        public void OtherDtypesTakeTheTopKPathWithTheSameContract()
        {
            using var scope = NewDisposeScope();
            manual_seed(10);
            // BFloat16 is not handled by the managed select: this is the path CUDA tensors take, including
            // unequal budgets (sorted topk, then a rank cut).
            AssertSelectsTheLargest(randn(3, 400).to(ScalarType.BFloat16), new long[] { 40, 0, 123 });
        }

        [Fact]
        public void NanScoresFallBackToTopK()
        {
            using var scope = NewDisposeScope();
            var scores = tensor(new float[] { 1f, float.NaN, 3f, 2f }).unsqueeze(0);
            var mask = TopSelection.Mask(scores, new long[] { 2 }).to(ScalarType.Float32);
            mask.sum().item<float>().Should().Be(2);
            // In a long row the NaN sits where the sample does not look (index 1; the stride is 9): the pass finds it.
            var longRow = rand(1, 20000);
            longRow[0, 1] = tensor(float.NaN);
            TopSelection.Mask(longRow, new long[] { 500 }).sum().item<long>().Should().Be(500);
        }
    }
}
