using System;
using System.Collections.Generic;
using System.Linq;
using SegLoss.Maps;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Boundary (surface) loss: probabilities weighted by the signed distance map of the ground truth (Kervadec et
    /// al., "Boundary loss for highly unbalanced segmentation", MIDL 2019; Medical Image Analysis 67, 2021).
    /// </summary>
    /// <remarks>
    /// <para>L = (1/|K|) Σ_{k∈K} Σ_x s_k(x)·φ_k(x), averaged over images and pixels, where s = softmax (Multiclass)
    /// or sigmoid (Binary/Multilabel) probabilities, K the selected classes and φ_k the signed distance map of class
    /// k in the target (<see cref="SignedDistanceMap"/>: positive outside the object, negative inside, 0 on its inner
    /// boundary; zero for a class absent from the image or covering all of it). This is the reference code's
    /// <c>SurfaceLoss</c>: the mean of s·φ over (image, class ∈ K, pixel).</para>
    /// <para>The value is negative when the prediction covers the object and its minimum depends on the image, so it
    /// is meant as a term beside a region loss (e.g. generalized Dice) whose weight grows during training; see
    /// <see cref="BoundaryLossSchedule"/>.</para>
    /// <para>Maps: <see cref="SegmentationLoss.forward"/> computes the maps from the target on every call (exact
    /// EDT on the CPU; CUDA targets are copied there and back). To precompute them once per (augmented) label, as the
    /// authors do in their data loader, pass them to <see cref="forward(Tensor, Tensor, Tensor)"/> /
    /// <see cref="call(Tensor, Tensor, Tensor)"/>. Maps are constants: no gradient flows into them.</para>
    /// <para>Targets: Multiclass labels (N, *spatial) (class k's mask is label == k) or soft labels (N, C, *spatial)
    /// (mask: target &gt; 0.5); Binary/Multilabel targets give the mask target &gt; 0.5 per channel.</para>
    /// <para>Classes: by default every class but the background (channels 1..C−1) for Multiclass, the single channel
    /// for Binary and all channels for Multilabel; <c>classes</c> selects others (the reference code's <c>idc</c>).</para>
    /// <para>Ignored pixels (<c>ignoreIndex</c>) belong to no class when maps are built and are left out of every
    /// sum. Reduction: None returns (N, *spatial) with (1/|K|) Σ_k s_k·φ_k per pixel (ignored entries contribute
    /// 0); Sum is the sum of those values; Mean is Σ s_k·φ_k over the non-ignored (image, class ∈ K, pixel) entries
    /// divided by their number, which is the mean of the None values over the non-ignored pixels when whole pixels
    /// are ignored (Multiclass labels, Binary), and 0 when every entry is ignored.</para>
    /// </remarks>
    public sealed class BoundaryLoss : SegmentationLoss
    {
        private readonly int[]? _classes;
        private readonly double[]? _spacing;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax), Binary or Multilabel (sigmoid).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="classes">Channels whose maps enter the loss (distinct, ≥ 0), or null for the default (all but
        /// the background for Multiclass, all channels otherwise).</param>
        /// <param name="spacing">Physical size of a pixel per spatial axis used when maps are computed from the
        /// target, or null for unit spacing.</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        public BoundaryLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true, int[]? classes = null,
            double[]? spacing = null, long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            if (classes is not null)
            {
                if (classes.Length == 0)
                    throw new ArgumentException($"{nameof(classes)} must name at least one channel, got none", nameof(classes));
                if (classes.Any(c => c < 0) || classes.Distinct().Count() != classes.Length)
                    throw new ArgumentException($"{nameof(classes)} must be distinct channel indices ≥ 0, got [{string.Join(", ", classes)}]", nameof(classes));
                _classes = (int[])classes.Clone();
            }
            _spacing = MapTensors.CheckedSpacing(spacing, nameof(spacing));
            Mode = mode;
            FromLogits = fromLogits;
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>The selected channels, or null for the default selection.</summary>
        public IReadOnlyList<int>? Classes => _classes;

        /// <summary>The pixel spacing used for maps computed from the target, or null (unit spacing).</summary>
        public IReadOnlyList<double>? Spacing => _spacing;

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <inheritdoc/>
        public override string DisplayName => "Boundary";

        /// <summary>
        /// The loss with precomputed signed distance maps (e.g. from <see cref="SignedDistanceMap.FromLabels"/> in a
        /// data loader) instead of maps computed from the target. The target still supplies the ignored pixels and
        /// is validated as in the two-input call. Runs in a dispose scope; forward hooks are not invoked.
        /// </summary>
        /// <param name="input">Logits or probabilities (N, C, *spatial).</param>
        /// <param name="target">The target, as for the two-input call.</param>
        /// <param name="distanceMaps">Signed distance maps (N, C, *spatial) for every channel (only the selected ones
        /// are read), finite, floating; detached.</param>
        public Tensor forward(Tensor input, Tensor target, Tensor distanceMaps)
        {
            using var scope = NewDisposeScope();
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var classes = SelectedClasses(inputs.C);
            var maps = SelectChannels(CanonicalMaps(distanceMaps, inputs), classes, inputs);
            return Reduce(inputs, classes, maps).MoveToOuterDisposeScope();
        }

        /// <summary>Same as <see cref="forward(Tensor, Tensor, Tensor)"/>.</summary>
        /// <param name="input">Logits or probabilities (N, C, *spatial).</param>
        /// <param name="target">The target, as for the two-input call.</param>
        /// <param name="distanceMaps">Signed distance maps (N, C, *spatial).</param>
        public Tensor call(Tensor input, Tensor target, Tensor distanceMaps) => forward(input, target, distanceMaps);

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var classes = SelectedClasses(inputs.C);
            var index = ClassIndex(classes, inputs);
            Tensor masks;
            if (inputs.Labels is not null)
            {
                masks = inputs.Labels.unsqueeze(1).eq(index.view(1, -1, 1));
                if (inputs.Valid is not null) masks = masks.logical_and(inputs.Valid.gt(0));
            }
            else
            {
                masks = inputs.Target!.index_select(1, index).gt(0.5);
            }
            var maps = MaskMaps.Compute(masks, inputs.Spatial, _spacing, MaskMaps.Kind.Signed, inputs.Input.dtype);
            return Reduce(inputs, classes, maps);
        }

        private int[] SelectedClasses(long channels)
        {
            if (_classes is null)
                return Mode == LossMode.Multiclass
                    ? Enumerable.Range(1, (int)channels - 1).ToArray()
                    : Enumerable.Range(0, (int)channels).ToArray();
            foreach (var c in _classes)
                if (c >= channels)
                    throw new ArgumentException($"classes holds {c} but the input has {channels} channels (expected indices in [0, {channels}))", "classes");
            return _classes;
        }

        /// <summary>The selected channels of (N, C, S): a view when they form an ascending run (the default), else a copy.</summary>
        private static Tensor SelectChannels(Tensor values, int[] classes, SegmentationInputs inputs)
        {
            bool run = classes.Select((c, i) => c == classes[0] + i).All(b => b);
            return run ? values.narrow(1, classes[0], classes.Length) : values.index_select(1, ClassIndex(classes, inputs));
        }

        private static Tensor ClassIndex(int[] classes, SegmentationInputs inputs) =>
            tensor(classes.Select(c => (long)c).ToArray(), ScalarType.Int64, inputs.Input.device);

        /// <summary>Σ over selected classes of s·φ, masked, then reduced.</summary>
        private Tensor Reduce(SegmentationInputs inputs, int[] classes, Tensor maps)
        {
            var p = SelectChannels(Activation.Probabilities(inputs.Input, Mode, FromLogits), classes, inputs);
            var product = p * maps;
            Tensor? valid = null;
            if (inputs.Valid is not null)
            {
                valid = inputs.Valid.dim() == 3 && inputs.Valid.shape[1] == 1 ? inputs.Valid : SelectChannels(inputs.Valid, classes, inputs);
                product = product * valid;
            }
            // Plain mean: one reduction of the product, without the per-pixel class sum.
            if (reduction == nn.Reduction.Mean && valid is null) return product.sum() * (1.0 / product.numel());
            var perPixel = product.sum(dim: 1) / classes.Length;
            switch (reduction)
            {
                case nn.Reduction.None:
                    return perPixel.reshape(new[] { inputs.N }.Concat(inputs.Spatial));
                case nn.Reduction.Sum:
                    return perPixel.sum();
                default:
                    if (valid is null) return perPixel.mean();
                    // Entries per class: pixels for labels (mask (N, 1, S)), (pixel, channel) pairs otherwise.
                    var entries = valid.shape[1] == 1 ? valid.sum() : valid.sum() / classes.Length;
                    return PixelReduction.SafeDivide(perPixel.sum(), entries);
            }
        }

        private static Tensor CanonicalMaps(Tensor distanceMaps, SegmentationInputs inputs)
        {
            if (distanceMaps is null) throw new ArgumentNullException(nameof(distanceMaps));
            var shape = distanceMaps.shape;
            if (!shape.SequenceEqual(inputs.InputShape))
                throw new ArgumentException($"distanceMaps has shape {Shapes.Format(shape)} but input {Shapes.Format(inputs.InputShape)} needs {Shapes.Format(inputs.InputShape)} (one map per channel)", nameof(distanceMaps));
            if (!distanceMaps.is_floating_point())
                throw new ArgumentException($"distanceMaps has dtype {distanceMaps.dtype} but must be floating point", nameof(distanceMaps));
            if (distanceMaps.device_type != inputs.Input.device_type || distanceMaps.device_index != inputs.Input.device_index)
                throw new ArgumentException($"distanceMaps is on {distanceMaps.device} but input is on {inputs.Input.device}", nameof(distanceMaps));
            var maps = distanceMaps.detach().to(inputs.Input.dtype).reshape(inputs.N, inputs.C, inputs.S);
            // One float64 reduction instead of an element-wise mask: NaN and ±∞ propagate to the sum, and map
            // values (bounded by the image diagonal) cannot overflow it.
            if (!double.IsFinite(maps.sum(ScalarType.Float64).item<double>()))
                throw new ArgumentException("distanceMaps must be finite, got NaN or infinite values", nameof(distanceMaps));
            return maps;
        }
    }

    /// <summary>
    /// The weight schedule published with the boundary loss (LIVIAETS/boundary-loss <c>scheduler.StealWeight</c>,
    /// used in the authors' ISLES and WMH experiments): a region loss (generalized Dice) starts at weight 1 and the
    /// boundary loss at 0.01; after every epoch the boundary weight grows by 0.01 and the region weight shrinks by
    /// 0.01, never below 0.1.
    /// </summary>
    /// <remarks>
    /// Use it to rebuild the composite each epoch, e.g.
    /// <c>var (r, b) = BoundaryLossSchedule.Weights(epoch); var loss = r * regionLoss + b * boundaryLoss;</c>
    /// (Kervadec et al., MIDL 2019; the paper's README pseudo-code uses a fixed α = 0.01 instead).
    /// </remarks>
    public static class BoundaryLossSchedule
    {
        /// <summary>
        /// The (region, boundary) weights for a 0-based epoch: region = max(floor, initialRegion − step·epoch)
        /// (initialRegion at epoch 0), boundary = initialBoundary + step·epoch. With the defaults, epoch 0 gives
        /// (1, 0.01), epoch 1 (0.99, 0.02) and epoch ≥ 90 a region weight of 0.1.
        /// </summary>
        /// <param name="epoch">0-based epoch (≥ 0).</param>
        /// <param name="initialRegion">Region-loss weight at epoch 0 (1).</param>
        /// <param name="initialBoundary">Boundary-loss weight at epoch 0 (0.01).</param>
        /// <param name="step">Weight moved from the region to the boundary term per epoch (0.01).</param>
        /// <param name="regionFloor">Smallest region weight (0.1).</param>
        /// <exception cref="ArgumentException">A negative epoch or a non-finite or negative option.</exception>
        public static (double region, double boundary) Weights(int epoch, double initialRegion = 1.0, double initialBoundary = 0.01,
            double step = 0.01, double regionFloor = 0.1)
        {
            if (epoch < 0) throw new ArgumentException($"{nameof(epoch)} must be ≥ 0, got {epoch}", nameof(epoch));
            Arguments.NonNegative(initialRegion, nameof(initialRegion));
            Arguments.NonNegative(initialBoundary, nameof(initialBoundary));
            Arguments.NonNegative(step, nameof(step));
            Arguments.NonNegative(regionFloor, nameof(regionFloor));
            double region = epoch == 0 ? initialRegion : Math.Max(regionFloor, initialRegion - step * epoch);
            return (region, initialBoundary + step * epoch);
        }
    }
}
