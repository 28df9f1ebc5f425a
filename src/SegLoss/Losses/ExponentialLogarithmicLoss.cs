using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Exponential-logarithmic loss (Wong, Moradi, Tang and Syeda-Mahmood, "3D segmentation with
    /// exponential logarithmic loss for highly unbalanced object sizes", MICCAI 2018): a weighted sum of a Dice
    /// term and a cross-entropy term, each a mean of a power γ &lt; 1 of a negative log, which emphasises the
    /// poorly segmented classes and pixels less steeply than a focal term.
    /// </summary>
    /// <remarks>
    /// <para>L = w_Dice·E_i[(−ln D_i)^γ_Dice] + w_Cross·E_x[w_l·(−ln p_l(x))^γ_Cross], the paper's form (not the
    /// simplified one of JunMa11/SegLoss, which averages Dice over classes before the log and does not raise the CE).
    /// D_i is the soft Dice (2·TP_i + s_n)/(P_i + G_i + s_d) of class i (per image, or over the batch with
    /// <c>batch</c>; E_i averages over images and classes, leaving channel 0 out with
    /// <c>includeBackground: false</c>); l = l(x) is the label of pixel x, p_l its predicted probability and
    /// E_x the mean over the non-ignored pixels. Label weights w_l = ((Σ_k f_k)/f_l)^0.5 with f_k the number of
    /// pixels labelled k in the batch (soft targets: Σ g_k), computed without gradient, unless
    /// <c>labelWeights</c> gives them. Defaults w_Dice = 0.8, w_Cross = 0.2, γ_Dice = γ_Cross = 0.3 and a
    /// pseudocount s_n = s_d = 1 are the paper's as reproduced by the public re-implementations (PyMIC, SegLoss);
    /// they could not be checked against the paper text.</para>
    /// <para>Soft targets g: the CE term is E_x[Σ_c g_c·w_c·(−ln p_c)^γ_Cross]. Binary/Multilabel: each channel is a
    /// two-label problem (foreground p, background 1 − p) in the CE term, with f_1 = Σ t and f_0 = Σ (1 − t) per
    /// channel, E_x averaging over (pixel, channel) entries; the Dice term uses the foreground channels.</para>
    /// <para>Numerics: (−ln D)^γ and (−ln p)^γ have infinite slope at D = 1 and p = 1 when γ &lt; 1, so each power
    /// is taken as (u + ε)^γ − ε^γ with ε = <c>epsilon</c> (1e-8): exactly 0 for a perfect prediction, finite
    /// gradients everywhere, and at most ε^γ (0.004 at the defaults) below u^γ. D is clamped to [1e-7, 1] before the
    /// log; −ln p comes from log_softmax / logsigmoid.</para>
    /// <para>Reduction: Mean only — the two expectations run over different sets (classes, pixels), so no
    /// per-element map exists; None and Sum are rejected.</para>
    /// </remarks>
    public sealed class ExponentialLogarithmicLoss : RegionLoss
    {
        private const double DiceClamp = 1e-7;

        // Buffer; the field is named like the buffer so that module.to(...) rewrites it.
        private Tensor? labelWeights;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary, Multiclass (default) or Multilabel.</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="diceWeight">w_Dice (0.8).</param>
        /// <param name="crossWeight">w_Cross (0.2).</param>
        /// <param name="diceGamma">γ_Dice &gt; 0 (0.3).</param>
        /// <param name="crossGamma">γ_Cross &gt; 0 (0.3).</param>
        /// <param name="smoothNumerator">s_n of the Dice ratio (1, the paper's pseudocount).</param>
        /// <param name="smoothDenominator">s_d of the Dice ratio (1).</param>
        /// <param name="includeBackground">Whether channel 0 enters the Dice term (Multiclass/Multilabel).</param>
        /// <param name="batch">Dice over the whole batch instead of per image.</param>
        /// <param name="labelWeights">Multiclass only: fixed w_l (C), finite and non-negative, instead of batch frequencies.</param>
        /// <param name="epsilon">ε of the guarded powers (1e-8), &gt; 0.</param>
        /// <param name="ignoreIndex">Target value to ignore, or null.</param>
        /// <param name="reduction">Mean (the only one supported).</param>
        /// <param name="classMean">How the Dice term's per-class values become E_i: the plain mean (default; no class
        /// weights here, so <see cref="ClassMean.EntryCount"/> is the same), or <see cref="ClassMean.AbsentAsZero"/>, which
        /// counts classes absent from the target as 0 in it. The CE term is unaffected.</param>
        public ExponentialLogarithmicLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double diceWeight = 0.8,
            double crossWeight = 0.2, double diceGamma = 0.3, double crossGamma = 0.3, double smoothNumerator = 1.0,
            double smoothDenominator = 1.0, bool includeBackground = true, bool batch = false, Tensor? labelWeights = null,
            double epsilon = 1e-8, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean,
            ClassMean classMean = ClassMean.WeightSum)
            : base(mode, fromLogits, smoothNumerator, smoothDenominator, includeBackground, batch, null, ignoreIndex, reduction, classMean)
        {
            Arguments.NonNegative(diceWeight, nameof(diceWeight));
            Arguments.NonNegative(crossWeight, nameof(crossWeight));
            CheckPositive(diceGamma, nameof(diceGamma));
            CheckPositive(crossGamma, nameof(crossGamma));
            CheckPositive(epsilon, nameof(epsilon));
            // An undefined value is reported as such (with the defined ones) before the Mean-only rule.
            Arguments.Reduction(reduction, nameof(reduction));
            if (reduction != nn.Reduction.Mean)
                throw new ArgumentException($"{nameof(reduction)} must be Mean for the exponential-logarithmic loss (its Dice and CE expectations run over classes and pixels respectively), got {reduction}", nameof(reduction));
            if (labelWeights is not null && mode != LossMode.Multiclass)
                throw new ArgumentException($"{nameof(labelWeights)} applies to Multiclass mode, got mode {mode}", nameof(labelWeights));
            DiceWeight = diceWeight;
            CrossWeight = crossWeight;
            DiceGamma = diceGamma;
            CrossGamma = crossGamma;
            Epsilon = epsilon;
            this.labelWeights = Arguments.ChannelWeights(labelWeights, nameof(labelWeights));
            if (this.labelWeights is not null) register_buffer(nameof(labelWeights), this.labelWeights);
        }

        /// <summary>Weight of the Dice term.</summary>
        public double DiceWeight { get; }

        /// <summary>Weight of the cross-entropy term.</summary>
        public double CrossWeight { get; }

        /// <summary>Exponent of the Dice term.</summary>
        public double DiceGamma { get; }

        /// <summary>Exponent of the cross-entropy term.</summary>
        public double CrossGamma { get; }

        /// <summary>ε of the guarded powers (u + ε)^γ − ε^γ.</summary>
        public double Epsilon { get; }

        /// <summary>Fixed label weights (C) as a float64 buffer, or null for batch frequencies.</summary>
        public Tensor? LabelWeights => labelWeights;

        /// <inheritdoc/>
        public override string DisplayName => "ExpLog";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target) => WithSharedActivations(input, target, () => Terms(input, target));

        /// <summary>The region and pixel terms, sharing one activation of the input.</summary>
        private Tensor Terms(Tensor input, Tensor target)
        {
            var (inputs, stats) = Statistics(input, target);
            Arguments.ChannelCount(labelWeights, inputs.C, nameof(labelWeights));
            var dice = Ratio(stats.TruePositive * 2.0 + SmoothNumerator, stats.PredictionSum + stats.TargetSum + SmoothDenominator)
                .clamp(DiceClamp, 1.0);
            var diceTerm = ReduceClasses(GuardedPower(dice.log().neg(), DiceGamma), stats.TargetSum);
            var crossTerm = Mode == LossMode.Multiclass ? SoftmaxCrossTerm(inputs) : SigmoidCrossTerm(inputs);
            return diceTerm * DiceWeight + crossTerm * CrossWeight;
        }

        /// <summary>(u + ε)^γ − ε^γ for u ≥ 0.</summary>
        private Tensor GuardedPower(Tensor u, double gamma) => Activation.PositivePower(u.clamp_min(0.0) + Epsilon, gamma) - Math.Pow(Epsilon, gamma);

        /// <summary>w = ((Σ_k f_k)/f)^0.5 per entry of f (last or channel axis), 0 where f = 0 (the label never occurs).</summary>
        private static Tensor FrequencyWeights(Tensor frequencies, Tensor total)
        {
            var present = frequencies.gt(0);
            var safe = frequencies.where(present, ones_like(frequencies));
            return (total / safe).sqrt().where(present, zeros_like(frequencies));
        }

        /// <summary>Number of non-ignored pixels per label (C), a histogram built by scatter-add.</summary>
        private static Tensor LabelCounts(SegmentationInputs inputs)
        {
            var x = inputs.Input;
            var counts = inputs.Valid is null ? ones(inputs.N * inputs.S, x.dtype, x.device) : inputs.Valid.reshape(-1);
            return zeros(inputs.C, x.dtype, x.device).scatter_add_(0, inputs.Labels!.reshape(-1), counts);
        }

        private Tensor SoftmaxCrossTerm(SegmentationInputs inputs)
        {
            var x = inputs.Input;
            Tensor weights;
            using (no_grad())
            {
                if (labelWeights is not null) weights = labelWeights.to(x.dtype, x.device).expand(inputs.C);
                else
                {
                    var frequencies = inputs.Labels is not null ? LabelCounts(inputs) : inputs.Target!.sum(new long[] { 0, 2 });
                    weights = FrequencyWeights(frequencies, frequencies.sum());
                }
            }
            Tensor perPixel;
            if (inputs.Labels is not null)
            {
                // −ln p_l per pixel from the fused cross-entropy kernel when the input holds logits.
                var nll = FusedCrossEntropy.TryPerElement(inputs, FromLogits, null, null, 0.0)
                    ?? Activation.LogProbabilities(x, LossMode.Multiclass, FromLogits).gather(1, inputs.Labels.unsqueeze(1)).squeeze(1).neg();
                perPixel = GuardedPower(nll, CrossGamma) * weights.index_select(0, inputs.Labels.reshape(-1)).reshape(inputs.N, inputs.S);
            }
            else
            {
                var logp = Activation.LogProbabilities(x, LossMode.Multiclass, FromLogits);
                perPixel = (GuardedPower(logp.neg(), CrossGamma) * inputs.Target! * weights.view(1, inputs.C, 1)).sum(1);
            }
            return PixelReduction.Reduce(PixelReduction.Masked(inputs, perPixel), inputs, nn.Reduction.Mean);
        }

        private Tensor SigmoidCrossTerm(SegmentationInputs inputs)
        {
            var x = inputs.Input;
            var t = inputs.Target!;
            var logP = Activation.LogProbabilities(x, Mode, FromLogits);
            var logQ = Activation.LogComplement(x, FromLogits);
            Tensor w1, w0;
            using (no_grad())
            {
                var valid = inputs.Valid ?? ones_like(t);
                var positives = t.sum(new long[] { 0, 2 });
                var negatives = ((1.0 - t) * valid).sum(new long[] { 0, 2 });
                var total = positives + negatives;
                w1 = FrequencyWeights(positives, total).view(1, inputs.C, 1);
                w0 = FrequencyWeights(negatives, total).view(1, inputs.C, 1);
            }
            var perEntry = t * w1 * GuardedPower(logP.neg(), CrossGamma) + (1.0 - t) * w0 * GuardedPower(logQ.neg(), CrossGamma);
            return PixelReduction.Reduce(PixelReduction.Masked(inputs, perEntry), inputs, nn.Reduction.Mean);
        }
    }
}
