using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The Lovász extension of the Jaccard loss, batched over rows (Berman, Rannen Triki and Blaschko,
    /// "The Lovász-Softmax loss", CVPR 2018, Algorithm 1): one descending sort of every row at once and the
    /// Lovász gradient from batched cumulative sums. Shared by <see cref="LovaszSoftmaxLoss"/> and
    /// <see cref="LovaszHingeLoss"/>.
    /// </summary>
    /// <remarks>
    /// <para>For a row with errors m ≥ 0 and foreground g, π sorts m decreasingly; with the sorted (detached) g,
    /// G = Σg, inter_i = G − cumsum(g)_i, union_i = G + cumsum(1 − g)_i and J_i = 1 − inter_i/union_i, the Lovász
    /// gradient is w_1 = J_1, w_i = J_i − J_{i−1}, and the loss is Σ_i m_π(i)·w_i. Gradients flow only through the
    /// sorted errors.</para>
    /// <para>On CPU float32/float64 rows the weights come from <see cref="LovaszWeights"/> (a managed radix sort that
    /// writes every weight at its element's own position, so the loss is Σ_j m_j·w_j without gathers); elsewhere from
    /// libtorch's sort. Both give the same value and gradient.</para>
    /// <para>Ignored elements get the sort key −1, so they sort after every valid element (errors are ≥ 0), and
    /// both g and 1 − g are multiplied by the validity mask: they add nothing to inter or union, so their Lovász
    /// weight is exactly 0 and the weights of the valid elements are those of the row without them. J_i is computed
    /// as cumsum(v)_i / union_i (the same quantity, since union_i − inter_i = cumsum(g·v + (1 − g)·v)_i); union_i = 0
    /// only in a row whose elements are all ignored, where J is taken as 0 and the row's loss is 0.</para>
    /// </remarks>
    internal static class LovaszExtension
    {
        /// <summary>Sort key of ignored elements: below every (non-negative) error.</summary>
        private const double IgnoredKey = -1.0;

        /// <summary>
        /// The Lovász extension of the Jaccard loss per row.
        /// </summary>
        /// <param name="errors">Non-negative errors (R, P), differentiable.</param>
        /// <param name="foreground">Ground truth g (R, P) in [0, 1] (0/1 for the exact Jaccard extension); not differentiated.</param>
        /// <param name="valid">Validity mask (R, P) in the errors' dtype (1 = used, 0 = ignored), or null.</param>
        /// <param name="hardTargets">True when the caller guarantees 0/1 ground truth (a faster CPU path).</param>
        /// <returns>The loss of each row, (R).</returns>
        internal static Tensor Loss(Tensor errors, Tensor foreground, Tensor? valid, bool hardTargets = false)
        {
            if (LovaszWeights.Supports(errors))
                return (errors * LovaszWeights.Compute(errors, foreground, valid, hardTargets)).sum(-1);
            return SortedLoss(errors, foreground, valid);
        }

        /// <summary>
        /// The same loss by libtorch's sort and gathers along the sorted order (CUDA and other dtypes; on a GPU the sort
        /// is a radix sort).
        /// </summary>
        internal static Tensor SortedLoss(Tensor errors, Tensor foreground, Tensor? valid)
        {
            var keys = valid is null ? errors : errors.masked_fill(valid.eq(0), IgnoredKey);
            var (sorted, order) = keys.sort(-1, descending: true);
            // Everything below is detached arithmetic on the sorted ground truth, so in-place updates are safe.
            var fg = foreground.detach().gather(-1, order);
            var bg = fg.neg().add_(1.0);
            if (valid is not null)
            {
                var v = valid.detach().gather(-1, order);
                fg.mul_(v);
                bg.mul_(v);
            }
            var total = fg.sum(-1, keepdim: true);
            var bgSeen = bg.cumsum(-1);
            // union − inter = cumsum(g·v) + cumsum((1 − g)·v): the number of valid elements seen so far.
            var covered = fg.cumsum(-1).add_(bgSeen);
            // union ≥ g₁ + (1 − g₁) = 1 once the first (valid) element is counted, and 0 only in an all-ignored row,
            // where covered is 0 too: clamping at 1 is exact and makes J = 0 there.
            var union = bgSeen.add_(total).clamp_min_(1.0);
            var jaccard = covered.div_(union);
            long p = jaccard.shape[^1];
            var weights = p == 1 ? jaccard : jaccard - cat(new[] { zeros_like(jaccard.narrow(-1, 0, 1)), jaccard.narrow(-1, 0, p - 1) }, -1);
            return (sorted * weights).sum(-1);
        }

        /// <summary>
        /// Lays out per-(image, class) values (N, C, S) as rows: (N·C, S) per image, or (C, N·S) with the batch
        /// pooled per class.
        /// </summary>
        internal static Tensor Rows(Tensor values, bool perImage)
        {
            long n = values.shape[0], c = values.shape[1], s = values.shape[2];
            return perImage ? values.reshape(n * c, s) : values.permute(1, 0, 2).reshape(c, n * s);
        }
    }
}
