using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary>
    /// <see cref="LovaszSoftmaxLoss"/>'s <c>classSubset</c> and <see cref="LovaszHingeLoss"/>'s
    /// <see cref="LovaszHingePooling"/>.
    /// </summary>
    public class LovaszConventionTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;
        private const double Tol = 1e-12;

        // ---------------------------------------------------------------- classSubset

        /// <summary>Per (pool, class) reference values from the set-function definition, for labels with ignored pixels.</summary>
        private static (double[,] loss, bool[,] present) Reference(Tensor logits, Tensor labels, bool perImage)
        {
            int n = (int)logits.shape[0], c = (int)logits.shape[1], s = (int)(logits.numel() / (n * c));
            var p = LovaszReference.Softmax(LovaszReference.Cube(logits.contiguous().flatten().data<double>().ToArray(), n, c, s));
            var y = labels.contiguous().flatten().data<long>().ToArray();
            var truth = LovaszReference.Map(p, (i, k, x, _) => y[i * s + x] == k);
            var valid = LovaszReference.Map(p, (i, k, x, _) => y[i * s + x] != Ignore);
            var errors = LovaszReference.Map(p, (i, k, x, v) => Math.Abs((truth[i, k, x] ? 1.0 : 0.0) - v));
            return LovaszReference.Pools(errors, truth, valid, perImage);
        }

        private static (double[,], bool[,]) Columns((double[,] loss, bool[,] present) r, int[] subset)
        {
            int pools = r.loss.GetLength(0);
            var loss = new double[pools, subset.Length];
            var present = new bool[pools, subset.Length];
            for (int p = 0; p < pools; p++)
                for (int j = 0; j < subset.Length; j++)
                {
                    loss[p, j] = r.loss[p, subset[j]];
                    present[p, j] = r.present[p, subset[j]];
                }
            return (loss, present);
        }

        [Theory]
        [InlineData(false, LovaszClasses.All)]
        [InlineData(false, LovaszClasses.Present)]
        [InlineData(true, LovaszClasses.All)]
        [InlineData(true, LovaszClasses.Present)]
        public void Subset_averages_the_listed_classes_as_the_definition(bool perImage, LovaszClasses classes)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(61, 2, 4, 3, 3);
            // Class 3 appears in image 0 only; class 2 nowhere.
            var y = TestData.LabelsWithIgnored(62, 2, Ignore, 2, 3, 3).masked_fill(arange(18).reshape(2, 3, 3).eq(4), 3);
            int[] subset = { 3, 0, 2 };
            var (loss, present) = Columns(Reference(x, y, perImage), subset);
            double expected = LovaszReference.Mean(loss, present, presentOnly: classes == LovaszClasses.Present);
            Value(new LovaszSoftmaxLoss(classes: classes, perImage: perImage, ignoreIndex: Ignore, classSubset: subset), x, y)
                .Should().BeApproximately(expected, Tol);

            // None: one column per listed class, in the listed order; absent ones 0 under Present.
            using var none = new LovaszSoftmaxLoss(classes: classes, perImage: perImage, ignoreIndex: Ignore, classSubset: subset, reduction: nn.Reduction.None).call(x, y);
            none.shape.Should().Equal(perImage ? new long[] { 2, 3 } : new long[] { 3 });
            var values = none.flatten().data<double>().ToArray();
            for (int p = 0; p < loss.GetLength(0); p++)
                for (int j = 0; j < subset.Length; j++)
                {
                    double want = classes == LovaszClasses.Present && !present[p, j] ? 0.0 : loss[p, j];
                    values[p * subset.Length + j].Should().BeApproximately(want, Tol);
                }
        }

        [Fact]
        public void Full_subset_in_order_is_the_default()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            foreach (var classes in new[] { LovaszClasses.Present, LovaszClasses.All })
                Value(new LovaszSoftmaxLoss(classes: classes, ignoreIndex: Ignore, classSubset: new[] { 0, 1, 2 }), x, y)
                    .Should().BeApproximately(Value(new LovaszSoftmaxLoss(classes: classes, ignoreIndex: Ignore), x, y), Tol);
        }

        [Fact]
        public void Subset_in_sigmoid_modes_selects_channels()
        {
            using var scope = NewDisposeScope();
            var (x, t, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: false, ignore: true);
            using var none = new LovaszSoftmaxLoss(LossMode.Multilabel, classes: LovaszClasses.All, ignoreIndex: Ignore, reduction: nn.Reduction.None).call(x, t);
            var perChannel = none.data<double>().ToArray();
            Value(new LovaszSoftmaxLoss(LossMode.Multilabel, classes: LovaszClasses.All, ignoreIndex: Ignore, classSubset: new[] { 2, 1 }), x, t)
                .Should().BeApproximately((perChannel[2] + perChannel[1]) / 2, Tol);
        }

        [Fact]
        public void Subset_property_is_a_copy_and_bad_subsets_name_the_parameter()
        {
            var subset = new[] { 1, 2 };
            using var loss = new LovaszSoftmaxLoss(classSubset: subset);
            subset[0] = 0;
            loss.ClassSubset.Should().Equal(1, 2);
            new LovaszSoftmaxLoss().ClassSubset.Should().BeNull();
            foreach (var bad in new[] { Array.Empty<int>(), new[] { -1 }, new[] { 1, 0, 1 } })
                ((Action)(() => new LovaszSoftmaxLoss(classSubset: bad))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("classSubset");

            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: false);
            using var outside = new LovaszSoftmaxLoss(classSubset: new[] { 0, 3 });
            ((Action)(() => outside.call(x, y))).Should().Throw<ArgumentException>()
                .Where(e => e.ParamName == "classSubset" && e.Message.Contains("3 channels"));
        }

        [Theory]
        [InlineData(LossMode.Multiclass, false)]
        [InlineData(LossMode.Multiclass, true)]
        [InlineData(LossMode.Binary, false)]
        [InlineData(LossMode.Multilabel, true)]
        public void Subset_gradients_match_finite_differences_with_ignored_pixels(LossMode mode, bool threeD)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore: true);
            int[] subset = mode == LossMode.Binary ? new[] { 0 } : new[] { 1 };
            GradCheck.EachLoss(new[]
            {
                new LovaszSoftmaxLoss(mode, ignoreIndex: Ignore, classSubset: subset),
                new LovaszSoftmaxLoss(mode, classes: LovaszClasses.All, perImage: true, ignoreIndex: Ignore, classSubset: subset),
            }, x, target);
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new LovaszSoftmaxLoss(mode, classes: LovaszClasses.All, ignoreIndex: Ignore, classSubset: subset));
        }

        [Fact]
        public void Subset_perfect_prediction_is_the_minimum_and_more_error_scores_more()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(4, 3, 2, 3, 3);
            var right = TestData.PerfectLogits(labels, 3, margin: 1);
            var wrong = TestData.PerfectLogits((labels + 1) % 3, 3, margin: 1);
            using var loss = new LovaszSoftmaxLoss(classes: LovaszClasses.All, classSubset: new[] { 1, 2 });
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, wrong, labels);
            Value(loss, right * 60, labels).Should().BeLessThan(1e-12);
        }

        // ---------------------------------------------------------------- LovaszHingePooling

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void AllChannels_is_the_binary_hinge_on_the_flattened_channels(bool perImage)
        {
            // Pooling every channel of an image into one problem is the Binary hinge on (N, 1, C·S) — or, without
            // perImage, on the whole batch as one image.
            using var scope = NewDisposeScope();
            var (x, t, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: true, ignore: true);
            long n = x.shape[0];
            using var pooled = new LovaszHingeLoss(LossMode.Multilabel, perImage: perImage, ignoreIndex: Ignore, pooling: LovaszHingePooling.AllChannels);
            using var binary = new LovaszHingeLoss(LossMode.Binary, perImage: true, ignoreIndex: Ignore);
            var shape = perImage ? new[] { n, 1, -1L } : new[] { 1, 1, -1L };
            Value(pooled, x, t).Should().BeApproximately(Value(binary, x.reshape(shape), t.reshape(shape)), Tol);

            using var none = new LovaszHingeLoss(LossMode.Multilabel, perImage: perImage, ignoreIndex: Ignore, pooling: LovaszHingePooling.AllChannels, reduction: nn.Reduction.None).call(x, t);
            none.shape.Should().Equal(perImage ? new[] { n, 1 } : new[] { 1L });
        }

        [Fact]
        public void AllChannels_equals_PerChannel_for_Binary_and_differs_for_Multilabel()
        {
            using var scope = NewDisposeScope();
            var (xb, tb, _) = PixelLossChecks.Case(LossMode.Binary, threeD: false, ignore: true);
            foreach (bool perImage in new[] { false, true })
                Value(new LovaszHingeLoss(perImage: perImage, ignoreIndex: Ignore, pooling: LovaszHingePooling.AllChannels), xb, tb)
                    .Should().BeApproximately(Value(new LovaszHingeLoss(perImage: perImage, ignoreIndex: Ignore), xb, tb), Tol);
            var (x, t, _) = PixelLossChecks.Case(LossMode.Multilabel, threeD: false, ignore: true);
            Math.Abs(Value(new LovaszHingeLoss(LossMode.Multilabel, ignoreIndex: Ignore, pooling: LovaszHingePooling.AllChannels), x, t)
                - Value(new LovaszHingeLoss(LossMode.Multilabel, ignoreIndex: Ignore), x, t)).Should().BeGreaterThan(1e-6);
        }

        [Theory]
        [InlineData(LossMode.Multilabel, false)]
        [InlineData(LossMode.Multilabel, true)]
        [InlineData(LossMode.Binary, false)]
        [InlineData(LossMode.Binary, true)]
        public void AllChannels_gradients_match_finite_differences_with_ignored_pixels(LossMode mode, bool threeD)
        {
            using var scope = NewDisposeScope();
            var (x, target, _) = PixelLossChecks.Case(mode, threeD, ignore: true);
            GradCheck.EachLoss(new[]
            {
                new LovaszHingeLoss(mode, ignoreIndex: Ignore, pooling: LovaszHingePooling.AllChannels),
                new LovaszHingeLoss(mode, perImage: false, ignoreIndex: Ignore, pooling: LovaszHingePooling.AllChannels),
            }, x, target);
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(mode, () => new LovaszHingeLoss(mode, perImage: false, ignoreIndex: Ignore, pooling: LovaszHingePooling.AllChannels));
        }

        [Fact]
        public void AllChannels_perfect_prediction_is_the_minimum_and_more_error_scores_more()
        {
            using var scope = NewDisposeScope();
            var t = TestData.BinaryTargets(3, 2, 3, 3, 3);
            // Small margins, so that every step of the ladder (margins 0.3 down to −0.3) is inside the hinge.
            var right = (t * 2 - 1) * 0.05;
            using var loss = new LovaszHingeLoss(LossMode.Multilabel, pooling: LovaszHingePooling.AllChannels);
            PixelLossChecks.AssertErrorLadderIncreases(loss, right, -right, t);
            Value(loss, right * 20, t).Should().Be(0.0, "every margin is at least 1");
        }

        [Fact]
        public void Pooling_property_and_bad_pooling_name_the_parameter()
        {
            new LovaszHingeLoss().Pooling.Should().Be(LovaszHingePooling.PerChannel);
            new LovaszHingeLoss(LossMode.Multilabel, pooling: LovaszHingePooling.AllChannels).Pooling.Should().Be(LovaszHingePooling.AllChannels);
            ((Action)(() => new LovaszHingeLoss(pooling: (LovaszHingePooling)5))).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("pooling");
        }

        [Collection(LiveTensorCollection.Name)]
        public class Memory
        {
            [Fact]
            public void ForwardAndBackwardLeaveNoTensorBehind()
            {
                using var y = TestData.LabelsWithIgnored(141, 4, Ignore, 2, 5, 5);
                using var x = TestData.Logits(142, 2, 4, 5, 5).requires_grad_(true);
                foreach (bool perImage in new[] { false, true })
                {
                    using var subset = new LovaszSoftmaxLoss(perImage: perImage, ignoreIndex: Ignore, classSubset: new[] { 3, 1 });
                    LiveTensors.AssertForwardAndBackwardLeaveNothing(subset, x, y);
                }
                using var t = TestData.BinaryTargets(143, 2, 3, 5, 5);
                using var z = TestData.Logits(144, 2, 3, 5, 5).requires_grad_(true);
                foreach (bool perImage in new[] { false, true })
                {
                    using var hinge = new LovaszHingeLoss(LossMode.Multilabel, perImage: perImage, pooling: LovaszHingePooling.AllChannels);
                    LiveTensors.AssertForwardAndBackwardLeaveNothing(hinge, z, t);
                }
            }

            [Fact]
            public void A_subset_rejected_at_call_time_leaves_no_tensor_behind()
            {
                using var y = TestData.Labels(145, 3, 1, 4, 4);
                using var x = TestData.Logits(146, 1, 3, 4, 4);
                using var loss = new LovaszSoftmaxLoss(classSubset: new[] { 1, 5 });
                LiveTensors.AssertNoLeak(() =>
                {
                    try { loss.call(x, y).Dispose(); }
                    catch (ArgumentException) { }
                }, "the dispose scope of forward frees the intermediates when the subset is rejected");
            }
        }
    }
}
