using System;
using FluentAssertions;
using SegLoss.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SegLoss.Tests.Analytic
{
    /// <summary>
    /// The plumbing of <see cref="AnalyticFunction"/>: nothing outlives a call (the gradients it hands to libtorch are
    /// released by the second node), a retained graph runs twice, second derivatives are right, a failure inside the
    /// backward reaches the caller as an exception, and the result does not depend on the thread count.
    /// </summary>
    [Collection(LiveTensorCollection.Name)]
    public class AnalyticFunctionTests
    {
        private static (Tensor X, Tensor Labels) Multiclass(long seed)
        {
            manual_seed(seed);
            return (randn(new long[] { 2, 3, 20, 20 }, float64), randint(0, 3, new long[] { 2, 20, 20 }, int64));
        }

        [Fact]
        public void ForwardAndBackwardLeaveNoTensorBehind()
        {
            var (x, labels) = Multiclass(21);
            var leaf = x.requires_grad_(true);
            using var dice = new DiceLoss(ignoreIndex: 2);
            LiveTensors.AssertForwardAndBackwardLeaveNothing(dice, leaf, labels);
            var xb = randn(new long[] { 2, 1, 20, 20 }, float64).requires_grad_(true);
            var gb = randint(0, 2, xb.shape, float64);
            using var focal = new FocalLoss(LossMode.Binary, gamma: 0.5);
            LiveTensors.AssertForwardAndBackwardLeaveNothing(focal, xb, gb);
            using var sum = new DiceLoss(LossMode.Binary) + new FocalLoss(LossMode.Binary);
            LiveTensors.AssertForwardAndBackwardLeaveNothing(sum, xb, gb);
            LiveTensors.AssertNoLeak(() =>
            {
                using var value = dice.call(leaf, labels);
                value.item<double>();
            }, "a forward without backward releases the graph with its value");
            LiveTensors.AssertNoLeak(() =>
            {
                using (no_grad())
                using (var value = dice.call(leaf, labels)) value.item<double>();
            }, "a forward without gradient recording runs the operation as a plain function");
        }

        [Fact]
        public void ARetainedGraphRunsItsBackwardTwice()
        {
            // The first backward writes the gradient over the saved probabilities (or derivatives); the second recomputes them.
            var (x, labels) = Multiclass(22);
            var xb = randn(new long[] { 2, 1, 20, 20 }, float64);
            var gb = randint(0, 2, xb.shape, float64);
            using var dice = new DiceLoss();
            using var binaryDice = new DiceLoss(LossMode.Binary);
            using var focal = new FocalLoss(LossMode.Binary, gamma: 1.5);
            using var crossEntropy = new CrossEntropyLoss(LossMode.Binary);
            using var tversky = new TverskyLoss();
            foreach (var (name, f, input) in new (string, Func<Tensor, Tensor>, Tensor)[]
            {
                ("multiclass Dice", t => dice.call(t, labels), x),
                ("Tversky (fused sums)", t => tversky.call(t, labels), x),
                ("binary Dice", t => binaryDice.call(t, gb), xb),
                ("binary focal", t => focal.call(t, gb), xb),
                ("binary CE", t => crossEntropy.call(t, gb), xb),
            })
            {
                var once = AnalyticAgreement.ValueAndGradient(f, input).Gradient;
                LiveTensors.AssertNoLeak(() =>
                {
                    using var scope = NewDisposeScope();
                    var leaf = input.detach().clone().requires_grad_(true);
                    var value = f(leaf);
                    value.backward(retain_graph: true);
                    value.backward(retain_graph: true);
                    value.backward();
                    var thrice = TensorData.ToArray<double>(leaf.grad!);
                    for (int i = 0; i < once.Length; i++) thrice[i].Should().BeApproximately(3 * once[i], 1e-14, $"{name}: d loss / d x[{i}] after three backward passes");
                }, $"every backward pass of {name} releases its gradients");
            }
        }

        [Fact]
        public void SecondDerivativesEqualTheAutogradPath()
        {
            var (x, labels) = Multiclass(23);
            var xb = randn(new long[] { 2, 1, 9, 9 }, float64);
            var gb = randint(0, 2, xb.shape, float64);
            using var dice = new DiceLoss();
            using var binaryDice = new DiceLoss(LossMode.Binary, ignoreIndex: null);
            using var focal = new FocalLoss(LossMode.Binary, gamma: 1.5, alpha: 0.25);
            foreach (var (name, f, input) in new (string, Func<Tensor, Tensor>, Tensor)[]
            {
                ("multiclass Dice", t => dice.call(t, labels), x),
                ("binary Dice", t => binaryDice.call(t, gb), xb),
                ("binary focal", t => focal.call(t, gb), xb),
            })
            {
                var analytic = GradientOfGradientNorm(f, input);
                double[] reference;
                using (AnalyticFunction.Disable()) reference = GradientOfGradientNorm(f, input);
                double scale = 0;
                foreach (var r in reference) scale = Math.Max(scale, Math.Abs(r));
                for (int i = 0; i < reference.Length; i++)
                    analytic[i].Should().BeApproximately(reference[i], 1e-10 * scale, $"∂(‖∇L‖²)/∂x[{i}] of {name}");
            }
        }

        /// <summary>∂(Σ (∂L/∂x)²)/∂x through a backward with create_graph.</summary>
        private static double[] GradientOfGradientNorm(Func<Tensor, Tensor> loss, Tensor x)
        {
            using var scope = NewDisposeScope();
            var leaf = x.detach().clone().requires_grad_(true);
            var value = loss(leaf);
            var gradient = torch.autograd.grad(new[] { value }, new[] { leaf }, retain_graph: true, create_graph: true)[0];
            gradient.square().sum().backward();
            return TensorData.ToArray<double>(leaf.grad!);
        }

        [Fact]
        public void AFailureInsideTheBackwardReachesTheCallerAsAnException()
        {
            var (x, labels) = Multiclass(24);
            using var dice = new DiceLoss();
            using var scope = NewDisposeScope();
            var leaf = x.detach().clone().requires_grad_(true);
            var logits = leaf * 1.0;
            var value = dice.call(logits, labels);
            // The operation saved its input; changing it in place makes the saved copy unreadable in the backward.
            using (no_grad()) logits.add_(1.0);
            var thrown = Record.Exception(() => value.backward());
            thrown.Should().NotBeNull("libtorch refuses the node's output instead of the process ending");
        }

        [Fact]
        public void TheSettingTurnsTheAnalyticOperationsOffWithTheSameResult()
        {
            var (x, labels) = Multiclass(26);
            using var dice = new DiceLoss();
            var on = AnalyticAgreement.ValueAndGradient(t => dice.call(t, labels), x);
            long before = AnalyticFunction.Applications;
            (double Value, double[] Gradient) off;
            try
            {
                SegLossSettings.AnalyticBackward = false;
                off = AnalyticAgreement.ValueAndGradient(t => dice.call(t, labels), x);
            }
            finally
            {
                SegLossSettings.AnalyticBackward = true;
            }
            AnalyticFunction.Applications.Should().Be(before, "no analytic operation runs while the setting is off");
            AnalyticAgreement.AssertClose(on.Value, off.Value, "the value");
            for (int i = 0; i < on.Gradient.Length; i++) on.Gradient[i].Should().BeApproximately(off.Gradient[i], 1e-15, $"d loss / d x[{i}]");
        }

        [Fact]
        public void TheResultDoesNotDependOnTheThreadCount()
        {
            int threads = get_num_threads();
            try
            {
                manual_seed(25);
                var x = randn(new long[] { 2, 4, 256, 300 }, float32);
                var labels = randint(0, 4, new long[] { 2, 256, 300 }, int64);
                var xb = randn(new long[] { 2, 1, 256, 300 }, float32);
                var gb = randint(0, 2, xb.shape, float32);
                using var dice = new DiceLoss();
                using var binary = new DiceLoss(LossMode.Binary) + new FocalLoss(LossMode.Binary);
                set_num_threads(1);
                var one = AnalyticAgreement.ValueAndGradient(t => dice.call(t, labels), x);
                var oneBinary = AnalyticAgreement.ValueAndGradient(t => binary.call(t, gb), xb);
                set_num_threads(2);
                var two = AnalyticAgreement.ValueAndGradient(t => dice.call(t, labels), x);
                var twoBinary = AnalyticAgreement.ValueAndGradient(t => binary.call(t, gb), xb);
                two.Value.Should().Be(one.Value, "block sums are added in block order");
                two.Gradient.Should().Equal(one.Gradient);
                twoBinary.Value.Should().Be(oneBinary.Value);
                twoBinary.Gradient.Should().Equal(oneBinary.Gradient);
            }
            finally
            {
                set_num_threads(threads);
            }
        }
    }
}
