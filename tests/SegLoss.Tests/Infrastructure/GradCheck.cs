using System.Collections.Generic;
using System;
using System.Linq;
using FluentAssertions;
using static TorchSharp.torch;

namespace SegLoss.Tests.Infrastructure
{
    /// <summary>
    /// Finite-difference gradient checks in float64: the full Jacobian-vector product element by element on tiny
    /// inputs, and directional derivatives along random directions. Non-scalar outputs are contracted with a
    /// fixed random weighting so that every output element is checked.
    /// </summary>
    public static class GradCheck
    {
        /// <summary>Central-difference step.</summary>
        public const double Step = 1e-6;

        /// <summary>
        /// <see cref="Full"/> for each loss (configured variants of one loss) on the same input and target; each loss is
        /// disposed after its check.
        /// </summary>
        public static void EachLoss(IEnumerable<SegmentationLoss> losses, Tensor x, Tensor target)
        {
            foreach (var loss in losses)
            {
                using (loss) Full(input => loss.call(input, target), x);
            }
        }

        /// <summary>
        /// Checks every element of the gradient of <paramref name="f"/> at <paramref name="x"/> (float64) against
        /// central differences. Use on tiny inputs (a few hundred elements at most).
        /// </summary>
        public static void Full(Func<Tensor, Tensor> f, Tensor x, double atol = 1e-6, double rtol = 1e-4, long seed = 7)
        {
            using var scope = NewDisposeScope();
            x.dtype.Should().Be(ScalarType.Float64, "gradient checks run in float64");
            var (scalar, analytic) = Analytic(f, x, seed);
            var point = x.detach().clone().flatten();
            var values = point.data<double>().ToArray();
            var numeric = new double[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                var plus = (double[])values.Clone();
                var minus = (double[])values.Clone();
                plus[i] += Step;
                minus[i] -= Step;
                numeric[i] = (Evaluate(scalar, plus, x.shape) - Evaluate(scalar, minus, x.shape)) / (2 * Step);
            }
            for (int i = 0; i < values.Length; i++)
            {
                double tolerance = atol + rtol * Math.Abs(numeric[i]);
                analytic[i].Should().BeApproximately(numeric[i], tolerance, $"d loss / d x[{i}] (analytic {analytic[i]:G9}, numeric {numeric[i]:G9})");
            }
        }

        /// <summary>
        /// Checks the directional derivative ∇f·v against (f(x+hv) − f(x−hv)) / 2h for several random unit
        /// directions v. Suitable for larger inputs.
        /// </summary>
        public static void Directional(Func<Tensor, Tensor> f, Tensor x, int directions = 4, double atol = 1e-6, double rtol = 1e-4, long seed = 11)
        {
            using var scope = NewDisposeScope();
            x.dtype.Should().Be(ScalarType.Float64, "gradient checks run in float64");
            var (scalar, analytic) = Analytic(f, x, seed);
            var values = x.detach().flatten().data<double>().ToArray();
            var rng = new Random((int)seed);
            for (int d = 0; d < directions; d++)
            {
                var v = Enumerable.Range(0, values.Length).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
                double norm = Math.Sqrt(v.Sum(a => a * a));
                for (int i = 0; i < v.Length; i++) v[i] /= norm;
                var plus = values.Select((a, i) => a + Step * v[i]).ToArray();
                var minus = values.Select((a, i) => a - Step * v[i]).ToArray();
                double numeric = (Evaluate(scalar, plus, x.shape) - Evaluate(scalar, minus, x.shape)) / (2 * Step);
                double predicted = analytic.Select((g, i) => g * v[i]).Sum();
                predicted.Should().BeApproximately(numeric, atol + rtol * Math.Abs(numeric), $"directional derivative {d}");
            }
        }

        /// <summary>The gradient of f at x as a flat array; asserts it is finite.</summary>
        public static double[] Gradient(Func<Tensor, Tensor> f, Tensor x)
        {
            using var scope = NewDisposeScope();
            var leaf = x.detach().clone().requires_grad_(true);
            var y = f(leaf);
            (y.dim() == 0 ? y : y.sum()).backward();
            var g = leaf.grad!.flatten().data<double>().ToArray();
            g.Should().OnlyContain(v => double.IsFinite(v), "gradients must be finite");
            return g;
        }

        private static (Func<Tensor, double> scalar, double[] gradient) Analytic(Func<Tensor, Tensor> f, Tensor x, long seed)
        {
            Tensor? weights = null;
            Tensor Contract(Tensor input)
            {
                var y = f(input);
                if (y.dim() == 0) return y;
                if (weights is null)
                {
                    var gen = new Random((int)seed);
                    var w = Enumerable.Range(0, (int)y.numel()).Select(_ => gen.NextDouble() + 0.5).ToArray();
                    weights = tensor(w, y.shape, ScalarType.Float64).DetachFromDisposeScope();
                }
                return (y * weights).sum();
            }
            var leaf = x.detach().clone().requires_grad_(true);
            var value = Contract(leaf);
            value.backward();
            var grad = leaf.grad!.flatten().data<double>().ToArray();
            grad.Should().OnlyContain(v => double.IsFinite(v), "analytic gradients must be finite");
            double Scalar(Tensor input) { using var s = NewDisposeScope(); return Contract(input).item<double>(); }
            return (Scalar, grad);
        }

        private static double Evaluate(Func<Tensor, double> scalar, double[] values, long[] shape)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            return scalar(tensor(values, shape, ScalarType.Float64));
        }
    }
}
