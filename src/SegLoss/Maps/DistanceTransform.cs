using System;
using System.Numerics;
using static TorchSharp.torch;

namespace SegLoss.Maps
{
    /// <summary>
    /// Exact Euclidean distance transform (EDT) of binary masks in 1, 2 or 3 dimensions, with optional anisotropic
    /// spacing, following SciPy's <c>scipy.ndimage.distance_transform_edt</c> convention.
    /// </summary>
    /// <remarks>
    /// <para>Convention: for every element x of the mask, EDT(x) = min over background elements b of ‖(x − b)·s‖₂,
    /// where background means a zero element, s is the spacing per axis (1 when not given) and the product is
    /// per axis. Foreground (nonzero) elements get their distance to the nearest background element (≥ the smallest
    /// spacing); background elements get 0. An image with no background element at all (all foreground) has no
    /// defined distance: every element of that image is <see cref="float.PositiveInfinity"/>. An all-background image
    /// is all zeros. Images of a batch are independent.</para>
    /// <para>Algorithm: Felzenszwalb and Huttenlocher, "Distance Transforms of Sampled Functions", Theory of
    /// Computing 8 (2012): an exact squared-distance pass along the first spatial axis, then one lower envelope of
    /// parabolas per remaining axis; O(n) per line and exact: squared distances are exact integers for unit spacing
    /// (in float32 too, below 2²⁴). The envelope arithmetic is float64; with float32 output the values between passes
    /// are stored in float32, so non-unit spacings carry float32 rounding (relative error ~1e-7). Lines are processed
    /// in parallel with up to <see cref="MaxDegreeOfParallelism"/> threads.</para>
    /// <para>Devices: the transform runs on the CPU in managed code. A CUDA (or other non-CPU) mask is copied to the
    /// CPU and the result copied back to the mask's device, so on a GPU the transfer and the CPU time are part of
    /// every call. No gradient flows through a distance map: the result is a new constant tensor.</para>
    /// </remarks>
    public static class DistanceTransform
    {
        private static int s_maxDegree = Environment.ProcessorCount;

        /// <summary>
        /// The largest number of threads any map builder of <c>SegLoss.Maps</c> (and the losses computing maps) uses;
        /// defaults to <see cref="Environment.ProcessorCount"/>. Set 1 to run single-threaded.
        /// </summary>
        /// <exception cref="ArgumentException">The value is less than 1.</exception>
        public static int MaxDegreeOfParallelism
        {
            get => s_maxDegree;
            set
            {
                if (value < 1) throw new ArgumentException($"MaxDegreeOfParallelism must be at least 1, got {value}", nameof(value));
                s_maxDegree = value;
            }
        }

        /// <summary>
        /// The Euclidean distance of every element to the nearest background (zero) element; 0 on the background,
        /// +∞ throughout an image without background.
        /// </summary>
        /// <param name="mask">
        /// Mask of any real or bool dtype, nonzero = foreground: (W) or (H, W) for one image, (N, H, W) or
        /// (N, D, H, W) for a batch, or any leading batch dimensions followed by <paramref name="spatialDims"/>
        /// spatial ones.
        /// </param>
        /// <param name="spacing">Physical size of an element along each spatial axis (one finite positive entry per
        /// spatial dimension), or null for unit spacing.</param>
        /// <param name="spatialDims">
        /// How many trailing dimensions are spatial (1 to 3). When null: the length of <paramref name="spacing"/> if
        /// given, otherwise the rank for a 1-D or 2-D mask and rank − 1 (at most 3) for higher ranks, i.e. the first
        /// dimension is a batch. Pass 3 (or a 3-entry spacing) for a single (D, H, W) volume.
        /// </param>
        /// <param name="dtype">Float32 or Float64; null gives Float64 for a float64 mask and Float32 otherwise.</param>
        /// <returns>A tensor of the mask's shape and device holding the distances; an empty mask (a zero-size batch
        /// or spatial dimension) gives an empty tensor of its shape in the output dtype.</returns>
        /// <exception cref="ArgumentException">A bad rank, spacing, spatialDims or dtype; the message names the
        /// argument, what was expected and what was given.</exception>
        public static Tensor Edt(Tensor mask, double[]? spacing = null, int? spatialDims = null, ScalarType? dtype = null) =>
            Transform(mask, spacing, spatialDims, dtype, squared: false);

