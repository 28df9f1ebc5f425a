using System;
using FluentAssertions;
using static TorchSharp.torch;

namespace SegLoss.Tests.Analytic
{
    /// <summary>
    /// Runs a loss twice on the same float64 input, through its analytic operation and through its autograd operations
    /// (<see cref="AnalyticFunction.Disable"/>), and asserts that the analytic one ran and that values and input
    /// gradients agree to float64 rounding.
    /// </summary>
    internal static class AnalyticAgreement
    {
        /// <summary>Relative tolerance: both paths sum in different orders, nothing else differs.</summary>
        public const double Tolerance = 1e-11;

        public static void AssertSame(Func<Tensor, Tensor> loss, Tensor x, string because, bool analytic = true)
        {
            using var scope = NewDisposeScope();
            long before = AnalyticFunction.Applications;
            var (value, gradient) = ValueAndGradient(loss, x);
            if (analytic) AnalyticFunction.Applications.Should().BeGreaterThan(before, $"the analytic operation runs for {because}");
            else AnalyticFunction.Applications.Should().Be(before, $"{because} keeps its autograd path");
            double[] referenceGradient;
            double reference;
            using (AnalyticFunction.Disable()) (reference, referenceGradient) = ValueAndGradient(loss, x);
            AssertClose(value, reference, $"the value of {because}");
            double scale = 0;
            foreach (var g in referenceGradient) scale = Math.Max(scale, Math.Abs(g));
            for (int i = 0; i < gradient.Length; i++)
                gradient[i].Should().BeApproximately(referenceGradient[i], Tolerance * Math.Max(scale, 1e-300) + 1e-300, $"d loss / d x[{i}] of {because}");
        }

        /// <summary>Value (summed when not a scalar, with fixed weights) and gradient of <paramref name="loss"/> at x.</summary>
        public static (double Value, double[] Gradient) ValueAndGradient(Func<Tensor, Tensor> loss, Tensor x)
        {
            using var scope = NewDisposeScope();
            var leaf = x.detach().clone().requires_grad_(true);
            var y = loss(leaf);
            if (y.dim() > 0)
            {
                var weights = linspace(0.5, 1.5, y.numel(), y.dtype).reshape(y.shape);
                y = (y * weights).sum();
            }
            y.backward();
            return (y.to(ScalarType.Float64).item<double>(), TensorData.ToArray<double>(leaf.grad!.to(ScalarType.Float64)));
        }

        public static void AssertClose(double actual, double expected, string because) =>
            actual.Should().BeApproximately(expected, Tolerance * Math.Max(Math.Abs(expected), 1e-12), because);
    }
}
