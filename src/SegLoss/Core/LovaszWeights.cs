using System;
using System.Threading.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The Lovász weights of every element of every row, computed in managed code for CPU float32/float64 rows: each
    /// row is sorted by a radix sort on its errors and its weights are written back at the elements' own positions,
    /// so the loss is the plain dot product Σ_j m_j·w_j and no gather or scatter over the sorted order is needed.
    /// </summary>
    /// <remarks>
    /// Why managed: libtorch's CPU sort of (value, index) pairs compares, and every gather along the sorted order is a
    /// random access over the whole row. Measured against that path on libtorch 2.10, one thread, forward + backward
    /// (quick benchmarks, kernels section): 4x524288 hard targets 21 against 169 ms, 32x65536 20 against 143 ms,
    /// soft targets 4x524288 31 against 164 ms. The radix
    /// sort here orders float32 errors (packed with their index and label into one 64-bit word) in three passes, and the
    /// weights come from one pass over the sorted order with float64 running sums. Rows are processed in parallel on up
    /// to <c>torch.get_num_threads()</c> threads, so one libtorch thread means one sorting thread. Ties are broken by
    /// position (a stable sort); the value Σ m·w does not depend on the order among equal errors.
    /// </remarks>
    internal static class LovaszWeights
    {
        /// <summary>Soft ground-truth code of an ignored element: it adds to neither inter nor union.</summary>
        private const double IgnoredCode = -1.0;

        /// <summary>Whether <see cref="Compute"/> handles the tensor: a CPU float32/float64 tensor of at most 2³¹ − 1 elements.</summary>
        internal static bool Supports(Tensor errors) =>
            errors.device_type == DeviceType.CPU && errors.numel() <= int.MaxValue
            && (errors.dtype == ScalarType.Float32 || errors.dtype == ScalarType.Float64);

        /// <summary>
        /// The Lovász weight of every element, (R, P), in the errors' dtype, not differentiable.
        /// </summary>
        /// <param name="errors">Errors (R, P); only their order is used.</param>
        /// <param name="foreground">Ground truth (R, P) in [0, 1].</param>
        /// <param name="valid">Validity mask (R, P) (0 = ignored), or null.</param>
        /// <param name="hardTargets">
        /// True when the caller guarantees 0/1 ground truth (one-hot labels, validated binary targets): the float32
        /// path then carries each element's label inside its sort word.
        /// </param>
        internal static Tensor Compute(Tensor errors, Tensor foreground, Tensor? valid, bool hardTargets)
        {
            long rows = errors.shape[0], length = errors.shape[1];
            var shape = new long[] { rows, length };
            if (errors.dtype == ScalarType.Float32 && hardTargets && length < 1 << 29)
            {
                using var m = TensorData.ToPooled<float>(errors);
                using var codes = TensorData.ToPooled<byte>(HardCodes(foreground, valid));
                var w = new float[m.Length];
                ForEachRow((int)rows, (int)length, (row, work) => HardRow(m.Array, codes.Array, w, row * (int)length, (int)length, work));
                return tensor(w, shape, ScalarType.Float32);
            }
            if (errors.dtype == ScalarType.Float32)
            {
                using var m = TensorData.ToPooled<float>(errors);
                using var g = TensorData.ToPooled<float>(SoftCodes(foreground, valid, ScalarType.Float32));
                var w = new float[m.Length];
                ForEachRow((int)rows, (int)length, (row, work) => SoftRow(m.Array, g.Array, w, row * (int)length, (int)length, work));
                return tensor(w, shape, ScalarType.Float32);
            }
            else
            {
                using var m = TensorData.ToPooled<double>(errors);
                using var g = TensorData.ToPooled<double>(SoftCodes(foreground, valid, ScalarType.Float64));
                var w = new double[m.Length];
                ForEachRow((int)rows, (int)length, (row, work) => DoubleRow(m.Array, g.Array, w, row * (int)length, (int)length, work));
                return tensor(w, shape, ScalarType.Float64);
            }
        }

        /// <summary>One byte per element: 0 = background, 1 = foreground, 2 = ignored.</summary>
        private static Tensor HardCodes(Tensor foreground, Tensor? valid)
        {
            var codes = foreground.detach().to(ScalarType.Byte);
            return valid is null ? codes : codes.masked_fill_(valid.eq(0), 2);
        }

        /// <summary>The ground truth, or <see cref="IgnoredCode"/> where ignored.</summary>
        private static Tensor SoftCodes(Tensor foreground, Tensor? valid, ScalarType type)
        {
            var g = foreground.detach().to(type);
            return valid is null ? g : g.masked_fill(valid.eq(0), IgnoredCode);
        }

        /// <summary>
        /// One float32 row with hard targets. Each word packs the descending key of the error (high half) with the
        /// element's index and label code (low half: index·4 + code), so the pass over the sorted order reads the words
        /// sequentially and only the weight itself is written at a random position.
        /// </summary>
        private static void HardRow(float[] m, byte[] codes, float[] w, int offset, int length, RadixSort.Workspace work)
        {
            var items = work.Items.AsSpan(0, length);
            var labels = codes.AsSpan(offset, length);
            var errors = m.AsSpan(offset, length);
            int total = 0;
            for (int i = 0; i < length; i++)
            {
                uint code = labels[i];
                total += (int)(code & 1u);
                items[i] = (RadixSort.FloatKeys.Descending(errors[i]) << 32) | ((uint)i << 2) | code;
            }
            RadixSort.SortPacked(items, 32, work);
            HardWeights(items, total, w.AsSpan(offset, length));
        }

        /// <summary>One float32 row with soft targets: the words carry the index, the ground truth is read through the order.</summary>
        private static void SoftRow(float[] m, float[] g, float[] w, int offset, int length, RadixSort.Workspace work)
        {
            var items = work.Items.AsSpan(0, length);
            var errors = m.AsSpan(offset, length);
            for (int i = 0; i < length; i++)
                items[i] = (RadixSort.FloatKeys.Descending(errors[i]) << 32) | (uint)i;
            RadixSort.SortPacked(items, 32, work);
            var order = work.Order.AsSpan(0, length);
            for (int i = 0; i < length; i++) order[i] = (int)(uint)items[i];
            var weights = work.Weights.AsSpan(0, length);
            Weights(order, g.AsSpan(offset, length), weights);
            var destination = w.AsSpan(offset, length);
            for (int i = 0; i < length; i++) destination[order[i]] = (float)weights[i];
        }

        /// <summary>
        /// <see cref="Weights"/> for sorted words carrying hard codes: with 0/1 targets the running sums are counts,
        /// J_i = seen / (G + bgSeen) where seen counts the valid elements so far.
        /// </summary>
        private static void HardWeights(ReadOnlySpan<ulong> sorted, int total, Span<float> destination)
        {
            double seen = 0, bgSeen = 0, previous = 0;
            foreach (ulong item in sorted)
            {
                uint low = (uint)item;
                uint code = low & 3u;
                int index = (int)(low >> 2);
                if (code == 2u)
                {
                    destination[index] = 0f;
                    continue;
                }
                seen += 1;
                bgSeen += 1 - code;
                double jaccard = seen / Math.Max(total + bgSeen, 1.0);
                destination[index] = (float)(jaccard - previous);
                previous = jaccard;
            }
        }

        private static void DoubleRow(double[] m, double[] g, double[] w, int offset, int length, RadixSort.Workspace work)
        {
            var keys = work.Items.AsSpan(0, length);
            var order = work.Order.AsSpan(0, length);
            for (int i = 0; i < length; i++)
            {
                keys[i] = RadixSort.FloatKeys.Descending(m[offset + i]);
                order[i] = i;
            }
            RadixSort.Sort(keys, order, work);
            var weights = work.Weights.AsSpan(0, length);
            var foreground = new Span<double>(g, offset, length);
            Weights(order, foreground, weights);
            var destination = w.AsSpan(offset, length);
            for (int i = 0; i < length; i++) destination[order[i]] = weights[i];
        }

        /// <summary>
        /// Berman's Algorithm 1 along the sorted order: with the running sums of g and 1 − g over the valid elements
        /// seen so far, J_i = (fgSeen + bgSeen) / (G + bgSeen) and w_i = J_i − J_{i−1}. The union is ≥ 1 once a valid
        /// element is counted; it is clamped at 1 so that a row whose elements are all ignored gets J = 0.
        /// </summary>
        private static void Weights<T>(ReadOnlySpan<int> order, ReadOnlySpan<T> foreground, Span<double> weights)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            double total = 0;
            foreach (var f in foreground)
            {
                double v = double.CreateTruncating(f);
                if (v >= 0) total += v;
            }
            double fgSeen = 0, bgSeen = 0, previous = 0;
            for (int i = 0; i < order.Length; i++)
            {
                double g = double.CreateTruncating(foreground[order[i]]);
                if (g < 0)
                {
                    weights[i] = 0;
                    continue;
                }
                fgSeen += g;
                bgSeen += 1 - g;
                double jaccard = (fgSeen + bgSeen) / Math.Max(total + bgSeen, 1.0);
                weights[i] = jaccard - previous;
                previous = jaccard;
            }
        }

        private static void ForEachRow(int rows, int length, Action<int, RadixSort.Workspace> body)
        {
            int degree = Math.Max(1, Math.Min(rows, torch.get_num_threads()));
            void Range(int from, int to)
            {
                using var work = new RadixSort.Workspace(length);
                for (int r = from; r < to; r++) body(r, work);
            }
            if (degree == 1)
            {
                Range(0, rows);
                return;
            }
            // Contiguous blocks of rows per worker: the rows of one call all have the same length.
            Parallel.For(0, degree, new ParallelOptions { MaxDegreeOfParallelism = degree },
                k => Range((int)((long)rows * k / degree), (int)((long)rows * (k + 1) / degree)));
        }
    }
}
