using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Per-pixel cross-entropy shared by <see cref="CrossEntropyLoss"/> and <see cref="PixelWeightedCrossEntropyLoss"/>:
    /// softmax CE per pixel (N, S) for Multiclass, BCE per entry (N, C, S) for Binary/Multilabel, computed from
    /// log_softmax / logsigmoid (or clamped logs of probabilities), zero at ignored elements.
    /// </summary>
    internal static class PixelCrossEntropy
    {
        /// <summary>
        /// Computes the masked per-element loss and, for Mean, the denominator of PyTorch's semantics: Σ w_y over
        /// non-ignored pixels for hard labels with class weights, null (= the count of non-ignored elements) otherwise.
        /// </summary>
        /// <param name="inputs">Validated inputs.</param>
        /// <param name="fromLogits">Whether the input holds logits.</param>
        /// <param name="classWeights">Per-class weights (C) (float64, any device), or null.</param>
        /// <param name="posWeight">Weight of positive targets, 1 or C entries (sigmoid modes), or null.</param>
        /// <param name="labelSmoothing">ε: targets become (1 − ε)·g + ε/K with K = C (Multiclass) or 2 (sigmoid).</param>
        internal static (Tensor loss, Tensor? denominator) Compute(SegmentationInputs inputs, bool fromLogits,
            Tensor? classWeights = null, Tensor? posWeight = null, double labelSmoothing = 0.0)
        {
            var x = inputs.Input;
            Tensor? w = classWeights?.to(x.dtype, x.device);
            if (inputs.Mode == LossMode.Multiclass)
            {
                var wc = w?.view(1, inputs.C, 1);
                if (inputs.Labels is not null)
                {
                    var labels = inputs.Labels;
                    // log p over all classes only where smoothing needs it; the gather reuses it (one log_softmax).
                    var logp = labelSmoothing > 0 ? Activation.LogProbabilities(inputs) : null;
                    var nll = Activation.TrueClassLogProbability(inputs, logp).neg();
                    Tensor? wy = w?.index_select(0, labels.reshape(-1)).reshape(inputs.N, inputs.S);
                    var loss = wy is null ? nll : nll * wy;
                    if (labelSmoothing > 0)
                    {
                        // PyTorch: (1 − ε)·w_y·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c), normalised by Σ w_y.
                        var smooth = (wc is null ? logp! : logp! * wc).sum(1).neg();
                        loss = loss * (1 - labelSmoothing) + smooth * (labelSmoothing / inputs.C);
                    }
                    loss = PixelReduction.Masked(inputs, loss);
                    return (loss, wy is null ? null : PixelReduction.Masked(inputs, wy).sum());
                }
                var g = inputs.Target!;
                if (labelSmoothing > 0) g = g * (1 - labelSmoothing) + labelSmoothing / inputs.C;
                var product = Activation.LogProbabilities(inputs) * g;
                if (wc is not null) product = product * wc;
                return (product.sum(1).neg(), null);
            }

            var t = inputs.Target!;
            if (labelSmoothing > 0) t = t * (1 - labelSmoothing) + labelSmoothing / 2;
            var logP = Activation.LogProbabilities(x, inputs.Mode, fromLogits);
            var logQ = Activation.LogComplement(x, fromLogits);
            var positive = t * logP;
            if (posWeight is not null) positive = positive * posWeight.to(x.dtype, x.device).view(1, -1, 1);
            var bce = (positive + (1 - t) * logQ).neg();
            if (w is not null) bce = bce * w.view(1, -1, 1);
            return (PixelReduction.Masked(inputs, bce), null);
        }
    }
}
