using System;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegLoss
{
    /// <summary>
    /// Soft (grey-scale) morphology of maps in [0, 1] shaped (N, C, *spatial) with 1 to 3 spatial dimensions, by
    /// max-pooling, as in Shit et al., "clDice — a Novel Topology-Preserving Loss Function for Tubular Structure
    /// Segmentation", CVPR 2021 (and MONAI's <c>soft_erode</c>, <c>soft_dilate</c>, <c>soft_open</c>,
    /// <c>soft_skel</c>, which use the same kernels).
    /// </summary>
    /// <remarks>
    /// <para>Erosion is the minimum over the cross: the pixel and its two neighbours along each axis (min of the
    /// axis-wise 3-pixel minima, each min computed as −maxpool(−x) with a 3×1 / 1×3 (×1) kernel). Dilation is the
    /// maximum over the full 3×3 (×3) box. In 1D both reduce to the 3-pixel window. Pixels outside the image do not
    /// take part (max-pooling pads with −∞), so a structure touching the border is not eroded from that side.</para>
    /// <para>Skeleton, for K = <c>iterations</c>: S₀ = relu(x − open(x)); then for k = 1..K, x_k = erode(x_{k−1}),
    /// δ = relu(x_k − open(x_k)), S_k = S_{k−1} + relu(δ − S_{k−1}·δ). Each erosion peels about one pixel from every
    /// side of a structure, so a structure t pixels thick reaches its one- or two-pixel centre line after
    /// ⌈t/2⌉ − 1 erosions; once it is gone, further steps add nothing.</para>
    /// <para>Cost: open(x_k) = dilate(erode(x_k)) and x_{k+1} = erode(x_k) are the same erosion, computed once here
    /// (MONAI computes it twice), so a skeleton is K + 1 erosions and K + 1 dilations. The erosions run on the negated
    /// maps, one negation per step. The gradient of a max-pool goes to the (first) maximum, a subgradient at ties.</para>
    /// <para>With a gradient (the prediction's skeleton) every window is a stride-1 max-pool, as in MONAI: 3(K + 1) pools
    /// in 2D (a 3×1 and a 1×3 per erosion, one 3×3 per dilation); in 3D, 5(K + 1), the 3×3×3 dilation being a 3×3
    /// pool of each (h, w) plane followed by a 3×1 pool along d, which sends the gradient to the same pixel. These
    /// pools are most of the cost: libtorch 2.10's CPU max-pool makes its indices whether or not a gradient is needed,
    /// about 18 to 25 ms for one 3-pixel pool over 8x3x256x256 float32 and 39 ms for a 3×3 one, forward and backward
    /// (one thread). Splitting the 2D 3×3 pool into 1×3 and 3×1 pools gained nothing there, nor did channels-last
    /// layout (slower) or pooling a transposed copy.</para>
    /// <para>Where no gradient is recorded (the target's skeleton), the same minima and maxima are taken without
    /// indices, axis by axis (the box maximum being separable), with the same values exactly: along the last axis by
    /// max_pool1d, which libtorch computes in a vectorised kernel when no gradient is recorded (0.4 ms for
    /// 8x3x256x256 float32), along the others as the maximum of three shifted views.</para>
    /// </remarks>
    internal static class SoftSkeleton
    {
        /// <summary>Soft erosion: the minimum over the pixel and its axis neighbours (the cross).</summary>
        internal static Tensor Erode(Tensor x)
        {
            SpatialDims(x);
            return NegatedErosion(x.neg()).neg();
        }

        /// <summary>Soft dilation: the maximum over the 3×3 (×3) box around each pixel.</summary>
        internal static Tensor Dilate(Tensor x)
        {
            int dims = SpatialDims(x);
            if (!Differentiated(x))
            {
                // The box maximum is separable: the 3-pixel maximum along each axis in turn.
                var box = x;
                for (int axis = dims - 1; axis >= 0; axis--) box = FastAxisMax(box, dims, axis);
                return box;
            }
            if (dims == 1) return F.max_pool1d(x, 3, 1, 1);
            if (dims == 2) return F.max_pool2d(x, Box, One, PadBox);
            // 3D: the 3×3 box of every (h, w) plane, as 2D images (N, C·D, H, W), then the 3-pixel maximum along d, as
            // the rows of (N, C, D, H·W): 39 against 65 ms for max_pool3d's 3×3×3 box on 2x2x64x64x64 float32, forward and
            // backward, one thread. The gradient goes to the same pixel as the box's: max-pooling sends it to the
            // window's first maximum in scan order, and the first d holding the maximum, then the first (h, w) of that
            // plane in row-major order, is the first in (d, h, w) order. Gradients that meet at one pixel are summed in
            // a different order (the last bits of a float may differ).
            var shape = x.shape;
            var planes = F.max_pool2d(x.reshape(shape[0], shape[1] * shape[2], shape[3], shape[4]), Box, One, PadBox);
            return F.max_pool2d(planes.reshape(shape[0], shape[1], shape[2], shape[3] * shape[4]), Along, One, PadAlong).reshape(shape);
        }

        /// <summary>Soft opening: dilate(erode(x)).</summary>
        internal static Tensor Open(Tensor x) => Dilate(Erode(x));

        /// <summary>The soft skeleton of <paramref name="x"/> after <paramref name="iterations"/> refinement steps.</summary>
        internal static Tensor Skeleton(Tensor x, int iterations)
        {
            if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "iterations must be non-negative");
            SpatialDims(x);
            // The erosions run on the negated maps (erode(x) = −crossmax(−x)), so the chain x, erode(x), erode²(x), ...
            // needs one negation per step rather than two; −(−v) = v exactly, so values and gradients are unchanged.
            var negated = NegatedErosion(x.neg());
            var eroded = negated.neg();
            var skeleton = (x - Dilate(eroded)).relu();
            for (int k = 1; k <= iterations; k++)
            {
                var current = eroded;
                negated = NegatedErosion(negated);
                eroded = negated.neg();
                var delta = (current - Dilate(eroded)).relu();
                skeleton = skeleton + (delta - skeleton * delta).relu();
            }
            return skeleton;
        }

        /// <summary>
        /// −erode(−y): the maximum over the cross, i.e. the element-wise maximum of the axis-wise 3-pixel maxima, taken
        /// in axis order (autograd's maximum splits the gradient at ties, so the order of the pairs is kept).
        /// </summary>
        private static Tensor NegatedErosion(Tensor y)
        {
            int dims = (int)y.dim() - 2;
            bool recorded = Differentiated(y);
            Tensor? maximum = null;
            for (int axis = 0; axis < dims; axis++)
            {
                var pooled = AxisMax(y, axis, recorded);
                maximum = maximum is null ? pooled : maximum.maximum(pooled);
            }
            return maximum!;
        }

        private static int SpatialDims(Tensor x)
        {
            int dims = (int)x.dim() - 2;
            if (dims < 1 || dims > 3)
                throw new ArgumentException($"soft morphology needs (N, C, *spatial) with 1 to 3 spatial dimensions, got shape {Shapes.Format(x.shape)}", nameof(x));
            return dims;
        }

        /// <summary>Whether autograd records operations on <paramref name="x"/> (then max-pooling computes the windows).</summary>
        private static bool Differentiated(Tensor x) => x.requires_grad && is_grad_enabled();

        /// <summary>
        /// The maximum of each pixel and its two neighbours along spatial axis <paramref name="axis"/> (pixels beyond the
        /// border take no part), same size out as in.
        /// </summary>
        private static Tensor AxisMax(Tensor x, int axis, bool recorded)
        {
            int dims = (int)x.dim() - 2;
            return recorded ? PooledAxisMax(x, dims, axis) : FastAxisMax(x, dims, axis);
        }

        /// <summary>
        /// A stride-1 max-pool with a 3-pixel kernel along one axis, on the gradient path (its backward sends each
        /// gradient to the window's first maximum). For 3D volumes (1,3)/(3,1) max_pool2d over merged axes is as fast
        /// as, or (along d) 10 % faster than, max_pool3d's (1,1,3)/(1,3,1)/(3,1,1) (libtorch 2.10 CPU, one thread). In
        /// 2D, pooling the rows of a transposed copy instead of a (3,1) kernel (21 against 25 ms alone at 8x3x256x256)
        /// made the skeleton slower: the strided or copied results cost more than the pool saved.
        /// </summary>
        private static Tensor PooledAxisMax(Tensor x, int dims, int axis)
        {
            if (dims == 1) return F.max_pool1d(x, 3, 1, 1);
            if (dims == 2)
                return axis == 0 ? F.max_pool2d(x, Along, One, PadAlong) : F.max_pool2d(x, Across, One, PadAcross);
            // (N, C, D, H, W): W and H as the columns and rows of (N, C·D, H, W) images, D as the rows of (N, C, D, H·W).
            var shape = x.shape;
            var images = axis == 0 ? x.reshape(shape[0], shape[1], shape[2], shape[3] * shape[4]) : x.reshape(shape[0], shape[1] * shape[2], shape[3], shape[4]);
            var pooled = axis == 2 ? F.max_pool2d(images, Across, One, PadAcross) : F.max_pool2d(images, Along, One, PadAlong);
            return pooled.reshape(shape);
        }

        /// <summary>
        /// The same maximum where no gradient is recorded. Along the last axis, max_pool1d over the lines: libtorch 2.10
        /// computes it in a vectorised kernel when no indices are needed (0.4 ms for 8x3x256x256 float32, one thread,
        /// against 16 ms for max_pool2d, which makes the indices on the CPU whether or not they are needed). Along the
        /// other axes the lines are strided, and the maximum of three shifted views (−∞ beyond the border) beats a
        /// transposed copy.
        /// </summary>
        private static Tensor FastAxisMax(Tensor x, int dims, int axis)
        {
            int dim = axis + 2;
            if (dim == dims + 1)
            {
                var shape = x.shape;
                return F.max_pool1d(x.reshape(-1, 1, shape[^1]), 3, 1, 1).reshape(shape);
            }
            return ShiftedWindow(x, axis, double.NegativeInfinity, minimum: false);
        }

        /// <summary>
        /// The minimum (or maximum) of each pixel and its two neighbours along spatial axis <paramref name="axis"/>,
        /// <paramref name="fill"/> standing for the pixels beyond the border: a pad and two element-wise comparisons.
        /// </summary>
        private static Tensor ShiftedWindow(Tensor x, int axis, double fill, bool minimum)
        {
            int dim = axis + 2;
            long length = x.shape[dim];
            // F.pad lists (before, after) pairs from the last dimension backwards.
            var pad = new long[2 * ((int)x.dim() - dim)];
            pad[^2] = 1;
            pad[^1] = 1;
            var padded = F.pad(x, pad, value: fill);
            var before = padded.narrow(dim, 0, length);
            var centre = padded.narrow(dim, 1, length);
            var after = padded.narrow(dim, 2, length);
            return minimum ? before.minimum(centre).minimum(after) : before.maximum(centre).maximum(after);
        }

        private static readonly long[] One = { 1, 1 };
        private static readonly long[] Along = { 3, 1 };
        private static readonly long[] PadAlong = { 1, 0 };
        private static readonly long[] Across = { 1, 3 };
        private static readonly long[] PadAcross = { 0, 1 };
        private static readonly long[] Box = { 3, 3 };
        private static readonly long[] PadBox = { 1, 1 };
    }
}
