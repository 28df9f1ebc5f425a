using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>One-hot encoding of label maps that never indexes out of range.</summary>
    public static class OneHot
    {
        /// <summary>
        /// Encodes integer labels (N, *spatial) as (N, C, *spatial). Pixels equal to <paramref name="ignoreIndex"/>
        /// are all-zero in every channel. Labels outside [0, C) that are not ignored raise an exception instead of
        /// indexing out of range.
        /// </summary>
        /// <param name="labels">Integer label map (N, *spatial).</param>
        /// <param name="numClasses">Number of classes C (≥ 1).</param>
        /// <param name="ignoreIndex">Label value to leave out, or null.</param>
        /// <param name="dtype">Element type of the result (float32 when null).</param>
        public static Tensor Encode(Tensor labels, long numClasses, long? ignoreIndex = null, ScalarType? dtype = null)
        {
            var (oneHot, valid) = EncodeWithMask(labels, numClasses, ignoreIndex, dtype);
            valid.Dispose();
            return oneHot;
        }

        /// <summary>
        /// Like <see cref="Encode"/>, also returning the validity mask (N, *spatial) as a bool tensor
        /// (true where the pixel is not ignored).
        /// </summary>
        public static (Tensor oneHot, Tensor valid) EncodeWithMask(Tensor labels, long numClasses, long? ignoreIndex = null, ScalarType? dtype = null)
        {
            if (labels is null) throw new ArgumentNullException(nameof(labels));
            if (numClasses < 1) throw new ArgumentException($"numClasses must be at least 1, got {numClasses}", nameof(numClasses));
            if (!labels.is_integral())
                throw new ArgumentException($"labels must be an integer tensor (N, *spatial), got dtype {labels.dtype}", nameof(labels));
            if (labels.dim() < 1)
                throw new ArgumentException($"labels must have a batch dimension, got shape {Shapes.Format(labels.shape)}", nameof(labels));
            var type = dtype ?? ScalarType.Float32;

            using var scope = NewDisposeScope();
            var longLabels = labels.to(ScalarType.Int64);
            var valid = ignoreIndex.HasValue ? longLabels.ne(ignoreIndex.Value) : ones_like(longLabels, ScalarType.Bool);
            var bad = longLabels.lt(0).logical_or_(longLabels.ge(numClasses)).logical_and_(valid);
            if (bad.any().item<bool>())
            {
                long value = longLabels.masked_select(bad)[0].item<long>();
                throw new ArgumentException($"labels hold {value} but must be in [0, {numClasses}){(ignoreIndex.HasValue ? $" or equal the ignore index {ignoreIndex}" : "")}", nameof(labels));
            }
            var safe = longLabels.masked_fill(valid.logical_not(), 0).unsqueeze(1);
            var shape = labels.shape;
            var outShape = new long[shape.Length + 1];
            outShape[0] = shape[0];
            outShape[1] = numClasses;
            Array.Copy(shape, 1, outShape, 2, shape.Length - 1);
            var oneHot = zeros(outShape, type, labels.device).scatter_(1, safe, valid.unsqueeze(1).to(type));
            return (oneHot.MoveToOuterDisposeScope(), valid.MoveToOuterDisposeScope());
        }
    }
}
