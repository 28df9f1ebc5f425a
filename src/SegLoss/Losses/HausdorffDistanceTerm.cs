using System;
using SegLoss.Maps;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The options and the per-(image, class) value of the distance-transform Hausdorff loss (Karimi and Salcudean,
    /// TMI 2020, eq. 8), shared by <see cref="HausdorffDistanceLoss"/> and <see cref="LogHausdorffDistanceLoss"/>:
    /// one validation of the options, one computation of the maps and of (1/|Ω|) Σ (p − q)²·(d_p^α + d_q^α).
    /// </summary>
    internal sealed class HausdorffDistanceTerm
    {
        /// <summary>Validates the options (before any tensor exists) and keeps a private copy of the spacing.</summary>
        internal HausdorffDistanceTerm(LossMode mode, bool fromLogits, double alpha, bool includeBackground, double[]? spacing, long? ignoreIndex)
        {
            Arguments.Mode(mode, nameof(mode));
            if (!(alpha > 0) || double.IsInfinity(alpha))
                throw new ArgumentException($"{nameof(alpha)} must be finite and positive, got {alpha}", nameof(alpha));
            Spacing = MapTensors.CheckedSpacing(spacing, nameof(spacing));
            Mode = mode;
            FromLogits = fromLogits;
            Alpha = alpha;
            IncludeBackground = includeBackground;
            IgnoreIndex = ignoreIndex;
        }

        internal LossMode Mode { get; }

        internal bool FromLogits { get; }

        internal double Alpha { get; }

        internal bool IncludeBackground { get; }

        internal double[]? Spacing { get; }

        internal long? IgnoreIndex { get; }

        /// <summary>The loss per image and selected class, (N, K), before any reduction.</summary>
        internal Tensor PerClass(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            long c = inputs.C;
            long first = !IncludeBackground && Mode != LossMode.Binary && c > 1 ? 1 : 0;
            long k = c - first;
            var p = Activation.Probabilities(inputs.Input, Mode, FromLogits).narrow(1, first, k);
            var q = inputs.DenseTarget().narrow(1, first, k);
            Tensor? valid = inputs.Valid;
            if (valid is not null && valid.shape[1] != 1) valid = valid.narrow(1, first, k);

            var predictedMask = p.detach().gt(0.5);
            if (valid is not null) predictedMask = predictedMask.logical_and(valid.gt(0));
            var targetMask = q.gt(0.5);
            var type = inputs.Input.dtype;
            var dp = MaskMaps.Compute(predictedMask, inputs.Spatial, Spacing, MaskMaps.Kind.BoundaryDistance, type);
            var dq = MaskMaps.Compute(targetMask, inputs.Spatial, Spacing, MaskMaps.Kind.BoundaryDistance, type);
            var distance = Alpha == 2.0 ? dp.square() + dq.square() : dp.pow(Alpha) + dq.pow(Alpha);
            var error = (p - q).square() * distance;
            if (valid is null) return error.sum(dim: 2) / inputs.S;
            error = error * valid;
            var counts = (valid.shape[1] == 1 ? valid.expand(inputs.N, k, inputs.S) : valid).sum(dim: 2);
            return PixelReduction.SafeDivide(error.sum(dim: 2), counts);
        }

        /// <summary>None: the (N, K) values; Sum: their sum; Mean: their mean.</summary>
        internal static Tensor Reduce(Tensor perClass, nn.Reduction reduction) => reduction switch
        {
            nn.Reduction.None => perClass,
            nn.Reduction.Sum => perClass.sum(),
            _ => perClass.mean(),
        };
    }
}
