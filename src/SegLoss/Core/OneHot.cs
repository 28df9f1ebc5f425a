using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>One-hot encoding of label maps that never indexes out of range.</summary>
    public static class OneHot
    {
        /// <summary>
        /// The largest output, 2⁴⁰ bytes (1 TiB). Above any accelerator's memory and far above the one-hot encoding
        /// of any real label map (it is as large as the logits it is compared with), so it only catches absurd or
        /// overflowing class counts, with a message instead of libtorch's allocator error; it does not depend on
        /// the memory of the machine.
        /// </summary>
        internal const long MaxBytes = 1L << 40;

        /// <summary>
        /// Encodes integer labels (N, *spatial) as (N, C, *spatial). Pixels equal to <paramref name="ignoreIndex"/>
        /// are all-zero in every channel. Labels outside [0, C) that are not ignored raise an exception instead of
        /// indexing out of range.
        /// </summary>
        /// <param name="labels">Integer label map (N, *spatial).</param>
        /// <param name="numClasses">Number of classes C (≥ 1).</param>
        /// <param name="ignoreIndex">Label value to leave out, or null.</param>
        /// <param name="dtype">Element type of the result (float32 when null).</param>
        /// <returns>(N, C, *spatial) in <paramref name="dtype"/> on the labels' device; empty labels (N = 0 or a
        /// zero-size spatial dimension) give an empty tensor of that shape and dtype.</returns>
        /// <exception cref="ArgumentException">Bad labels or class count; also when the result would take more than
        /// 2⁴⁰ bytes (1 TiB) or, empty, could not be represented (a 64-bit stride overflow): checked before anything
        /// is allocated, the message names <paramref name="numClasses"/> and gives the shape, values and bytes the
        /// result would need.</exception>
        public static Tensor Encode(Tensor labels, long numClasses, long? ignoreIndex = null, ScalarType? dtype = null)
        {
            if (ignoreIndex.HasValue)
            {
                var (oneHot, valid) = EncodeWithMask(labels, numClasses, ignoreIndex, dtype);
                valid.Dispose();
                return oneHot;
            }
            var type = Check(labels, numClasses, dtype);
            using var scope = NewDisposeScope();
            var longLabels = labels.to(ScalarType.Int64);
            // Without an ignore index: one pass (or read-back) of min and max checks the range, and ones broadcast to
            // the index's shape are scattered without materialising a mask.
            if (longLabels.numel() > 0)
            {
                var (lo, hi) = SegmentationInputs.MinMax(longLabels);
                if (lo < 0 || hi >= numClasses) throw OutOfRange(lo < 0 ? lo : hi, numClasses, null);
            }
            var index = longLabels.unsqueeze(1);
            var encoded = zeros(OutputShape(labels.shape, numClasses), type, labels.device).scatter_(1, index, ones(1, type, labels.device).expand(index.shape));
            return encoded.MoveToOuterDisposeScope();
        }

        /// <summary>
        /// Like <see cref="Encode"/>, also returning the validity mask (N, *spatial) as a bool tensor
        /// (true where the pixel is not ignored).
        /// </summary>
        /// <param name="labels">Integer label map (N, *spatial).</param>
        /// <param name="numClasses">Number of classes C (≥ 1).</param>
        /// <param name="ignoreIndex">Label value to leave out, or null.</param>
        /// <param name="dtype">Element type of the one-hot tensor (float32 when null).</param>
        /// <returns>The one-hot tensor as for <see cref="Encode"/> and the bool mask; empty labels give both empty,
        /// of their shapes and dtypes.</returns>
        /// <exception cref="ArgumentException">As for <see cref="Encode"/>.</exception>
        public static (Tensor oneHot, Tensor valid) EncodeWithMask(Tensor labels, long numClasses, long? ignoreIndex = null, ScalarType? dtype = null)
        {
            var type = Check(labels, numClasses, dtype);
            var outShape = OutputShape(labels.shape, numClasses);
            using var scope = NewDisposeScope();
            var longLabels = labels.to(ScalarType.Int64);
            var valid = ignoreIndex.HasValue ? longLabels.ne(ignoreIndex.Value) : ones_like(longLabels, ScalarType.Bool);
            var bad = longLabels.lt(0).logical_or_(longLabels.ge(numClasses)).logical_and_(valid);
            if (bad.any().item<bool>()) throw OutOfRange(longLabels.masked_select(bad)[0].item<long>(), numClasses, ignoreIndex);
            var safe = longLabels.masked_fill(valid.logical_not(), 0).unsqueeze(1);
            var oneHot = zeros(outShape, type, labels.device).scatter_(1, safe, valid.unsqueeze(1).to(type));
            return (oneHot.MoveToOuterDisposeScope(), valid.MoveToOuterDisposeScope());
        }

        /// <summary>(N, C, *spatial) for labels (N, *spatial).</summary>
        /// <summary>The argument checks of both methods, made before any allocation; returns the output dtype.</summary>
        private static ScalarType Check(Tensor labels, long numClasses, ScalarType? dtype)
        {
            if (labels is null) throw new ArgumentNullException(nameof(labels));
            if (numClasses < 1) throw new ArgumentException($"numClasses must be at least 1, got {numClasses}", nameof(numClasses));
            if (!labels.is_integral())
                throw new ArgumentException($"labels must be an integer tensor (N, *spatial), got dtype {labels.dtype}", nameof(labels));
            if (labels.dim() < 1)
                throw new ArgumentException($"labels must have a batch dimension, got shape {Shapes.Format(labels.shape)}", nameof(labels));
            var type = dtype ?? ScalarType.Float32;
            // The size comes from numClasses, not from the labels (see OutputSize).
            string? excess = OutputSize.Excess(OutputShape(labels.shape, numClasses), type, long.MaxValue, MaxBytes, "more than the 2^40 bytes (1 TiB) a one-hot tensor may take");
            if (excess is not null)
                throw new ArgumentException($"{nameof(numClasses)} {numClasses} would make a one-hot tensor of {excess}", nameof(numClasses));
            return type;
        }

        private static ArgumentException OutOfRange(long value, long numClasses, long? ignoreIndex) =>
            new($"labels hold {value} but must be in [0, {numClasses}){(ignoreIndex.HasValue ? $" or equal the ignore index {ignoreIndex}" : "")}", "labels");

        private static long[] OutputShape(long[] shape, long numClasses)
        {
            var outShape = new long[shape.Length + 1];
            outShape[0] = shape[0];
            outShape[1] = numClasses;
            Array.Copy(shape, 1, outShape, 2, shape.Length - 1);
            return outShape;
        }
    }
}
