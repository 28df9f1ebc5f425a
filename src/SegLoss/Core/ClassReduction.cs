using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The class-selection and reduction rules shared by region losses: drop the background channel when asked,
    /// weight classes, then reduce (N, C) or (C) values.
    /// </summary>
    internal static class ClassReduction
    {
        /// <summary>
        /// Checks user class weights at construction: one dimension, finite, non-negative, not all zero.
        /// Returns a float64 copy (moved to the input's device and dtype at use).
        /// </summary>
        internal static Tensor? ValidateWeights(Tensor? classWeights, string paramName)
        {
            if (classWeights is null) return null;
            if (classWeights.dim() != 1)
                throw new ArgumentException($"{paramName} must be one-dimensional (C), got shape {Shapes.Format(classWeights.shape)}", paramName);
            if (classWeights.is_complex() || classWeights.dtype == ScalarType.Bool)
                throw new ArgumentException($"{paramName} must hold real numbers, got dtype {classWeights.dtype}", paramName);
            using var scope = NewDisposeScope();
            var w = classWeights.detach().to(ScalarType.Float64);
            if (!w.isfinite().all().item<bool>() || w.lt(0).any().item<bool>() || w.sum().item<double>() <= 0)
                throw new ArgumentException($"{paramName} must be finite, non-negative and not all zero, got [{string.Join(", ", TensorData.ToArray<double>(w))}]", paramName);
            return w.clone().MoveToOuterDisposeScope().DetachFromDisposeScope();
        }

        /// <summary>Checks that weights match the input's class count.</summary>
        internal static void CheckWeightCount(Tensor? classWeights, long classes, string paramName)
        {
            if (classWeights is null) return;
            long n = classWeights.shape[0];
            if (n != classes)
                throw new ArgumentException($"{paramName} has {n} entries but the input has {classes} classes", paramName);
        }

        /// <summary>
        /// Selects classes and reduces per-class losses (N, C) or (C) by the <paramref name="classMean"/> rule: with
        /// <see cref="ClassMean.AbsentAsZero"/> entries whose <paramref name="targetSum"/> is 0 become 0 first; then
        /// None returns w_c·L per entry, Sum is Σ w_c·L, and Mean is Σ w_c·L / (Σ w_c · rows)
        /// (<see cref="ClassMean.WeightSum"/>, <see cref="ClassMean.AbsentAsZero"/>) or Σ w_c·L / entries
        /// (<see cref="ClassMean.EntryCount"/>); w = 1 without weights.
        /// </summary>
        /// <param name="perClass">L per (image, class), or per class.</param>
        /// <param name="classWeights">w (C) or null.</param>
        /// <param name="includeBackground">Whether channel 0 stays.</param>
        /// <param name="mode">The loss mode (Binary keeps its single channel).</param>
        /// <param name="reduction">None, Sum or Mean.</param>
        /// <param name="classMean">The rule for absent classes and the Mean's denominator.</param>
        /// <param name="targetSum">Σ g per entry, same shape as <paramref name="perClass"/>; required by AbsentAsZero.</param>
        internal static Tensor Reduce(Tensor perClass, Tensor? classWeights, bool includeBackground, LossMode mode, nn.Reduction reduction,
            ClassMean classMean = ClassMean.WeightSum, Tensor? targetSum = null)
        {
            long c = perClass.shape[perClass.dim() - 1];
            var values = perClass;
            Tensor? w = classWeights?.to(perClass.dtype, perClass.device);
            bool dropBackground = !includeBackground && mode != LossMode.Binary && c > 1;
            if (dropBackground)
            {
                values = values.narrow(-1, 1, c - 1);
                w = w?.narrow(0, 1, c - 1);
            }
            if (classMean == ClassMean.AbsentAsZero)
            {
                if (targetSum is null)
                    throw new InvalidOperationException("ClassMean.AbsentAsZero needs the target sums of the per-class values (a loss bug, not a user error)");
                var present = dropBackground ? targetSum.narrow(-1, 1, c - 1).gt(0) : targetSum.gt(0);
                // masked_fill (not a product) so that the absent entries' gradient is exactly 0.
                values = values.masked_fill(present.logical_not(), 0.0);
            }
            if (w is not null) values = values * w;
            switch (reduction)
            {
                case nn.Reduction.None:
                    return values;
                case nn.Reduction.Sum:
                    return values.sum();
                default:
                    if (w is null || classMean == ClassMean.EntryCount) return values.mean();
                    long rows = values.dim() == 2 ? values.shape[0] : 1;
                    return values.sum() / (w.sum() * rows);
            }
        }
    }
}
