using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Deep supervision: one loss applied to a network's outputs at several resolutions, each against the target
    /// resized to that output with nearest-neighbour sampling, and the results summed with per-level weights
    /// (as nnU-Net's <c>DeepSupervisionWrapper</c> and MONAI's <c>DeepSupervisionLoss</c>).
    /// </summary>
    /// <remarks>
    /// <para>L = Σ_i w_i·loss(outputs[i], resize(target, outputs[i])). outputs[0] is the full-resolution head;
    /// by default w_i = 2^−i normalised to sum 1 (nnU-Net's halving; nnU-Net also zeroes the lowest level, which
    /// explicit <c>weights</c> can express). Explicit weights are normalised too unless <c>normalize: false</c>;
    /// levels with weight 0 are not evaluated.</para>
    /// <para>Targets: integer labels (N, *spatial), soft or binary targets (N, C, *spatial) or (N, *spatial). Each
    /// is resized with PyTorch's "nearest-exact" rule, so labels stay labels (including the ignore index) and
    /// [0, 1] targets stay in [0, 1]; a level whose spatial size already matches uses the target as it is.</para>
    /// </remarks>
    public sealed class DeepSupervisionLoss : nn.Module<IReadOnlyList<Tensor>, Tensor, Tensor>
    {
        private readonly SegmentationLoss _loss;
        private readonly double[]? _weights;

        /// <summary>Wraps <paramref name="loss"/>.</summary>
        /// <param name="loss">The loss applied at every level (any <see cref="SegmentationLoss"/>, compositions too).</param>
        /// <param name="weights">Per-level weights (finite, ≥ 0, not all 0), one per output, or null for 2^−i.</param>
        /// <param name="normalize">Whether the weights are scaled to sum 1 (default true).</param>
        public DeepSupervisionLoss(SegmentationLoss loss, double[]? weights = null, bool normalize = true) : base(nameof(DeepSupervisionLoss))
        {
            _loss = loss ?? throw new ArgumentNullException(nameof(loss));
            if (weights is not null)
            {
                if (weights.Length == 0 || weights.Any(w => !double.IsFinite(w) || w < 0) || weights.Sum() <= 0)
                    throw new ArgumentException($"{nameof(weights)} must be finite, non-negative and not all zero, one per output, got [{string.Join(", ", weights.Select(w => w.ToString(CultureInfo.InvariantCulture)))}]", nameof(weights));
                _weights = (double[])weights.Clone();
            }
            Normalize = normalize;
            register_module("loss", _loss);
        }

        /// <summary>The wrapped loss.</summary>
        public SegmentationLoss Loss => _loss;

        /// <summary>Whether the level weights are scaled to sum 1.</summary>
        public bool Normalize { get; }

        /// <summary>The weights used for <paramref name="levels"/> outputs.</summary>
        /// <param name="levels">Number of outputs (≥ 1).</param>
        public double[] LevelWeights(int levels)
        {
            if (levels < 1) throw new ArgumentException($"{nameof(levels)} must be at least 1, got {levels}", nameof(levels));
            if (_weights is not null && _weights.Length != levels)
                throw new ArgumentException($"the loss has {_weights.Length} level weights but {levels} outputs were given", "outputs");
            var w = _weights ?? Enumerable.Range(0, levels).Select(i => Math.Pow(0.5, i)).ToArray();
            if (!Normalize) return (double[])w.Clone();
            double total = w.Sum();
            return w.Select(v => v / total).ToArray();
        }

        /// <summary>The weighted sum of the loss over the outputs.</summary>
        /// <param name="outputs">Logits or probabilities (N, C, *spatial_i) per level, full resolution first.</param>
        /// <param name="target">The full-resolution target.</param>
        public override Tensor forward(IReadOnlyList<Tensor> outputs, Tensor target)
        {
            if (outputs is null) throw new ArgumentNullException(nameof(outputs));
            if (target is null) throw new ArgumentNullException(nameof(target));
            if (outputs.Count == 0) throw new ArgumentException("outputs must hold at least one tensor", nameof(outputs));
            if (_disposed) throw new ObjectDisposedException(nameof(DeepSupervisionLoss), $"{nameof(DeepSupervisionLoss)} has been disposed and cannot be called");
            var weights = LevelWeights(outputs.Count);
            using var scope = NewDisposeScope();
            Tensor? total = null;
            int first = -1;
            for (int i = 0; i < outputs.Count; i++)
            {
                if (weights[i] == 0) continue;
                var output = outputs[i] ?? throw new ArgumentNullException(nameof(outputs), $"outputs[{i}] is null");
                var value = _loss.ForwardUnchecked(output, Resize(target, output, i));
                if (total is not null && !value.shape.SequenceEqual(total.shape))
                    throw new ArgumentException($"{_loss.DisplayName} gives {Shapes.Format(total.shape)} for outputs[{first}] but {Shapes.Format(value.shape)} for outputs[{i}]; levels can be summed only when their results have one shape (reduction None results carry the spatial size)", nameof(outputs));
                var term = weights[i] == 1.0 ? value : value * weights[i];
                total = total is null ? term : total + term;
                if (first < 0) first = i;
            }
            // The non-finite policy, applied once to the total; the levels are named when it fails.
            if (SegLossSettings.ThrowOnNonFinite && !NonFinite.IsFinite(total!))
                throw NonFinite.Explain(nameof(DeepSupervisionLoss), outputs.Select((o, i) => ($"outputs[{i}]", (Tensor?)o)).Append((nameof(target), target)).ToArray());
            return total!.MoveToOuterDisposeScope();
        }

        private bool _disposed;

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }

        /// <summary>The target resized (nearest-exact) to the spatial size of <paramref name="output"/>.</summary>
        private static Tensor Resize(Tensor target, Tensor output, int level)
        {
            long[] size = output.shape.Skip(2).ToArray();
            if (size.Length < 1 || size.Length > 3)
                throw new ArgumentException($"outputs[{level}] has shape {Shapes.Format(output.shape)} but must be (N, C, *spatial) with 1 to 3 spatial dimensions", "outputs");
            bool hasChannels = target.dim() == output.dim();
            if (!hasChannels && target.dim() != output.dim() - 1)
                throw new ArgumentException($"target has shape {Shapes.Format(target.shape)} but outputs[{level}] {Shapes.Format(output.shape)} needs (N, *spatial) or (N, C, *spatial)", nameof(target));
            long[] targetSpatial = target.shape.Skip(hasChannels ? 2 : 1).ToArray();
            if (targetSpatial.SequenceEqual(size)) return target;
            var asImage = hasChannels ? target : target.unsqueeze(1);
            var floating = target.is_floating_point() ? asImage : asImage.to(ScalarType.Float64);
            var resized = nn.functional.interpolate(floating, size, mode: InterpolationMode.NearestExact, align_corners: false); // ignored by nearest-exact; set so libtorch does not warn
            if (!target.is_floating_point()) resized = resized.round().to(target.dtype);
            return hasChannels ? resized : resized.squeeze(1);
        }
    }
}
