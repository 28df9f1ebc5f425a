using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Composition
{
    /// <summary>
    /// MaskedLoss: masked-out pixels are left out exactly as ignored ones, for every public loss in every mode (found by
    /// reflection), 2D and 3D; plus shapes, dtypes, refusals, nesting, gradients and memory.
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class MaskedLossTests
    {
        private const long Ignore = 255;

        public static IEnumerable<object[]> Rows() => ModeCatalog.Rows();

        /// <summary>
        /// A float64 case: logits (N, C, *spatial), a clean target, a bool pixel mask (N, *spatial) (about a third 0,
        /// both values present in every image), and the target with <see cref="Ignore"/> where the mask is 0.
        /// </summary>
        private static (Tensor x, Tensor target, Tensor keep, Tensor ignoredTarget) Case(LossMode mode, bool threeD, long seed = 1)
        {
            long[] spatial = threeD ? new long[] { 3, 2, 2 } : new long[] { 4, 3 };
            long n = 2;
            long c = mode == LossMode.Binary ? 1 : ModeCatalog.Classes;
            var pixelShape = new[] { n }.Concat(spatial).ToArray();
            var x = TestData.Logits(seed, new[] { n, c }.Concat(spatial).ToArray());
            var keep = TestData.Labels(seed + 10, 3, pixelShape).ne(0);
            var flatKeep = keep.reshape(n, -1);
            flatKeep[.., 0] = tensor(true);
            flatKeep[.., 1] = tensor(false);
            Tensor target;
            if (mode == LossMode.Multiclass)
            {
                target = TestData.Labels(seed + 1, c, pixelShape);
                var flat = target.reshape(n, -1);
                for (long k = 0; k < c; k++) flat[.., 2 + k] = tensor(k); // every class kept in every image
                flatKeep[.., 2..(int)(2 + c)] = tensor(true);
                return (x, target, keep, target.masked_fill(keep.logical_not(), Ignore));
            }
            target = TestData.BinaryTargets(seed + 1, x.shape);
            var t = target.reshape(n, c, -1);
            t[.., .., 2] = tensor(1.0);
            t[.., .., 3] = tensor(0.0);
            flatKeep[.., 2..4] = tensor(true);
            return (x, target, keep, target.masked_fill(keep.logical_not().unsqueeze(1), (double)Ignore));
        }

        /// <summary>The catalogue's loss built with ignoreIndex = 255 (null when it has no ignore index).</summary>
        private static SegmentationLoss? WithIgnoreIndex(string name, LossMode mode)
        {
            switch (name)
            {
                case "Dice+CE": return new DiceLoss(mode, ignoreIndex: Ignore) + new CrossEntropyLoss(mode, ignoreIndex: Ignore);
                case "Dice+0.5Focal": return new DiceLoss(mode, ignoreIndex: Ignore) + 0.5 * new FocalLoss(mode, ignoreIndex: Ignore);
            }
            var type = typeof(SegmentationLoss).Assembly.GetExportedTypes().Single(t => t.Name == name);
            var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            var parameters = ctor.GetParameters();
            if (!parameters.Any(p => p.Name == "ignoreIndex")) return null;
            var args = parameters.Select(p => p.Name == "mode" ? mode : p.Name == "ignoreIndex" ? (object?)Ignore : p.DefaultValue).ToArray();
            return (SegmentationLoss)ctor.Invoke(args);
        }

        private static (double value, double[] gradient) ValueAndGradient(Func<Tensor, Tensor> f, Tensor x) => PixelLossChecks.ValueAndGradient(f, x);

        private static void ShouldAgree((double value, double[] gradient) actual, (double value, double[] gradient) expected, string because)
        {
            actual.value.Should().BeApproximately(expected.value, 1e-10 * Math.Max(1, Math.Abs(expected.value)), because);
            for (int i = 0; i < expected.gradient.Length; i++)
                actual.gradient[i].Should().BeApproximately(expected.gradient[i], 1e-10, $"{because} (gradient element {i})");
        }

        [Theory]
        [MemberData(nameof(Rows))]
        public void EveryLossWithAMaskEqualsItWithTheMaskedPixelsIgnoredAndMaskedPixelsAreInert(string name, LossMode mode)
        {
            using var scope = NewDisposeScope();
            foreach (bool threeD in new[] { false, true })
            {
                var (x, target, keep, ignoredTarget) = Case(mode, threeD);
                // Masked pixels may hold anything: an out-of-range label or target value is never read.
                var garbage = mode == LossMode.Multiclass
                    ? target.masked_fill(keep.logical_not(), 7)
                    : target.masked_fill(keep.logical_not().unsqueeze(1), 3.5);
                using var masked = new MaskedLoss(ModeCatalog.Create(name, mode));
                var mask = keep.unsqueeze(1);
                var actual = ValueAndGradient(input => masked.call(input, garbage, mask), x);
                using (var ignoring = WithIgnoreIndex(name, mode))
                {
                    if (ignoring is not null)
                        ShouldAgree(actual, ValueAndGradient(input => ignoring.call(input, ignoredTarget), x), $"{name} {mode} {(threeD ? "3D" : "2D")}: a mask leaves pixels out as the ignore index does");
                }
                var maskedEntries = keep.logical_not().unsqueeze(1).expand_as(x);
                PixelLossChecks.IgnoredPixelsAreInert(input => masked.call(input, garbage, mask), x, maskedEntries);
            }
        }

        /// <summary>
        /// Variants of a catalogue loss whose code paths read the validity mask differently: each bool option flipped
        /// (except fromLogits), and the Sum and None reductions; built twice, without and with ignoreIndex = 255.
        /// </summary>
        private static IEnumerable<(string Variant, Func<long?, SegmentationLoss> Make)> Variants(string name, LossMode mode)
        {
            var type = typeof(SegmentationLoss).Assembly.GetExportedTypes().SingleOrDefault(t => t.Name == name);
            if (type is null) yield break;
            var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            var parameters = ctor.GetParameters();
            if (!parameters.Any(p => p.Name == "ignoreIndex")) yield break;
            object?[] Args(long? ignore, string? flip, object? value) => parameters.Select(p =>
                p.Name == "mode" ? mode : p.Name == "ignoreIndex" ? ignore : p.Name == flip ? value : p.DefaultValue).ToArray();
            var changes = parameters.Where(p => p.ParameterType == typeof(bool) && p.Name != "fromLogits")
                .Select(p => (p.Name!, (object?)!(bool)p.DefaultValue!))
                .Append(("reduction", nn.Reduction.Sum))
                .Append(("reduction", nn.Reduction.None));
            foreach (var (flip, value) in changes)
            {
                try { ((IDisposable)ctor.Invoke(Args(null, flip, value))).Dispose(); }
                catch (System.Reflection.TargetInvocationException e) when (e.InnerException is ArgumentException) { continue; }
                yield return ($"{flip} = {value}", ignore => (SegmentationLoss)ctor.Invoke(Args(ignore, flip, value)));
            }
        }

        /// <summary>Whether the loss refuses the Sum and None reductions (a loss whose parts average over different sets).</summary>
        private static bool MeanOnly(string name)
        {
            var type = typeof(SegmentationLoss).Assembly.GetExportedTypes().Single(t => t.Name == name);
            var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            foreach (var reduction in new[] { nn.Reduction.Sum, nn.Reduction.None })
            {
                try
                {
                    ((IDisposable)ctor.Invoke(ctor.GetParameters().Select(p => p.Name == "reduction" ? reduction : p.DefaultValue).ToArray())).Dispose();
                    return false;
                }
                catch (System.Reflection.TargetInvocationException e) when (e.InnerException is ArgumentException) { }
            }
            return true;
        }

        [Theory]
        [MemberData(nameof(Rows))]
        public void EveryOptionVariantWithAMaskEqualsItWithTheMaskedPixelsIgnored(string name, LossMode mode)
        {
            using var scope = NewDisposeScope();
            using (var probe = WithIgnoreIndex(name, mode))
                if (probe is not null && !name.Contains('+') && probe.reduction == nn.Reduction.Mean && !MeanOnly(name))
                    Variants(name, mode).Count().Should().BeGreaterThanOrEqualTo(2, "every loss with an ignore index and more than the Mean reduction has the Sum and None variants at least");
            foreach (var (variant, make) in Variants(name, mode))
                foreach (bool threeD in new[] { false, true })
                {
                    var (x, target, keep, ignoredTarget) = Case(mode, threeD, seed: 3);
                    using var masked = new MaskedLoss(make(null));
                    using var ignoring = make(Ignore);
                    var mask = keep.unsqueeze(1);
                    string because = $"{name} {mode} {variant} {(threeD ? "3D" : "2D")}";
                    using (var a = masked.call(x, target, mask))
                    using (var b = ignoring.call(x, ignoredTarget))
                    {
                        a.shape.Should().Equal(b.shape, because);
                        a.allclose(b, 1e-10, 1e-12).Should().BeTrue(because);
                    }
                    ShouldAgree(ValueAndGradient(input => masked.call(input, target, mask).sum(), x), ValueAndGradient(input => ignoring.call(input, ignoredTarget).sum(), x), because);
                    PixelLossChecks.IgnoredPixelsAreInert(input => masked.call(input, target, mask).sum(), x, keep.logical_not().unsqueeze(1).expand_as(x));
                }
        }

        [Theory]
        [MemberData(nameof(Rows))]
        public void AnAllOnesMaskGivesTheUnmaskedLossAndAnAllZerosMaskWhatAnAllIgnoredTargetGives(string name, LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, _, _) = Case(mode, threeD: false);
            using var loss = ModeCatalog.Create(name, mode);
            using var masked = new MaskedLoss(loss);
            var plain = ValueAndGradient(input => loss.call(input, target), x);
            var pixelShape = new[] { x.shape[0], 1L }.Concat(x.shape[2..]).ToArray();
            foreach (var allOnes in new[] { ones(pixelShape, ScalarType.Bool), ones(pixelShape, ScalarType.Float32), ones(pixelShape, ScalarType.Int32) })
                ShouldAgree(ValueAndGradient(input => masked.call(input, target, allOnes), x), plain, $"{name} {mode}: an all-ones {allOnes.dtype} mask changes nothing");

            using var ignoring = WithIgnoreIndex(name, mode);
            if (ignoring is null) return;
            var none = zeros(pixelShape, ScalarType.Bool);
            var allIgnored = full_like(target, Ignore);
            Func<Tensor, Tensor> maskedCall = input => masked.call(input, target, none);
            Func<Tensor, Tensor> ignoredCall = input => ignoring.call(input, allIgnored);
            Exception? expectedError = Record.Exception(() => ValueAndGradient(ignoredCall, x));
            if (expectedError is not null)
            {
                Record.Exception(() => ValueAndGradient(maskedCall, x)).Should().BeOfType(expectedError.GetType(), "an empty mask fails as an all-ignored target does");
                return;
            }
            ShouldAgree(ValueAndGradient(maskedCall, x), ValueAndGradient(ignoredCall, x), $"{name} {mode}: an empty mask is an all-ignored target");
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void PixelLossesGiveZeroWithZeroGradientUnderAnEmptyMask(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, keep, _) = Case(mode, threeD: false);
            var none = zeros_like(keep);
            foreach (var inner in new SegmentationLoss[] { new CrossEntropyLoss(mode), new FocalLoss(mode), new TopKCrossEntropyLoss(mode) })
            {
                using var masked = new MaskedLoss(inner);
                var (value, gradient) = ValueAndGradient(input => masked.call(input, target, none), x);
                value.Should().Be(0.0, inner.DisplayName);
                gradient.Should().OnlyContain(g => g == 0.0, inner.DisplayName);
            }
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void AWeightedSumHonoursTheMaskInEveryTerm(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, keep, ignoredTarget) = Case(mode, threeD: false);
            // Lovász hinge is sigmoid-only: a Multiclass sum takes Lovász-Softmax instead.
            using var masked = mode == LossMode.Multiclass
                ? new MaskedLoss(0.3 * new DiceLoss(mode) + new CrossEntropyLoss(mode) + 2.0 * new LovaszSoftmaxLoss())
                : new MaskedLoss(0.3 * new DiceLoss(mode) + new CrossEntropyLoss(mode) + 2.0 * new LovaszHingeLoss(mode));
            using var dice = new DiceLoss(mode, ignoreIndex: Ignore);
            using var ce = new CrossEntropyLoss(mode, ignoreIndex: Ignore);
            using SegmentationLoss lovasz = mode == LossMode.Multiclass ? new LovaszSoftmaxLoss(ignoreIndex: Ignore) : new LovaszHingeLoss(mode, ignoreIndex: Ignore);
            var mask = keep.unsqueeze(1);
            var expected = ValueAndGradient(input => dice.call(input, ignoredTarget) * 0.3 + ce.call(input, ignoredTarget) + lovasz.call(input, ignoredTarget) * 2.0, x);
            ShouldAgree(ValueAndGradient(input => masked.call(input, target, mask), x), expected, "each term leaves the masked pixels out");
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void TheMaskCombinesWithTheLossesOwnIgnoreIndex(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (x, target, keep, _) = Case(mode, threeD: true);
            // Ignore a few more pixels the mask keeps (and some it drops).
            var extra = TestData.Labels(40, 4, keep.shape).eq(0);
            var both = mode == LossMode.Multiclass ? extra : extra.unsqueeze(1).expand_as(target);
            var partlyIgnored = target.masked_fill(both, Ignore);
            var union = mode == LossMode.Multiclass ? keep.logical_not().logical_or(extra) : keep.logical_not().logical_or(extra).unsqueeze(1);
            var allIgnored = target.masked_fill(union, Ignore);
            foreach (var make in new Func<SegmentationLoss>[]
            {
                () => new DiceLoss(mode, ignoreIndex: Ignore) + new CrossEntropyLoss(mode, ignoreIndex: Ignore),
                () => new FocalLoss(mode, ignoreIndex: Ignore),
                () => new TopKCrossEntropyLoss(mode, ignoreIndex: Ignore),
            })
            {
                using var masked = new MaskedLoss(make());
                using var reference = make();
                var mask = keep.unsqueeze(1);
                ShouldAgree(ValueAndGradient(input => masked.call(input, partlyIgnored, mask), x), ValueAndGradient(input => reference.call(input, allIgnored), x),
                    $"{reference.DisplayName}: a pixel counts when the mask keeps it and its target is not the ignore index");
            }
        }

        [Theory]
        [InlineData(LossMode.Multiclass, false)]
        [InlineData(LossMode.Multiclass, true)]
        [InlineData(LossMode.Binary, false)]
        [InlineData(LossMode.Binary, true)]
        [InlineData(LossMode.Multilabel, false)]
        [InlineData(LossMode.Multilabel, true)]
        public void GradientsThroughMaskedLossMatchFiniteDifferences(LossMode mode, bool threeD)
        {
            using var scope = NewDisposeScope();
            var (x, target, keep, _) = Case(mode, threeD);
            var mask = keep.to(ScalarType.Float64).unsqueeze(1);
            foreach (var inner in new SegmentationLoss[]
            {
                new DiceLoss(mode) + new CrossEntropyLoss(mode),
                new FocalLoss(mode),
                new TverskyLoss(mode, ignoreIndex: Ignore),
            })
            {
                using var masked = new MaskedLoss(inner);
                GradCheck.Full(input => masked.call(input, target, mask), x);
            }
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void MaskedCrossEntropyIsPixelWeightedCrossEntropyWithTheMaskAsWeightMap(LossMode mode)
        {
            // Σ m·ℓ / Σ m (WeightSum normalisation) is the mean over the kept pixels: the documented soft-mask route
            // agrees with MaskedLoss on 0/1 masks.
            using var scope = NewDisposeScope();
            var (x, target, keep, _) = Case(mode, threeD: true);
            using var masked = new MaskedLoss(new CrossEntropyLoss(mode));
            using var weighted = new PixelWeightedCrossEntropyLoss(mode);
            var weights = keep.to(ScalarType.Float64);
            ShouldAgree(ValueAndGradient(input => masked.call(input, target, keep), x), ValueAndGradient(input => weighted.call(input, target, weights), x), "0/1 weights are a mask");
        }

        [Fact]
        public void EveryAcceptedMaskShapeAndDtypeGivesTheSameResult()
        {
            using var scope = NewDisposeScope();
            var (x, target, _, _) = Case(LossMode.Multiclass, threeD: false);
            // One mask per batch and per row: broadcast along the batch (1) and the last spatial axis (1).
            var rowKeep = tensor(new[] { true, false, true, true }).reshape(1, 1, 4, 1);
            var dense = rowKeep.expand(2, 1, 4, 3);
            using var masked = new MaskedLoss(new DiceLoss() + new CrossEntropyLoss());
            var expected = ValueAndGradient(input => masked.call(input, target, dense.contiguous()), x);
            foreach (var mask in new[]
            {
                rowKeep, dense.squeeze(1), rowKeep.squeeze(1), rowKeep.expand(1, 1, 4, 3), dense.to(ScalarType.Float32),
                dense.to(ScalarType.Float64), dense.to(ScalarType.Int64), dense.to(ScalarType.Byte), dense.to(ScalarType.Float16),
            })
                ShouldAgree(ValueAndGradient(input => masked.call(input, target, mask), x), expected, $"mask {Shapes.Format(mask.shape)} {mask.dtype}");
        }

        [Theory]
        [InlineData(LossMode.Binary)]
        [InlineData(LossMode.Multilabel)]
        public void NonFiniteOrNegativeTargetValuesAtMaskedOutPixelsAreNeverReadButAtKeptPixelsAreRefused(LossMode mode)
        {
            // The masked floating target is zeroed by a product with the mask (NaN·0 = NaN, −0.5·0 = −0), with a
            // masked_fill fallback: whatever a masked-out pixel holds, the result is that of a clean 0 there.
            using var scope = NewDisposeScope();
            var (x, target, keep, _) = Case(mode, threeD: false);
            var dropped = keep.logical_not().unsqueeze(1).expand_as(target);
            using var masked = new MaskedLoss(new DiceLoss(mode));
            using var bce = new MaskedLoss(new BalancedCrossEntropyLoss(mode));
            var mask = keep.unsqueeze(1);
            var clean = target.masked_fill(dropped, 0);
            foreach (var loss in new[] { masked, bce })
            {
                var expected = ValueAndGradient(input => loss.call(input, clean, mask), x);
                foreach (double garbage in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.5, -0.0 })
                    ShouldAgree(ValueAndGradient(input => loss.call(input, target.masked_fill(dropped, garbage), mask), x), expected, $"{mode}: {garbage} at masked-out pixels");
            }
            var kept = keep.unsqueeze(1).expand_as(target).logical_and(target.eq(1));
            masked.Invoking(l => l.call(x, target.masked_fill(kept, 1.5), mask)).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "target" && e.Message.Contains("[0, 1]"));
            masked.Invoking(l => l.call(x, target.masked_fill(kept, double.NaN), mask)).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "target");
        }

        [Fact]
        public void BadMasksAreRefusedNamingMask()
        {
            using var scope = NewDisposeScope();
            var (x, target, keep, _) = Case(LossMode.Multilabel, threeD: false);
            using var masked = new MaskedLoss(new DiceLoss(LossMode.Multilabel));
            var good = keep.unsqueeze(1);
            void Refused(Tensor mask, string fragment) =>
                masked.Invoking(l => l.call(x, target, mask)).Should().Throw<ArgumentException>()
                    .Where(e => e.ParamName == "mask" && e.Message.Contains(fragment), fragment);

            Refused(ones(2, 3, 4, 3), "3 channels");           // one channel per pixel, not per class
            Refused(ones(3, 1, 4, 3), "[3, 1, 4, 3]");         // batch neither N nor 1
            Refused(ones(2, 1, 4, 2), "[2, 1, 4, 2]");         // spatial size neither its own nor 1
            Refused(ones(2, 4), "[2, 4]");                     // rank
            Refused(ones(new long[] { 2, 1, 1, 4, 3 }), "[2, 1, 1, 4, 3]");   // rank
            Refused(good.to(ScalarType.Float64) * 0.5, "only 0 and 1");
            Refused(good.to(ScalarType.Float64).masked_fill(good.logical_not(), double.NaN), "NaN");
            Refused(good.to(ScalarType.Int32) * 2, "only 0 and 1");
            Refused(good.to(ScalarType.Float32) - 1, "PixelWeightedCrossEntropyLoss");
            Refused(good.to(ScalarType.ComplexFloat32), "ComplexFloat32");
            Refused(good.to(new Device("meta")), "meta");
            masked.Invoking(l => l.call(x, target, null!)).Should().Throw<ArgumentNullException>().Where(e => e.ParamName == "mask");
        }

        [Fact]
        public void SoftMulticlassTargetsAndTorchLossesAreRefusedWithAReason()
        {
            using var scope = NewDisposeScope();
            var (x, labels, keep, _) = Case(LossMode.Multiclass, threeD: false);
            var oneHot = OneHot.Encode(labels, ModeCatalog.Classes, dtype: ScalarType.Float64);
            using var masked = new MaskedLoss(new DiceLoss());
            masked.Invoking(l => l.call(x, oneHot, keep)).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "target" && e.Message.Contains("class labels"));
            var torchLoss = new TorchLoss(nn.CrossEntropyLoss());
            using var sum = new DiceLoss() + torchLoss;
            FluentActions.Invoking(() => new MaskedLoss(sum)).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "loss" && e.Message.Contains("nn.CrossEntropyLoss"));
            FluentActions.Invoking(() => new MaskedLoss(null!)).Should().Throw<ArgumentNullException>().Where(e => e.ParamName == "loss");
        }

        /// <summary>A custom loss that computes without SegLoss's validation (the mask cannot reach it).</summary>
        private sealed class UnvalidatedLoss : SegmentationLoss
        {
            public UnvalidatedLoss() : base(nn.Reduction.Mean) { }

            protected override Tensor Compute(Tensor input, Tensor target) => input.square().mean();
        }

        /// <summary>A custom loss that validates, then fails.</summary>
        private sealed class FailingLoss : SegmentationLoss
        {
            public FailingLoss() : base(nn.Reduction.Mean) { }

            protected override Tensor Compute(Tensor input, Tensor target)
            {
                SegmentationInputs.Create(input, target, LossMode.Multiclass, null);
                throw new InvalidOperationException("failing on purpose");
            }
        }

        [Fact]
        public void ALossTheMaskCannotReachThrowsAndNoMaskOutlivesAFailedCall()
        {
            using var scope = NewDisposeScope();
            var (x, target, keep, _) = Case(LossMode.Multiclass, threeD: false);
            using var unvalidated = new MaskedLoss(new UnvalidatedLoss());
            unvalidated.Invoking(l => l.call(x, target, keep)).Should().Throw<InvalidOperationException>().Where(e => e.Message.Contains("mask could not reach"));
            MaskScope.Current.Should().BeNull();

            using var failing = new MaskedLoss(new FailingLoss());
            failing.Invoking(l => l.call(x, target, keep)).Should().Throw<InvalidOperationException>().WithMessage("failing on purpose");
            MaskScope.Current.Should().BeNull("the scope closes on exceptions");
            using var badShape = new MaskedLoss(new DiceLoss());
            badShape.Invoking(l => l.call(x, target, ones(5, 5))).Should().Throw<ArgumentException>();
            MaskScope.Current.Should().BeNull();

            // The same pair, unmasked, afterwards: the plain value.
            using var dice = new DiceLoss();
            using var ignoring = new DiceLoss(ignoreIndex: Ignore);
            LossValues.Value(dice, x, target).Should().Be(LossValues.Value(ignoring, x, target));
        }

        [Fact]
        public void NestedMasksOnOnePairKeepThePixelsBothKeep()
        {
            using var scope = NewDisposeScope();
            var (x, target, keep, _) = Case(LossMode.Multiclass, threeD: false);
            var other = TestData.Labels(77, 3, keep.shape).ne(1);
            other.reshape(2, -1)[.., 2..5] = tensor(true);
            using var inner = new MaskedLoss(new DiceLoss());
            using var outer = new MaskedLoss(new CallsInner(inner, other));
            using var reference = new DiceLoss(ignoreIndex: Ignore);
            var both = target.masked_fill(keep.logical_and(other).logical_not(), Ignore);
            ShouldAgree(ValueAndGradient(input => outer.call(input, target, keep), x), ValueAndGradient(input => reference.call(input, both), x), "nested masks intersect");
        }

        /// <summary>A custom loss that calls a MaskedLoss on its own (input, target).</summary>
        private sealed class CallsInner : SegmentationLoss
        {
            private readonly MaskedLoss _inner;
            private readonly Tensor _mask;

            public CallsInner(MaskedLoss inner, Tensor mask) : base(nn.Reduction.Mean)
            {
                _inner = inner;
                _mask = mask;
            }

            protected override Tensor Compute(Tensor input, Tensor target)
            {
                SegmentationInputs.Create(input, target, LossMode.Multiclass, null); // the outer mask reaches this loss
                return _inner.call(input, target, _mask);
            }
        }

        [Fact]
        public void MaskedAndUnmaskedViewsOfOnePairAreNotMixedInASharingContext()
        {
            using var scope = NewDisposeScope();
            var (x, target, keep, ignoredTarget) = Case(LossMode.Multiclass, threeD: false);
            using var masked = new MaskedLoss(new DiceLoss() + new CrossEntropyLoss());
            using var reference = new DiceLoss(ignoreIndex: Ignore) + new CrossEntropyLoss(ignoreIndex: Ignore);
            using var plain = new DiceLoss() + new CrossEntropyLoss();
            var expected = LossValues.Value(reference, x, ignoredTarget);
            var unmasked = LossValues.Value(plain, x, target);
            using (var ctx = NewDisposeScope())
            using (SharedActivations.Open(x, target, ctx))
            {
                // Unmasked views built first in an open context for this pair, then the masked call on the same pair.
                LossValues.Value(plain, x, target).Should().BeApproximately(unmasked, 1e-12);
                using (var value = masked.call(x, target, keep)) value.item<double>().Should().BeApproximately(expected, 1e-12);
                LossValues.Value(plain, x, target).Should().BeApproximately(unmasked, 1e-12);
            }
        }

        [Fact]
        public void MaskedLossesLeaveNoTensorBehindIncludingAfterARefusedMask()
        {
            foreach (var mode in Enum.GetValues<LossMode>())
            {
                var (x, target, keep, _) = Case(mode, threeD: false);
                using (x)
                using (target)
                using (keep)
                using (var mask = keep.unsqueeze(1))
                using (var half = mask.to(ScalarType.Float32) * 0.5)
                using (var badTarget = target.to(ScalarType.Float64) * 7)
                using (var masked = new MaskedLoss(new DiceLoss(mode) + new CrossEntropyLoss(mode) + new LovaszHingeLoss(mode == LossMode.Multiclass ? LossMode.Binary : mode)))
                using (var single = new MaskedLoss(new BoundaryLoss(mode)))
                {
                    var leaf = x.requires_grad_(true);
                    var loss = mode == LossMode.Multiclass ? single : masked;
                    LiveTensors.AssertNoLeak(() =>
                    {
                        using (var value = loss.call(leaf, target, mask)) value.backward();
                        leaf.grad = null;
                    }, $"{mode}: forward and backward dispose every intermediate");
                    LiveTensors.AssertNoLeak(() => Record.Exception(() => loss.call(leaf, target, half)).Should().BeOfType<ArgumentException>(), "a refused mask leaves nothing behind");
                    LiveTensors.AssertNoLeak(() => Record.Exception(() => loss.call(leaf, badTarget, mask)).Should().NotBeNull(), "a refused target leaves nothing behind");
                    MaskScope.Current.Should().BeNull();
                }
            }
        }

        [Fact]
        public void ADisposedMaskedLossThrowsObjectDisposedExceptionAndDisposesTheWrappedLoss()
        {
            using var scope = NewDisposeScope();
            var (x, target, keep, _) = Case(LossMode.Multiclass, threeD: false);
            var inner = new DiceLoss();
            var masked = new MaskedLoss(inner);
            masked.Inner.Should().BeSameAs(inner);
            masked.Dispose();
            masked.Invoking(l => l.call(x, target, keep)).Should().Throw<ObjectDisposedException>().Where(e => e.ObjectName == nameof(MaskedLoss));
            inner.Invoking(l => l.call(x, target)).Should().Throw<ObjectDisposedException>();
        }

        [Fact]
        public void TheReductionIsTheWrappedLossesAndNoneKeepsItsShape()
        {
            using var scope = NewDisposeScope();
            var (x, target, keep, ignoredTarget) = Case(LossMode.Multiclass, threeD: false);
            using var masked = new MaskedLoss(new CrossEntropyLoss(reduction: nn.Reduction.None));
            using var reference = new CrossEntropyLoss(ignoreIndex: Ignore, reduction: nn.Reduction.None);
            masked.reduction.Should().Be(nn.Reduction.None);
            var value = masked.call(x, target, keep);
            value.shape.Should().Equal(target.shape);
            value.allclose(reference.call(x, ignoredTarget), 0, 1e-12).Should().BeTrue();
            value.masked_select(keep.logical_not()).abs().max().item<double>().Should().Be(0.0);
        }
    }
}
