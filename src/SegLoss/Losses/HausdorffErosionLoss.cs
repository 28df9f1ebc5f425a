using System;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss
{
    /// <summary>
    /// Hausdorff-distance loss, erosion form (Karimi and Salcudean, "Reducing the Hausdorff Distance in Medical Image
    /// Segmentation with Convolutional Neural Networks", IEEE TMI 39(2), 2020, the "HD-ER" loss; kornia
    /// <c>HausdorffERLoss</c> / <c>HausdorffERLoss3D</c>, JunMa11/SegLoss <c>HausdorffERLoss</c>): the squared error
    /// is eroded repeatedly with a cross-shaped kernel, and what survives k erosions — error far from where prediction
    /// and target agree — is weighted by k^α.
    /// </summary>
    /// <remarks>
    /// <para>Per image and class, with p the softmax (Multiclass) or sigmoid (Binary/Multilabel) probabilities and q
    /// the target (one-hot for labels): E₀ = (p − q)², and for k = 1..K (K = <c>erosions</c>, 10):
    /// D_k = E_{k−1} ⊛ B (the mean over the cross B: the pixel and its 2·d axis neighbours, zero padding — 1/5 of
    /// the 3×3 cross in 2D, 1/7 of the 6-neighbour cross in 3D, 1/3 of [1, 1, 1] in 1D), E_k = max(D_k − 0.5, 0),
    /// then min–max normalised over the image, E_k ← (E_k − min E_k)/(max E_k − min E_k), unless max = min. The loss
    /// is L = (1/|Ω|) Σ_x Σ_{k=1..K} k^α·E_k(x), α = 2.</para>
    /// <para>Behaviour: an isolated wrong pixel is eroded away at once (its cross mean is at most 1/5 &lt; 1/2), so
    /// only error regions at least two pixels across count; the min–max normalisation rescales whatever survives a
    /// step to a maximum of 1, so the loss measures how many erosions an error region survives, not how large the
    /// error is. It is therefore not monotone in the size of the region: a 2×2 block of full error is a fixed point
    /// of the step (every pixel 3/5 − 1/2, rescaled to 1) and survives all K erosions, while a 3×3 block shrinks to
    /// its centre and vanishes after three. This is the published form (kornia, JunMa11); use it beside a region or
    /// cross-entropy loss.</para>
    /// <para>The erosions are tensor ops: the cross mean is a zero pad and shifted sums (the convolution with the
    /// cross kernel), then a ReLU and two reductions per step, so they run on the input's device and the gradient
    /// flows through every step, the per-image min and max included; no distance map is computed and nothing is
    /// copied to the CPU. Cost: about ten passes over the (N·K, *spatial) error per erosion, forward and backward:
    /// at 8x4x256x256 float32 with the defaults, 270 ms forward + backward on one libtorch thread of this project's
    /// 2-core machine (53 times TorchSharp's cross-entropy; 8x1x256x256 Binary: 52 ms).</para>
    /// <para>Classes: all channels by default (<c>includeBackground: true</c>, as kornia, which loops over every
    /// channel); <c>includeBackground: false</c> leaves channel 0 out (Multiclass/Multilabel). Unlike kornia (which
    /// applies no activation), logits go through softmax/sigmoid unless <c>fromLogits: false</c>.</para>
    /// <para>Ignored pixels (<c>ignoreIndex</c>) enter the erosions with error 0 (so their prediction moves nothing)
    /// and are left out of the final sum: the per-(image, class) value is the sum over non-ignored pixels divided by
    /// their number (0 when there are none). Reduction None returns (N, K) per image and selected class; Mean (the
    /// mean over images, classes and pixels, as kornia's "mean") and Sum (the sum of the per-(image, class) means;
    /// kornia's "sum" also sums over pixels) reduce those.</para>
    /// </remarks>
    public sealed class HausdorffErosionLoss : SegmentationLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax), Binary or Multilabel (sigmoid).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="alpha">Exponent α of the erosion weight k^α (2, the paper's and kornia's); finite, ≥ 0.</param>
        /// <param name="erosions">Number of erosions K (10, kornia's <c>k</c>); 1 to 1000.</param>
        /// <param name="includeBackground">Whether channel 0 is included (Multiclass/Multilabel); true by default.</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        public HausdorffErosionLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double alpha = 2.0,
            int erosions = 10, bool includeBackground = true, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.NonNegative(alpha, nameof(alpha));
            if (erosions < 1 || erosions > MaxErosions)
                throw new ArgumentException($"{nameof(erosions)} must be in [1, {MaxErosions}], got {erosions}", nameof(erosions));
            Mode = mode;
            FromLogits = fromLogits;
            Alpha = alpha;
            Erosions = erosions;
            IncludeBackground = includeBackground;
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>The largest erosion count accepted (far beyond any image: each erosion shrinks the error by a pixel).</summary>
        public const int MaxErosions = 1000;

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>The exponent α of the erosion weights.</summary>
        public double Alpha { get; }

        /// <summary>The number of erosions K.</summary>
        public int Erosions { get; }

        /// <summary>Whether channel 0 counts (Multiclass/Multilabel).</summary>
        public bool IncludeBackground { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <inheritdoc/>
        public override string DisplayName => "HausdorffER";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            long c = inputs.C;
            long first = !IncludeBackground && Mode != LossMode.Binary && c > 1 ? 1 : 0;
            long k = c - first;
            var p = Activation.Probabilities(inputs).narrow(1, first, k);
            var q = inputs.DenseTarget().narrow(1, first, k);
            Tensor? valid = inputs.Valid;
            if (valid is not null && valid.shape[1] != 1) valid = valid.narrow(1, first, k);

            var error = (p - q).square();
            if (valid is not null) error = error * valid;
            long items = inputs.N * k;
            var imageShape = new[] { items, 1L }.Concat(inputs.Spatial);
            var eroded = error.reshape(imageShape);
            Tensor? total = null;
            int cross = 2 * inputs.Spatial.Length + 1;
            for (int step = 1; step <= Erosions; step++)
            {
                // t = relu(Σ_cross E − cross/2) = cross·relu(mean − 1/2): the mean's scale is folded into the normalisation.
                var t = CrossSum(eroded, -0.5 * cross).relu().reshape(items, inputs.S);
                // amin/amax rather than aminmax, which has no derivative in libtorch 2.10.
                var min = t.amin(new long[] { 1 }, keepdim: true);
                var max = t.amax(new long[] { 1 }, keepdim: true);
                var range = max - min;
                var spread = range.gt(0);
                // (t − min)/range where the image has a spread, t/cross (the unnormalised mean) where it has none; the
                // safe range keeps the untaken branch's gradient finite. One fused pass: shift·(−scale) + t·scale.
                var scale = range.where(spread, ones_like(range)).reciprocal().where(spread, full_like(range, 1.0 / cross));
                var offset = (min * scale).neg().where(spread, zeros_like(range));
                var eroded2 = addcmul(offset, t, scale, 1);
                double weight = Math.Pow(step, Alpha);
                total = total is null ? (weight == 1 ? eroded2 : eroded2 * weight) : total.add(eroded2, weight);
                eroded = eroded2.reshape(imageShape);
            }
            var perPixel = total!.reshape(inputs.N, k, inputs.S);
            Tensor perClass;
            if (valid is null)
            {
                perClass = perPixel.sum(dim: 2) / inputs.S;
            }
            else
            {
                var counts = (valid.shape[1] == 1 ? valid.expand(inputs.N, k, inputs.S) : valid).sum(dim: 2);
                perClass = PixelReduction.SafeDivide((perPixel * valid).sum(dim: 2), counts);
            }
            return reduction switch
            {
                nn.Reduction.None => perClass,
                nn.Reduction.Sum => perClass.sum(),
                _ => perClass.mean(),
            };
        }

        /// <summary>
        /// Σ over the cross (the pixel and its axis neighbours, zero padding) of x (items, 1, *spatial), plus
        /// <paramref name="offset"/>: one zero pad, then the centre plus the two shifted views per axis. This is the
        /// convolution with the cross kernel; on libtorch 2.10's CPU a one-channel 3×3 conv2d and its backward run as
        /// im2col and took 5.6 times as long at 8x4x256x256.
        /// </summary>
        private static Tensor CrossSum(Tensor x, double offset)
        {
            int dims = (int)x.dim() - 2;
            var pad = new long[2 * dims];
            Array.Fill(pad, 1L);
            var padded = F.pad(x, pad);
            Tensor Window(int axis, long start)
            {
                var view = padded;
                for (int d = 0; d < dims; d++)
                    view = view.narrow(d + 2, d == axis ? start : 1, x.shape[d + 2]);
                return view;
            }
            var sum = Window(-1, 1) + offset;
            for (int axis = 0; axis < dims; axis++) sum = sum + Window(axis, 0) + Window(axis, 2);
            return sum;
        }
    }
}
