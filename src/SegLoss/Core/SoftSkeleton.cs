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
    /// (MONAI computes it twice), so a skeleton is K + 1 erosions and K + 1 dilations: 3(K + 1) pools in 2D,
    /// 4(K + 1) in 3D. The gradient of a max-pool goes to the (first) maximum, a subgradient at ties.</para>
    /// <para>Where no gradient is recorded (the target's skeleton), the same minima and maxima are taken over shifted
    /// views instead — axis by axis, the box maximum being separable — which gives the same values exactly: on
    /// libtorch 2.10's CPU a stride-1 max_pool2d with a 3×3 kernel over 8x3x256x256 float32 took 40 to 70 ms against
    /// 2 to 6 ms for the shifted maxima (one thread, this project's loaded 2-core machine), and the whole clDice
    /// forward + backward at 8x4x256x256 went from about 475 to 395 ms. With a gradient the pools stay: autograd's
    /// backward of the element-wise minima and maxima made that clDice call about 740 ms, against a scatter through
    /// the saved indices for the pools.</para>
    /// </remarks>
    internal static class SoftSkeleton
    {
        /// <summary>Soft erosion: the minimum over the pixel and its axis neighbours (the cross).</summary>
        internal static Tensor Erode(Tensor x)
        {
            int dims = SpatialDims(x);
            if (!Differentiated(x))
            {
                // The same minimum, axis by axis over shifted views (+∞ beyond the border).
                Tensor? minimum = null;
                for (int axis = 0; axis < dims; axis++)
                {
                    var window = ShiftedWindow(x, axis, double.PositiveInfinity, minimum: true);
                    minimum = minimum is null ? window : minimum.minimum(window);
                }
                return minimum!;
            }
            // min over a window = −max over the negated window; negate once, take the max of the axis-wise maxima, negate back.
            var negated = x.neg();
            Tensor? maximum = null;
            for (int axis = 0; axis < dims; axis++)
            {
                var kernel = new long[dims];
                var padding = new long[dims];
                Array.Fill(kernel, 1L);
                kernel[axis] = 3;
                padding[axis] = 1;
                var pooled = MaxPool(negated, kernel, padding);
                maximum = maximum is null ? pooled : maximum.maximum(pooled);
            }
            return maximum!.neg();
        }

        /// <summary>Soft dilation: the maximum over the 3×3 (×3) box around each pixel.</summary>
        internal static Tensor Dilate(Tensor x)
        {
            int dims = SpatialDims(x);
            if (!Differentiated(x))
            {
                // The box maximum is separable: the 3-pixel maximum along each axis in turn (−∞ beyond the border).
                var box = x;
                for (int axis = 0; axis < dims; axis++) box = ShiftedWindow(box, axis, double.NegativeInfinity, minimum: false);
                return box;
            }
            var kernel = new long[dims];
            var padding = new long[dims];
            Array.Fill(kernel, 3L);
            Array.Fill(padding, 1L);
            return MaxPool(x, kernel, padding);
        }

        /// <summary>Soft opening: dilate(erode(x)).</summary>
        internal static Tensor Open(Tensor x) => Dilate(Erode(x));

        /// <summary>The soft skeleton of <paramref name="x"/> after <paramref name="iterations"/> refinement steps.</summary>
        internal static Tensor Skeleton(Tensor x, int iterations)
        {
            if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "iterations must be non-negative");
            var eroded = Erode(x);
            var skeleton = (x - Dilate(eroded)).relu();
            for (int k = 1; k <= iterations; k++)
            {
                var current = eroded;
                eroded = Erode(current);
                var delta = (current - Dilate(eroded)).relu();
                skeleton = skeleton + (delta - skeleton * delta).relu();
            }
            return skeleton;
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

        /// <summary>Max-pooling with stride 1 (same size out as in).</summary>
        private static Tensor MaxPool(Tensor x, long[] kernel, long[] padding)
        {
            var stride = new long[kernel.Length];
            Array.Fill(stride, 1L);
            return kernel.Length switch
            {
                1 => F.max_pool1d(x, kernel[0], stride[0], padding[0]),
                2 => F.max_pool2d(x, kernel, stride, padding),
                _ => F.max_pool3d(x, kernel, stride, padding),
            };
        }
    }
}
