using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The two terms of Yeung et al.'s asymmetric unified focal loss, shared by <see cref="AsymmetricFocalLoss"/>,
    /// <see cref="AsymmetricFocalTverskyLoss"/> and <see cref="AsymmetricUnifiedFocalLoss"/>. Channel 0 is the
    /// background (suppressed), every other channel a rare foreground class (enhanced); Binary mode is the two channels
    /// [1 − p, p].
    /// </summary>
    internal static class AsymmetricFocalTerms
    {
        /// <summary>Floor of 1 − p before the focal power, so that γ &lt; 1 keeps a finite derivative where p rounds to 1.</summary>
        private const double WeightFloor = 1e-30;

        /// <summary>Floor of 1 − TI before the power 1 − γ (as <see cref="TverskyLoss"/>): a finite gradient at TI = 1.</summary>
        internal const double PowerClamp = 1e-7;

        /// <summary>
        /// The asymmetric focal term per pixel (N, S), zero at ignored pixels:
        /// (1 − δ)·(1 − p_0)^γ·(−g_0·ln p_0) + δ·Σ_{c≥1} (−g_c·ln p_c).
        /// </summary>
        internal static Tensor FocalPerPixel(SegmentationInputs inputs, double delta, double gamma)
        {
            var x = inputs.Input;
            Tensor loss;
            if (inputs.Mode == LossMode.Binary)
            {
                // Background p_0 = 1 − p (log from logsigmoid(−z)), foreground p_1 = p; 1 − p_0 = p itself.
                var t = inputs.Target!;
                var logP = Activation.LogProbabilities(x, LossMode.Binary, inputs.FromLogits);
                var logQ = Activation.LogComplement(x, inputs.FromLogits);
                var background = (1.0 - t) * logQ;
                if (gamma != 0)
                {
                    // p^γ = exp(γ·ln p) for logits (no floor needed); probabilities clamp as their logs do.
                    var weight = inputs.FromLogits ? (logP * gamma).exp() : Activation.PositivePower(x.clamp_min(Activation.ProbabilityEpsilon), gamma);
                    background = background * weight;
                }
                loss = (background * (1.0 - delta) + t * logP * delta).neg().squeeze(1);
            }
            else if (inputs.Labels is not null)
            {
                // One gather: the pixel's own class is its only term, weighted (1 − δ)·(1 − p_0)^γ for background
                // and δ for foreground.
                var labels = inputs.Labels;
                Tensor logPy, oneMinusPy;
                if (inputs.FromLogits)
                {
                    logPy = Activation.TrueClassLogProbability(inputs);
                    oneMinusPy = logPy.expm1().neg();
                }
                else
                {
                    var py = x.gather(1, labels.unsqueeze(1)).squeeze(1);
                    logPy = py.clamp_min(Activation.ProbabilityEpsilon).log();
                    oneMinusPy = (1.0 - py).clamp_min(Activation.ProbabilityEpsilon);
                }
                var backgroundWeight = gamma == 0 ? full_like(logPy, 1.0 - delta) : Power(oneMinusPy, gamma) * (1.0 - delta);
                var weight = backgroundWeight.where(labels.eq(0), full_like(logPy, delta));
                loss = (logPy * weight).neg();
            }
            else
            {
                var g = inputs.Target!;
                var logp = Activation.LogProbabilities(inputs);
                var term = (logp * g).neg();
                long c = inputs.C;
                var background = term.narrow(1, 0, 1) * (1.0 - delta);
                if (gamma != 0)
                {
                    var oneMinusP0 = inputs.FromLogits
                        ? logp.narrow(1, 0, 1).expm1().neg()
                        : (1.0 - x.narrow(1, 0, 1)).clamp_min(Activation.ProbabilityEpsilon);
                    background = background * Power(oneMinusP0, gamma);
                }
                loss = background.squeeze(1) + term.narrow(1, 1, c - 1).sum(1) * delta;
            }
            return PixelReduction.Masked(inputs, loss);
        }

        /// <summary>
        /// The asymmetric focal Tversky term per (image, class) — or per class with <paramref name="batch"/> — over the
        /// channels [background, foreground…] (two for Binary): 1 − TI_0 for the background and
        /// max(1 − TI_c, 1e-7)^(1 − γ) for each foreground class, with
        /// TI_c = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s).
        /// </summary>
        internal static Tensor TverskyPerClass(SegmentationInputs inputs, double delta, double gamma, double smooth, bool batch)
        {
            var (tp, fn, fp) = Statistics(inputs, batch);
            var numerator = tp + smooth;
            var denominator = tp + fn * delta + fp * (1.0 - delta) + smooth;
            Tensor index;
            if (smooth > 0) index = numerator / denominator;
            else
            {
                // s = 0: a class absent from prediction and target (0/0) counts as perfect, with a finite gradient.
                var empty = denominator.eq(0);
                index = (numerator / denominator.masked_fill(empty, 1.0)).masked_fill(empty, 1.0);
            }
            var loss = 1.0 - index;
            long c = loss.shape[^1];
            var background = loss.narrow(-1, 0, 1);
            var foreground = loss.narrow(-1, 1, c - 1);
            if (gamma != 0) foreground = Activation.PositivePower(foreground.clamp_min(PowerClamp), 1.0 - gamma);
            return cat(new[] { background, foreground }, -1);
        }

        /// <summary>TP, FN and FP per (image, channel) over [background, foreground…], or per channel with <paramref name="batch"/>.</summary>
        private static (Tensor tp, Tensor fn, Tensor fp) Statistics(SegmentationInputs inputs, bool batch)
        {
            var probabilities = Activation.Probabilities(inputs);
            // Inside a sharing context (the unified loss) the true-class probabilities come from the focal term's gather.
            Tensor? trueClass = inputs.HasLabels && inputs.FromLogits && SharedActivations.Serves(inputs)
                ? Activation.TrueClassLogProbability(inputs).exp()
                : null;
            var stats = RegionStatistics.Compute(inputs, probabilities, squared: false, batch: batch, trueClass: trueClass);
            var tp = stats.TruePositive;
            var fn = stats.FalseNegative;
            var fp = stats.FalsePositive;
            if (inputs.Mode != LossMode.Binary) return (tp, fn, fp);

            // Background channel of Binary mode from the foreground sums and V, the number of non-ignored pixels:
            // TP_0 = Σ (1 − p)(1 − t) = V − P − G + TP, FN_0 = Σ p·(1 − t) = FP and FP_0 = Σ (1 − p)·t = FN.
            var x = inputs.Input;
            Tensor count = inputs.Valid is null
                ? full(batch ? new long[] { 1 } : new long[] { inputs.N, 1 }, (double)(batch ? inputs.N * inputs.S : inputs.S), x.dtype, x.device)
                : batch ? inputs.Valid.sum(new long[] { 0, 2 }) : inputs.Valid.sum(2);
            var tp0 = count - stats.PredictionSum - stats.TargetSum + tp;
            return (cat(new[] { tp0, tp }, -1), cat(new[] { fp, fn }, -1), cat(new[] { fn, fp }, -1));
        }

        /// <summary>x^γ for x ≥ 0, floored at 1e-30 so that γ &lt; 1 keeps a finite derivative at x = 0.</summary>
        private static Tensor Power(Tensor x, double gamma) => Activation.PositivePower(x.clamp_min(WeightFloor), gamma);
    }
}
