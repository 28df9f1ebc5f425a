using System;
using System.Linq;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using Xunit;
using static SegLoss.Tests.Infrastructure.LossValues;
using static TorchSharp.torch;

namespace SegLoss.Tests.Losses
{
    /// <summary>
    /// A loop reference of NACL: per pixel CE + α·mean_c d(τ_c, z_c), τ the zero-padded neighbourhood sum of the
    /// one-hot target with per-axis weights (ignored pixels contribute a zero one-hot vector and are left out).
    /// </summary>
    internal static class NaclReference
    {
        /// <summary>τ (N, C, S) by explicit neighbourhood sums over a spatial shape of 1 to 3 dimensions.</summary>
        public static double[,,] Proportions(double[,,] g, long[] spatial, double[] weights)
        {
            int n = g.GetLength(0), c = g.GetLength(1), s = g.GetLength(2);
            int d = spatial.Length, half = weights.Length / 2;
            var strides = new long[d];
            for (int a = d - 1, stride = 1; a >= 0; a--) { strides[a] = stride; stride *= (int)spatial[a]; }
            var tau = new double[n, c, s];
            for (int j = 0; j < s; j++)
            {
                var at = new long[d];
                for (int a = 0; a < d; a++) at[a] = j / strides[a] % spatial[a];
                // Every offset in the cube {−half..half}^d, as a mixed-radix counter.
                int offsets = (int)Math.Pow(weights.Length, d);
                for (int o = 0; o < offsets; o++)
                {
                    double w = 1;
                    long neighbour = 0;
                    bool inside = true;
                    for (int a = 0, rest = o; a < d; a++, rest /= weights.Length)
                    {
                        int k = rest % weights.Length;
                        long q = at[a] + k - half;
                        if (q < 0 || q >= spatial[a]) { inside = false; break; }
                        w *= weights[k];
                        neighbour += q * strides[a];
                    }
                    if (!inside) continue;
                    for (int i = 0; i < n; i++)
                        for (int cc = 0; cc < c; cc++) tau[i, cc, j] += w * g[i, cc, neighbour];
                }
            }
            return tau;
        }

        /// <summary>The per-pixel loss (N, S), zero at ignored pixels.</summary>
        public static double[,] PerPixel(double[,,] z, double[,,] g, double[,] valid, long[] spatial, double[] weights, bool l2, double alpha)
        {
            int n = z.GetLength(0), c = z.GetLength(1), s = z.GetLength(2);
            var tau = Proportions(g, spatial, weights);
            var loss = new double[n, s];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    if (valid[i, j] == 0) continue;
                    double max = Enumerable.Range(0, c).Max(k => z[i, k, j]);
                    double logSum = max + Math.Log(Enumerable.Range(0, c).Sum(k => Math.Exp(z[i, k, j] - max)));
                    double ce = 0, distance = 0;
                    for (int k = 0; k < c; k++)
                    {
                        ce -= g[i, k, j] * (z[i, k, j] - logSum);
                        double diff = tau[i, k, j] - z[i, k, j];
                        distance += l2 ? diff * diff : Math.Abs(diff);
                    }
                    loss[i, j] = ce + alpha * distance / c;
                }
            return loss;
        }

        /// <summary>Mean over valid pixels.</summary>
        public static double Mean(double[,] perPixel, double[,] valid)
        {
            double sum = 0, count = 0;
            for (int i = 0; i < perPixel.GetLength(0); i++)
                for (int j = 0; j < perPixel.GetLength(1); j++) { sum += perPixel[i, j]; count += valid[i, j]; }
            return sum / count;
        }

