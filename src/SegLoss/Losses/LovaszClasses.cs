namespace SegLoss
{
    /// <summary>Which classes <see cref="LovaszSoftmaxLoss"/> averages over (Berman's <c>classes</c> argument).</summary>
    public enum LovaszClasses
    {
        /// <summary>
        /// Only classes present in the (non-ignored) target of the pool — the whole batch, or the image with
        /// <c>perImage: true</c>; absent classes are skipped (Berman's default, <c>classes='present'</c>).
        /// </summary>
        Present,

        /// <summary>
        /// Every class. An absent class has the Jaccard loss 1 for any mistake, so its Lovász extension is its largest
        /// error (the largest predicted probability of that class).
        /// </summary>
        All,
    }
}
