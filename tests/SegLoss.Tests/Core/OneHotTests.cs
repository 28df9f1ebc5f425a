using System;
using FluentAssertions;
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
    }
}
