using System.Collections.Generic;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The options and per-(image, class) value shared by <see cref="HausdorffDistanceLoss"/> and
    /// <see cref="LogHausdorffDistanceLoss"/>, which differ only in what they do with the reduced value.
    /// </summary>
    public abstract class HausdorffDistanceLossBase : SegmentationLoss
    {
        private readonly HausdorffDistanceTerm _term;

        /// <summary>
        /// Validates the options before any tensor exists (the reduction here, the rest in
        /// <see cref="HausdorffDistanceTerm"/>); see the derived losses for their meaning.
        /// </summary>
        private protected HausdorffDistanceLossBase(LossMode mode, bool fromLogits, double alpha, bool includeBackground,
            double[]? spacing, long? ignoreIndex, nn.Reduction reduction)
            : base(reduction)
        {
            Arguments.Reduction(reduction, nameof(reduction));
            _term = new HausdorffDistanceTerm(mode, fromLogits, alpha, includeBackground, spacing, ignoreIndex);
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode => _term.Mode;

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits => _term.FromLogits;

        /// <summary>The distance exponent α.</summary>
        public double Alpha => _term.Alpha;

        /// <summary>Whether channel 0 counts (Multiclass/Multilabel).</summary>
        public bool IncludeBackground => _term.IncludeBackground;

        /// <summary>The pixel spacing of the distance maps, or null (unit spacing).</summary>
        public IReadOnlyList<double>? Spacing => _term.Spacing;

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex => _term.IgnoreIndex;

        /// <summary>The loss reduced as configured (None: per image and selected class, (N, K)).</summary>
        private protected Tensor Reduced(Tensor input, Tensor target) =>
            HausdorffDistanceTerm.Reduce(_term.PerClass(input, target), reduction);
    }
}
