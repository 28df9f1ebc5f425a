using System;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Any TorchSharp <see cref="Loss{T1, T2, TResult}"/> of (input, target), e.g. TorchSharp's own
    /// <c>torch.nn.CrossEntropyLoss()</c> or <c>torch.nn.BCEWithLogitsLoss()</c>, as a <see cref="SegmentationLoss"/>,
    /// so that it takes part in <c>+</c> and <c>*</c> with SegLoss's losses and in <see cref="DeepSupervisionLoss"/>:
    /// <c>new DiceLoss() + torch.nn.CrossEntropyLoss().AsSegmentationLoss()</c>.
    /// </summary>
    /// <remarks>
    /// The wrapped loss sees the arguments exactly as given: SegLoss's input validation, modes and ignore rules do not
    /// apply to it, its own do (a native error surfaces as a .NET exception). The call still goes through
    /// <see cref="SegmentationLoss.forward"/>, so the non-finite policy (<see cref="SegLossSettings.ThrowOnNonFinite"/>)
    /// and the dispose scope apply. The wrapper owns the wrapped loss: it is registered as a submodule (so
    /// <c>to(device)</c> moves its weights) and disposed with the wrapper.
    /// </remarks>
    public sealed class TorchLoss : SegmentationLoss
    {
        private readonly Loss<Tensor, Tensor, Tensor> _loss;
        private readonly string _displayName;

        /// <summary>Wraps <paramref name="loss"/>; <paramref name="displayName"/> defaults to its type name, e.g. "nn.CrossEntropyLoss".</summary>
        /// <exception cref="ArgumentNullException"><paramref name="loss"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="loss"/> is already a <see cref="SegmentationLoss"/>.</exception>
        public TorchLoss(Loss<Tensor, Tensor, Tensor> loss, string? displayName = null)
            : base((loss ?? throw new ArgumentNullException(nameof(loss))).reduction)
        {
            if (loss is SegmentationLoss segLoss)
                throw new ArgumentException($"{segLoss.DisplayName} is already a SegmentationLoss; use it directly", nameof(loss));
            _loss = loss;
            _displayName = displayName ?? "nn." + loss.GetType().Name;
            register_module("loss", loss);
        }

        /// <summary>The wrapped TorchSharp loss.</summary>
        public Loss<Tensor, Tensor, Tensor> Inner => _loss;

        /// <inheritdoc/>
        public override string DisplayName => _displayName;

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target) => _loss.call(input, target);

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing) _loss.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Conversions of TorchSharp losses for composition with SegLoss's.</summary>
    public static class TorchLossExtensions
    {
        /// <summary>
        /// <paramref name="loss"/> as a <see cref="SegmentationLoss"/>: itself if it is one, otherwise a
        /// <see cref="TorchLoss"/> that owns it.
        /// </summary>
        public static SegmentationLoss AsSegmentationLoss(this Loss<Tensor, Tensor, Tensor> loss) =>
            loss as SegmentationLoss ?? new TorchLoss(loss);
    }
}