        /// <summary>
        /// The squared Euclidean distance of every element to the nearest background (zero) element; same
        /// conventions and arguments as <see cref="Edt"/> (exact integers for unit spacing).
        /// </summary>
        /// <param name="mask">Mask, nonzero = foreground; see <see cref="Edt"/>.</param>
        /// <param name="spacing">Spacing per spatial axis, or null.</param>
        /// <param name="spatialDims">Number of trailing spatial dimensions, or null; see <see cref="Edt"/>.</param>
        /// <param name="dtype">Float32 or Float64, or null.</param>
        /// <returns>A tensor of the mask's shape and device holding the squared distances; an empty mask (a zero-size
        /// batch or spatial dimension) gives an empty tensor of its shape in the output dtype.</returns>
        /// <exception cref="ArgumentException">As for <see cref="Edt"/>.</exception>
        public static Tensor SquaredEdt(Tensor mask, double[]? spacing = null, int? spatialDims = null, ScalarType? dtype = null) =>
            Transform(mask, spacing, spatialDims, dtype, squared: true);

        private static Tensor Transform(Tensor mask, double[]? spacing, int? spatialDims, ScalarType? dtype, bool squared)
        {
            MapTensors.CheckTensor(mask, nameof(mask));
            var shape = mask.shape;
            int rank = shape.Length;
            if (rank < 1)
                throw new ArgumentException($"{nameof(mask)} has shape {Shapes.Format(shape)} but needs at least one spatial dimension", nameof(mask));
            int dims = ResolveSpatialDims(rank, spacing, spatialDims);
            var weights = MapTensors.SquaredSpacing(spacing, dims);
            var type = MapTensors.OutputType(dtype, mask);
            if (MapTensors.IsEmpty(shape)) return MapTensors.Empty(shape, type, mask.device);
            var spatial = MapTensors.Spatial(shape, dims);
            int images = MapTensors.Leading(shape, dims);
            using var foreground = MapTensors.ReadNonzero(mask);
            if (type == ScalarType.Float32)
            {
                var single = new float[foreground.Length];
                Run(foreground.Array, single, images, spatial, weights, squared);
                return MapTensors.Create(single, shape, mask.device);
            }
            var result = new double[foreground.Length];
            Run(foreground.Array, result, images, spatial, weights, squared);
            return MapTensors.Create(result, shape, ScalarType.Float64, mask.device);
        }

        private static void Run<T>(byte[] foreground, T[] result, int images, int[] spatial, double[] weights, bool squared)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            int degree = MaxDegreeOfParallelism;
            EdtKernel.Squared(foreground, 0, 0, result, 0, images, spatial, weights, degree);
            if (squared) return;
            EdtKernel.ParallelRanges(result.Length, degree, () => 0, (from, to, _) => EdtKernel.SqrtInPlace(result.AsSpan(from, to - from)));
        }

        private static int ResolveSpatialDims(int rank, double[]? spacing, int? spatialDims)
        {
            if (spatialDims.HasValue)
            {
                int d = spatialDims.Value;
                if (d < 1 || d > 3 || d > rank)
                    throw new ArgumentException($"{nameof(spatialDims)} must be 1, 2 or 3 and at most the mask's rank {rank}, got {d}", nameof(spatialDims));
                if (spacing is not null && spacing.Length != d)
                    throw new ArgumentException($"{nameof(spacing)} has {spacing.Length} entries but {nameof(spatialDims)} is {d} (expected {d} entries)", nameof(spacing));
                return d;
            }
            if (spacing is not null)
            {
                if (spacing.Length < 1 || spacing.Length > 3 || spacing.Length > rank)
                    throw new ArgumentException($"{nameof(spacing)} has {spacing.Length} entries but must have 1 to 3, at most the mask's rank {rank}", nameof(spacing));
                return spacing.Length;
            }
            return rank <= 2 ? rank : Math.Min(rank - 1, 3);
        }
    }
}
