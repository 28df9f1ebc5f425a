using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace SegLoss.Maps
{
    /// <summary>
    /// The pixel weight map of U-Net (Ronneberger, Fischer and Brox, "U-Net: Convolutional Networks for Biomedical
    /// Image Segmentation", MICCAI 2015, eq. 2), to be fed to <c>PixelWeightedCrossEntropyLoss</c> as its third
    /// input (the weight map (N, *spatial)).
    /// </summary>
    /// <remarks>
    /// <para>w(x) = w_c(x) + w₀·exp(−(d₁(x) + d₂(x))² / (2σ²)), where d₁ and d₂ are the distances from x to the
    /// nearest and the second-nearest instance (cell). The distance to an instance is the Euclidean distance to its
    /// nearest element (pixel centres, with spacing): 1 for a background pixel next to it, 0 on the instance itself.
    /// Defaults are the paper's w₀ = 10 and σ = 5 (in pixels, or in the spacing's physical units).</para>
    /// <para>Border term: applied to background pixels only by default (<c>borderOnBackgroundOnly</c>; the term is
    /// meant for the gaps between touching cells), or to every pixel (inside an instance d₁ = 0 and d₂ is the
    /// distance to the nearest other instance). An image with fewer than two instances has no border term (0).</para>
    /// <para>Class term w_c (the paper leaves it open): by default the per-image balanced inverse frequency
    /// w_c = |Ω| / (2·|Ω_k|) for the class k ∈ {background, foreground} of the pixel, so that w_c averages 1 over
    /// the image; an image holding only one of the two classes gets w_c = 1. Fixed weights (background, foreground)
    /// may be given instead.</para>
    /// <para>Cost: one exact EDT per instance (<see cref="DistanceTransform"/>), O(K·|Ω|) per image, in parallel over
    /// instances; CUDA inputs are copied to the CPU and the map is copied back.</para>
    /// </remarks>
    public static class UNetWeightMap
    {
        /// <summary>The paper's border weight w₀.</summary>
        public const double DefaultW0 = 10.0;

        /// <summary>The paper's border width σ (pixels).</summary>
        public const double DefaultSigma = 5.0;

        /// <summary>Builds the weight map from instance labels.</summary>
        /// <param name="instances">Integer instance map (N, *spatial), 1 to 3 spatial dimensions: 0 = background,
        /// any positive value = one instance (values need not be consecutive; negative values are rejected).</param>
        /// <param name="w0">Border weight w₀ (finite, ≥ 0).</param>
        /// <param name="sigma">Border width σ (finite, &gt; 0), in pixels or the units of <paramref name="spacing"/>.</param>
        /// <param name="spacing">Physical size of a pixel per spatial axis, or null for unit spacing.</param>
        /// <param name="classWeights">Fixed (background, foreground) class weights w_c (two finite values ≥ 0), or
        /// null for the per-image balanced inverse frequency.</param>
        /// <param name="borderOnBackgroundOnly">Apply the border term to background pixels only (default) or to all.</param>
        /// <returns>Float32 weights (N, *spatial) on the input's device; empty instances (N = 0 or a zero-size
        /// spatial dimension) give an empty float32 tensor of their shape.</returns>
        /// <exception cref="ArgumentException">Bad shape, dtype, value or option; the message names the argument,
        /// what was expected and what was given.</exception>
        public static Tensor FromInstances(Tensor instances, double w0 = DefaultW0, double sigma = DefaultSigma,
            double[]? spacing = null, double[]? classWeights = null, bool borderOnBackgroundOnly = true)
        {
            const string layout = "(N, *spatial) with 1 to 3 spatial dimensions";
            MapTensors.CheckTensor(instances, nameof(instances));
            MapTensors.CheckRank(instances, 2, 4, layout, nameof(instances));
            MapTensors.CheckIntegral(instances, layout, nameof(instances));
            CheckOptions(w0, sigma, classWeights);
            var shape = instances.shape;
            int dims = shape.Length - 1;
            var weights = MapTensors.SquaredSpacing(spacing, dims);
            if (MapTensors.IsEmpty(shape)) return MapTensors.Empty(shape, ScalarType.Float32, instances.device);
            using var values = MapTensors.ReadInt64(instances);
            foreach (var v in values.Span)
                if (v < 0) throw new ArgumentException($"{nameof(instances)} hold {v} but instance labels must be 0 (background) or positive", nameof(instances));
            var map = Compute(values.Array, values.Length, (int)shape[0], MapTensors.Spatial(shape, dims), weights, w0, sigma, classWeights, borderOnBackgroundOnly);
            return MapTensors.Create(map, shape, instances.device);
        }

        /// <summary>
        /// Builds the weight map from a semantic (binary) mask: instances are its connected components
        /// (<see cref="ConnectedComponents.Label"/>).
        /// </summary>
        /// <param name="mask">(N, *spatial) with 1 to 3 spatial dimensions, nonzero = foreground.</param>
        /// <param name="connectivity">Connectivity of the components: null for 4 (2D) / 6 (3D); see
        /// <see cref="ConnectedComponents.Label"/>.</param>
        /// <param name="w0">Border weight w₀.</param>
        /// <param name="sigma">Border width σ.</param>
        /// <param name="spacing">Pixel spacing per spatial axis, or null.</param>
        /// <param name="classWeights">Fixed (background, foreground) weights, or null for balanced weights.</param>
        /// <param name="borderOnBackgroundOnly">Apply the border term to background pixels only (default) or to all.</param>
        /// <returns>Float32 weights (N, *spatial) on the mask's device; an empty mask (N = 0 or a zero-size spatial
        /// dimension) gives an empty float32 tensor of its shape.</returns>
        /// <exception cref="ArgumentException">Bad shape, connectivity or option; the message names the argument,
        /// what was expected and what was given.</exception>
        public static Tensor FromMask(Tensor mask, int? connectivity = null, double w0 = DefaultW0, double sigma = DefaultSigma,
            double[]? spacing = null, double[]? classWeights = null, bool borderOnBackgroundOnly = true)
        {
            MapTensors.CheckTensor(mask, nameof(mask));
            MapTensors.CheckRank(mask, 2, 4, "(N, *spatial) with 1 to 3 spatial dimensions", nameof(mask));
            CheckOptions(w0, sigma, classWeights);
            var shape = mask.shape;
            int dims = shape.Length - 1;
            var weights = MapTensors.SquaredSpacing(spacing, dims);
            var offsets = ConnectedComponents.BackwardOffsets(dims, ConnectedComponents.ResolveConnectivity(dims, connectivity));
            if (MapTensors.IsEmpty(shape)) return MapTensors.Empty(shape, ScalarType.Float32, mask.device);
            var spatial = MapTensors.Spatial(shape, dims);
            int n = (int)shape[0];
            var labels = new long[mask.numel()];
            using (var foreground = MapTensors.ReadNonzero(mask))
                ConnectedComponents.LabelArrays(foreground.Array, labels, n, spatial, offsets);
            var map = Compute(labels, labels.Length, n, spatial, weights, w0, sigma, classWeights, borderOnBackgroundOnly);
            return MapTensors.Create(map, shape, mask.device);
        }

        private static void CheckOptions(double w0, double sigma, double[]? classWeights)
        {
            if (!(w0 >= 0) || double.IsInfinity(w0))
                throw new ArgumentException($"{nameof(w0)} must be finite and non-negative, got {w0}", nameof(w0));
            if (!(sigma > 0) || double.IsInfinity(sigma))
                throw new ArgumentException($"{nameof(sigma)} must be finite and positive, got {sigma}", nameof(sigma));
            if (classWeights is null) return;
            if (classWeights.Length != 2)
                throw new ArgumentException($"{nameof(classWeights)} must hold 2 values (background, foreground), got {classWeights.Length}", nameof(classWeights));
            foreach (var w in classWeights)
                if (!(w >= 0) || double.IsInfinity(w))
                    throw new ArgumentException($"{nameof(classWeights)} must be finite and non-negative, got [{string.Join(", ", classWeights)}]", nameof(classWeights));
        }

        private static float[] Compute(long[] instances, int length, int images, int[] spatial, double[] weights, double w0, double sigma,
            double[]? classWeights, bool backgroundOnly)
        {
            int size = MapTensors.Product(spatial);
            var result = new float[length];
            double twoSigma2 = 2 * sigma * sigma;
            for (int img = 0; img < images; img++)
            {
                int offset = img * size;
                var (d1, d2, count) = TwoNearest(instances, offset, size, spatial, weights);
                int foreground = 0;
                for (int i = 0; i < size; i++) if (instances[offset + i] != 0) foreground++;
                int background = size - foreground;
                double wBackground, wForeground;
                if (classWeights is not null) (wBackground, wForeground) = (classWeights[0], classWeights[1]);
                else if (foreground == 0 || background == 0) (wBackground, wForeground) = (1.0, 1.0);
                else (wBackground, wForeground) = (size / (2.0 * background), size / (2.0 * foreground));
                for (int i = 0; i < size; i++)
                {
                    bool isForeground = instances[offset + i] != 0;
                    double w = isForeground ? wForeground : wBackground;
                    if (count >= 2 && w0 > 0 && (!backgroundOnly || !isForeground))
                    {
                        double s = d1[i] + d2[i];
                        w += w0 * Math.Exp(-s * s / twoSigma2);
                    }
                    result[offset + i] = (float)w;
                }
            }
            return result;
        }

        /// <summary>
        /// Per pixel, the smallest and second-smallest distance to an instance, from one EDT per instance, in
        /// parallel over instances with thread-local minima merged at the end.
        /// </summary>
        private static (double[] d1, double[] d2, int count) TwoNearest(long[] instances, int offset, int size, int[] spatial, double[] weights)
        {
            var ids = new List<long>();
            var seen = new HashSet<long>();
            for (int i = 0; i < size; i++)
            {
                long v = instances[offset + i];
                if (v != 0 && seen.Add(v)) ids.Add(v);
            }
            var d1 = new double[size];
            var d2 = new double[size];
            Array.Fill(d1, double.PositiveInfinity);
            Array.Fill(d2, double.PositiveInfinity);
            if (ids.Count < 2) return (d1, d2, ids.Count);
            int maxLine = 1;
            foreach (var s in spatial) maxLine = Math.Max(maxLine, s);
            var gate = new object();
            EdtKernel.ParallelRanges(ids.Count, DistanceTransform.MaxDegreeOfParallelism, () => new EdtScratch(maxLine), (from, to, scratch) =>
            {
                var mask = scratch.Mask(size);
                var squared = scratch.Image(0, size);
                var local1 = scratch.Image(1, size);
                var local2 = scratch.Image(2, size);
                local1.AsSpan(0, size).Fill(double.PositiveInfinity);
                local2.AsSpan(0, size).Fill(double.PositiveInfinity);
                for (int k = from; k < to; k++)
                {
                    long id = ids[k];
                    for (int i = 0; i < size; i++) mask[i] = instances[offset + i] == id ? (byte)1 : (byte)0;
                    EdtKernel.Squared(mask, 0, 1, squared, 0, 1, spatial, weights, 1, scratch);
                    for (int i = 0; i < size; i++) Insert(local1, local2, i, squared[i]);
                }
                lock (gate)
                {
                    for (int i = 0; i < size; i++)
                    {
                        Insert(d1, d2, i, local1[i]);
                        Insert(d1, d2, i, local2[i]);
                    }
                }
            });
            EdtKernel.SqrtInPlace(d1.AsSpan());
            EdtKernel.SqrtInPlace(d2.AsSpan());
            return (d1, d2, ids.Count);
        }

        private static void Insert(double[] first, double[] second, int i, double value)
        {
            if (value < first[i])
            {
                second[i] = first[i];
                first[i] = value;
            }
            else if (value < second[i])
            {
                second[i] = value;
            }
        }
    }
}
