using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Conservative loss (Zhu et al., "Penalizing Top Performers: Conservative Loss
    /// for Semantic Segmentation Adaptation", ECCV 2018), a pixel-wise loss of the true-class probability.
    /// </summary>
    /// <remarks>
    /// <para>Per pixel (Multiclass, softmax, hard labels y) or per channel entry (Binary/Multilabel, sigmoid), with
    /// p the true-class probability clamped to [ε, 1 − ε]:
    /// CL(p) = λ·(1 + log_a p)²·log_a(−log_a p), λ = <c>lambda</c> (5), a = <c>logBase</c> (e).
    /// p = softmax(z)_y for Multiclass; p_t = σ(z) for t = 1 and 1 − σ(z) for t = 0 in Binary/Multilabel
    /// (t·σ(z) + (1 − t)·(1 − σ(z)) for a soft t). log p comes from log_softmax / logsigmoid.</para>
    /// <para>Shape of the function (a &gt; 1): CL is strictly decreasing in p on (0, 1), positive for p &lt; 1/a, 0 at
    /// p = 1/a (where its derivative vanishes too: a stationary inflection), negative for p &gt; 1/a, +∞ as p → 0 and
    /// −∞ as p → 1; e.g. for a = e, λ = 5: CL(0.1) ≈ 7.08, CL(0.9) ≈ −9.01. The clamp keeps value and gradient
    /// finite (CL(1 − 10⁻⁷) ≈ −80.6 at the defaults) and gives a zero gradient beyond it.</para>
    /// <para>Not verified: the formula is taken from the project brief and could not be checked against the paper
    /// text or any implementation. As written it has no region where gradient descent lowers p, unlike the paper
    /// abstract's "gradient ascend" on the best-performing pixels.</para>
    /// <para>Reductions as <see cref="CrossEntropyLoss"/> without weights: Mean over non-ignored pixels (entries),
    /// Sum, None as (N, *spatial) for Multiclass and (N, C, *spatial) otherwise, ignored pixels 0; every pixel
    /// ignored gives 0 with a zero gradient. Multiclass soft targets are rejected (there is no single true
    /// class).</para>
    /// </remarks>
    public sealed class ConservativeLoss : SegmentationLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax on integer labels), Binary or Multilabel (sigmoid).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="lambda">The scale λ &gt; 0 (5).</param>
        /// <param name="logBase">The logarithm base a &gt; 1 (e).</param>
        /// <param name="epsilon">ε in (0, 0.5): p is clamped to [ε, 1 − ε] (1e-7).</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        public ConservativeLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double lambda = 5.0,
            double logBase = Math.E, double epsilon = 1e-7, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            if (!(lambda > 0) || double.IsInfinity(lambda))
                throw new ArgumentException($"{nameof(lambda)} must be finite and positive, got {lambda}", nameof(lambda));
            if (!(logBase > 1) || double.IsInfinity(logBase))
                throw new ArgumentException($"{nameof(logBase)} must be finite and greater than 1 (log_a(−log_a p) needs log_a p < 0), got {logBase}", nameof(logBase));
            if (!(epsilon > 0 && epsilon < 0.5))
                throw new ArgumentException($"{nameof(epsilon)} must be in (0, 0.5), got {epsilon}", nameof(epsilon));
            Mode = mode;
            FromLogits = fromLogits;
            Lambda = lambda;
            LogBase = logBase;
            Epsilon = epsilon;
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>The scale λ.</summary>
        public double Lambda { get; }

        /// <summary>The logarithm base a.</summary>
        public double LogBase { get; }

        /// <summary>The clamp ε: p is kept in [ε, 1 − ε].</summary>
        public double Epsilon { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var x = inputs.Input;
            Tensor logp;
            if (Mode == LossMode.Multiclass)
            {
                if (inputs.Labels is null)
                    throw new ArgumentException($"target has shape {Shapes.Format(target.shape)} (soft labels) but {nameof(ConservativeLoss)} needs the true class: integer labels of shape {Shapes.Format(new[] { inputs.N }.Concat(inputs.Spatial))}", nameof(target));
                logp = Activation.LogProbabilities(x, Mode, FromLogits).gather(1, inputs.Labels.unsqueeze(1)).squeeze(1);
            }
            else
            {
                // p_t = t·p + (1 − t)·(1 − p) in probability space: p_t is clamped to [ε, 1 − ε] before the log,
                // where the probabilities are exact enough, and an infinite logit (p = 0 or 1) keeps a finite
                // gradient (a log-space logsumexp of two −∞ terms has a NaN one).
                var t = inputs.Target!;
                var p = FromLogits ? x.sigmoid() : x;
                logp = (t * p + (1.0 - t) * (1.0 - p)).clamp(Epsilon, 1 - Epsilon).log();
            }
            double lnA = Math.Log(LogBase);
            var u = logp.clamp(Math.Log(Epsilon), Math.Log(1 - Epsilon)) / lnA; // log_a p < 0
            var loss = (u + 1.0).square() * (u.neg().log() * (Lambda / lnA));
            return PixelReduction.Reduce(PixelReduction.Masked(inputs, loss), inputs, reduction);
        }
    }
}
