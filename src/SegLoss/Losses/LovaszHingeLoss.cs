using System;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Lovász hinge loss (Berman, Rannen Triki and Blaschko, "The Lovász-Softmax loss", CVPR 2018; Yu and Blaschko,
    /// "Learning submodular losses with the Lovász hinge", ICML 2015): the Lovász extension of the foreground Jaccard
    /// loss evaluated at the hinge errors of the logits, for binary (and multi-label) segmentation.
    /// </summary>
    /// <remarks>
    /// <para>With logits z and 0/1 targets y, the errors are m_i = 1 − z_i·(2y_i − 1). With π sorting m in
    /// decreasing order, the loss is Σ_i max(m_π(i), 0)·w_i, the Lovász weights w coming from the sorted ground
    /// truth (Berman's Algorithm 1): G = Σy, inter_i = G − cumsum(y)_i, union_i = G + cumsum(1 − y)_i,
    /// J_i = 1 − inter_i/union_i, w_1 = J_1, w_i = J_i − J_{i−1}. Gradients flow only through the sorted errors.
    /// The implementation sorts max(m, 0), which orders the positive errors identically and gives the same value and
    /// gradient.</para>
    /// <para>The input must be logits (the hinge acts on the margin z·(2y − 1)); <c>fromLogits: false</c> is
    /// rejected. Targets must be exactly 0 or 1 (or the ignore index).</para>
    /// <para>Modes: Binary (default, C = 1) or Multilabel (each channel is a separate binary problem; the channel
    /// losses are averaged). Pools: with <c>perImage: true</c> (default, Berman's) each (image, channel) pair is its
    /// own pool; with false the pixels of the whole batch are pooled per channel. All pools are sorted by one batched
    /// sort (on the CPU a managed radix sort, as for <see cref="LovaszSoftmaxLoss"/>). A pool with no foreground keeps its term (Berman's hinge has no class selection): its Jaccard loss is 1
    /// for any mistake, so it costs its largest positive error.</para>
    /// <para>Channel pooling (<see cref="LovaszHingePooling"/>): PerChannel (default) as above; AllChannels pools
    /// every channel of an image (or of the batch, without <c>perImage</c>) into one hinge problem — smp's
    /// <c>LovaszLoss(mode="multilabel", per_image=p)</c>, which runs the binary hinge on the whole (N, C, H, W) tensor,
    /// is <c>new LovaszHingeLoss(LossMode.Multilabel, perImage: p, pooling: LovaszHingePooling.AllChannels)</c> (smp's
    /// default is <c>per_image=False</c>, this class's is true). With AllChannels the pooled problem stands for one
    /// channel: None returns (N, 1) with <c>perImage</c> and (1) without.</para>
    /// <para>Reduction: None returns (N, C) per image and channel with <c>perImage</c>, or (C) per channel
    /// otherwise; Sum adds them; Mean averages them (Berman's mean over images; an image whose pixels are all
    /// ignored counts as 0). Ignored pixels (<c>ignoreIndex</c>) are left out of every pool: they change neither the
    /// value nor the gradient.</para>
    /// </remarks>
    public sealed class LovaszHingeLoss : SegmentationLoss
    {
        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Binary (default) or Multilabel; Multiclass is rejected (use <see cref="LovaszSoftmaxLoss"/>).</param>
        /// <param name="fromLogits">Must be true: the hinge is defined on logits.</param>
        /// <param name="perImage">True (default): one pool per image and channel; false: pool the batch per channel.</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        /// <param name="pooling">PerChannel (default): one hinge problem per channel; AllChannels: one per image (or batch) over every channel, as smp's multilabel Lovász.</param>
        public LovaszHingeLoss(LossMode mode = LossMode.Binary, bool fromLogits = true, bool perImage = true,
            long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean, LovaszHingePooling pooling = LovaszHingePooling.PerChannel)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode), LossMode.Binary, LossMode.Multilabel);
            Arguments.Reduction(reduction, nameof(reduction));
            Arguments.Defined(pooling, nameof(pooling));
            if (!fromLogits)
                throw new ArgumentException($"{nameof(fromLogits)} must be true: the Lovász hinge acts on logits (margins z·(2y − 1)), got false; use LovaszSoftmaxLoss with mode Binary for probabilities", nameof(fromLogits));
            Mode = mode;
            PerImage = perImage;
            IgnoreIndex = ignoreIndex;
            Pooling = pooling;
        }

        /// <summary>Binary or Multilabel.</summary>
        public LossMode Mode { get; }

        /// <summary>Always true: the input holds logits.</summary>
        public bool FromLogits => true;

        /// <summary>Whether each image is its own pool (true) or the batch is pooled per channel (false).</summary>
        public bool PerImage { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>Whether each channel is its own hinge problem or all channels of an image (batch) are pooled.</summary>
        public LovaszHingePooling Pooling { get; }

        /// <inheritdoc/>
        public override string DisplayName => "LovaszHinge";

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, fromLogits: true);
            var y = inputs.Target!;
            var notBinary = y.ne(0).logical_and_(y.ne(1));
            if (notBinary.any().item<bool>())
            {
                double bad = y.masked_select(notBinary)[0].ToDouble();
                throw new ArgumentException($"target holds {bad} but the Lovász hinge needs hard 0/1 targets (or the ignore index)", nameof(target));
            }
            var errors = (1.0 - inputs.Input * (y * 2.0 - 1.0)).relu();
            bool pooled = Pooling == LovaszHingePooling.AllChannels;
            var rows = LovaszExtension.Loss(
                Rows(errors, pooled),
                Rows(y, pooled),
                inputs.Valid is null ? null : Rows(inputs.Valid.expand(errors.shape), pooled),
                hardTargets: true);
            var perClass = PerImage ? rows.reshape(inputs.N, pooled ? 1 : inputs.C) : rows;
            return reduction switch
            {
                nn.Reduction.None => perClass,
                nn.Reduction.Sum => perClass.sum(),
                _ => perClass.mean(),
            };
        }

        /// <summary>
        /// The hinge problems as rows: per (image, channel) or per channel (PerChannel), per image or one for the batch
        /// (AllChannels; the order inside a row does not matter, the row is sorted).
        /// </summary>
        private Tensor Rows(Tensor values, bool pooled)
        {
            if (!pooled) return LovaszExtension.Rows(values, PerImage);
            return PerImage ? values.reshape(values.shape[0], -1) : values.reshape(1, -1);
        }
    }
}