        public static double[] MeanWeights(int k) => Enumerable.Repeat(1.0 / k, k).ToArray();
    }

    public class NeighborAwareCalibrationLossTests
    {
        private const long Ignore = PixelLossChecks.IgnoreValue;

        [Fact]
        public void One_dimensional_example_matches_hand_computation()
        {
            // (1, 2, 3): logits z_0 = (1, 0, −1), z_1 = (0, 2, 1); labels (0, 1, 1).
            using var x = tensor(new[] { 1.0, 0, -1, 0, 2, 1 }, new long[] { 1, 2, 3 });
            using var y = tensor(new long[] { 0, 1, 1 }, new long[] { 1, 3 });
            // One-hot class 0 = (1, 0, 0), class 1 = (0, 1, 1); the 3-mean with zero padding:
            // τ_0 = ((0 + 1 + 0)/3, (1 + 0 + 0)/3, (0 + 0 + 0)/3) = (1/3, 1/3, 0),
            // τ_1 = ((0 + 0 + 1)/3, (0 + 1 + 1)/3, (1 + 1 + 0)/3) = (1/3, 2/3, 2/3).
            double[] tau0 = { 1.0 / 3, 1.0 / 3, 0 }, tau1 = { 1.0 / 3, 2.0 / 3, 2.0 / 3 };
            double[] z0 = { 1, 0, -1 }, z1 = { 0, 2, 1 };
            int[] labels = { 0, 1, 1 };
            double ce = 0, l1 = 0, l2 = 0;
            for (int j = 0; j < 3; j++)
            {
                double logSum = Math.Log(Math.Exp(z0[j]) + Math.Exp(z1[j]));
                ce += logSum - (labels[j] == 0 ? z0[j] : z1[j]);
                l1 += Math.Abs(tau0[j] - z0[j]) + Math.Abs(tau1[j] - z1[j]);
                l2 += Math.Pow(tau0[j] - z0[j], 2) + Math.Pow(tau1[j] - z1[j], 2);
            }
            // Mean: CE over the 3 pixels + α·distance over the 3·2 entries.
            using var loss = new NeighborAwareCalibrationLoss();
            Value(loss, x, y).Should().BeApproximately(ce / 3 + 0.1 * l1 / 6, 1e-12);
            using var squared = new NeighborAwareCalibrationLoss(distance: CalibrationDistance.L2, alpha: 0.5);
            Value(squared, x, y).Should().BeApproximately(ce / 3 + 0.5 * l2 / 6, 1e-12);
            using var sum = new NeighborAwareCalibrationLoss(reduction: nn.Reduction.Sum);
            Value(sum, x, y).Should().BeApproximately(ce + 0.1 * l1 / 2, 1e-12);
        }

        [Fact]
        public void Gaussian_weights_are_the_normalised_erf_discretisation()
        {
            // erf(0.5/√2) = 0.3829249225, erf(1.5/√2) = 0.8663855975: raw weights (0.2417303375, 0.3829249225,
            // 0.2417303375), summing to 0.8663855975.
            using var loss = new NeighborAwareCalibrationLoss(kernel: NeighborhoodKernel.Gaussian);
            double side = 0.5 * (0.8663855975 - 0.3829249225);
            loss.AxisWeights.Should().Equal(new[] { side, 0.3829249225, side }.Select(v => v / 0.8663855975), (a, b) => Math.Abs(a - b) < 1e-9);
            using var wide = new NeighborAwareCalibrationLoss(kernelSize: 9, kernel: NeighborhoodKernel.Gaussian, sigma: 2);
            wide.AxisWeights.Sum().Should().BeApproximately(1, 1e-15);
            wide.AxisWeights.Should().Equal(wide.AxisWeights.Reverse(), "the kernel is symmetric");
            using var mean = new NeighborAwareCalibrationLoss(kernelSize: 5);
            mean.AxisWeights.Should().Equal(Enumerable.Repeat(0.2, 5));
        }

        public static TheoryData<long[], bool, int, NeighborhoodKernel, bool> ReferenceCases() => new()
        {
            { new long[] { 2, 3, 4, 3 }, false, 3, NeighborhoodKernel.Mean, false },
            { new long[] { 2, 3, 4, 3 }, true, 3, NeighborhoodKernel.Gaussian, true },
            { new long[] { 1, 2, 3, 2, 3 }, true, 3, NeighborhoodKernel.Mean, true },
            { new long[] { 1, 3, 2, 3, 4 }, false, 5, NeighborhoodKernel.Gaussian, false },
            { new long[] { 2, 4, 7 }, true, 5, NeighborhoodKernel.Mean, false },
        };

        [Theory]
        [MemberData(nameof(ReferenceCases))]
        public void Value_equals_cross_entropy_plus_alpha_times_the_distance_computed_independently(long[] shape, bool ignore, int k, NeighborhoodKernel kernel, bool l2)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(41, shape);
            var labelShape = new[] { shape[0] }.Concat(shape.Skip(2)).ToArray();
            var y = ignore ? TestData.LabelsWithIgnored(42, shape[1], Ignore, labelShape) : TestData.Labels(42, shape[1], labelShape);
            using var loss = new NeighborAwareCalibrationLoss(kernelSize: k, kernel: kernel, sigma: 0.8, distance: l2 ? CalibrationDistance.L2 : CalibrationDistance.L1, alpha: 0.3, ignoreIndex: Ignore);
            var (g, valid) = AsymmetricReference.OneHot(y, shape[1], ignore ? Ignore : null);
            var perPixel = NaclReference.PerPixel(AsymmetricReference.Dense(x), g, valid, shape.Skip(2).ToArray(), loss.AxisWeights, l2, 0.3);
            Value(loss, x, y).Should().BeApproximately(NaclReference.Mean(perPixel, valid), 1e-12);
            using var none = new NeighborAwareCalibrationLoss(kernelSize: k, kernel: kernel, sigma: 0.8, distance: l2 ? CalibrationDistance.L2 : CalibrationDistance.L1, alpha: 0.3, ignoreIndex: Ignore, reduction: nn.Reduction.None);
            using var map = none.call(x, y);
            map.shape.Should().Equal(labelShape);
            map.reshape(-1).data<double>().ToArray().Should().Equal(perPixel.Cast<double>(), (a, b) => Math.Abs(a - b) < 1e-12);
        }

        [Fact]
        public void Soft_targets_are_filtered_as_given()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(43, 2, 3, 4, 3);
            var soft = TestData.Logits(44, 2, 3, 4, 3).softmax(1);
            using var loss = new NeighborAwareCalibrationLoss();
            var g = AsymmetricReference.Dense(soft);
            var valid = AsymmetricReference.AllValid(2, 12);
            var perPixel = NaclReference.PerPixel(AsymmetricReference.Dense(x), g, valid, new long[] { 4, 3 }, NaclReference.MeanWeights(3), false, 0.1);
            Value(loss, x, soft).Should().BeApproximately(NaclReference.Mean(perPixel, valid), 1e-12);
        }

        [Fact]
        public void Zero_alpha_is_cross_entropy_and_probability_inputs_penalise_the_probabilities()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: true, ignore: true);
            using var plain = new NeighborAwareCalibrationLoss(alpha: 0, ignoreIndex: Ignore);
            using var ce = new CrossEntropyLoss(ignoreIndex: Ignore);
            Value(plain, x, y).Should().BeApproximately(Value(ce, x, y), 1e-12);

            // fromLogits: false — CE of the probabilities plus α times the distance to the probabilities themselves.
            var p = x.softmax(1);
            using var probabilities = new NeighborAwareCalibrationLoss(fromLogits: false, ignoreIndex: Ignore);
            var (g, valid) = AsymmetricReference.OneHot(y, 2, Ignore);
            var tau = NaclReference.Proportions(g, new long[] { 2, 2, 2 }, NaclReference.MeanWeights(3));
            var pd = AsymmetricReference.Dense(p);
            double distance = 0;
            for (int j = 0; j < 8; j++)
                if (valid[0, j] == 1) distance += Math.Abs(tau[0, 0, j] - pd[0, 0, j]) + Math.Abs(tau[0, 1, j] - pd[0, 1, j]);
            double count = valid.Cast<double>().Sum();
            Value(probabilities, p, y).Should().BeApproximately(Value(ce, x, y) + 0.1 * distance / (2 * count), 1e-12);
        }

        public static TheoryData<long[], bool> GradShapes() => new()
        {
            { new long[] { 2, 3, 4, 3 }, false },
            { new long[] { 2, 3, 4, 3 }, true },
            { new long[] { 1, 2, 3, 2, 3 }, false },
            { new long[] { 1, 3, 2, 3, 2 }, true },
            { new long[] { 2, 3, 5 }, true },
        };

        [Theory]
        [MemberData(nameof(GradShapes))]
        public void Gradient_matches_finite_differences(long[] shape, bool ignore)
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(45, shape);
            var labelShape = new[] { shape[0] }.Concat(shape.Skip(2)).ToArray();
            var y = ignore ? TestData.LabelsWithIgnored(46, shape[1], Ignore, labelShape) : TestData.Labels(46, shape[1], labelShape);
            GradCheck.EachLoss(new SegmentationLoss[]
            {
                new NeighborAwareCalibrationLoss(ignoreIndex: Ignore),
                new NeighborAwareCalibrationLoss(kernel: NeighborhoodKernel.Gaussian, distance: CalibrationDistance.L2, alpha: 0.5, ignoreIndex: Ignore, reduction: nn.Reduction.None),
                new NeighborAwareCalibrationLoss(kernelSize: 5, sigma: 2, kernel: NeighborhoodKernel.Gaussian, ignoreIndex: Ignore, reduction: nn.Reduction.Sum),
            }, x, y);
        }

        [Fact]
        public void Gradient_matches_for_soft_targets_and_probability_inputs()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(3, 2, 3, 3, 2);
            var soft = TestData.Logits(4, 2, 3, 3, 2).softmax(1);
            GradCheck.Full(v => new NeighborAwareCalibrationLoss(distance: CalibrationDistance.L2).call(v, soft), x);
            var labels = TestData.Labels(5, 3, 2, 3, 2);
            GradCheck.Full(v => new NeighborAwareCalibrationLoss(fromLogits: false).call(v, labels), x.softmax(1));
        }

        [Fact]
        public void Ignored_pixels_are_inert_and_do_not_count_as_neighbours()
        {
            PixelLossChecks.IgnoredPixelsAreInertIn2DAnd3D(LossMode.Multiclass, () => new NeighborAwareCalibrationLoss(kernel: NeighborhoodKernel.Gaussian, ignoreIndex: Ignore));
            // Relabelling an ignored pixel's raw value cannot change τ: with labels (0, ignored, 1) τ at pixel 0 is
            // (1/3, 0) whatever class the middle pixel would have had.
            using var scope = NewDisposeScope();
            var x = tensor(new[] { 0.2, -0.4, 1.0, 0.5, 0.3, -0.2 }, new long[] { 1, 2, 3 });
            var withIgnored = tensor(new long[] { 0, Ignore, 1 }, new long[] { 1, 3 });
            using var loss = new NeighborAwareCalibrationLoss(ignoreIndex: Ignore, reduction: nn.Reduction.None);
            var perPixel = loss.call(x, withIgnored).data<double>().ToArray();
            double ce0 = Math.Log(Math.Exp(0.2) + Math.Exp(0.5)) - 0.2;
            perPixel[0].Should().BeApproximately(ce0 + 0.1 * (Math.Abs(1.0 / 3 - 0.2) + Math.Abs(0 - 0.5)) / 2, 1e-12);
            perPixel[1].Should().Be(0.0);
        }

        [Fact]
        public void Every_pixel_ignored_gives_zero_with_zero_gradient()
        {
            using var scope = NewDisposeScope();
            var x = TestData.Logits(1, 1, 3, 2, 2);
            var y = full(new long[] { 1, 2, 2 }, Ignore, ScalarType.Int64);
            var (value, gradient) = PixelLossChecks.ValueAndGradient(v => new NeighborAwareCalibrationLoss(ignoreIndex: Ignore).call(v, y), x);
            value.Should().Be(0.0);
            gradient.Should().OnlyContain(g => g == 0.0);
        }

        [Fact]
        public void The_minimum_over_logits_is_not_one_hot_but_the_penalty_holds_logits_near_the_proportions()
        {
            using var scope = NewDisposeScope();
            var labels = TestData.Labels(7, 3, 2, 4, 4);
            using var loss = new NeighborAwareCalibrationLoss(alpha: 1.0);
            // Growing one-hot margins first lower CE, then the penalty takes over.
            var values = new[] { 0.5, 2, 8, 32 }.Select(m => Value(loss, TestData.PerfectLogits(labels, 3, margin: m), labels)).ToArray();
            values[1].Should().BeLessThan(values[0]);
            values[3].Should().BeGreaterThan(values[2]);
            // The loss is finite and its gradient finite for confident wrong logits.
            var wrong = TestData.PerfectLogits(labels.add(1).remainder(3), 3, margin: 1e3);
            GradCheck.Gradient(v => loss.call(v, labels), wrong).Should().OnlyContain(g => double.IsFinite(g));
        }

        [Fact]
        public void In_a_sum_sharing_the_log_softmax_the_value_and_gradient_are_unchanged()
        {
            using var scope = NewDisposeScope();
            var (x, y, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD: false, ignore: true);
            using var nacl = new NeighborAwareCalibrationLoss(ignoreIndex: Ignore);
            using var dice = new DiceLoss(ignoreIndex: Ignore);
            PixelLossChecks.AssertSumEqualsTermsApart(nacl, dice, x, y);
        }

        [Fact]
        public void Bad_options_and_inputs_name_the_argument()
        {
            using var scope = NewDisposeScope();
            foreach (var k in new[] { 0, -3, 2, 4 })
                FluentActions.Invoking(() => new NeighborAwareCalibrationLoss(kernelSize: k)).Should().Throw<ArgumentException>().WithParameterName("kernelSize").WithMessage($"*odd positive*{k}*");
            FluentActions.Invoking(() => new NeighborAwareCalibrationLoss(sigma: 0)).Should().Throw<ArgumentException>().WithParameterName("sigma");
            FluentActions.Invoking(() => new NeighborAwareCalibrationLoss(sigma: double.PositiveInfinity)).Should().Throw<ArgumentException>().WithParameterName("sigma");
            FluentActions.Invoking(() => new NeighborAwareCalibrationLoss(alpha: -0.1)).Should().Throw<ArgumentException>().WithParameterName("alpha");
            FluentActions.Invoking(() => new NeighborAwareCalibrationLoss(alpha: double.NaN)).Should().Throw<ArgumentException>().WithParameterName("alpha");
            FluentActions.Invoking(() => new NeighborAwareCalibrationLoss(kernel: (NeighborhoodKernel)7)).Should().Throw<ArgumentException>().WithParameterName("kernel").WithMessage("kernel must be Mean or Gaussian, got 7*");
            FluentActions.Invoking(() => new NeighborAwareCalibrationLoss(distance: (CalibrationDistance)7)).Should().Throw<ArgumentException>().WithParameterName("distance").WithMessage("distance must be L1 or L2, got 7*");
            FluentActions.Invoking(() => new NeighborAwareCalibrationLoss(LossMode.Binary)).Should().Throw<ArgumentException>().WithParameterName("mode");
            using var loss = new NeighborAwareCalibrationLoss();
            FluentActions.Invoking(() => loss.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 4, 2, 4, 4)))
                .Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*label 3*");
            FluentActions.Invoking(() => loss.call(TestData.Logits(1, 2, 3, 4, 4), TestData.Labels(2, 3, 2, 4, 5)))
                .Should().Throw<ArgumentException>().WithParameterName("target").WithMessage("*[2, 4, 5]*[2, 4, 4]*");
        }
    }

    [Collection(LiveTensorCollection.Name)]
    public class NeighborAwareCalibrationLossMemoryTests
    {
        [Theory]
        [InlineData(false, NeighborhoodKernel.Mean)]
        [InlineData(true, NeighborhoodKernel.Gaussian)]
        public void Forward_and_backward_leave_no_live_tensors(bool threeD, NeighborhoodKernel kernel)
        {
            var (x, target, _) = PixelLossChecks.Case(LossMode.Multiclass, threeD, ignore: true);
            using var leaf = x.detach().requires_grad_(true);
            using var loss = new NeighborAwareCalibrationLoss(kernel: kernel, ignoreIndex: PixelLossChecks.IgnoreValue);
            LiveTensors.AssertForwardAndBackwardLeaveNothing(loss, leaf, target);
            x.Dispose();
            target.Dispose();
        }

        [Fact]
        public void A_constructor_leaves_no_tensor_behind()
        {
            LiveTensors.AssertNoLeak(() => new NeighborAwareCalibrationLoss(kernel: NeighborhoodKernel.Gaussian, kernelSize: 7).Dispose(), "the Gaussian weights are read back into managed memory");
        }
    }
}
