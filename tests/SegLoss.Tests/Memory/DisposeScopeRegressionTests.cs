using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Memory
{
    /// <summary>
    /// Every public loss, alone, as a term of a sum and under deep supervision, called repeatedly with a backward
    /// pass; then a forced collection and finalizer run. A tensor that a dispose scope forgot (the 0.107 failure:
    /// moved into the scope that already owned it) stays alive after the call, and its finalizer throws on the
    /// finalizer thread and kills the test host, so both the live count and the surviving host are checked.
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class DisposeScopeRegressionTests
    {
        private const int Calls = 4;

        public enum Wrapping { Alone, InSum, DeepSupervision }

        public static IEnumerable<object[]> Cases() =>
            LossCatalog.Create().Select((entry, index) =>
            {
                string name = entry.loss.DisplayName;
                entry.loss.Dispose();
                return (index, name);
            }).SelectMany(c => Enum.GetValues<Wrapping>().Select(w => new object[] { c.index, c.name, w }));

        [Theory]
        [MemberData(nameof(Cases))]
        public void RepeatedCallsLeaveNoTensorAliveAndNothingForTheFinalizer(int index, string name, Wrapping wrapping)
        {
            using var x = TestData.Logits(1, 2, 3, 16, 16).to(ScalarType.Float32).requires_grad_(true);
            using var labels = TestData.LabelsWithIgnored(2, 3, 255, 2, 16, 16);
            using var binaryX = TestData.Logits(3, 2, 1, 16, 16).to(ScalarType.Float32).requires_grad_(true);
            using var binaryY = TestData.BinaryTargets(4, 2, 1, 16, 16);
            using var xHalf = TestData.Logits(5, 2, 3, 8, 8).to(ScalarType.Float32).requires_grad_(true);
            using var binaryXHalf = TestData.Logits(6, 2, 1, 8, 8).to(ScalarType.Float32).requires_grad_(true);

            var (loss, binary) = LossCatalog.Create().ElementAt(index);
            var input = binary ? binaryX : x;
            var half = binary ? binaryXHalf : xHalf;
            var target = binary ? binaryY : labels;
            // The module that owns the others; disposing it disposes them.
            using nn.Module module = wrapping switch
            {
                Wrapping.Alone => loss,
                Wrapping.InSum => loss + 0.5 * LossCatalog.Create().ElementAt(index).loss,
                _ => new DeepSupervisionLoss(loss),
            };

            Tensor Call() => module switch
            {
                SegmentationLoss l => l.call(input, target),
                DeepSupervisionLoss d => d.call(new[] { input, half }, target),
                _ => throw new InvalidOperationException(),
            };

            // Earlier garbage goes first; the warm-up's lazily created state must not count. No collection runs
            // between the warm-up and the count, so only deterministic disposal keeps it flat (and a leak fails the
            // assertion below before any finalizer could end the host).
            Settle();
            using (var warm = Call()) warm.backward();
            long before = Tensor.TotalCount;
            long threadBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (int i = 0; i < Calls; i++)
            {
                using var value = Call();
                value.backward();
                input.grad = null;
                half.grad = null;
            }
            Tensor.TotalCount.Should().Be(before, $"{name} ({wrapping}) must leave no tensor alive after {Calls} calls");
            DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(threadBefore, $"{name} ({wrapping}) must dispose what it creates on this thread");
            Settle(); // a forgotten tensor's finalizer would throw here and end the test host
            Tensor.TotalCount.Should().Be(before, $"{name} ({wrapping}) after a forced collection");
        }

        [Fact]
        public void PixelWeightedCrossEntropyLeavesNoTensorAliveAndNothingForTheFinalizer()
        {
            using var x = TestData.Logits(1, 2, 3, 16, 16).to(ScalarType.Float32).requires_grad_(true);
            using var labels = TestData.LabelsWithIgnored(2, 3, 255, 2, 16, 16);
            using var weights = rand(2, 16, 16) + 0.5;
            using var loss = new PixelWeightedCrossEntropyLoss(ignoreIndex: 255);
            Settle();
            using (var warm = loss.call(x, labels, weights)) warm.backward();
            long before = Tensor.TotalCount;
            for (int i = 0; i < Calls; i++)
            {
                using var value = loss.call(x, labels, weights);
                value.backward();
                x.grad = null;
            }
            Tensor.TotalCount.Should().Be(before);
            Settle();
            Tensor.TotalCount.Should().Be(before);
        }

        [Fact]
        public void TheCatalogueHoldsEveryPublicLoss()
        {
            var covered = LossCatalog.Create().SelectMany(e => Flatten(e.loss)).Select(l => l.GetType()).ToHashSet();
            var wrappers = ModeCatalog.Wrappers;
            var missing = typeof(SegmentationLoss).Assembly.GetExportedTypes()
                .Where(t => t.IsSealed && typeof(SegmentationLoss).IsAssignableFrom(t) && !wrappers.Contains(t) && !covered.Contains(t))
                .Select(t => t.Name).ToArray();
            missing.Should().BeEmpty("every public loss is exercised by the dispose-scope regression and soak tests");
        }

        private static IEnumerable<SegmentationLoss> Flatten(SegmentationLoss loss) =>
            loss is WeightedSumLoss sum ? sum.Terms.SelectMany(t => Flatten(t.loss)) : new[] { loss };

        private static void Settle()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
    }
}
