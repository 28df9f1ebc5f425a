using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace SegLoss.Maps
{
    /// <summary>
    /// Per-thread line buffers of the distance-transform passes, plus image-sized buffers on demand, rented from
    /// <see cref="ArrayPool{T}.Shared"/> and returned on <see cref="Dispose"/>.
    /// </summary>
    internal sealed class EdtScratch : IDisposable
    {
        private readonly double[]?[] _images = new double[]?[4];
        private byte[]? _mask;

        internal EdtScratch(int maxLine)
        {
            int n = Math.Max(maxLine, EdtKernel.BlockWidth);
            F = new double[n];
            H = new double[n];
            Z = new double[n + 1];
            V = new int[n];
        }

        /// <summary>Sampled function of the current line (also the previous row of the first pass).</summary>
        internal double[] F { get; }

        /// <summary>f(v) + w·v² of each parabola in the lower envelope.</summary>
        internal double[] H { get; }

        /// <summary>Boundaries between consecutive parabolas of the envelope.</summary>
        internal double[] Z { get; }

        /// <summary>Apexes (sample positions) of the parabolas in the envelope.</summary>
        internal int[] V { get; }

        /// <summary>Reusable image-sized buffer number <paramref name="slot"/> (0 to 3); contents undefined.</summary>
        internal double[] Image(int slot, int size)
        {
            var a = _images[slot];
            if (a is not null && a.Length >= size) return a;
            if (a is not null) ArrayPool<double>.Shared.Return(a);
            return _images[slot] = ArrayPool<double>.Shared.Rent(size);
        }

        /// <summary>A reusable image-sized 0/1 mask (contents undefined).</summary>
        internal byte[] Mask(int size)
        {
            if (_mask is not null && _mask.Length >= size) return _mask;
            if (_mask is not null) ArrayPool<byte>.Shared.Return(_mask);
            return _mask = ArrayPool<byte>.Shared.Rent(size);
        }

        /// <summary>Returns the rented buffers to the pool.</summary>
        public void Dispose()
        {
            for (int i = 0; i < _images.Length; i++)
            {
                if (_images[i] is { } a) ArrayPool<double>.Shared.Return(a);
                _images[i] = null;
            }
            if (_mask is not null) ArrayPool<byte>.Shared.Return(_mask);
            _mask = null;
        }
    }

    /// <summary>
    /// Exact squared Euclidean distance transform on row-major arrays (Felzenszwalb and Huttenlocher,
    /// "Distance Transforms of Sampled Functions", Theory of Computing 8, 2012): an exact two-sweep pass along the
    /// first axis (run as row-by-row sweeps, so memory is read sequentially), then one lower-envelope-of-parabolas
    /// pass per remaining axis (the last one contiguous), O(n) per line. Values are stored as float or double;
    /// the envelope arithmetic is in double.
    /// </summary>
    internal static class EdtKernel
    {
        /// <summary>
        /// Lines whose mean value is at most this many squared steps are finished by a bounded local search instead
        /// of the envelope: with values that small (scattered or thin structures) only the few nearest samples can
        /// win, and the search is several times cheaper than building the envelope (24 vs 48 ms for 24 random
        /// 256x256 masks).
        /// </summary>
        private const double LocalSearchLimit = 16;

        /// <summary>Columns per work item of the first pass.</summary>
        internal const int BlockWidth = 512;

        /// <summary>
        /// For <paramref name="images"/> consecutive images of <paramref name="shape"/>, writes to
        /// <paramref name="output"/> the squared distance of every element to the nearest site (an element of the
        /// 0/1 <paramref name="mask"/> equal to <paramref name="siteValue"/>); +∞ in an image without sites.
        /// <paramref name="weights"/> are the squared spacings per axis.
        /// </summary>
        internal static void Squared<T>(byte[] mask, int maskOffset, byte siteValue, T[] output, int outOffset,
            int images, int[] shape, double[] weights, int degree, EdtScratch? scratch = null)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            int dims = shape.Length;
            int size = 1;
            int maxLine = 1;
            foreach (var s in shape) { size *= s; maxLine = Math.Max(maxLine, s); }
            if (images == 0 || size == 0) return;
            int total = images * size;
            int plane = size / shape[0];
            int blocks = (plane + BlockWidth - 1) / BlockWidth;
            if (degree <= 1)
            {
                var local = scratch ?? new EdtScratch(maxLine); // line buffers only: nothing rented
                SweepFirstAxis(mask, maskOffset, siteValue, output, outOffset, shape[0], plane, size, weights[0], blocks, 0, images * blocks, local);
                for (int axis = 1; axis < dims; axis++)
                    EnvelopeLines(output, outOffset, shape, axis, weights[axis], 0, total / shape[axis], local);
                return;
            }
            ParallelRanges(images * blocks, degree, () => new EdtScratch(maxLine),
                (from, to, local) => SweepFirstAxis(mask, maskOffset, siteValue, output, outOffset, shape[0], plane, size, weights[0], blocks, from, to, local));
            for (int axis = 1; axis < dims; axis++)
            {
                int a = axis;
                ParallelRanges(total / shape[a], degree, () => new EdtScratch(maxLine),
                    (from, to, local) => EnvelopeLines(output, outOffset, shape, a, weights[a], from, to, local));
            }
        }

        /// <summary>Replaces every value by its square root, with SIMD where the hardware has it.</summary>
        internal static void SqrtInPlace<T>(Span<T> values)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
                for (int k = 0; k < vectors.Length; k++) vectors[k] = Vector.SquareRoot(vectors[k]);
                i = vectors.Length * Vector<T>.Count;
            }
            for (; i < values.Length; i++) values[i] = T.Sqrt(values[i]);
        }

        /// <summary>
        /// Runs body over [0, count) split into ranges, with one local state per worker (disposed at the end when it is
        /// <see cref="IDisposable"/>).
        /// </summary>
        internal static void ParallelRanges<TLocal>(int count, int degree, Func<TLocal> init, Action<int, int, TLocal> body)
        {
            if (count <= 0) return;
            if (degree <= 1 || count == 1)
            {
                var local = init();
                try { body(0, count, local); }
                finally { (local as IDisposable)?.Dispose(); }
                return;
            }
            int chunks = Math.Min(count, degree * 4);
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = degree }, init, (c, _, local) =>
            {
                int from = (int)((long)count * c / chunks);
                int to = (int)((long)count * (c + 1) / chunks);
                body(from, to, local);
                return local;
            }, local => (local as IDisposable)?.Dispose());
        }

        /// <summary>
        /// Exact 1D pass along the first axis for work items [from, to) (image × block of columns): the distance in
        /// rows to the nearest site of the column, by a downward and an upward sweep over whole rows, then squared
        /// and weighted.
        /// </summary>
        private static void SweepFirstAxis<T>(byte[] mask, int maskOffset, byte siteValue, T[] output, int outOffset,
            int rows, int plane, int size, double weight, int blocks, int from, int to, EdtScratch scratch)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            var previous = scratch.F;
            for (int item = from; item < to; item++)
            {
                int image = item / blocks;
                int c0 = item % blocks * BlockWidth;
                int width = Math.Min(BlockWidth, plane - c0);
                int start = image * size + c0;
                var prev = previous.AsSpan(0, width);
                // Downward: rows since the last site above (or +inf).
                prev.Fill(double.PositiveInfinity);
                for (int y = 0; y < rows; y++)
                {
                    int row = start + y * plane;
                    var m = mask.AsSpan(maskOffset + row, width);
                    var o = output.AsSpan(outOffset + row, width);
                    for (int x = 0; x < width; x++)
                    {
                        double d = m[x] == siteValue ? 0 : prev[x] + 1;
                        prev[x] = d;
                        o[x] = T.CreateTruncating(d);
                    }
                }
                // Upward: take the nearer site below, square and weight.
                prev.Fill(double.PositiveInfinity);
                for (int y = rows - 1; y >= 0; y--)
                {
                    var o = output.AsSpan(outOffset + start + y * plane, width);
                    for (int x = 0; x < width; x++)
                    {
                        double d = double.CreateTruncating(o[x]);
                        double below = prev[x] + 1;
                        if (below < d) d = below;
                        prev[x] = d;
                        o[x] = T.CreateTruncating(d * d * weight);
                    }
                }
            }
        }

        /// <summary>
        /// Lower-envelope pass along <paramref name="axis"/> over lines [from, to): d(q) = min_v f(v) + w·(q − v)²,
        /// skipping samples with f = +∞ and lines that are all 0.
        /// </summary>
        private static void EnvelopeLines<T>(T[] data, int offset, int[] shape, int axis, double weight, int from, int to, EdtScratch scratch)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            int n = shape[axis];
            int stride = 1;
            for (int a = axis + 1; a < shape.Length; a++) stride *= shape[a];
            long block = (long)n * stride;
            var f = scratch.F;
            var h = scratch.H;
            var z = scratch.Z;
            var v = scratch.V;
            double twoW = 2 * weight;
            for (int line = from; line < to; line++)
            {
                int start = offset + (int)(line / stride * block) + line % stride;
                double total = 0;
                for (int q = 0, idx = start; q < n; q++, idx += stride)
                {
                    double fq = double.CreateTruncating(data[idx]);
                    f[q] = fq;
                    total += fq;
                }
                if (total == 0) continue; // every sample is a site: the line stays 0
                // The local search costs about √(f(q)/w) steps per sample, so at most √limit on average (by concavity)
                // when the mean of f/w is below the limit; +∞ (no site in a column) always takes the envelope.
                if (total <= LocalSearchLimit * weight * n)
                {
                    NearbyMinimum(f, data, start, stride, n, weight);
                    continue;
                }
                int k = -1;
                for (int q = 0; q < n; q++)
                {
                    double fq = f[q];
                    if (double.IsPositiveInfinity(fq)) continue;
                    double hq = fq + weight * q * q;
                    if (k < 0)
                    {
                        k = 0;
                        v[0] = q;
                        h[0] = hq;
                        z[0] = double.NegativeInfinity;
                        z[1] = double.PositiveInfinity;
                        continue;
                    }
                    double s = (hq - h[k]) / (twoW * (q - v[k]));
                    while (s <= z[k])
                    {
                        k--;
                        s = (hq - h[k]) / (twoW * (q - v[k]));
                    }
                    k++;
                    v[k] = q;
                    h[k] = hq;
                    z[k] = s;
                    z[k + 1] = double.PositiveInfinity;
                }
                if (k < 0) continue; // no finite sample: the line stays +inf
                int j = 0;
                for (int q = 0, idx = start; q < n; q++, idx += stride)
                {
                    while (z[j + 1] < q) j++;
                    int dq = q - v[j];
                    data[idx] = T.CreateTruncating(weight * dq * dq + f[v[j]]);
                }
            }
        }

        /// <summary>
        /// Exact min_{q'} (f(q') + w·(q − q')²) for every q, searching outward from q only while w·d² is below the
        /// best value so far (which starts at f(q), so at most √(f(q)/w) steps each way). Reads <paramref name="f"/>,
        /// writes the line of <paramref name="data"/>.
        /// </summary>
        private static void NearbyMinimum<T>(double[] f, T[] data, int start, int stride, int n, double weight)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            for (int q = 0, idx = start; q < n; q++, idx += stride)
            {
                double best = f[q];
                for (int d = 1; best > 0; d++)
                {
                    double step = weight * d * d;
                    if (step >= best) break;
                    if (q - d >= 0) best = Math.Min(best, step + f[q - d]);
                    if (q + d < n) best = Math.Min(best, step + f[q + d]);
                }
                data[idx] = T.CreateTruncating(best);
            }
        }
    }
}
