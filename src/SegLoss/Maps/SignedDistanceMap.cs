using System;
using System.Numerics;
using static TorchSharp.torch;

namespace SegLoss.Maps
{
    /// <summary>
    /// Signed distance maps per class in the convention of the boundary loss (Kervadec et al., "Boundary loss for
    /// highly unbalanced segmentation", MIDL 2019; the authors' <c>one_hot2dist</c> in LIVIAETS/boundary-loss).
    /// </summary>
    /// <remarks>
    /// <para>For the mask G of class c in one image: φ = EDT(¬G)·¬G − (EDT(G) − 1)·G, where EDT is
    /// <see cref="DistanceTransform.Edt"/> (distance to the nearest zero element, with spacing). Outside the object φ
    /// is the distance to the nearest object element (≥ 1 with unit spacing); inside it is −(distance to the nearest
    /// background element − 1): 0 on the inner boundary row, negative deeper inside. The −1 is a constant, as in the
    /// reference code, also with anisotropic spacing (there the inner boundary holds 1 − s along the nearest axis).</para>
    /// <para>Degenerate masks: a class with no element in the image (G empty) has an all-zero map (no supervision,
    /// as in the reference code). A class covering the whole image (¬G empty, EDT(¬G) undefined) also has an
    /// all-zero map (LIVIAETS/boundary-loss issue #18 suggests zero maps).</para>
    /// <para>Maps are computed on the CPU (tensors on other devices are copied there and back), in parallel over
    /// images and classes with up to <see cref="DistanceTransform.MaxDegreeOfParallelism"/> threads; they carry no
    /// gradient.</para>
    /// </remarks>
    public static class SignedDistanceMap
    {
        /// <summary>
        /// Signed distance maps of every class of an integer label map.
        /// </summary>
        /// <param name="labels">Integer labels (N, *spatial), 1 to 3 spatial dimensions, values in [0, numClasses)
        /// or <paramref name="ignoreIndex"/>.</param>
        /// <param name="numClasses">Number of classes C (≥ 1).</param>
        /// <param name="spacing">Physical size of an element per spatial axis, or null for unit spacing.</param>
        /// <param name="ignoreIndex">Label of pixels that belong to no class (they count as outside every class and
        /// their map value is 0), or null.</param>
        /// <param name="dtype">Float32 (default) or Float64.</param>
        /// <returns>(N, C, *spatial) maps on the labels' device; empty labels (N = 0 or a zero-size spatial
        /// dimension) give an empty tensor of that shape in the output dtype.</returns>
        /// <exception cref="ArgumentException">Bad shape, dtype, label value, class count or spacing; the message
        /// names the argument, what was expected and what was given. Also, naming <paramref name="numClasses"/>,
        /// before anything is allocated, when the maps would hold more values than a .NET array (about 2³¹) or,
        /// empty, could not be represented (a 64-bit stride overflow).</exception>
        public static Tensor FromLabels(Tensor labels, long numClasses, double[]? spacing = null, long? ignoreIndex = null, ScalarType? dtype = null)
        {
            const string layout = "(N, *spatial) with 1 to 3 spatial dimensions";
            MapTensors.CheckTensor(labels, nameof(labels));
            MapTensors.CheckRank(labels, 2, 4, layout, nameof(labels));
            MapTensors.CheckIntegral(labels, layout, nameof(labels));
            if (numClasses < 1)
                throw new ArgumentException($"{nameof(numClasses)} must be at least 1, got {numClasses}", nameof(numClasses));
            var shape = labels.shape;
            int dims = shape.Length - 1;
            var weights = MapTensors.SquaredSpacing(spacing, dims);
            var type = MapTensors.OutputType(dtype, labels);
            var outShape = new long[shape.Length + 1];
            outShape[0] = shape[0];
            outShape[1] = numClasses;
            Array.Copy(shape, 1, outShape, 2, dims);
            // The output grows with numClasses, not only with the labels: checked before any allocation (OutputSize).
            string? excess = OutputSize.Excess(outShape, type, MapTensors.MaxElements, long.MaxValue, $"more than the {MapTensors.MaxElements} values a map can hold");
            if (excess is not null)
                throw new ArgumentException($"{nameof(numClasses)} {numClasses} would make signed distance maps of {excess}", nameof(numClasses));
            if (MapTensors.IsEmpty(outShape)) return MapTensors.Empty(outShape, type, labels.device);
            var spatial = MapTensors.Spatial(shape, dims);
            int n = (int)shape[0];
            int size = MapTensors.Product(spatial);
            int c = (int)numClasses;

            using var pooled = MapTensors.ReadInt64(labels);
            var values = pooled.Array;
            foreach (var label in pooled.Span)
            {
                if ((label < 0 || label >= numClasses) && !(ignoreIndex.HasValue && label == ignoreIndex.Value))
                {
                    string allowed = ignoreIndex.HasValue ? $"[0, {numClasses}) or the ignore index {ignoreIndex.Value}" : $"[0, {numClasses})";
                    throw new ArgumentException($"{nameof(labels)} hold {label} but must be in {allowed}", nameof(labels));
                }
            }
            // Item (image, class): the class mask, built per item from the labels. Ignored pixels (any value that
            // is not the class, including an ignore index inside [0, C)) are outside every class.
            long ignored = ignoreIndex ?? long.MinValue;
            void Fill(int item, byte[] mask)
            {
                int image = item / c;
                long cls = item % c;
                var row = values.AsSpan(image * size, size);
                for (int i = 0; i < row.Length; i++) mask[i] = row[i] == cls && row[i] != ignored ? (byte)1 : (byte)0;
            }
            if (type == ScalarType.Float32)
            {
                var single = new float[(long)n * c * size];
                MaskMaps.Compute(null, Fill, n * c, spatial, weights, MaskMaps.Kind.Signed, single);
                if (ignoreIndex.HasValue) ZeroIgnored(single, values, ignored, n, c, size);
                return MapTensors.Create(single, outShape, labels.device);
            }
            var maps = new double[(long)n * c * size];
            MaskMaps.Compute(null, Fill, n * c, spatial, weights, MaskMaps.Kind.Signed, maps);
            if (ignoreIndex.HasValue) ZeroIgnored(maps, values, ignored, n, c, size);
            return MapTensors.Create(maps, outShape, ScalarType.Float64, labels.device);
        }

