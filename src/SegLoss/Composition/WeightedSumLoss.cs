using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Σ_i w_i · L_i(input, target): the result of <c>a + b</c>, <c>w * a</c> and <c>a * w</c>. Nested sums are
    /// flattened, so <c>a + b + c</c> has three terms. The terms' results must have one shape (scalars for Mean and Sum).
    /// </summary>
    public sealed class WeightedSumLoss : SegmentationLoss
    {
        private readonly List<(SegmentationLoss loss, double weight)> _terms;

        /// <summary>Builds a weighted sum from explicit terms.</summary>
        public WeightedSumLoss(params (SegmentationLoss loss, double weight)[] terms) : base(nn.Reduction.Mean)
        {
            if (terms is null || terms.Length == 0) throw new ArgumentException("a weighted sum needs at least one term", nameof(terms));
            _terms = new List<(SegmentationLoss, double)>();
            foreach (var (loss, weight) in terms)
            {
                if (loss is null) throw new ArgumentNullException(nameof(terms), "a term's loss is null");
                if (double.IsNaN(weight) || double.IsInfinity(weight))
                    throw new ArgumentException($"term weights must be finite, got {weight} for {loss.DisplayName}", nameof(terms));
                if (loss is WeightedSumLoss inner) _terms.AddRange(inner._terms.Select(t => (t.loss, t.weight * weight)));
                else _terms.Add((loss, weight));
            }
            for (int i = 0; i < _terms.Count; i++) register_module($"term{i}", _terms[i].loss);
        }

        /// <summary>The terms with their weights.</summary>
        public IReadOnlyList<(SegmentationLoss loss, double weight)> Terms => _terms;

        /// <inheritdoc/>
        public override string DisplayName => string.Join(" + ", _terms.Select(t => t.weight == 1.0 ? t.loss.DisplayName : t.weight.ToString("G4", CultureInfo.InvariantCulture) + "·" + t.loss.DisplayName));

        internal static WeightedSumLoss Combine(SegmentationLoss a, double wa, SegmentationLoss b, double wb) => new WeightedSumLoss((a, wa), (b, wb));

        internal static WeightedSumLoss Scale(SegmentationLoss loss, double weight) => new WeightedSumLoss((loss, weight));

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target) => WithSharedActivations(input, target, () => Sum(input, target));

        /// <summary>
        /// Σ w_i·L_i; the terms share activations of the same input (e.g. Dice and CE one log_softmax). The sum is
        /// checked for finiteness once, by <see cref="SegmentationLoss.forward"/>, not per term.
        /// </summary>
        private Tensor Sum(Tensor input, Tensor target)
        {
            Tensor? total = null;
            string? firstName = null;
            foreach (var (loss, weight) in _terms)
            {
                var value = loss.ForwardUnchecked(input, target);
                if (total is not null && !value.shape.SequenceEqual(total.shape))
                    throw new ArgumentException($"the terms of {DisplayName} give results of different shapes: {firstName} {Shapes.Format(total.shape)}, {loss.DisplayName} {Shapes.Format(value.shape)} (give every term the same reduction; None results differ between pixel-wise and region losses)", nameof(input));
                var term = weight == 1.0 ? value : value * weight;
                total = total is null ? term : total + term;
                firstName ??= loss.DisplayName;
            }
            return total!;
        }
    }
}
