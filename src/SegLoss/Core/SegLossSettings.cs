namespace SegLoss
{
    /// <summary>Process-wide switches of SegLoss.</summary>
    public static class SegLossSettings
    {
        private static volatile bool _throwOnNonFinite = true;
        private static volatile bool _analyticBackward = true;

        /// <summary>
        /// True (default): a loss whose value would be NaN or ±∞ throws instead of returning it — an
        /// <see cref="System.ArgumentException"/> naming the argument that holds a non-finite value, with the count and
        /// the first index (e.g. <c>input holds 3 non-finite values (first NaN at [0, 2, 5, 7])</c>), or an
        /// <see cref="System.ArithmeticException"/> naming the loss if every argument is finite. The check reads one
        /// value back per call (on CUDA a synchronisation). False: no check; NaN and ±∞ propagate as in PyTorch.
        /// </summary>
        public static bool ThrowOnNonFinite
        {
            get => _throwOnNonFinite;
            set => _throwOnNonFinite = value;
        }

        /// <summary>
        /// True (default): on the CPU, the Dice, Jaccard and generalized Dice losses, the region sums of the other overlap
        /// losses, the sigmoid focal loss and plain binary cross-entropy run as one autograd node each, with a hand-written
        /// backward in managed kernels (for contiguous float32/float64 logits against 0/1 targets or hard labels); values
        /// and gradients equal those of the autograd operations to float rounding, second derivatives included. False:
        /// every loss records its libtorch operations and autograd differentiates them, as on other devices. Turn it off
        /// to differentiate with <c>torch.autograd.grad</c> restricted to a subset of a graph's inputs, which may skip the
        /// node that releases the hand-written gradients (they are then left to the garbage collector).
        /// </summary>
        public static bool AnalyticBackward
        {
            get => _analyticBackward;
            set => _analyticBackward = value;
        }
    }
}
