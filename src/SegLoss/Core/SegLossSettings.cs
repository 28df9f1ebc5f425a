namespace SegLoss
{
    /// <summary>Process-wide switches of SegLoss.</summary>
    public static class SegLossSettings
    {
        private static volatile bool _throwOnNonFinite = true;

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
    }
}
