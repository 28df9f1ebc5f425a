using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Dice-gradient mimicking loss (Kervadec and de Bruijne, "On the dice loss gradient and the ways to mimic it",
    /// arXiv 2304.04319, 2023): the network output multiplied element-wise by a fixed, gradient-free map built from
    /// the negative of the ground truth, so that its gradient has the two-valued shape of the Dice gradient.
    /// </summary>
    /// <remarks>
    /// <para>Per image n and class c, with s = softmax (Multiclass) or sigmoid (Binary/Multilabel) probabilities,
    /// g the one-hot or soft target and ĝ = −g + b·(1 − g) (b = <c>backgroundValue</c>):
    /// L_{n,c} = Σ_x s_c(x)·ĝ_c(x) / |Ω_n|, |Ω_n| the number of non-ignored pixels of image n (per channel in
    /// Binary/Multilabel). The loss is linear in s: ∂L/∂s_c(x) = −1/|Ω| on ground-truth pixels and b/|Ω| ≥ 0
    /// elsewhere, the sign pattern of ∂(1 − Dice)/∂s = −2g/(S+G) + 2I/(S+G)² (constant a &lt; 0 on the ground
    /// truth, constant ≥ 0 elsewhere).</para>
    /// <para>Reductions: None returns L_{n,c} as (N, C) (classes after dropping the background when
    /// <c>includeBackground</c> is false); Mean sums over classes and averages over images,
    /// (1/N)·Σ_n Σ_c L_{n,c} (the paper's Σ_c Σ_x, normalised per image); Sum is Σ_{n,c} L_{n,c}. With b = 0 and
    /// softmax over all classes, Mean is minus the mean true-class probability, in [−1, 0].</para>
    /// <para>Choices made here (the paper's exact normalisation and background constant could not be verified;
    /// only the abstract and the Dice-gradient derivation were): ĝ = −g by default (b = 0, the abstract's "negative
    /// of the ground truth"), division by the pixel count per image, classes summed. A class absent from the target
    /// gives 0 with b = 0, and pushes its probabilities down with b &gt; 0. Ignored pixels enter neither Σ_x nor
    /// |Ω|; an image with no valid pixel gives 0.</para>
    /// </remarks>
    public sealed class DiceMimicLoss : SegmentationLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax), Binary or Multilabel (sigmoid).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="backgroundValue">b ≥ 0: the value of ĝ on pixels outside the ground truth (0 by default).</param>
        /// <param name="includeBackground">Whether channel 0 counts (Multiclass/Multilabel; Binary always keeps its channel).</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default, classes summed, images averaged), Sum or None ((N, C)).</param>
        public DiceMimicLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double backgroundValue = 0.0,
            bool includeBackground = true, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.NonNegative(backgroundValue, nameof(backgroundValue));
            Mode = mode;
            FromLogits = fromLogits;
            BackgroundValue = backgroundValue;
            IncludeBackground = includeBackground;
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>The value b of the mimicked gradient map outside the ground truth.</summary>
        public double BackgroundValue { get; }

        /// <summary>Whether channel 0 (background) counts (ignored in Binary mode).</summary>
        public bool IncludeBackground { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var s = Activation.Probabilities(inputs.Input, Mode, FromLogits);
            if (inputs.Valid is not null) s = s * inputs.Valid;

            // Σ_x s·ĝ = −(1 + b)·Σ_x s·g + b·Σ_x s, per (image, class); no one-hot for labels.
            Tensor overlap;
            if (inputs.Labels is not null)
            {
                var trueClass = s.gather(1, inputs.Labels.unsqueeze(1)).squeeze(1);
                overlap = zeros(inputs.N, inputs.C, s.dtype, s.device).scatter_add(1, inputs.Labels, trueClass);
            }
            else
            {
                overlap = (s * inputs.Target!).sum(2);
            }
            var sum = overlap * -(1 + BackgroundValue);
            if (BackgroundValue != 0) sum = sum + s.sum(2) * BackgroundValue;

            var perClass = inputs.Valid is null ? sum / (double)inputs.S : PixelReduction.SafeDivide(sum, inputs.Valid.sum(2));
            long c = perClass.shape[1];
            if (!IncludeBackground && Mode != LossMode.Binary && c > 1) perClass = perClass.narrow(1, 1, c - 1);
            return reduction switch
            {
                nn.Reduction.None => perClass,
                nn.Reduction.Sum => perClass.sum(),
                _ => perClass.sum() / (double)inputs.N,
            };
        }
    }
}
