using System;
using System.Collections.Generic;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    public class AsymmetricUnifiedFocalLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;

        [Fact]
        public void Value_is_the_weighted_sum_of_the_parts_with_shared_delta_and_gamma()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            var (g, valid) = AsymmetricReference.OneHot(y, 3, Ignore);
            var p = AsymmetricReference.Dense(x.softmax(1));
            // Defaults λ = 0.5, δ = 0.6, γ = 0.5: γ suppresses the background CE and enhances the foreground Tversky.
            double expected = 0.5 * AsymmetricReference.Focal(p, g, valid, 0.6, 0.5)
                + 0.5 * AsymmetricReference.Mean(AsymmetricReference.Tversky(p, g, valid, 0.6, 0.5, 1e-7));
            using var unified = new AsymmetricUnifiedFocalLoss(ignoreIndex: Ignore);
            Value(unified, x, y).Should().BeApproximately(expected, 1e-12);

            using var weighted = new AsymmetricUnifiedFocalLoss(weight: 0.2, delta: 0.7, gamma: 0.3, ignoreIndex: Ignore);
            using var parts = 0.2 * new AsymmetricFocalLoss(delta: 0.7, gamma: 0.3, ignoreIndex: Ignore)
                + 0.8 * new AsymmetricFocalTverskyLoss(delta: 0.7, gamma: 0.3, ignoreIndex: Ignore);
            Value(weighted, x, y).Should().BeApproximately(Value(parts, x, y), 1e-12);
        }

        [Fact]
        public void In_a_sum_sharing_the_activation_the_value_and_gradient_are_unchanged()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: true, ignore: true);
            using var unified = new AsymmetricUnifiedFocalLoss(ignoreIndex: Ignore);
            using var ce = new CrossEntropyLoss(ignoreIndex: Ignore);
            PixelLossChecks.AssertSumEqualsTermsApart(unified, ce, x, y);
        }

        [Fact]
        public void Binary_matches_the_two_channel_reference()
        {
            using var scope = NewDisposeScope();
            var (z, t, _) = PixelLossChecks.Case(LossMode.Binary, threeD: true, ignore: false);
            var (p, g) = AsymmetricReference.TwoChannels(AsymmetricReference.Dense(z), AsymmetricReference.Dense(t), fromLogits: true);
            var valid = AsymmetricReference.AllValid(1, 8);
            double expected = 0.5 * AsymmetricReference.Focal(p, g, valid, 0.6, 0.5) + 0.5 * AsymmetricReference.Mean(AsymmetricReference.Tversky(p, g, valid, 0.6, 0.5, 1e-7));
            using var loss = new AsymmetricUnifiedFocalLoss(LossMode.Binary);
            Value(loss, z, t).Should().BeApproximately(expected, 1e-12);
            using var probabilities = new AsymmetricUnifiedFocalLoss(LossMode.Binary, fromLogits: false);
            Value(probabilities, z.sigmoid(), t).Should().BeApproximately(expected, 1e-12);
        }

        [Theory]
        [MemberData(nameof(AsymmetricFocalLossTests.GradCases), MemberType = typeof(AsymmetricFocalLossTests))]
        public void Gradient_matches_finite_differences(LossMode mode, bool threeD, bool ignore)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore);
            GradCheck.EachLoss(new SegmentationLoss[]
            {
                new AsymmetricUnifiedFocalLoss(mode, ignoreIndex: Ignore),
                new AsymmetricUnifiedFocalLoss(mode, weight: 0.8, delta: 0.3, gamma: 0.9, ignoreIndex: Ignore),
            }, x, target);
        }

        [Fact]
        public void Gradient_matches_for_soft_targets_and_probability_inputs()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            GradCheck.Full(v => new AsymmetricUnifiedFocalLoss().call(v, soft), x);
            var labels = TestData.Labels(5, 3, 2, 3, 2);
            GradCheck.Full(v => new AsymmetricUnifiedFocalLoss(fromLogits: false).call(v, labels), x.softmax(1));
        }

        [Fact]
        public void Perfect_prediction_is_the_minimum()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(2, 3, 2, 3, 2);
            labels[0, 0, 0] = tensor(1L);
            labels[0, 0, 1] = tensor(2L);
            using var loss = new AsymmetricUnifiedFocalLoss();
            double best = Value(loss, TestData.PerfectLogits(labels, 3, margin: 40), labels);
            best.Should().BeApproximately(0.5 * 2.0 / 3 * Math.Pow(1e-7, 0.5), 1e-9, "only the clamped foreground Tversky terms remain");
            for (long seed = 0; seed < 5; seed++)
                Value(loss, TestData.Logits(seed, 2, 3, 3, 2), labels).Should().BeGreaterThan(best);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void More_error_gives_more_loss(LossMode mode)
        {
            using var scope = NewDisposeScope();
            var (_, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: false);
            var (right, wrong) = AsymmetricFocalLossTests.Ladder(mode, target);
            using var loss = new AsymmetricUnifiedFocalLoss(mode);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, target);
        }

        [Theory]
        [InlineData(LossMode.Multiclass)]
        [InlineData(LossMode.Binary)]
        public void Ignored_pixels_change_neither_value_nor_gradient(LossMode mode) =>
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new AsymmetricUnifiedFocalLoss(mode, ignoreIndex: Ignore));

        [Fact]
        public void Bad_options_name_the_argument()
        {
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(reduction: nn.Reduction.Sum)).Should().Throw<ArgumentException>().WithParameterName("reduction").WithMessage("*Mean*Sum*");
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(reduction: nn.Reduction.None)).Should().Throw<ArgumentException>().WithParameterName("reduction");
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(weight: 1.5)).Should().Throw<ArgumentException>().WithParameterName("weight");
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(gamma: 2)).Should().Throw<ArgumentException>().WithParameterName("gamma").WithMessage("*[0, 1)*");
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(delta: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("delta");
            FluentActions.Invoking(() => new AsymmetricUnifiedFocalLoss(LossMode.Multilabel)).Should().Throw<ArgumentException>().WithParameterName("mode");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class AsymmetricUnifiedFocalLossMemoryTests
    {
        public static IEnumerable<object[]> Cases()
        {
            foreach (var mode in new[] { LossMode.Multiclass, LossMode.Binary })
                foreach (var name in new[] { "focal", "tversky", "unified" })
                    yield return new object[] { mode, name };
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Forward_and_backward_leave_no_live_tensors(LossMode mode, string name)
        {
            var (x, target, _) = PixelLossChecks.Case(mode, threeD: false, ignore: true);
            using var leaf = x.detach().requires_grad_(true);
            using SegmentationLoss loss = name switch
            {
                "focal" => new AsymmetricFocalLoss(mode, gamma: 0.5, ignoreIndex: PixelLossChecks.IgnoreValue),
                "tversky" => new AsymmetricFocalTverskyLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue),
                _ => new AsymmetricUnifiedFocalLoss(mode, ignoreIndex: PixelLossChecks.IgnoreValue),
            };
            LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, leaf, target);
            x.Dispose();
            target.Dispose();
        }
    }
}