        private static void ZeroIgnored<T>(T[] maps, long[] labels, long ignored, int n, int c, int size)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            for (int img = 0; img < n; img++)
                for (int i = 0; i < size; i++)
                    if (labels[img * size + i] == ignored)
                        for (int k = 0; k < c; k++) maps[((long)img * c + k) * size + i] = T.Zero;
        }

        /// <summary>
        /// Signed distance maps of every channel of a one-hot (or any binary) mask.
        /// </summary>
        /// <param name="mask">(N, C, *spatial) with 1 to 3 spatial dimensions, any real or bool dtype, nonzero = in
        /// the class. Channels are independent (they need not be exclusive). For a single binary mask (N, *spatial)
        /// pass <c>mask.unsqueeze(1)</c>.</param>
        /// <param name="spacing">Physical size of an element per spatial axis, or null for unit spacing.</param>
        /// <param name="dtype">Float32 or Float64; null gives Float64 for a float64 mask and Float32 otherwise.</param>
        /// <returns>Maps of the mask's shape, on its device; an empty mask (a zero-size batch, channel or spatial
        /// dimension) gives an empty tensor of its shape in the output dtype.</returns>
        /// <exception cref="ArgumentException">Bad shape, dtype or spacing.</exception>
        public static Tensor FromMask(Tensor mask, double[]? spacing = null, ScalarType? dtype = null)
        {
            MapTensors.CheckTensor(mask, nameof(mask));
            MapTensors.CheckRank(mask, 3, 5, "(N, C, *spatial) with 1 to 3 spatial dimensions", nameof(mask));
            var shape = mask.shape;
            int dims = shape.Length - 2;
            var weights = MapTensors.SquaredSpacing(spacing, dims);
            var type = MapTensors.OutputType(dtype, mask);
            if (MapTensors.IsEmpty(shape)) return MapTensors.Empty(shape, type, mask.device);
            var spatial = MapTensors.Spatial(shape, dims);
            int items = MapTensors.Leading(shape, dims);
            using var masks = MapTensors.ReadNonzero(mask);
            if (type == ScalarType.Float32)
            {
                var single = new float[masks.Length];
                MaskMaps.Compute(masks.Array, null, items, spatial, weights, MaskMaps.Kind.Signed, single);
                return MapTensors.Create(single, shape, mask.device);
            }
            var maps = new double[masks.Length];
            MaskMaps.Compute(masks.Array, null, items, spatial, weights, MaskMaps.Kind.Signed, maps);
            return MapTensors.Create(maps, shape, ScalarType.Float64, mask.device);
        }
    }
}
