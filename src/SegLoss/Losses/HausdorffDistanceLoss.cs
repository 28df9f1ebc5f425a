using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Hausdorff-distance loss, distance-transform form (Karimi and Salcudean, "Reducing the Hausdorff Distance in
    /// Medical Image Segmentation with Convolutional Neural Networks", IEEE TMI 39(2), 2020, eq. 8; as MONAI's
    /// <c>HausdorffDTLoss</c>).
    /// </summary>
    /// <remarks>
    /// <para>Per image and class: L = (1/|Ω|) Σ_x (p(x) − q(x))² · (d_p(x)^α + d_q(x)^α), where p are the softmax
    /// (Multiclass) or sigmoid (Binary/Multilabel) probabilities, q the target (one-hot for labels), d_q the
    /// distance-to-boundary map of the target mask q &gt; 0.5 and d_p the same map of the thresholded prediction
    /// p &gt; 0.5. The distance-to-boundary map of a mask M is EDT(M) + EDT(¬M): for every pixel, the distance to the
    /// nearest pixel on the other side of the boundary (<see cref="Maps.DistanceTransform"/>, with optional spacing).</para>
    /// <para>Both maps are recomputed on every call from detached values (exact EDT on the CPU; CUDA tensors are
    /// copied there and back) and carry no gradient, as in the paper and MONAI; d_p is piecewise constant in the
    /// input. A mask that is empty or covers the whole image has no boundary: its map is 0 (MONAI's rule).</para>
    /// <para>Classes: the background channel 0 is left out by default (<c>includeBackground: false</c>, MONAI's
    /// default) in Multiclass and Multilabel modes; Binary has one channel.</para>
    /// <para>Ignored pixels (<c>ignoreIndex</c>) count as outside every mask, prediction and target alike (so the
    /// prediction there cannot move any map), and are left out of the sums: the per-(image, class) value is the mean
    /// over non-ignored pixels (0 when there are none). Reduction None returns (N, K) per image and selected class;
    /// Mean and Sum reduce those.</para>
    /// </remarks>
    public sealed class HausdorffDistanceLoss : HausdorffDistanceLossBase
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax), Binary or Multilabel (sigmoid).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="alpha">Exponent α of the distances (2, the paper's and MONAI's default); finite, &gt; 0.</param>
        /// <param name="includeBackground">Whether channel 0 is included (Multiclass/Multilabel); false by default.</param>
        /// <param name="spacing">Physical pixel size per spatial axis for the distance maps, or null for unit spacing.</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        public HausdorffDistanceLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, double alpha = 2.0,
            bool includeBackground = false, double[]? spacing = null, long? ignoreIndex = null,
            nn.Reduction reduction = nn.Reduction.Mean)
            : base(mode, fromLogits, alpha, includeBackground, spacing, ignoreIndex, reduction)
        {
        }

        /// <inheritdoc/>
        public override string DisplayName => "HausdorffDT";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target) => Reduced(input, target);
    }
}
