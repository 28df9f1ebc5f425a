using System.Collections.Generic;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The sigmoid focal loss of logits against 0/1 targets as one analytic operation: x (N, C, S) → Σ ℓ (one value) or
    /// the entries ℓ (N, C, S), where ℓ = v·α_t·(1 − p_t)^γ·BCE, and the backward is the output gradient times the
    /// derivative the forward computed (<see cref="SigmoidFocalKernel"/>).
    /// </summary>
    /// <remarks>
    /// Why: the autograd form (BCE, expm1, the power, α, the mask) makes about a dozen passes over input-sized tensors
    /// forward and backward; this makes one forward and one backward. g must be 0 or 1, and v the validity mask (1
    /// where an entry counts) or none.
    /// </remarks>
    internal sealed class SigmoidFocalTerms : AnalyticOperation
    {
        private Tensor? _target;
        private Tensor? _valid;
        private readonly SigmoidFocalKernel.Parameters _parameters;
        private readonly bool _summed;
        private bool _derivativeConsumed;

        private SigmoidFocalTerms(Tensor target, Tensor? valid, SigmoidFocalKernel.Parameters parameters, bool summed)
        {
            _target = target;
            _valid = valid;
            _parameters = parameters;
            _summed = summed;
        }

        /// <summary>Σ ℓ as a one-value tensor (<paramref name="summed"/>) or ℓ per entry, for logits (N, C, S).</summary>
        public static Tensor Compute(Tensor logits, Tensor target, Tensor? valid, double gamma, double? alpha, bool summed) =>
            AnalyticFunction.Apply(new SigmoidFocalTerms(target, valid, new SigmoidFocalKernel.Parameters(gamma, alpha), summed), logits);

        /// <summary>
        /// The sigmoid focal loss (γ = 0 and no α: binary cross-entropy) of validated Binary or Multilabel inputs, reduced
        /// as the pixel losses reduce (<see cref="PixelReduction"/>: None, Sum, or the Mean over valid entries or all
        /// entries), as one analytic operation; null unless the logits are CPU tensors the kernel reads and the targets
        /// are 0/1.
        /// </summary>
        public static Tensor? TryReduced(SegmentationInputs inputs, double gamma, double? alpha, nn.Reduction reduction, PixelMean pixelMean)
        {
            if (inputs.Mode == LossMode.Multiclass || !inputs.FromLogits || !AnalyticFunction.Enabled || inputs.Target is null || !inputs.HardTargets
                || !Supports(inputs.Input, inputs.Target, inputs.Valid))
                return null;
            if (reduction == nn.Reduction.None)
                return PixelReduction.Reduce(Compute(inputs.Input, inputs.Target, inputs.Valid, gamma, alpha, summed: false), inputs, reduction);
            var total = Compute(inputs.Input, inputs.Target, inputs.Valid, gamma, alpha, summed: true);
            return reduction == nn.Reduction.Sum ? total : PixelReduction.CountedMean(total, inputs, perPixel: false, pixelMean);
        }

        /// <summary>Whether the managed kernel takes these tensors: CPU, contiguous, one floating dtype, one shape.</summary>
        public static bool Supports(Tensor logits, Tensor target, Tensor? valid) => SigmoidRegionSums.Supports(logits, target, valid);

        public override Tensor Forward(Tensor input, List<Tensor> saved)
        {
            var (target, valid) = (_target!, _valid);
            _target = _valid = null;
            var derivative = empty_like(input);
            var losses = _summed ? null : empty_like(input);
            double total = input.dtype == ScalarType.Float32
                ? SigmoidFocalKernel.Forward<float>(input, target, valid, _parameters, derivative, losses)
                : SigmoidFocalKernel.Forward<double>(input, target, valid, _parameters, derivative, losses);
            saved.Add(input);
            saved.Add(derivative);
            saved.Add(target);
            if (valid is not null) saved.Add(valid);
            return losses ?? AnalyticKernels.FromValues(new[] { total }, System.Array.Empty<long>(), input.dtype);
        }

        public override Tensor Backward(Tensor gradOutput, IReadOnlyList<Tensor> saved)
        {
            var (x, derivative, t) = (saved[0], saved[1], saved[2]);
            var v = saved.Count > 3 ? saved[3] : null;
            if (!is_grad_enabled())
            {
                if (!_summed) return gradOutput * derivative;
                // Σ ℓ: the gradient is the saved derivative times one value, written over it (a retained graph's second
                // backward recomputes the derivative first), which spares an input-sized allocation.
                double factor = AnalyticKernels.ToDoubles(gradOutput)[0];
                Tensor gradient;
                if (_derivativeConsumed)
                {
                    gradient = empty_like(derivative);
                    if (x.dtype == ScalarType.Float32) SigmoidFocalKernel.Forward<float>(x, t, v, _parameters, gradient, null);
                    else SigmoidFocalKernel.Forward<double>(x, t, v, _parameters, gradient, null);
                }
                else gradient = AnalyticKernels.SameStorage(derivative);
                _derivativeConsumed = true;
                if (x.dtype == ScalarType.Float32) AnalyticKernels.Scale<float>(gradient, (float)factor);
                else AnalyticKernels.Scale<double>(gradient, factor);
                return gradient;
            }
            // create_graph: the same derivative from differentiable operations on the saved input.
            var sign = t * 2.0 - 1.0;
            var z = x * sign;
            var p = z.sigmoid();
            var q = z.neg().sigmoid();
            var bce = z.neg().softplus();
            var w = _parameters.Gamma == 0 ? ones_like(q) : (z.softplus() * -_parameters.Gamma).exp();
            var scale = _parameters.Alpha is double alpha ? t * (2 * alpha - 1) + (1.0 - alpha) : ones_like(t);
            if (v is not null) scale = scale * v;
            return gradOutput * (sign * scale * w * (p * bce * -_parameters.Gamma - q));
        }
    }
}
