using System;
using System.Linq;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Neighbour-aware calibration loss, NACL (Murugesan, Adiga Vasudeva, Liu, Lombaert, Ben Ayed and Dolz, "Trust your
    /// neighbours: Penalty-based constraints for model calibration", MICCAI 2023, arXiv 2303.06268; extended as
    /// "Neighbor-Aware Calibration of Segmentation Networks with Penalty-Based Constraints", arXiv 2401.14487, 2024):
    /// cross-entropy plus a penalty that pulls each pixel's logits towards the class proportions of its neighbourhood
    /// in the target.
    /// </summary>
    /// <remarks>
    /// <para>Per pixel x: ℓ(x) = −Σ_c g_c(x)·ln p_c(x) + α·(1/C)·Σ_c d(τ_c(x), z_c(x)), with p = softmax(z), τ = K ∗ g
    /// the one-hot target (or soft target g) filtered by the fixed kernel K (<see cref="NeighborhoodKernel"/>), and
    /// d = |τ − z| (<see cref="CalibrationDistance.L1"/>, the paper's linear penalty) or (τ − z)². Mean is the mean
    /// over non-ignored pixels, i.e. CE (PyTorch's mean) + α·mean over pixels and classes of d — MONAI's
    /// <c>NACLLoss</c>; Sum is Σ ℓ and None returns ℓ as (N, *spatial).</para>
    /// <para>The penalty is on the logits z, as in the paper and MONAI; with <c>fromLogits: false</c> it applies to the
    /// given probabilities instead (and the CE clamps them at 1e-7). So the minimum is not at one-hot logits: CE wants
    /// a growing margin while the penalty holds z near τ ∈ [0, 1], which is the calibration effect.</para>
    /// <para>The filter is separable, applied along each spatial axis (1D, 2D or 3D) with zero padding, as MONAI's
    /// filters do: outside the image counts as no class, so near the border τ sums to less than 1. Ignored pixels are
    /// inert in both terms; as neighbours they count like the outside (a zero one-hot vector), so that τ never
    /// depends on the label an ignored pixel happens to hold. Mean's weights are 1/k^d; the Gaussian's per-axis
    /// weights are MONAI's erf discretisation over the k taps, normalised to sum 1 (MONAI instead truncates at 4σ —
    /// 9 taps for σ = 1 — whatever its kernel size, and leaves the weights unnormalised, summing to 1 − 7e-6 per
    /// axis for σ = 1). Defaults k = 3, α = 0.1, σ = 1 and the L1 distance are MONAI's.</para>
    /// <para>Multiclass only (softmax CE over C ≥ 2 classes, as MONAI). The CE term is <see cref="CrossEntropyLoss"/>'s:
    /// torch's fused kernel for Mean and Sum of logits, log_softmax and a gather per pixel otherwise.</para>
    /// </remarks>
    public sealed class NeighborAwareCalibrationLoss : SegmentationLoss
    {
        private readonly double[] _weights;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (the only mode: softmax cross-entropy).</param>
        /// <param name="fromLogits">True (default): the input holds logits, and the penalty applies to them; false: probabilities.</param>
        /// <param name="kernelSize">k, the odd, positive side of the neighbourhood cube (3).</param>
        /// <param name="kernel">Mean (default) or Gaussian filter of the one-hot target.</param>
        /// <param name="sigma">σ &gt; 0 of the Gaussian filter (1).</param>
        /// <param name="distance">L1 (default) or L2 penalty between the proportions and the logits.</param>
        /// <param name="alpha">α ≥ 0, the weight of the penalty (0.1).</param>
        /// <param name="ignoreIndex">Target label whose pixels are left out of both terms and of every neighbourhood, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None ((N, *spatial)).</param>
        public NeighborAwareCalibrationLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, int kernelSize = 3,
            NeighborhoodKernel kernel = NeighborhoodKernel.Mean, double sigma = 1.0, CalibrationDistance distance = CalibrationDistance.L1,
            double alpha = 0.1, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode), LossMode.Multiclass);
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.Defined(kernel, nameof(kernel));
            Arguments.Defined(distance, nameof(distance));
            if (kernelSize < 1 || kernelSize % 2 == 0)
                throw new ArgumentException($"{nameof(kernelSize)} must be an odd positive number (the neighbourhood is centred on the pixel), got {kernelSize}", nameof(kernelSize));
            if (!(sigma > 0) || double.IsInfinity(sigma))
                throw new ArgumentException($"{nameof(sigma)} must be finite and positive, got {sigma}", nameof(sigma));
            Arguments.NonNegative(alpha, nameof(alpha));
            Mode = mode;
            FromLogits = fromLogits;
            KernelSize = kernelSize;
            Kernel = kernel;
            Sigma = sigma;
            Distance = distance;
            Alpha = alpha;
            IgnoreIndex = ignoreIndex;
            _weights = kernel == NeighborhoodKernel.Mean ? Enumerable.Repeat(1.0 / kernelSize, kernelSize).ToArray() : GaussianWeights(kernelSize, sigma);
        }

        /// <summary>Multiclass.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>Side k of the neighbourhood.</summary>
        public int KernelSize { get; }

        /// <summary>The filter of the one-hot target.</summary>
        public NeighborhoodKernel Kernel { get; }

        /// <summary>σ of the Gaussian filter.</summary>
        public double Sigma { get; }

        /// <summary>The penalty between the proportions and the input.</summary>
        public CalibrationDistance Distance { get; }

        /// <summary>Weight α of the penalty.</summary>
        public double Alpha { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>The per-axis filter weights (k values, summing to 1).</summary>
        internal double[] AxisWeights => (double[])_weights.Clone();

        /// <inheritdoc/>
        public override string DisplayName => "NACL";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            Tensor? penalty = Alpha == 0 ? null : Penalty(inputs);
            // Mean and Sum of logits reduce CE in torch's fused kernel (the same denominator, the non-ignored pixels, as
            // the penalty's), unless a sum shares this input's log_softmax; None needs the per-pixel CE.
            var fused = reduction == nn.Reduction.None || SharedActivations.Serves(inputs)
                ? null
                : FusedCrossEntropy.TryCompute(inputs, FromLogits, IgnoreIndex, null, true, null, 0.0, reduction);
            if (fused is not null) return penalty is null ? fused : fused + PixelReduction.Reduce(penalty, inputs, reduction) * Alpha;
            var (ce, _) = PixelCrossEntropy.Compute(inputs, FromLogits);
            return PixelReduction.Reduce(penalty is null ? ce : ce + penalty * Alpha, inputs, reduction);
        }

        /// <summary>(1/C)·Σ_c d(τ_c, z_c) per pixel (N, S), zero at ignored pixels.</summary>
        private Tensor Penalty(SegmentationInputs inputs)
        {
            Tensor proportions;
            using (no_grad()) proportions = NeighborhoodProportions(inputs);
            var difference = proportions - inputs.Input;
            var d = Distance == CalibrationDistance.L1 ? difference.abs() : difference.square();
            return PixelReduction.Masked(inputs, d.mean(new long[] { 1 }));
        }

        /// <summary>
        /// τ (N, C, S): the one-hot target (ignored pixels all zero) filtered along each spatial axis with zero padding.
        /// </summary>
        /// <remarks>
        /// Each axis is a weighted sum of k shifted views, accumulated in place: τ = w₀·t, then τ[i] += w_{−j}·t[i − j]
        /// and τ[i] += w_{+j}·t[i + j] over the overlapping ranges (beyond the border counts as 0). On libtorch 2.10's CPU,
        /// one thread, this took about 2 to 5 ms for 8x4x256x256 float32 with k = 3, against 14 ms for avg_pool2d and
        /// 25 to 125 ms for the same filter as conv1d over the movedim'ed lines (its speed varied from one process to
        /// the next); the values agree with both to float rounding (6e-8). The whole loss, forward + backward, went from
        /// 35 to 140 ms to 12 to 16 ms at that size (5 ms for F.cross_entropy), and from 44 to 11 ms at 2x3x64x64x64.
        /// </remarks>
        private Tensor NeighborhoodProportions(SegmentationInputs inputs)
        {
            var g = inputs.DenseTarget();
            if (KernelSize == 1) return g;
            var shape = new[] { inputs.N, inputs.C }.Concat(inputs.Spatial);
            var t = g.reshape(shape);
            int half = KernelSize / 2;
            for (int dim = 2; dim < shape.Length; dim++)
            {
                long length = shape[dim];
                var filtered = t * _weights[half];
                // Offsets at or beyond the axis length reach only the zero padding.
                for (int j = 1; j <= half && j < length; j++)
                {
                    filtered.narrow(dim, j, length - j).add_(t.narrow(dim, 0, length - j), _weights[half - j]);
                    filtered.narrow(dim, 0, length - j).add_(t.narrow(dim, j, length - j), _weights[half + j]);
                }
                t = filtered;
            }
            return t.reshape(inputs.N, inputs.C, inputs.S);
        }

        /// <summary>
        /// Per-axis Gaussian weights ½·[erf((j + ½)/(σ√2)) − erf((j − ½)/(σ√2))] for |j| ≤ k/2, normalised to sum 1.
        /// </summary>
        private static double[] GaussianWeights(int kernelSize, double sigma)
        {
            using var scope = NewDisposeScope();
            int half = kernelSize / 2;
            var j = arange(-half, half + 1, ScalarType.Float64);
            double scale = 1.0 / (sigma * Math.Sqrt(2.0));
            var w = (((j + 0.5) * scale).erf() - ((j - 0.5) * scale).erf()) * 0.5;
            w = w / w.sum();
            return TensorData.ToArray<double>(w);
        }
    }
}
