using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    public class OneHotTests
    {
        [Fact]
        public void EncodesLabelsAlongChannelOneAndZeroesIgnoredPixels()
        {
            using var labels = tensor(new long[] { 0, 2, 255, 1 }, new long[] { 1, 2, 2 });
            var (oneHot, valid) = OneHot.EncodeWithMask(labels, 3, ignoreIndex: 255);
            using (oneHot)
            using (valid)
            {
                oneHot.shape.Should().Equal(1, 3, 2, 2);
                oneHot.data<float>().ToArray().Should().Equal(
                    1, 0, 0, 0,
                    0, 0, 0, 1,
                    0, 1, 0, 0);
                valid.data<bool>().ToArray().Should().Equal(true, true, false, true);
            }
        }

        [Fact]
        public void SupportsThreeSpatialDimensionsAndDtypes()
        {
            using var labels = tensor(new long[] { 1, 0, 0, 1, 1, 1, 0, 0 }, new long[] { 1, 2, 2, 2 });
            using var oneHot = OneHot.Encode(labels, 2, dtype: ScalarType.Float64);
            oneHot.shape.Should().Equal(1, 2, 2, 2, 2);
            oneHot.dtype.Should().Be(ScalarType.Float64);
            using var sum = oneHot.sum(1);
            sum.data<double>().ToArray().Should().OnlyContain(v => v == 1.0);
        }

        [Fact]
        public void RejectsOutOfRangeLabelsInsteadOfIndexingOutOfBounds()
        {
            using var labels = tensor(new long[] { 0, 3 }, new long[] { 1, 2 });
            FluentActions.Invoking(() => OneHot.Encode(labels, 3)).Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*3*[0, 3)*");
            using var floats = zeros(1, 2);
            FluentActions.Invoking(() => OneHot.Encode(floats, 3)).Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("*Float32*");
            FluentActions.Invoking(() => OneHot.Encode(labels, 0)).Should().Throw<ArgumentException>().WithParameterName("numClasses");
        }

        [Theory]
        [InlineData(new long[] { 0 })]
        [InlineData(new long[] { 0, 5 })]
        [InlineData(new long[] { 3, 0 })]
        [InlineData(new long[] { 0, 4, 5 })]
        [InlineData(new long[] { 2, 4, 0 })]
        [InlineData(new long[] { 0, 3, 4, 5 })]
        [InlineData(new long[] { 2, 3, 0, 5 })]
        public void EmptyLabelsGiveEmptyOneHotTensorsAndMasks(long[] shape)
        {
            using var scope = NewDisposeScope();
            var expected = new[] { shape[0], 3L }.Concat(shape.Skip(1)).ToArray();
            var labels = zeros(shape, ScalarType.Int64);
            var oneHot = OneHot.Encode(labels, 3);
            oneHot.shape.Should().Equal(expected);
            oneHot.dtype.Should().Be(ScalarType.Float32);
            var (oneHot64, valid) = OneHot.EncodeWithMask(labels.to(ScalarType.Int32), 3, ignoreIndex: 255, dtype: ScalarType.Float64);
            oneHot64.shape.Should().Equal(expected);
            oneHot64.dtype.Should().Be(ScalarType.Float64);
            valid.shape.Should().Equal(shape);
            valid.dtype.Should().Be(ScalarType.Bool);
            valid.device_type.Should().Be(TorchSharp.DeviceType.CPU);
        }

        [Fact]
        public void EmptyLabelsGiveAnEmptyTensorEvenWithAHugeClassCount()
        {
            using var labels = zeros(new long[] { 0, 4, 4 }, ScalarType.Int64);
            using var oneHot = OneHot.Encode(labels, 1L << 40);
            oneHot.shape.Should().Equal(0, 1L << 40, 4, 4);
        }
    }

    /// <summary>
    /// Issue 11: a class count that would make an absurd one-hot tensor is refused by name before anything is
    /// allocated (libtorch's allocator error used to surface with C++ frames), and no error leaves a tensor alive.
    /// Inputs are made before the count and outside any dispose scope, so a tensor left by the encoder would show.
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class OneHotLimitTests
    {
        [Theory]
        [InlineData(1L << 40, "[2, 1099511627776, 4, 4] (3.5e13 float32 values, 128 TiB)")]
        [InlineData(1L << 62, "[2, 4611686018427387904, 4, 4] (1.5e20 float32 values, 512 EiB)")] // the element count overflows a long
        public void AbsurdClassCountsAreRefusedByNameWithTheSizeTheyWouldNeed(long numClasses, string described)
        {
            using var labels = zeros(new long[] { 2, 4, 4 }, ScalarType.Int64);
            string message = $"numClasses {numClasses} would make a one-hot tensor of shape {described}, more than the 2^40 bytes (1 TiB) a one-hot tensor may take*";
            LiveTensors.AssertNoLeak(
                () =>
                {
                    FluentActions.Invoking(() => OneHot.Encode(labels, numClasses)).Should().Throw<ArgumentException>().WithParameterName("numClasses").WithMessage(message);
                    FluentActions.Invoking(() => OneHot.EncodeWithMask(labels, numClasses)).Should().Throw<ArgumentException>().WithParameterName("numClasses").WithMessage(message);
                },
                "the size is checked before anything is allocated");
        }

        [Fact]
        public void TheLimitCountsTheBytesOfTheRequestedDtype()
        {
            using var labels = zeros(new long[] { 1, 1 }, ScalarType.Int64);
            // One value over 2^40 bytes, for 1-, 4- and 8-byte dtypes (the allowed side of the boundary is tested on
            // OutputSize: here it would allocate 1 TiB).
            FluentActions.Invoking(() => OneHot.Encode(labels, (1L << 40) + 1, dtype: ScalarType.Byte))
                .Should().Throw<ArgumentException>().WithParameterName("numClasses").WithMessage("*[1, 1099511627777, 1] (1.1e12 byte values, 1 TiB)*");
            FluentActions.Invoking(() => OneHot.Encode(labels, (1L << 38) + 1))
                .Should().Throw<ArgumentException>().WithParameterName("numClasses").WithMessage("*float32 values, 1 TiB*");
            FluentActions.Invoking(() => OneHot.Encode(labels, (1L << 37) + 1, dtype: ScalarType.Float64))
                .Should().Throw<ArgumentException>().WithParameterName("numClasses").WithMessage("*1.4e11 float64 values, 1 TiB*");
        }

        [Fact]
        public void EmptyOneHotTensorsLibTorchCannotRepresentAreRefusedByName()
        {
            using var labels = zeros(new long[] { 0, 4, 4 }, ScalarType.Int64);
            LiveTensors.AssertNoLeak(
                () => FluentActions.Invoking(() => OneHot.Encode(labels, 1L << 62)).Should().Throw<ArgumentException>().WithParameterName("numClasses")
                    .WithMessage("numClasses 4611686018427387904 would make a one-hot tensor of shape [0, 4611686018427387904, 4, 4], which has no values but cannot be represented: its strides overflow a 64-bit integer*"),
                "the size is checked before anything is allocated");
        }

        private sealed record Case(string Param, string Message, Func<Tensor?> Input, Action<Tensor> Call);

        private static Tensor OutOfRange() => tensor(new long[] { 0, 3 }, new long[] { 1, 2 });

        private static readonly Dictionary<string, Case> Cases = new()
        {
            ["null labels"] = new("labels", "*", () => null, l => OneHot.Encode(l, 3)),
            ["numClasses 0"] = new("numClasses", "*at least 1*0*", OutOfRange, l => OneHot.Encode(l, 0)),
            ["float labels"] = new("labels", "*Float32*", () => zeros(1, 2), l => OneHot.Encode(l, 3)),
            ["scalar labels"] = new("labels", "*batch dimension*[]*", () => tensor(1L), l => OneHot.Encode(l, 3)),
            ["label value"] = new("labels", "*3*[0, 3)*", OutOfRange, l => OneHot.Encode(l, 3)),
            ["label value with ignore index"] = new("labels", "*3*[0, 3) or equal the ignore index 255*", OutOfRange, l => OneHot.EncodeWithMask(l, 3, ignoreIndex: 255)),
            ["numClasses 2^40"] = new("numClasses", "*[1, 1099511627776, 2] (2.2e12 float32 values, 8 TiB)*", OutOfRange, l => OneHot.EncodeWithMask(l, 1L << 40)),
        };

        public static TheoryData<string> CaseNames()
        {
            var names = new TheoryData<string>();
            foreach (var name in Cases.Keys) names.Add(name);
            return names;
        }

        [Theory]
        [MemberData(nameof(CaseNames))]
        public void EveryErrorNamesItsArgumentAndLeavesNoTensorAlive(string name)
        {
            var c = Cases[name];
            using var input = c.Input();
            LiveTensors.AssertNoLeak(
                () => FluentActions.Invoking(() => c.Call(input!)).Should().Throw<ArgumentException>().WithParameterName(c.Param).WithMessage(c.Message),
                $"{name} must dispose whatever it allocated before throwing");
        }
    }
}
