using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Any <see cref="SegmentationLoss"/> (compositions such as <c>new DiceLoss() + new CrossEntropyLoss()</c> too)
    /// evaluated over a user mask given as a third input: the counterpart of MONAI's <c>MaskedLoss</c> and
    /// <c>MaskedDiceLoss</c>.
    /// </summary>
    /// <remarks>
    /// <para>Pixels where the mask is 0 are left out of the wrapped loss exactly as pixels holding its ignore index
    /// are: they change neither the value nor the gradient, and they are out of every sum, mean and count (Dice's
    /// intersections and cardinalities, cross-entropy's mean denominator, top-k's budget, Lovász's sorted errors, the
    /// distance maps of the boundary and Hausdorff losses, which see them as background as they see ignored pixels).
    /// Their target values are not used, so a masked-out region may hold any label. <c>loss(x, t, mask)</c> therefore
    /// equals <c>loss(x, t')</c> with t' holding the loss's ignore index where the mask is 0, and composes with the
    /// loss's own ignore index (a pixel is used when the mask keeps it and its label is not ignored). A mask of all
    /// zeros gives what an all-ignored input gives (0 with a zero gradient for the pixel losses). As at ignored
    /// pixels, the input itself must still be finite there (the non-finite policy reads the whole input).</para>
    /// <para>The mask is a pixel mask: (N, 1, *spatial), (1, 1, *spatial) (one mask for the batch), (N, *spatial) or
    /// (1, *spatial), where any batch or spatial size may also be 1 and is broadcast (MONAI's <c>B1H[WD]</c> and
    /// <c>11H[WD]</c>, whose multiplication broadcasts likewise). It holds only 0 and 1, as bool or any real dtype, on
    /// the input's device; it is a constant (no gradient flows into it). Values between 0 and 1 are refused: a soft
    /// mask is a per-pixel weighting, which <see cref="PixelWeightedCrossEntropyLoss"/> provides (whose 0/1 weight map
    /// with the default WeightSum normalisation is also this mask for cross-entropy).</para>
    /// <para>Difference from MONAI: MONAI's <c>MaskedLoss</c> multiplies the input and the target by the mask before
    /// the wrapped loss. Its <c>MaskedDiceLoss</c> applies the activation first, so masked pixels contribute p = 0 and
    /// g = 0, which is what leaving them out means for Dice: there the two agree (see the porting tests). Wrapping a
    /// loss that applies its own activation (MONAI's generic <c>MaskedLoss(DiceLoss(sigmoid=True))</c>, or any
    /// cross-entropy) in MONAI turns masked logits into 0, i.e. p = 0.5 (or 1/C), so masked pixels are not left out but
    /// become uniform predictions of background; SegLoss always leaves them out. Multiclass soft (N, C, *spatial)
    /// targets are refused with a mask (the soft-label paths have no ignore index): pass class labels.</para>
    /// <para>The mask reaches the wrapped loss through its input validation, so it applies to SegLoss's own losses;
    /// <see cref="TorchLoss"/> (which bypasses that validation) is refused, and a custom <see cref="SegmentationLoss"/>
    /// that never validates this (input, target) pair makes the call throw <see cref="InvalidOperationException"/>
    /// rather than return an unmasked value. The wrapper owns the wrapped loss: it is registered as a submodule (so
    /// <c>to(device)</c> moves its buffers) and disposed with the wrapper. It takes three inputs, so it derives from
    /// TorchSharp's <see cref="Loss{T1, T2, T3, TResult}"/> and does not take part in <c>+</c>/<c>*</c> composition:
    /// mask the whole sum instead, <c>new MaskedLoss(dice + ce)</c>.</para>
    /// </remarks>
    public sealed class MaskedLoss : Loss<Tensor, Tensor, Tensor, Tensor>
    {
        private readonly SegmentationLoss _loss;
        private bool _disposed;

        /// <summary>Wraps <paramref name="loss"/>; the reduction is the wrapped loss's.</summary>
        /// <param name="loss">Any SegLoss loss or composition of losses.</param>
        /// <exception cref="ArgumentNullException"><paramref name="loss"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="loss"/> is, or contains, a <see cref="TorchLoss"/>.</exception>
        public MaskedLoss(SegmentationLoss loss) : base((loss ?? throw new ArgumentNullException(nameof(loss))).reduction)
        {
            if (FindTorchLoss(loss) is { } torch)
                throw new ArgumentException($"{torch.DisplayName} is a TorchLoss: it bypasses SegLoss's input validation, through which the mask reaches a loss, so it cannot be masked; mask the SegLoss terms only, or use a SegLoss loss", nameof(loss));
            _loss = loss;
            register_module("loss", loss);
        }

        /// <summary>The wrapped loss.</summary>
        public SegmentationLoss Inner => _loss;

        /// <summary>The wrapped loss over the pixels the mask keeps.</summary>
        /// <param name="input">Logits or probabilities (N, C, *spatial), as for the wrapped loss.</param>
        /// <param name="target">The target, as for the wrapped loss (Multiclass: integer labels).</param>
        /// <param name="mask">0/1 pixel mask (N, 1, *spatial), (1, 1, *spatial), (N, *spatial) or broadcastable to them; 1 = used.</param>
        /// <exception cref="ArgumentException">A bad mask (shape, dtype, values, device) names <c>mask</c>; bad input or target name theirs.</exception>
        /// <exception cref="ObjectDisposedException">The loss has been disposed.</exception>
        public override Tensor forward(Tensor input, Tensor target, Tensor mask)
        {
            if (_disposed) throw new ObjectDisposedException(nameof(MaskedLoss), $"{nameof(MaskedLoss)} has been disposed (with the loss it wraps) and cannot be called");
            if (input is null) throw new ArgumentNullException(nameof(input));
            if (target is null) throw new ArgumentNullException(nameof(target));
            if (mask is null) throw new ArgumentNullException(nameof(mask));
            using var scope = NewDisposeScope();
            var (keep, keptValues) = Keep(mask, input);
            Tensor result;
            using (var masking = MaskScope.Open(input, target, keep, keptValues))
            {
                result = _loss.ForwardUnchecked(input, target);
                if (!masking.Used)
                    throw new InvalidOperationException($"{_loss.DisplayName} did not validate (input, target) through SegLoss, so the mask could not reach it; only losses built on SegLoss's input validation can be masked");
            }
            // The non-finite policy of every SegLoss loss (SegLossSettings.ThrowOnNonFinite).
            if (SegLossSettings.ThrowOnNonFinite && !NonFinite.IsFinite(result))
                throw NonFinite.Explain(nameof(MaskedLoss), (nameof(input), input), (nameof(target), target));
            return result.MoveToOuterDisposeScope();
        }

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            if (disposing) _loss.Dispose();
            base.Dispose(disposing);
        }

        /// <summary>
        /// Validates the mask against the input and returns the kept pixels as a bool (N, 1, S) tensor and as 0/1 values
        /// in the input's compute dtype (float64 for float64 input, float32 otherwise), or (null, null) when every pixel
        /// is kept (then the wrapped loss computes exactly its unmasked value).
        /// </summary>
        /// <remarks>
        /// A bool mask is converted once, and the conversion serves both the all-kept test (its minimum is 1) and the
        /// validation's <c>Valid</c> mask, which the wrapped loss would otherwise convert again. On libtorch 2.10's CPU,
        /// one thread, for 8x1x256x256: <c>all()</c> 0.18 ms; bool to float32 0.18 ms directly, 0.05 ms through uint8;
        /// the minimum of the converted values 0.03 to 0.08 ms.
        /// </remarks>
        private static (Tensor? keep, Tensor? keptValues) Keep(Tensor mask, Tensor input)
        {
            var shape = input.shape;
            if (shape.Length < 3 || shape.Length > 5)
                throw new ArgumentException($"input has shape {Shapes.Format(shape)} but must be (N, C, *spatial) with 1 to 3 spatial dimensions", nameof(input));
            if (mask.device_type != input.device_type || mask.device_index != input.device_index)
                throw new ArgumentException($"mask is on {mask.device} but input is on {input.device}", nameof(mask));
            if (mask.is_complex())
                throw new ArgumentException($"mask has dtype {mask.dtype} but must be bool or a real dtype holding 0 and 1", nameof(mask));

            long n = shape[0];
            long[] spatial = shape[2..];
            var pixelMask = CheckShape(mask.shape, n, spatial, shape);
            var detached = mask.detach();
            var computeType = input.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
            Tensor kept, values;
            if (detached.dtype == ScalarType.Bool)
            {
                if (detached.numel() == 0) return (null, null);
                kept = detached;
                values = ZeroOne(detached, computeType);
                if (values.min().to(ScalarType.Float64).item<double>() == 1) return (null, null);
            }
            else
            {
                // One read-back: how many values are neither 0 nor 1 (NaN included), and how many are 1.
                var isZero = detached.eq(0);
                var isOne = detached.eq(1);
                var counts = TensorData.ToArray<long>(stack(new[] { isZero.logical_or(isOne).logical_not().sum(), isOne.sum() }));
                if (counts[0] > 0)
                {
                    var bad = detached.masked_select(isZero.logical_or(isOne).logical_not())[0].to(ScalarType.Float64).item<double>();
                    throw new ArgumentException($"mask must hold only 0 and 1 but holds {counts[0]} other value(s) (first {bad}); a soft mask is a per-pixel weighting, which PixelWeightedCrossEntropyLoss takes as its weight map", nameof(mask));
                }
                if (counts[1] == detached.numel()) return (null, null);
                kept = isOne;
                // From the bool test, not the values: a −0 in the mask must not become a −0 weight.
                values = ZeroOne(isOne, computeType);
            }
            var canonical = new[] { n, 1L }.Concat(spatial);
            return (Canonical(kept, pixelMask, canonical), Canonical(values, pixelMask, canonical));
        }

        /// <summary>
        /// A bool tensor as 0/1 values of <paramref name="dtype"/>, through uint8: the same values, about 4 times faster
        /// than libtorch 2.10's direct bool-to-float conversion on the CPU.
        /// </summary>
        internal static Tensor ZeroOne(Tensor flags, ScalarType dtype) => flags.to(ScalarType.Byte).to(dtype);

        /// <summary>A mask as given, broadcast to (N, 1, *spatial) and flattened to a contiguous (N, 1, S).</summary>
        private static Tensor Canonical(Tensor mask, bool pixelMask, long[] shape)
        {
            var full = pixelMask ? mask.unsqueeze(1) : mask;
            return full.expand(shape).reshape(shape[0], 1, -1).contiguous();
        }

        /// <summary>
        /// Checks that the mask is a pixel mask for this input; returns true for the (B, *spatial) form, false for
        /// (B, 1, *spatial). B may be N or 1, and each spatial size its own or 1.
        /// </summary>
        private static bool CheckShape(long[] m, long n, long[] spatial, long[] inputShape)
        {
            bool pixelMask = m.Length == spatial.Length + 1;
            bool channelMask = m.Length == spatial.Length + 2 && m[1] == 1;
            bool fits = (pixelMask || channelMask) && (m[0] == n || m[0] == 1);
            int offset = pixelMask ? 1 : 2;
            for (int d = 0; fits && d < spatial.Length; d++)
                fits = m[offset + d] == spatial[d] || m[offset + d] == 1;
            if (!fits)
            {
                var oneChannel = Shapes.Format(new[] { n, 1L }.Concat(spatial));
                var perPixel = Shapes.Format(new[] { n }.Concat(spatial));
                string channels = m.Length == spatial.Length + 2 && m[1] != 1 ? $" (it has {m[1]} channels; a mask covers all channels of a pixel)" : "";
                throw new ArgumentException($"mask has shape {Shapes.Format(m)} but input {Shapes.Format(inputShape)} needs {oneChannel} or {perPixel}, where the batch size and any spatial size may be 1 (broadcast){channels}", "mask");
            }
            return pixelMask;
        }

        /// <summary>The first <see cref="TorchLoss"/> in <paramref name="loss"/> (itself or a term of a sum), or null.</summary>
        private static TorchLoss? FindTorchLoss(SegmentationLoss loss) => loss switch
        {
            TorchLoss torch => torch,
            WeightedSumLoss sum => sum.Terms.Select(t => FindTorchLoss(t.loss)).FirstOrDefault(t => t is not null),
            _ => null,
        };
    }
}
