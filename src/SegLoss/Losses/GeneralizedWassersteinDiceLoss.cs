using System;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Generalised Wasserstein Dice loss (Fidon et al., "Generalised Wasserstein Dice Score for Imbalanced Multi-class
    /// Segmentation using Holistic Convolutional Networks", BrainLes 2017; MONAI
    /// <c>GeneralizedWassersteinDiceLoss</c>): a multi-class Dice in which a mistake costs the distance M[y, c]
    /// between the true class y and the predicted class c, so that confusing two similar classes (two tumour
    /// sub-regions) costs less than confusing a class with the background.
    /// </summary>
    /// <remarks>
    /// <para>Per pixel i with label y_i and softmax probabilities p(i), the Wasserstein distance between p(i) and the
    /// one-hot label is W_i = Σ_c M[y_i, c]·p_c(i) (rows of M index the true class, columns the predicted one). Per
    /// image, with α_c the class weights of <see cref="WassersteinDiceWeighting"/>:
    /// TP = Σ_i α_{y_i}·(1 − W_i), and GWDL = 1 − (2·TP + s_n) / (D + s_d) with
    /// D = 2·TP + Σ_i W_i (<see cref="WassersteinDiceWeighting.Foreground"/>, α = 0 for the background and 1 otherwise)
    /// or D = Σ_i α_{y_i}·(2 − W_i) (<see cref="WassersteinDiceWeighting.InverseVolume"/>, α_c = 1/(V_c + 1)). The
    /// weights come from the labels only and carry no gradient. s_n = s_d = 1e-5 by default; with s_d = 0 a 0/0
    /// (an image of background only, predicted without error, in Foreground weighting) counts as a perfect score.</para>
    /// <para>The distance matrix M (C×C) is checked at construction (square, at least 2×2, finite, non-negative, zero
    /// diagonal, some positive entry) and scaled so that its largest entry is 1, as MONAI and Fidon's code do (so
    /// 0 ≤ W ≤ 1 and only the ratios of the distances matter); it is kept as the registered buffer
    /// <c>distanceMatrix</c> in float64. MONAI checks only that M is square: a non-zero diagonal would make a perfect
    /// prediction cost something, and an all-zero M divides by zero there. M need not be symmetric.</para>
    /// <para>Without a matrix (<c>distanceMatrix: null</c>, the default) M = 1 − I for the input's C classes: every
    /// mistake costs 1 and W_i = 1 − p_{y_i}. In Foreground weighting the loss is then
    /// 1 − 2·Σ_{y_i≠0} p_{y_i} / (2·Σ_{y_i≠0} p_{y_i} + Σ_i (1 − p_{y_i})), a Dice that pools the true positives of the
    /// foreground classes and counts each misplaced probability once; for C = 2 it is exactly the soft Dice loss of
    /// class 1 (<c>DiceLoss(includeBackground: false)</c> with the same smoothing), as Fidon et al. note.</para>
    /// <para>Targets are hard Multiclass labels (N, *spatial), 1D to 3D; soft targets are refused: the Wasserstein
    /// distance between two soft distributions is an optimal-transport problem without this closed form. Ignored
    /// pixels (<c>ignoreIndex</c>) enter no sum (TP, D, nor the volumes V_c). Reduction None returns one value per
    /// image (N); Mean and Sum reduce those.</para>
    /// <para>Peer difference: MONAI before its PR #8744 (issue #4650, fixed in 2026) broadcast the per-pixel weights of
    /// all images against each image's distances when N &gt; 1, mixing the images of a batch; SegLoss computes each
    /// image on its own, as the fixed MONAI and Fidon's reference code do (the values agree for N = 1). MONAI's
    /// <c>weighting_mode="GDL"</c> is, as documented there, not the paper's loss: it weights the error term by α too.</para>
    /// </remarks>
    public sealed class GeneralizedWassersteinDiceLoss : SegmentationLoss
    {
        // Buffer; the field is named like the buffer so that module.to(...) rewrites it.
        private Tensor? distanceMatrix;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass only (the default): the loss compares a softmax distribution with a label.</param>
        /// <param name="fromLogits">True (default): the input holds logits (softmax inside); false: probabilities.</param>
        /// <param name="distanceMatrix">
        /// M (C×C): M[y, c] is the cost of predicting class c where the label is y; finite, non-negative, zero on the
        /// diagonal, with a positive entry; scaled to a largest entry of 1. Null (default): 1 − I.
        /// </param>
        /// <param name="weighting">Foreground (default, Fidon et al.; MONAI "default") or InverseVolume (MONAI "GDL").</param>
        /// <param name="smoothNumerator">s_n, added to the numerator (1e-5).</param>
        /// <param name="smoothDenominator">s_d, added to the denominator (1e-5).</param>
        /// <param name="ignoreIndex">Label whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None ((N), one value per image).</param>
        public GeneralizedWassersteinDiceLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, Tensor? distanceMatrix = null,
            WassersteinDiceWeighting weighting = WassersteinDiceWeighting.Foreground, double smoothNumerator = 1e-5,
            double smoothDenominator = 1e-5, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode), LossMode.Multiclass);
            Arguments.Reduction(reduction, nameof(reduction));
            Weighting = Arguments.Defined(weighting, nameof(weighting));
            Arguments.NonNegative(smoothNumerator, nameof(smoothNumerator));
            Arguments.NonNegative(smoothDenominator, nameof(smoothDenominator));
            Mode = mode;
            FromLogits = fromLogits;
            SmoothNumerator = smoothNumerator;
            SmoothDenominator = smoothDenominator;
            IgnoreIndex = ignoreIndex;
            // Validated last: a rejected option above leaves no tensor behind.
            this.distanceMatrix = ValidateDistanceMatrix(distanceMatrix, nameof(distanceMatrix));
            if (this.distanceMatrix is not null) register_buffer(nameof(distanceMatrix), this.distanceMatrix);
        }

        /// <summary>How channels relate to the target (always Multiclass).</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>The class weights α of the generalised true positives.</summary>
        public WassersteinDiceWeighting Weighting { get; }

        /// <summary>Constant added to the numerator.</summary>
        public double SmoothNumerator { get; }

        /// <summary>Constant added to the denominator.</summary>
        public double SmoothDenominator { get; }

        /// <summary>Label whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>The distance matrix scaled to a largest entry of 1 (a float64 buffer), or null for 1 − I.</summary>
        public Tensor? DistanceMatrix => distanceMatrix;

        /// <inheritdoc/>
        public override string DisplayName => "GeneralizedWassersteinDice";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            if (inputs.Labels is null)
            {
                var labelShape = new[] { inputs.N }.Concat(inputs.Spatial);
                throw new ArgumentException($"target has shape {Shapes.Format(target.shape)} (soft labels) but {nameof(GeneralizedWassersteinDiceLoss)} needs integer class labels of shape {Shapes.Format(labelShape)}: the Wasserstein distance to a soft target has no closed form", nameof(target));
            }
            var x = inputs.Input;
            long c = inputs.C;
            if (distanceMatrix is not null && distanceMatrix.shape[0] != c)
                throw new ArgumentException($"distanceMatrix is {distanceMatrix.shape[0]} x {distanceMatrix.shape[0]} but the input has {c} classes (shape {Shapes.Format(inputs.InputShape)})", nameof(distanceMatrix));
            var m = distanceMatrix is null ? ones(c, c, x.dtype, x.device) - eye(c, dtype: x.dtype, device: x.device) : distanceMatrix.to(x.dtype, x.device);

            var p = Activation.Probabilities(inputs);
            var labels = inputs.Labels;
            var index = labels.unsqueeze(1);
            // (M·p)[k] = Σ_c M[k, c]·p_c for every k; the row of the true class is W_i. One batched product of a C×C
            // matrix with (N, C, S) costs C² per pixel and no index tensor of M's rows per pixel.
            var w = m.matmul(p).gather(1, index).squeeze(1);
            var valid = inputs.Valid?.squeeze(1);
            var alpha = PixelWeights(labels, valid, c, x);
            var tp = (alpha * (1.0 - w)).sum(1);
            var denominator = Weighting == WassersteinDiceWeighting.Foreground
                ? tp * 2.0 + (valid is null ? w : w * valid).sum(1)
                : (alpha * (2.0 - w)).sum(1);
            var perImage = 1.0 - Ratio(tp * 2.0 + SmoothNumerator, denominator + SmoothDenominator);
            return reduction switch
            {
                nn.Reduction.None => perImage,
                nn.Reduction.Sum => perImage.sum(),
                _ => perImage.mean(),
            };
        }

        /// <summary>α_{y_i} per pixel (N, S), zero at ignored pixels; computed without gradient (labels only).</summary>
        private Tensor PixelWeights(Tensor labels, Tensor? valid, long classes, Tensor x)
        {
            using var _ = no_grad();
            Tensor alpha;
            if (Weighting == WassersteinDiceWeighting.Foreground)
            {
                alpha = labels.ne(0).to(x.dtype);
            }
            else
            {
                // V_c counts the non-ignored pixels of each class in the image.
                var counts = valid ?? ones(labels.shape, x.dtype, x.device);
                var volumes = zeros(new[] { labels.shape[0], classes }, x.dtype, x.device).scatter_add_(1, labels, counts);
                alpha = (volumes + 1.0).reciprocal().gather(1, labels);
            }
            return valid is null ? alpha : alpha * valid;
        }

        /// <summary>numerator / denominator, with 0/0 (possible only when s_d = 0) counted as a perfect score 1 and a zero gradient.</summary>
        private Tensor Ratio(Tensor numerator, Tensor denominator)
        {
            if (SmoothDenominator > 0) return numerator / denominator;
            var empty = denominator.eq(0);
            return (numerator / denominator.masked_fill(empty, 1.0)).masked_fill(empty, 1.0);
        }

        /// <summary>
        /// Checks M and returns a float64 copy scaled to a largest entry of 1 (null for null), owned by the caller.
        /// </summary>
        private static Tensor? ValidateDistanceMatrix(Tensor? matrix, string paramName)
        {
            if (matrix is null) return null;
            if (matrix.dim() != 2 || matrix.shape[0] != matrix.shape[1] || matrix.shape[0] < 2)
                throw new ArgumentException($"{paramName} must be a square C x C matrix with C >= 2 classes, got shape {Shapes.Format(matrix.shape)}", paramName);
            if (matrix.is_complex() || matrix.dtype == ScalarType.Bool)
                throw new ArgumentException($"{paramName} must hold real numbers, got dtype {matrix.dtype}", paramName);
            using var scope = NewDisposeScope();
            var m = matrix.detach().to(ScalarType.Float64);
            var values = TensorData.ToArray<double>(m.reshape(-1));
            long c = matrix.shape[0];
            if (values.Any(v => !double.IsFinite(v) || v < 0))
                throw new ArgumentException($"{paramName} must be finite and non-negative, got [{string.Join(", ", values)}]", paramName);
            for (long k = 0; k < c; k++)
                if (values[k * c + k] != 0)
                    throw new ArgumentException($"{paramName} must have a zero diagonal (predicting the true class costs nothing), got {values[k * c + k]} at [{k}, {k}]", paramName);
            double max = values.Max();
            if (max == 0)
                throw new ArgumentException($"{paramName} must have a positive entry (an all-zero matrix makes every prediction perfect)", paramName);
            return (m / max).MoveToOuterDisposeScope().DetachFromDisposeScope();
        }
    }
}
