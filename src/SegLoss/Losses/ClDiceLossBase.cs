using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The options and the soft-skeleton terms shared by <see cref="SoftClDiceLoss"/> and
    /// <see cref="SoftDiceClDiceLoss"/> (Shit et al., "clDice — a Novel Topology-Preserving Loss Function for Tubular
    /// Structure Segmentation", CVPR 2021).
    /// </summary>
    /// <remarks>
    /// <para>Sums run over space and, by default, over the images and the selected classes together (MONAI's
    /// <c>torch.sum(...[:, 1:, ...])</c>: one ratio for the whole batch and every foreground channel). A "group" is
    /// what one ratio pools: everything (default), an image (<c>batch: false</c>), a class (<c>poolClasses: false</c>)
    /// or an (image, class) pair (both false). Reduction None returns one value per group: a 0-d tensor, (N), (K) or
    /// (N, K) for K selected classes; Mean and Sum reduce those.</para>
    /// </remarks>
    public abstract class ClDiceLossBase : SegmentationLoss
    {
        /// <summary>The largest <see cref="Iterations"/> accepted (far beyond any image: each step peels a pixel).</summary>
        public const int MaxIterations = 1000;

        /// <summary>Validates the shared options before any tensor exists; see the derived losses for their meaning.</summary>
        private protected ClDiceLossBase(LossMode mode, bool fromLogits, int iterations, double smooth, bool includeBackground,
            bool batch, bool poolClasses, long? ignoreIndex, nn.Reduction reduction)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            if (iterations < 0 || iterations > MaxIterations)
                throw new ArgumentException($"{nameof(iterations)} must be in [0, {MaxIterations}], got {iterations}", nameof(iterations));
            // smooth > 0 keeps every ratio defined: an empty skeleton gives (0 + s)/(0 + s) = 1, and Tprec + Tsens > 0.
            if (!(smooth > 0) || double.IsInfinity(smooth))
                throw new ArgumentException($"{nameof(smooth)} must be finite and positive, got {smooth}", nameof(smooth));
            Mode = mode;
            FromLogits = fromLogits;
            Iterations = iterations;
            Smooth = smooth;
            IncludeBackground = includeBackground;
            Batch = batch;
            PoolClasses = poolClasses;
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits (activation applied inside), false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>
        /// Refinement steps K of the soft skeleton. Each soft erosion peels about one pixel from every side of a
        /// structure, so reaching the centre line of structures t pixels thick takes about t/2 steps (⌈t/2⌉ − 1 for
        /// axis-aligned bars); in a hard (0/1) map thicker structures keep an empty skeleton and are invisible to
        /// clDice, while more steps cost time and change nothing for thinner ones.
        /// </summary>
        public int Iterations { get; }

        /// <summary>The constant s added to the numerator and denominator of every ratio.</summary>
        public double Smooth { get; }

        /// <summary>Whether channel 0 counts (Multiclass/Multilabel with more than one channel).</summary>
        public bool IncludeBackground { get; }

        /// <summary>Whether the sums pool the images of the batch (one ratio per batch, as MONAI).</summary>
        public bool Batch { get; }

        /// <summary>Whether the sums pool the selected classes (one ratio for all of them, as MONAI).</summary>
        public bool PoolClasses { get; }

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <summary>
        /// Validates the pair and returns the inputs, the probabilities of every channel (N, C, S) as the activation gives
        /// them, and the probabilities p and the dense target g of the selected classes as (N, K, *spatial), both zero at
        /// ignored pixels.
        /// </summary>
        private protected (SegmentationInputs inputs, Tensor probabilities, Tensor p, Tensor g) Prepare(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var probabilities = Activation.Probabilities(inputs);
            // Pooling spreads every value to its neighbours, so an ignored pixel must hold a constant before the
            // morphology, not only be masked out of the sums: 0 (background) in both maps.
            var p = inputs.Valid is null ? probabilities : probabilities * inputs.Valid;
            var g = inputs.DenseTarget();
            var (first, k) = SelectedClasses(inputs.C);
            var shape = new[] { inputs.N, k }.Concat(inputs.Spatial);
            return (inputs, probabilities, p.narrow(1, first, k).reshape(shape), g.narrow(1, first, k).reshape(shape));
        }

        /// <summary>The first selected channel and the number K of selected channels.</summary>
        private protected (long first, long count) SelectedClasses(long channels)
        {
            long first = !IncludeBackground && Mode != LossMode.Binary && channels > 1 ? 1 : 0;
            return (first, channels - first);
        }

        /// <summary>Sums per-(image, class) values (N, K) over the images and/or classes as configured.</summary>
        private protected Tensor Pool(Tensor perImageAndClass)
        {
            var values = Batch ? perImageAndClass.sum(dim: 0) : perImageAndClass;
            return PoolClasses ? values.sum(dim: -1) : values;
        }

        /// <summary>
        /// 1 − clDice per group from p and g (N, K, *spatial): Tprec = (Σ S(p)·g + s)/(Σ S(p) + s),
        /// Tsens = (Σ S(g)·p + s)/(Σ S(g) + s), clDice = 2·Tprec·Tsens/(Tprec + Tsens).
        /// </summary>
        private protected Tensor ClDiceLossPerGroup(Tensor p, Tensor g)
        {
            long n = p.shape[0], k = p.shape[1];
            var skeletonP = SoftSkeleton.Skeleton(p, Iterations).reshape(n, k, -1);
            Tensor skeletonG;
            // The target's skeleton needs no gradient: its pools are not recorded for the backward pass.
            using (no_grad()) skeletonG = SoftSkeleton.Skeleton(g, Iterations).reshape(n, k, -1);
            var flatP = p.reshape(n, k, -1);
            var flatG = g.reshape(n, k, -1);
            var precision = (Pool((skeletonP * flatG).sum(dim: 2)) + Smooth) / (Pool(skeletonP.sum(dim: 2)) + Smooth);
            var sensitivity = (Pool((skeletonG * flatP).sum(dim: 2)) + Smooth) / (Pool(skeletonG.sum(dim: 2)) + Smooth);
            return 1.0 - precision * sensitivity * 2.0 / (precision + sensitivity);
        }

        /// <summary>Applies the reduction to per-group values.</summary>
        private protected Tensor Reduce(Tensor perGroup) => reduction switch
        {
            nn.Reduction.None => perGroup,
            nn.Reduction.Sum => perGroup.sum(),
            _ => perGroup.mean(),
        };
    }
}
