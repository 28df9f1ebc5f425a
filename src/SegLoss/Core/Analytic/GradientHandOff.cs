using System.Collections.Generic;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The gradients an <see cref="AnalyticOperation"/> returned to libtorch, held until libtorch has taken its own
    /// reference and disposed by <see cref="Release"/>.
    /// </summary>
    /// <remarks>
    /// Why: TorchSharp 0.107 hands a custom function's gradients to libtorch as the native handles of managed tensors
    /// and copies them only after the managed backward has returned, so the backward cannot dispose what it returns.
    /// Left alone, each such tensor would keep its storage (the full input gradient) alive until the garbage collector
    /// finalizes it. <see cref="AnalyticFunction"/> releases them from a second node that libtorch runs after the
    /// operation's own, when the copy has been made.
    /// </remarks>
    internal sealed class GradientHandOff
    {
        private readonly List<Tensor> _pending = new();

        /// <summary>Takes ownership of <paramref name="gradient"/> (detached from every dispose scope).</summary>
        public void Hold(Tensor? gradient)
        {
            if (gradient is null) return;
            gradient.DetachFromDisposeScope();
            lock (_pending) _pending.Add(gradient);
        }

        /// <summary>Disposes every gradient held so far.</summary>
        public void Release()
        {
            Tensor[] held;
            lock (_pending)
            {
                held = _pending.ToArray();
                _pending.Clear();
            }
            foreach (var t in held) t.Dispose();
        }
    }
}
