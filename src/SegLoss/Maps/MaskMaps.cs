using System;
using System.Numerics;
using static TorchSharp.torch;

namespace SegLoss.Maps
{
    /// <summary>
    /// Distance maps of many independent binary masks (items) of one spatial shape, computed in parallel over the
    /// items: the signed map of the boundary loss and the two-sided distance-to-boundary field of the Hausdorff
    /// loss. Both treat empty and full masks explicitly (zero map).
    /// </summary>
    internal static class MaskMaps
    {
        /// <summary>Which map to build from a mask G.</summary>
        internal enum Kind
        {
            /// <summary>φ = EDT(¬G)·¬G − (EDT(G) − 1)·G (Kervadec et al.; LIVIAETS one_hot2dist).</summary>
            Signed,

            /// <summary>EDT(G) + EDT(¬G): distance to the nearest element of the other set (Karimi; MONAI).</summary>
            BoundaryDistance,
        }

        /// <summary>
        /// Builds the maps of a bool mask tensor (…, S) whose last axis is the flattened <paramref name="spatial"/>
        /// shape, as a constant tensor of the same shape in <paramref name="type"/> on the mask's device.
        /// </summary>
        internal static Tensor Compute(Tensor masks, long[] spatial, double[]? spacing, Kind kind, ScalarType type)
        {
            var weights = MapTensors.SquaredSpacing(spacing, spatial.Length);
            // Float32 stays float32; every other type is computed and returned in float64, as below.
            if (MapTensors.IsEmpty(masks.shape))
                return MapTensors.Empty(masks.shape, type == ScalarType.Float32 ? ScalarType.Float32 : ScalarType.Float64, masks.device);
            var shape = MapTensors.Spatial(spatial, spatial.Length);
            int size = MapTensors.Product(shape);
            using var values = MapTensors.ReadNonzero(masks);
            int items = values.Length / size;
            if (type == ScalarType.Float32)
            {
                var single = new float[values.Length];
                Compute(values.Array, null, items, shape, weights, kind, single);
                return MapTensors.Create(single, masks.shape, masks.device);
            }
            var result = new double[values.Length];
            Compute(values.Array, null, items, shape, weights, kind, result);
            return MapTensors.Create(result, masks.shape, ScalarType.Float64, masks.device);
        }

        /// <summary>
        /// Writes to <paramref name="result"/> (items × size) the map of every item, whose mask
        /// (1 = in the object, 0 = outside) is read from <paramref name="masks"/> (items × size) or, when that is null,
        /// written by
        /// <paramref name="fill"/>(item, buffer). Items with no object element or no background element get a zero map.
        /// </summary>
        internal static void Compute<T>(byte[]? masks, Action<int, byte[]>? fill, int items, int[] spatial, double[] weights, Kind kind, T[] result)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            int size = MapTensors.Product(spatial);
            int maxLine = 1;
            foreach (var s in spatial) maxLine = Math.Max(maxLine, s);
            EdtKernel.ParallelRanges(items, DistanceTransform.MaxDegreeOfParallelism, () => new EdtScratch(maxLine), (from, to, scratch) =>
            {
                for (int item = from; item < to; item++)
                {
                    byte[] source;
                    int offset;
                    if (masks is not null)
                    {
                        source = masks;
                        offset = item * size;
                    }
                    else
                    {
                        source = scratch.Mask(size);
                        fill!(item, source);
                        offset = 0;
                    }
                    Item(source, offset, size, spatial, weights, kind, scratch, result.AsSpan(item * size, size));
                }
            });
        }

        private static void Item<T>(byte[] masks, int offset, int size, int[] spatial, double[] weights, Kind kind, EdtScratch scratch, Span<T> dest)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            var mask = masks.AsSpan(offset, size);
            int count = 0;
            foreach (var m in mask) count += m;
            if (count == 0 || count == size)
            {
                dest.Clear(); // no object or no background: zero map
                return;
            }
            var outside = scratch.Image(0, size);
            var inside = scratch.Image(1, size);
            // outside: squared distance to the nearest object element; inside: to the nearest background element.
            EdtKernel.Squared(masks, offset, 1, outside, 0, 1, spatial, weights, 1, scratch);
            EdtKernel.Squared(masks, offset, 0, inside, 0, 1, spatial, weights, 1, scratch);
            // The squared distance to the other side, then one vectorised square root.
            var distance = outside.AsSpan(0, size);
            for (int i = 0; i < size; i++)
                if (mask[i] != 0) distance[i] = inside[i];
            EdtKernel.SqrtInPlace(distance);
            if (kind == Kind.Signed)
            {
                for (int i = 0; i < size; i++)
                    dest[i] = T.CreateTruncating(mask[i] != 0 ? 1.0 - distance[i] : distance[i]);
            }
            else
            {
                for (int i = 0; i < size; i++) dest[i] = T.CreateTruncating(distance[i]);
            }
        }
    }
}
