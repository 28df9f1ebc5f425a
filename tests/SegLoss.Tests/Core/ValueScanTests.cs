using System.Linq;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    /// <summary>
    /// The SIMD scans that check targets on the CPU must give exactly what the element-wise definitions give, for every
    /// length (the vector body and the scalar tail), both float dtypes and the values that break the rules (NaN, ±∞, a
    /// value one ulp outside [0, 1], a soft value one ulp from 0 or 1), and must decline what they cannot read.
    /// </summary>
    public class ValueScanTests
    {
        public static TheoryData<int> Lengths => new() { 1, 3, 7, 8, 9, 31, 64, 1000, 4099 };

        [Theory]
        [MemberData(nameof(Lengths))]
        public void UnitIntervalAndHardnessMatchTheElementwiseDefinitionAtEveryPosition(int length)
        {
            foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            {
                var hardValues = Enumerable.Range(0, length).Select(i => (double)(i * 7 % 3 == 0 ? 1 : 0)).ToArray();
                Scan(hardValues, dtype).Should().Be((true, true), $"{dtype} 0/1 values of length {length}");
                // Every position, so that a failure in the vector body and one in the scalar tail are both seen.
                foreach (int at in new[] { 0, length / 2, length - 1 }.Distinct())
                {
                    double justAboveZero = dtype == ScalarType.Float32 ? float.Epsilon : double.Epsilon;
                    double justBelowOne = dtype == ScalarType.Float32 ? 1 - 1.0 / (1 << 24) : 1 - 1.0 / (1L << 53);
                    double justAboveOne = dtype == ScalarType.Float32 ? 1 + 1.0 / (1 << 23) : 1 + 1.0 / (1L << 52);
                    foreach (var (value, expected) in new[]
                    {
                        (0.5, (true, false)), (justAboveZero, (true, false)), (justBelowOne, (true, false)), (-0.0, (true, true)),
                        (justAboveOne, (false, false)), (-justAboveZero, (false, false)), (double.NaN, (false, false)),
                        (double.PositiveInfinity, (false, false)), (double.NegativeInfinity, (false, false)),
                    })
                    {
                        var values = (double[])hardValues.Clone();
                        values[at] = value;
                        Scan(values, dtype).Should().Be(expected, $"{dtype} length {length}, {value:R} at {at}");
                    }
                }
            }
        }

        [Theory]
        [MemberData(nameof(Lengths))]
        public void MinMaxOfLabelsMatchesLinqAtEveryLength(int length)
        {
            var values = Enumerable.Range(0, length).Select(i => (long)((i * 2654435761L) % 1009) - 500).ToArray();
            values[length - 1] = long.MinValue + 1;
            values[0] = length > 1 ? long.MaxValue : values[0];
            using var labels = tensor(values);
            ValueScan.TryMinMax(labels, out long min, out long max).Should().BeTrue();
            min.Should().Be(values.Min());
            max.Should().Be(values.Max());
        }

        [Fact]
        public void LargeTensorsScannedInChunksGiveTheSameAnswersAtEveryChunkBoundary()
        {
            // 300 001 values are split over libtorch's intra-op threads (two on the build machine); a value that
            // breaks a rule must be found wherever it sits, including on either side of a chunk boundary.
            const int length = 300_001;
            var hardValues = Enumerable.Range(0, length).Select(i => (double)(i % 5 == 0 ? 1 : 0)).ToArray();
            Scan(hardValues, ScalarType.Float32).Should().Be((true, true));
            foreach (int at in new[] { 0, length / 2 - 1, length / 2, length / 3, 2 * length / 3 + 1, length - 1 })
            {
                var soft = (double[])hardValues.Clone();
                soft[at] = 0.25;
                Scan(soft, ScalarType.Float32).Should().Be((true, false), $"0.25 at {at}");
                soft[at] = double.NaN;
                Scan(soft, ScalarType.Float64).Should().Be((false, false), $"NaN at {at}");
                var labels = Enumerable.Range(0, length).Select(i => (long)(i % 7)).ToArray();
                int other = at == length / 2 ? 0 : length - 1 - at;
                labels[at] = -3;
                labels[other] = 40;
                using var t = tensor(labels);
                ValueScan.TryMinMax(t, out long min, out long max).Should().BeTrue();
                (min, max).Should().Be((-3L, 40L), $"labels changed at {at} and {other}");
            }
        }

        [Fact]
        public void ScansDeclineWhatTheyCannotReadSoTheReductionsRunInstead()
        {
            using var scope = NewDisposeScope();
            var strided = ones(4, 6, ScalarType.Float32).t();
            strided.is_contiguous().Should().BeFalse();
            ValueScan.TryUnitInterval(strided, out _, out _).Should().BeFalse("a strided view");
            ValueScan.TryUnitInterval(ones(3, ScalarType.Float16), out _, out _).Should().BeFalse("half precision");
            ValueScan.TryUnitInterval(empty(0, ScalarType.Float32), out _, out _).Should().BeFalse("no values");
            ValueScan.TryMinMax(ones(3, ScalarType.Int32), out _, out _).Should().BeFalse("int32 labels");
            ValueScan.TryMinMax(ones(8, 2, ScalarType.Int64).t(), out _, out _).Should().BeFalse("a strided view");
        }

        [Fact]
        public void TargetsCountAsHardExactlyWhenEveryValueIsZeroOrOne()
        {
            // 1 − 2⁻⁵³ is soft, but Σg² and Σg of these values round to the same float64 (3): the reductions used
            // off the CPU would call the target hard; the scan does not.
            using var scope = NewDisposeScope();
            var input = zeros(1, 1, 4, ScalarType.Float64);
            var nearlyHard = tensor(new[] { 1.0, 0.0, 1 - 1.0 / (1L << 53), 1.0 }, new long[] { 1, 1, 4 });
            SegmentationInputs.Create(input, nearlyHard, LossMode.Binary, null).HardTargets.Should().BeFalse();
            var hard = tensor(new[] { 1.0, 0.0, 0.0, 1.0 }, new long[] { 1, 1, 4 });
            SegmentationInputs.Create(input, hard, LossMode.Binary, null).HardTargets.Should().BeTrue();
            var flat = nearlyHard.reshape(-1);
            (flat.dot(flat).item<double>() == flat.sum().item<double>()).Should().BeTrue("the sums cannot tell it apart");
        }

        private static (bool InRange, bool Hard) Scan(double[] values, ScalarType dtype)
        {
            using var t = tensor(values).to(dtype);
            ValueScan.TryUnitInterval(t, out bool inRange, out bool hard).Should().BeTrue();
            return (inRange, hard);
        }
    }
}
