using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    /// <summary>
    /// Two rules for every loss in every mode: an input with an empty dimension (N = 0 or a zero-size spatial
    /// dimension) is refused with an ArgumentException naming <c>input</c> (the mean of nothing is undefined, and a
    /// silent NaN or 0 would hide a broken data loader); a disposed loss throws ObjectDisposedException naming it.
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class EmptyAndDisposedLossTests
    {
        public static IEnumerable<object[]> Rows() => ModeCatalog.Rows();

        [Theory]
        [MemberData(nameof(Rows))]
        public void AnEmptyBatchOrSpatialDimensionIsRefusedByName(string name, LossMode mode)
        {
            using var loss = ModeCatalog.Create(name, mode);
            long c = mode == LossMode.Binary ? 1 : ModeCatalog.Classes;
            foreach (var spatial in new[] { new long[] { 0, 4, 4 }, new long[] { 2, 0, 4 }, new long[] { 2, 3, 0, 2 } })
            {
                long n = spatial[0];
                var rest = spatial.Skip(1).ToArray();
                using var input = zeros(new[] { n, c }.Concat(rest).ToArray(), ScalarType.Float32);
                using var target = mode == LossMode.Multiclass
                    ? zeros(new[] { n }.Concat(rest).ToArray(), ScalarType.Int64)
                    : zeros(new[] { n, c }.Concat(rest).ToArray(), ScalarType.Float32);
                long before = LiveTensors.SettledCount();
                loss.Invoking(l => l.call(input, target)).Should().Throw<ArgumentException>()
                    .Where(e => e.ParamName == "input", $"{name} ({mode}) on {string.Join("x", input.shape)}")
                    .WithMessage("*empty dimension*");
                Tensor.TotalCount.Should().Be(before, "nothing outlives a refused call");
            }
        }

        [Theory]
        [MemberData(nameof(Rows))]
        public void ADisposedLossThrowsObjectDisposedExceptionNamingIt(string name, LossMode mode)
        {
            var loss = ModeCatalog.Create(name, mode);
            var (input, target) = ModeCatalog.Inputs(mode, 4, 3);
            using (input)
            using (target)
            {
                loss.Dispose();
                loss.Invoking(l => l.call(input, target)).Should().Throw<ObjectDisposedException>()
                    .Where(e => e.ObjectName == loss.GetType().Name);
            }
        }

        [Fact]
        public void DisposedPixelWeightedCrossEntropyAndDeepSupervisionThrowObjectDisposedException()
        {
            var (input, target) = ModeCatalog.Inputs(LossMode.Multiclass, 4, 4);
            using (input)
            using (target)
            {
                using var weights = ones(2, 4, 4);
                var pixel = new PixelWeightedCrossEntropyLoss();
                pixel.Dispose();
                pixel.Invoking(l => l.call(input, target, weights)).Should().Throw<ObjectDisposedException>()
                    .Where(e => e.ObjectName == nameof(PixelWeightedCrossEntropyLoss));
                var deep = new DeepSupervisionLoss(new DiceLoss());
                deep.Dispose();
                deep.Invoking(l => l.call(new[] { input }, target)).Should().Throw<ObjectDisposedException>()
                    .Where(e => e.ObjectName == nameof(DeepSupervisionLoss));
            }
        }
    }
}
