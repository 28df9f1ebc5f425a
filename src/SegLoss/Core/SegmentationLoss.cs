using System;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Base of every SegLoss loss: a TorchSharp <see cref="Loss{T1, T2, TResult}"/> taking (input, target).
    /// Losses compose: <c>a + b</c>, <c>w * a</c> and <c>a * w</c> build a <see cref="WeightedSumLoss"/>, itself a
    /// SegmentationLoss, so Dice+CE is <c>new DiceLoss() + new CrossEntropyLoss()</c>.
    /// </summary>
    public abstract class SegmentationLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <summary>Creates a loss with the given reduction.</summary>
        protected SegmentationLoss(nn.Reduction reduction) : base(reduction) { }

        /// <summary>A short name used in composite losses' descriptions, e.g. "Dice".</summary>
        public virtual string DisplayName => GetType().Name.EndsWith("Loss", StringComparison.Ordinal) ? GetType().Name[..^4] : GetType().Name;

        /// <summary>The sum of two losses (weights 1 and 1).</summary>
        public static SegmentationLoss operator +(SegmentationLoss left, SegmentationLoss right) => WeightedSumLoss.Combine(left, 1.0, right, 1.0);

        /// <summary>A loss scaled by a weight.</summary>
        public static SegmentationLoss operator *(double weight, SegmentationLoss loss) => WeightedSumLoss.Scale(loss, weight);

        /// <summary>A loss scaled by a weight.</summary>
        public static SegmentationLoss operator *(SegmentationLoss loss, double weight) => WeightedSumLoss.Scale(loss, weight);

        private bool _disposed;

        /// <summary>
        /// Runs <see cref="Compute"/> in a dispose scope so that only the result outlives the call, and applies the
        /// non-finite policy (<see cref="SegLossSettings.ThrowOnNonFinite"/>): a NaN or ±∞ result throws an
        /// exception that names the argument holding a non-finite value.
        /// </summary>
        /// <exception cref="ObjectDisposedException">The loss has been disposed.</exception>
        public sealed override Tensor forward(Tensor input, Tensor target)
        {
            using var scope = NewDisposeScope();
            var result = ForwardUnchecked(input, target);
            if (SegLossSettings.ThrowOnNonFinite && !NonFinite.IsFinite(result))
                throw NonFinite.Explain(GetType().Name, (nameof(input), input), (nameof(target), target));
            return result.MoveToOuterDisposeScope();
        }

        /// <summary>
        /// The loss without the non-finite check, for compositions that check their own total once (a weighted sum,
        /// deep supervision) instead of once per term.
        /// </summary>
        internal Tensor ForwardUnchecked(Tensor input, Tensor target)
        {
            ThrowIfDisposed();
            using var scope = NewDisposeScope();
            return Compute(input, target).MoveToOuterDisposeScope();
        }

        /// <summary>Throws <see cref="ObjectDisposedException"/> naming the loss once it has been disposed.</summary>
        private protected void ThrowIfDisposed()
        {
            if (_disposed) throw new ObjectDisposedException(GetType().Name, $"{GetType().Name} has been disposed (its tensor options are released) and cannot be called");
        }

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }

        /// <summary>
        /// Runs <paramref name="compute"/> with a <see cref="SharedActivations"/> context for (input, target), so that
        /// its parts (or terms) share one activation; only the result leaves the context's dispose scope.
        /// </summary>
        private protected static Tensor WithSharedActivations(Tensor input, Tensor target, Func<Tensor> compute)
        {
            using var scope = NewDisposeScope();
            using var shared = SharedActivations.Open(input, target, scope);
            return compute().MoveToOuterDisposeScope();
        }

        /// <summary>
        /// The loss itself. Runs inside a dispose scope opened by <see cref="forward"/>: intermediates need no
        /// explicit disposal.
        /// </summary>
        protected abstract Tensor Compute(Tensor input, Tensor target);
    }
}
