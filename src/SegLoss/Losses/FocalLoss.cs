using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Focal loss (Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017): cross-entropy scaled by
    /// (1 − p_t)^γ so that well-classified pixels contribute little.
    /// </summary>
    /// <remarks>
    /// <para>Binary/Multilabel (sigmoid, per channel entry): FL = −α_t·(1 − p_t)^γ·log p_t with p_t = σ(z) for
    /// t = 1 and 1 − σ(z) for t = 0; α_t = α for positives and 1 − α for negatives (no α factor when
    /// <c>alpha</c> is null; the paper's RetinaNet value is α = 0.25). Soft targets t ∈ [0, 1] use
    /// BCE(z, t) = −t·log σ(z) − (1 − t)·log(1 − σ(z)), 1 − p_t = σ(z)·(1 − t) + (1 − σ(z))·t and
    /// α_t = α·t + (1 − α)·(1 − t).</para>
    /// <para>Multiclass (softmax): FL = −α_y·(1 − p_y)^γ·log p_y for hard labels y, and
    /// −Σ_c α_c·g_c·(1 − p_c)^γ·log p_c for soft targets g, with an optional per-class vector α (C)
    /// (<c>classAlpha</c>; 1 for every class when null).</para>
    /// <para>γ = 0 without α is exactly <see cref="CrossEntropyLoss"/> (unweighted). Mean is the plain mean over
    /// non-ignored pixels (Multiclass) or entries (Binary/Multilabel) — α is part of the per-pixel loss, not a
    /// normaliser (unlike CE's class-weighted mean). If every pixel is ignored Mean returns 0 with a zero gradient.
    /// Sum is the sum; None returns (N, *spatial) for Multiclass and (N, C, *spatial) otherwise.</para>
    /// <para>Stability: for logits, log p_t comes from log_softmax + a gather of the true class (softmax) or from
    /// TorchSharp's fused BCE-with-logits kernel (sigmoid), and 1 − p_t is formed without cancellation — −expm1(log p_y) for softmax, σ(z)·(1 − t) +
    /// σ(−z)·t for sigmoid — before the power, which floors its base at 1e-30 so that γ &lt; 1 gives finite gradients
    /// even when p_t rounds to 1 (logits of ±1e4). With probability inputs (<c>fromLogits: false</c>) the logs and
    /// 1 − p_t clamp at 1e-7.</para>
    /// <para><c>includeBackground: false</c> leaves class (channel) 0 out of the loss. Multilabel: channel 0's entries
    /// are dropped; Mean is over the remaining non-ignored entries and None returns (N, C − 1, *spatial) (MONAI's
    /// sigmoid <c>FocalLoss(include_background=False)</c>, which slices channel 0 off before its sigmoid: the same
    /// thing, since sigmoid acts per channel). Multiclass: the softmax still runs over all C channels and class 0's
    /// terms are dropped — a pixel labelled 0 contributes 0 but still counts in Mean's pixel count (under
    /// <see cref="PixelMean.ValidElements"/>; <see cref="PixelMean.ChannelEntries"/> divides by (C − 1) × the pixels);
    /// soft targets sum c = 1..C−1. This differs on purpose from MONAI's softmax <c>FocalLoss(use_softmax=True,
    /// include_background=False)</c>, which slices channel 0 off the logits <i>before</i> its softmax (a softmax over
    /// the foreground channels only, a different model of the probabilities; with C = 2 it leaves one channel and a
    /// loss of exactly 0) and drops its scalar α; its value is <c>new FocalLoss(pixelMean: PixelMean.ChannelEntries)</c>
    /// called on <c>input[:, 1:]</c> and the one-hot target's channels 1.. as soft targets. Binary: ignored (a single channel has no background channel to
    /// drop), as in the region losses. MONAI's <c>DiceFocalLoss(include_background=False, to_onehot_y=True, gamma=γ,
    /// alpha=α)</c> does not forward <c>use_softmax</c>, so its focal part is the sigmoid form on the one-hot target,
    /// reproduced by <c>new FocalLoss(LossMode.Multilabel, gamma: γ, alpha: α, includeBackground: false)</c> on
    /// <c>OneHot.Encode(labels, C)</c>.</para>
    /// <para><c>pixelMean</c> (<see cref="PixelMean"/>) chooses what Mean divides by: the non-ignored pixels/entries
    /// (default), all of them (ignored as zeros), or for Multiclass C × the non-ignored pixels — MONAI's
    /// <c>FocalLoss(use_softmax=True, to_onehot_y=True, gamma=γ, alpha=α)</c>, whose (N, C, *spatial) loss is 0 off the
    /// true class before <c>.mean()</c>, is <c>new FocalLoss(gamma: γ, classAlpha: [1 − α, α, …, α],
    /// pixelMean: PixelMean.ChannelEntries)</c>.</para>
    /// <para>On the CPU, the sigmoid form (Binary, Multilabel with every channel) of logits against 0/1 targets runs as one
    /// autograd node whose forward also writes each entry's derivative (<see cref="SegLossSettings.AnalyticBackward"/>): the
    /// same values and gradients in fewer passes.</para>
    /// </remarks>
    public sealed class FocalLoss : SegmentationLoss
    {
        // Buffer; the field is named like the buffer so that module.to(...) rewrites it.
        private Tensor? classAlpha;
        private const double WeightFloor = 1e-30;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax focal), Binary or Multilabel (sigmoid focal).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="gamma">Focusing parameter γ ≥ 0 (default 2); 0 gives cross-entropy.</param>
        /// <param name="alpha">Binary/Multilabel only: weight α ∈ [0, 1] of positives (1 − α for negatives), or null for none.</param>
        /// <param name="classAlpha">Multiclass only: per-class weights α_c (C), finite and non-negative, or null.</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        /// <param name="includeBackground">True (default): every class; false: leave class (channel) 0 out (Multiclass, Multilabel; no effect for Binary).</param>
        /// <param name="pixelMean">What Mean divides by: ValidElements (default), AllElements or ChannelEntries (see <see cref="PixelMean"/>).</param>
        public FocalLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double gamma = 2.0, double? alpha = null,
            Tensor? classAlpha = null, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean,
            bool includeBackground = true, PixelMean pixelMean = PixelMean.ValidElements)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.Defined(pixelMean, nameof(pixelMean));
            Arguments.NonNegative(gamma, nameof(gamma));
            if (alpha.HasValue)
            {
                if (mode == LossMode.Multiclass)
                    throw new ArgumentException($"{nameof(alpha)} (the scalar weight of positives) applies to Binary and Multilabel modes, got mode {mode} with alpha {alpha.Value}; give per-class weights as classAlpha for Multiclass", nameof(alpha));
                Arguments.UnitInterval(alpha.Value, nameof(alpha));
            }
            if (classAlpha is not null && mode != LossMode.Multiclass)
                throw new ArgumentException($"{nameof(classAlpha)} (per-class weights) applies to Multiclass mode, got mode {mode}; use the scalar alpha for Binary and Multilabel", nameof(classAlpha));
            Mode = mode;
            FromLogits = fromLogits;
            Gamma = gamma;
            Alpha = alpha;
            IgnoreIndex = ignoreIndex;
            IncludeBackground = includeBackground;
            PixelMean = pixelMean;
            this.classAlpha = ClassReduction.ValidateWeights(classAlpha, nameof(classAlpha));
            if (this.classAlpha is not null) register_buffer(nameof(classAlpha), this.classAlpha);
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>The focusing parameter γ.</summary>
        public double Gamma { get; }

        /// <summary>The scalar α of positives (Binary/Multilabel), or null.</summary>
        public double? Alpha { get; }

        /// <summary>The per-class α (C) as a float64 buffer (Multiclass), or null.</summary>
        public Tensor? ClassAlpha => classAlpha;

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>Whether class (channel) 0 is part of the loss.</summary>
        public bool IncludeBackground { get; }

        /// <summary>What the Mean reduction divides by.</summary>
        public PixelMean PixelMean { get; }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            ClassReduction.CheckWeightCount(classAlpha, inputs.C, nameof(classAlpha));
            // As the region losses: nothing to drop with a single channel (Binary, or one Multilabel channel).
            long first = !IncludeBackground && Mode != LossMode.Binary && inputs.C > 1 ? 1 : 0;
            // CPU logits against 0/1 targets: the whole loss as one analytic operation, with the values and gradients of Sigmoid.
            var fused = first == 0 ? SigmoidFocalTerms.TryReduced(inputs, Gamma, Alpha, reduction, PixelMean) : null;
            if (fused is not null) return fused;
            var loss = Mode == LossMode.Multiclass ? Softmax(inputs, first > 0) : Sigmoid(inputs);
            if (Mode != LossMode.Multiclass && first > 0) loss = loss.narrow(1, first, inputs.C - first);
            return PixelReduction.Reduce(PixelReduction.Masked(inputs, loss, first), inputs, reduction, null, PixelMean, first);
        }

        /// <summary>Per-pixel softmax focal loss (N, S); without the terms of class 0 when <paramref name="dropBackground"/>.</summary>
        private Tensor Softmax(SegmentationInputs inputs, bool dropBackground)
        {
            var x = inputs.Input;
            var alpha = classAlpha?.to(x.dtype, x.device);
            if (inputs.Labels is not null)
            {
                Tensor loss;
                if (FromLogits)
                {
                    // log p_y from log_softmax + gather (shared with other terms of a sum); 1 − p_y = −expm1(log p_y)
                    // has no cancellation. γ = 2 (the default) folds the weight: −log p·(1 − p)² = −a·expm1(a)².
                    var logpy = Activation.TrueClassLogProbability(inputs);
                    loss = Gamma == 2.0 ? (logpy * logpy.expm1().square()).neg()
                        : Gamma == 0.0 ? logpy.neg()
                        : logpy.neg() * FocalWeight(logpy.expm1().neg());
                }
                else
                {
                    var py = x.gather(1, inputs.Labels.unsqueeze(1)).squeeze(1);
                    loss = py.clamp_min(Activation.ProbabilityEpsilon).log().neg();
                    if (Gamma != 0) loss = loss * FocalWeight((1.0 - py).clamp_min(Activation.ProbabilityEpsilon));
                }
                if (alpha is not null) loss = loss * alpha.index_select(0, inputs.Labels.reshape(-1)).reshape(inputs.N, inputs.S);
                // A pixel's only term is its true class's: pixels labelled 0 contribute 0 (times the bool mask: no cast pass).
                return dropBackground ? loss * inputs.Labels.ne(0) : loss;
            }
            var logp = Activation.LogProbabilities(x, LossMode.Multiclass, FromLogits);
            var term = (logp * inputs.Target!).neg();
            if (Gamma != 0)
            {
                var log1m = FromLogits ? Activation.Log1mExp(logp) : (1.0 - x).clamp_min(Activation.ProbabilityEpsilon).log();
                term = term * (log1m * Gamma).exp();
            }
            if (alpha is not null) term = term * alpha.view(1, inputs.C, 1);
            return (dropBackground ? term.narrow(1, 1, inputs.C - 1) : term).sum(1);
        }

        /// <summary>
        /// (1 − p_t)^γ from 1 − p_t ≥ 0. The floor at 1e-30 keeps the derivative of x^γ finite for γ &lt; 1 where
        /// p_t rounds to 1 (the weight there is at most 1e-30^γ, against a loss term that is itself ≈ 0).
        /// </summary>
        private Tensor FocalWeight(Tensor oneMinusPt) => Activation.PositivePower(oneMinusPt.clamp_min(WeightFloor), Gamma);

        /// <summary>Per-entry sigmoid focal loss (N, C, S).</summary>
        private Tensor Sigmoid(SegmentationInputs inputs)
        {
            var x = inputs.Input;
            var t = inputs.Target!;
            Tensor loss;
            if (FromLogits)
            {
                // Fused BCE with logits per entry. For 0/1 targets p_t = exp(−BCE) exactly, so 1 − p_t = −expm1(−BCE)
                // (no cancellation, three passes); for soft targets 1 − p_t = σ(z)·(1 − t) + σ(−z)·t.
                loss = FusedCrossEntropy.TryPerElement(inputs, true, null, null, 0.0)!;
                if (Gamma != 0 && inputs.HardTargets)
                    loss = Gamma == 2.0 ? loss * loss.neg().expm1().square() : loss * FocalWeight(loss.neg().expm1().neg());
                else if (Gamma != 0) loss = loss * FocalWeight(x.sigmoid() * (1.0 - t) + x.neg().sigmoid() * t);
            }
            else
            {
                var logP = Activation.LogProbabilities(x, Mode, FromLogits);
                var logQ = Activation.LogComplement(x, FromLogits);
                loss = (t * logP + (1.0 - t) * logQ).neg();
                if (Gamma != 0) loss = loss * FocalWeight((x * (1.0 - t) + (1.0 - x) * t).clamp_min(Activation.ProbabilityEpsilon));
            }
            // α·t + (1 − α)·(1 − t) as one multiply-add.
            if (Alpha.HasValue) loss = loss * (t * (2 * Alpha.Value - 1) + (1.0 - Alpha.Value));
            return loss;
        }
    }
}
