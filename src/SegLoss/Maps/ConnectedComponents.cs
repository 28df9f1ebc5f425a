using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace SegLoss.Maps
{
    /// <summary>
    /// Connected-component labelling of binary masks (instances from a semantic mask), per image of a batch.
    /// </summary>
    /// <remarks>
    /// <para>Two foreground elements are connected when they are neighbours under the chosen connectivity, the
    /// number of neighbours of an element: 2 in 1D; 4 (edges) or 8 (edges and corners) in 2D; 6 (faces), 18 (faces
    /// and edges) or 26 (faces, edges and corners) in 3D. The default is the smallest (4 in 2D, 6 in 3D), as SciPy's
    /// <c>ndimage.label</c>.</para>
    /// <para>Output: int64 labels of the mask's shape, 0 on the background and 1..K_n on the K_n components of image
    /// n, numbered in raster (row-major) order of each component's first element. Union-find over arrays, in
    /// parallel over images (up to <see cref="DistanceTransform.MaxDegreeOfParallelism"/> threads); CUDA masks are
    /// copied to the CPU and the labels copied back.</para>
    /// </remarks>
    public static class ConnectedComponents
    {
        /// <summary>Labels the connected components of every image of a batch.</summary>
        /// <param name="mask">(N, *spatial) with 1 to 3 spatial dimensions, any real or bool dtype, nonzero = foreground.</param>
        /// <param name="connectivity">Neighbours per element: 2 (1D), 4 or 8 (2D), 6, 18 or 26 (3D); null for the
        /// smallest (2, 4 or 6).</param>
        /// <returns>The labels (N, *spatial) int64 on the mask's device, and the number of components K_n per image;
        /// an empty mask gives empty int64 labels of its shape and N counts of 0 (none for N = 0).</returns>
        /// <exception cref="ArgumentException">Bad shape or connectivity; the message names the argument, what was
        /// expected and what was given.</exception>
        public static (Tensor labels, long[] counts) Label(Tensor mask, int? connectivity = null)
        {
            MapTensors.CheckTensor(mask, nameof(mask));
            MapTensors.CheckRank(mask, 2, 4, "(N, *spatial) with 1 to 3 spatial dimensions", nameof(mask));
            var shape = mask.shape;
            int dims = shape.Length - 1;
            var offsets = BackwardOffsets(dims, ResolveConnectivity(dims, connectivity));
            if (MapTensors.IsEmpty(shape)) return EmptyResult(mask, shape);
            var spatial = MapTensors.Spatial(shape, dims);
            int n = (int)shape[0];
            using var foreground = MapTensors.ReadNonzero(mask);
            var labels = new long[foreground.Length];
            var counts = LabelArrays(foreground.Array, labels, n, spatial, offsets);
            return (MapTensors.Create(labels, shape, mask.device), counts);
        }

        /// <summary>
        /// No component in any image of an empty mask. With a zero-size spatial dimension N itself may exceed what
        /// the counts array can hold (CheckTensor bounds only the element count): that is refused by name.
        /// </summary>
        private static (Tensor labels, long[] counts) EmptyResult(Tensor mask, long[] shape)
        {
            if (shape[0] > MapTensors.MaxElements)
                throw new ArgumentException($"{nameof(mask)} has shape {Shapes.Format(shape)}: {shape[0]} images, more than the {MapTensors.MaxElements} counts an array can hold", nameof(mask));
            return (MapTensors.Empty(shape, ScalarType.Int64, mask.device), new long[shape[0]]);
        }

        /// <summary>Labels <paramref name="images"/> consecutive images into <paramref name="labels"/> (1..K per image).</summary>
        internal static long[] LabelArrays(byte[] foreground, long[] labels, int images, int[] spatial, int[][] offsets)
        {
            int size = MapTensors.Product(spatial);
            var counts = new long[images];
            EdtKernel.ParallelRanges(images, DistanceTransform.MaxDegreeOfParallelism, () => new int[size], (from, to, parent) =>
            {
                for (int img = from; img < to; img++)
                    counts[img] = LabelImage(foreground, labels, img * size, spatial, offsets, parent);
            });
            return counts;
        }

        /// <summary>The connectivity to use for <paramref name="dims"/> spatial dimensions, validated.</summary>
        internal static int ResolveConnectivity(int dims, int? connectivity)
        {
            int[] allowed = dims switch { 1 => new[] { 2 }, 2 => new[] { 4, 8 }, _ => new[] { 6, 18, 26 } };
            if (!connectivity.HasValue) return allowed[0];
            if (Array.IndexOf(allowed, connectivity.Value) < 0)
                throw new ArgumentException($"connectivity must be {string.Join(" or ", allowed)} for {dims} spatial dimension{(dims > 1 ? "s" : "")}, got {connectivity.Value}", nameof(connectivity));
            return connectivity.Value;
        }

        /// <summary>
        /// The neighbour offsets that precede an element in raster order, for a connectivity: offsets in {−1, 0, 1}^d
        /// with at most 1 (face), 2 (edge) or d (full) nonzero components.
        /// </summary>
        internal static int[][] BackwardOffsets(int dims, int connectivity)
        {
            int maxNonzero = connectivity switch { 2 or 4 or 6 => 1, 18 => 2, _ => dims };
            var result = new List<int[]>();
            int combos = 1;
            for (int i = 0; i < dims; i++) combos *= 3;
            for (int code = 0; code < combos; code++)
            {
                var delta = new int[dims];
                int rest = code, nonzero = 0;
                for (int i = dims - 1; i >= 0; i--)
                {
                    delta[i] = rest % 3 - 1;
                    rest /= 3;
                    if (delta[i] != 0) nonzero++;
                }
                if (nonzero == 0 || nonzero > maxNonzero) continue;
                int first = Array.FindIndex(delta, d => d != 0);
                if (delta[first] < 0) result.Add(delta); // lexicographically negative: visited earlier
            }
            return result.ToArray();
        }

        private static long LabelImage(byte[] fg, long[] labels, int offset, int[] spatial, int[][] offsets, int[] parent)
        {
            int dims = spatial.Length;
            int size = parent.Length;
            // Pad the shape to 3D (1, 1, W), (1, H, W) or (D, H, W) so that one loop handles every rank.
            int d0 = dims == 3 ? spatial[0] : 1, d1 = dims >= 2 ? spatial[dims - 2] : 1, d2 = spatial[dims - 1];
            var padded = new int[offsets.Length][];
            for (int k = 0; k < offsets.Length; k++)
            {
                var o = offsets[k];
                padded[k] = new[] { dims == 3 ? o[0] : 0, dims >= 2 ? o[dims - 2] : 0, o[dims - 1] };
            }
            for (int i = 0; i < size; i++) parent[i] = -1;
            for (int z = 0; z < d0; z++)
            {
                for (int y = 0; y < d1; y++)
                {
                    for (int x = 0; x < d2; x++)
                    {
                        int i = (z * d1 + y) * d2 + x;
                        if (fg[offset + i] == 0) continue;
                        parent[i] = i;
                        foreach (var o in padded)
                        {
                            int zz = z + o[0], yy = y + o[1], xx = x + o[2];
                            if (zz < 0 || yy < 0 || xx < 0 || yy >= d1 || xx >= d2) continue;
                            int j = (zz * d1 + yy) * d2 + xx;
                            if (fg[offset + j] != 0) Union(parent, i, j);
                        }
                    }
                }
            }
            long next = 0;
            var span = labels.AsSpan(offset, size);
            for (int i = 0; i < size; i++)
            {
                if (parent[i] < 0) { span[i] = 0; continue; }
                int root = Find(parent, i);
                if (root == i) span[i] = ++next; // the root is the smallest index of its set: its first element
                else span[i] = span[root];
            }
            return next;
        }

        private static int Find(int[] parent, int i)
        {
            int root = i;
            while (parent[root] != root) root = parent[root];
            while (parent[i] != root)
            {
                int up = parent[i];
                parent[i] = root;
                i = up;
            }
            return root;
        }

        private static void Union(int[] parent, int a, int b)
        {
            int ra = Find(parent, a), rb = Find(parent, b);
            if (ra == rb) return;
            // Keep the smaller index as the root so that roots are first elements in raster order.
            if (ra < rb) parent[rb] = ra;
            else parent[ra] = rb;
        }
    }
}
