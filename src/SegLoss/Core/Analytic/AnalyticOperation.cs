using System.Collections.Generic;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// An operation with a hand-written backward, run by <see cref="AnalyticFunction.Apply"/> as one node of
    /// libtorch's autograd graph: one differentiable input, one output. Every other tensor it needs (targets, masks)
    /// is given to its constructor and read only in <see cref="Forward"/>; what <see cref="Backward"/> needs is saved.
    /// </summary>
    internal abstract class AnalyticOperation
    {
        /// <summary>
        /// The output, computed without recording a graph. The tensors added to <paramref name="saved"/> are kept by
        /// libtorch for <see cref="Backward"/> (as saved variables, released with the graph) and handed back in the same
        /// order.
        /// </summary>
        public abstract Tensor Forward(Tensor input, List<Tensor> saved);

        /// <summary>
        /// ∂L/∂input from ∂L/∂output. Runs inside libtorch's backward, where an exception cannot be reported: it must not
        /// throw for anything <see cref="Forward"/> accepted. With gradient recording on (a backward with
        /// <c>create_graph</c>) it must use differentiable libtorch operations on the saved input, so that a second
        /// derivative is right.
        /// </summary>
        public abstract Tensor Backward(Tensor gradOutput, IReadOnlyList<Tensor> saved);
    }
}
