namespace SegLoss
{
    /// <summary>
    /// A region loss computed from its per-entry sums in managed float64 arithmetic, with its partial derivatives: the
    /// part of a loss that follows the sums, run inside <see cref="RegionSumsOperation"/> so that the whole loss is one
    /// node of the graph instead of one node per small tensor operation.
    /// </summary>
    /// <remarks>
    /// Why: after the sums a Dice loss is about ten operations on (N, C) tensors, each with a backward node; on
    /// TorchSharp 0.107 each costs a few microseconds forward and backward, together as much as the sums themselves
    /// for a 524 K-value binary input. An implementation must give exactly the values and gradients of the loss's tensor
    /// form, which the tests compare.
    /// </remarks>
    internal interface IRegionHead
    {
        /// <summary>
        /// The loss from <paramref name="tp"/>, <paramref name="p"/> and <paramref name="g"/> (TP, P and G of
        /// <paramref name="rows"/> × <paramref name="classes"/> entries, row-major), writing ∂L/∂TP and ∂L/∂P per entry
        /// into <paramref name="dTp"/> and <paramref name="dP"/> (G does not depend on the input).
        /// </summary>
        double Evaluate(double[] tp, double[] p, double[] g, int rows, int classes, double[] dTp, double[] dP);
    }
}
