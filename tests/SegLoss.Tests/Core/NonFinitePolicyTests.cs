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
    /// The non-finite policy (<see cref="SegLossSettings.ThrowOnNonFinite"/>): no loss returns NaN or ±∞. A NaN in the
    /// input or target is reported with the argument's name, the count and the first index; an infinite logit either
    /// gives the loss's limit with a finite gradient or is refused by the same rule. In the live-tensor collection:
    /// the tests count tensors and one flips the process-wide switch.
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class NonFinitePolicyTests
    {
        public static IEnumerable<object[]> RowsIn2DAnd3D() =>
            ModeCatalog.Rows().SelectMany(r => new[] { r.Append(new long[] { 4, 3 }).ToArray(), r.Append(new long[] { 3, 2, 3 }).ToArray() });

        [Theory]
        [MemberData(nameof(RowsIn2DAnd3D))]
        public void ANaNLogitIsReportedWithItsCountAndFirstIndex(string name, LossMode mode, long[] spatial)
        {
            using var loss = ModeCatalog.Create(name, mode);
            var (input, target) = ModeCatalog.Inputs(mode, spatial);
            using (input)
            using (target)
            {
                using (no_grad())
                {
                    var flat = input.view(-1);
                    flat[5] = tensor(double.NaN);
                    flat[flat.numel() - 1] = tensor(double.NaN);
                }
                var index = string.Join(", ", Unravel(5, input.shape));
                long before = LiveTensors.SettledCount();
                var call = () => loss.call(input, target);
                call.Should().Throw<ArgumentException>()
                    .Where(e => e.ParamName == "input")
                    .WithMessage($"input holds 2 non-finite values (first NaN at [{index}])*");
                Tensor.TotalCount.Should().Be(before, "nothing outlives a refused call");
            }
        }

        [Theory]
        [MemberData(nameof(RowsIn2DAnd3D))]
        public void ANonFiniteTargetValueIsReportedByName(string name, LossMode mode, long[] spatial)
        {
            if (mode == LossMode.Multiclass) return; // integer labels cannot hold NaN; soft labels are covered below
            using var loss = ModeCatalog.Create(name, mode);
            var (input, target) = ModeCatalog.Inputs(mode, spatial);
            using (input)
            using (target)
            {
                target.view(-1)[3] = tensor(double.PositiveInfinity);
                long before = LiveTensors.SettledCount();
                var call = () => loss.call(input, target);
                call.Should().Throw<ArgumentException>()
                    .Where(e => e.ParamName == "target")
                    .WithMessage($"target holds 1 non-finite value (first +Inf at [{string.Join(", ", Unravel(3, target.shape))}])*");
                Tensor.TotalCount.Should().Be(before);
            }
        }

        [Fact]
        public void ANaNSoftLabelIsReportedByName()
        {
            using var loss = new DiceLoss();
            using var input = TestData.Logits(1, 2, 3, 4);
            using var soft = input.softmax(1);
            soft[1, 2, 3] = tensor(double.NaN);
            var call = () => loss.call(input, soft);
            call.Should().Throw<ArgumentException>().Where(e => e.ParamName == "target")
                .WithMessage("target holds 1 non-finite value (first NaN at [1, 2, 3])*");
        }

        /// <summary>
        /// Confident and correct infinite logits, of both signs: +∞ on the true class (softmax) or on positives
        /// (sigmoid), and −∞ on the other classes or on negatives. Each loss either gives the value it has for a huge
        /// finite margin (the limit) with a finite gradient, or refuses the input by name.
        /// </summary>
        [Theory]
        [MemberData(nameof(RowsIn2DAnd3D))]
        public void ConfidentCorrectInfiniteLogitsGiveTheLimitOrAreRefused(string name, LossMode mode, long[] spatial)
        {
            foreach (double sign in new[] { 1.0, -1.0 })
            {
                double limit = Value(name, mode, Confident(mode, spatial, sign, 1e4, correct: true));
                CheckInfinite(name, mode, Confident(mode, spatial, sign, double.PositiveInfinity, correct: true), limit, $"confident-correct, sign {sign}");
            }
        }

        /// <summary>Confidently wrong infinite logits: a finite value needs a finite gradient; otherwise the input is refused.</summary>
        [Theory]
        [MemberData(nameof(RowsIn2DAnd3D))]
        public void ConfidentWrongInfiniteLogitsGiveAFiniteValueOrAreRefused(string name, LossMode mode, long[] spatial)
        {
            foreach (double sign in new[] { 1.0, -1.0 })
                CheckInfinite(name, mode, Confident(mode, spatial, sign, double.PositiveInfinity, correct: false), null, $"confident-wrong, sign {sign}");
        }

        [Fact]
        public void TurningTheCheckOffLetsNaNPropagateAsInPyTorch()
        {
            using var loss = new DiceLoss() + new CrossEntropyLoss();
            var (input, target) = ModeCatalog.Inputs(LossMode.Multiclass, 4, 3);
            using (input)
            using (target)
            {
                using (no_grad()) input[0, 0, 0, 0] = tensor(double.NaN);
                try
                {
                    SegLossSettings.ThrowOnNonFinite = false;
                    using var value = loss.call(input, target);
                    double.IsNaN(value.item<double>()).Should().BeTrue();
                }
                finally
                {
                    SegLossSettings.ThrowOnNonFinite = true;
                }
                loss.Invoking(l => l.call(input, target)).Should().Throw<ArgumentException>();
            }
        }

        [Fact]
        public void AFiniteResultIsReturnedUnchecked()
        {
            // A NaN that cannot reach the value (an ignored pixel of a fused CE) is not searched for: the check reads
            // only the result.
            using var loss = new CrossEntropyLoss(ignoreIndex: 255);
            using var input = TestData.Logits(1, 1, 3, 2, 2);
            using var labels = tensor(new long[] { 0, 1, 2, 255 }, new long[] { 1, 2, 2 });
            input[0, 1, 1, 1] = tensor(double.NaN);
            using var value = loss.call(input, labels);
            double.IsFinite(value.item<double>()).Should().BeTrue();
            // The documented gap: torch's fused kernel gives that ignored pixel a NaN gradient.
            input.requires_grad_(true);
            using var again = loss.call(input, labels);
            again.backward();
            input.grad!.isnan().sum().item<long>().Should().Be(3, "the three channels of the ignored pixel, as in PyTorch");
        }

        private static void CheckInfinite(string name, LossMode mode, (Tensor Input, Tensor Target) pair, double? limit, string what)
        {
            using var loss = ModeCatalog.Create(name, mode);
            using var input = pair.Input;
            using var target = pair.Target;
            long before = LiveTensors.SettledCount();
            Tensor value;
            try
            {
                value = loss.call(input, target);
            }
            catch (ArgumentException e)
            {
                e.ParamName.Should().Be("input", what);
                e.Message.Should().MatchRegex(@"^input holds \d+ non-finite values? \(first [+-]Inf at \[[\d, ]+\]\)", what);
                Tensor.TotalCount.Should().Be(before, $"{what}: nothing outlives a refused call");
                return;
            }
            using (value)
            {
                value.sum().backward();
                double v = value.sum().item<double>();
                double.IsFinite(v).Should().BeTrue(what);
                if (limit is double l) v.Should().BeApproximately(l, 1e-9 + 1e-9 * Math.Abs(l), $"{what}: the limit of the loss");
                input.grad!.isfinite().all().item<bool>().Should().BeTrue($"{what}: a finite value needs a finite gradient");
            }
        }

        /// <summary>The summed value of the loss on a pair (a huge finite margin stands for the limit).</summary>
        private static double Value(string name, LossMode mode, (Tensor Input, Tensor Target) pair)
        {
            using var loss = ModeCatalog.Create(name, mode);
            using var input = pair.Input;
            using var target = pair.Target;
            using var value = loss.call(input, target);
            return value.sum().item<double>();
        }

        /// <summary>
        /// Logits of ±<paramref name="margin"/>: softmax sign +1 puts +margin on the true class (0 elsewhere), sign −1
        /// puts −margin on the other classes; sigmoid sign +1 puts +margin on positives (−30 on negatives), sign −1
        /// −margin on negatives (+30 on positives). <paramref name="correct"/> false swaps the classes (wrong).
        /// </summary>
        private static (Tensor Input, Tensor Target) Confident(LossMode mode, long[] spatial, double sign, double margin, bool correct)
        {
            var (random, target) = ModeCatalog.Inputs(mode, spatial);
            random.Dispose();
            using var scope = NewDisposeScope();
            Tensor hot;
            if (mode == LossMode.Multiclass)
            {
                var labels = correct ? target : (target + 1).remainder(ModeCatalog.Classes);
                hot = OneHot.Encode(labels, ModeCatalog.Classes, dtype: ScalarType.Float64);
            }
            else
            {
                hot = correct ? target.to(ScalarType.Float64) : 1.0 - target.to(ScalarType.Float64);
            }
            Tensor logits;
            if (mode == LossMode.Multiclass)
                logits = sign > 0 ? hot.masked_fill(hot.eq(1), margin) : hot.masked_fill(hot.eq(0), -margin).masked_fill(hot.eq(1), 0.0);
            else
                logits = sign > 0 ? hot.masked_fill(hot.eq(1), margin).masked_fill(hot.eq(0), -30.0) : hot.masked_fill(hot.eq(0), -margin).masked_fill(hot.eq(1), 30.0);
            var input = logits.clone().requires_grad_(true).MoveToOuterDisposeScope();
            return (input.DetachFromDisposeScope(), target);
        }

        private static IEnumerable<long> Unravel(long flat, long[] shape)
        {
            var index = new long[shape.Length];
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                index[d] = flat % shape[d];
                flat /= shape[d];
            }
            return index;
        }
    }
}
