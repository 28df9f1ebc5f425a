using System;
using System.Collections.Generic;
using SegLoss.Maps;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Distance-penalised cross-entropy (Caliva et al., "Distance Map Loss Penalty Term for Semantic Segmentation",
    /// MIDL 2019; JunMa11/SegLoss <c>DisPenalizedCE</c>): cross-entropy weighted per pixel by 1 + Φ, where Φ is a
    /// distance map of the target that is largest next to the boundaries, so the network pays most for mistakes
    /// where classes meet.
    /// </summary>
    /// <remarks>
    /// <para>Map: for each image and each class k present, d_k(x) is the Euclidean distance from a pixel x of class k
    /// to the nearest pixel outside class k (<see cref="DistanceTransform.Edt"/>, optional spacing), M_k its largest
    /// value over the class, and Φ(x) = (M_k − d_k(x)) / M_k for the class k of x: 1 − 1/M_k on the boundary rows
    /// (with unit spacing), falling to 0 at the points farthest inside each region. For a binary target the classes
    /// are the object and the background, which is JunMa11's <c>compute_edts_forPenalizedLoss</c>
    /// (pos_edt and neg_edt, each inverted and normalised by its maximum). A class covering the whole image has no
    /// boundary: Φ = 0 there; absent classes contribute nothing. Binary and Multilabel build one map per channel from
    /// target &gt; 0.5 (object) and ≤ 0.5 (background); Multiclass one map per image from the labels (soft labels:
    /// class k is target_k &gt; 0.5). Ignored pixels belong to no class when the map is built.</para>
    /// <para>Loss: ℓ(x) is the cross-entropy of <see cref="CrossEntropyLoss"/> (softmax CE for Multiclass, BCE per
    /// channel for Binary/Multilabel) and the value is Σ_x (1 + Φ(x))·ℓ(x) normalised for Mean by
    /// <see cref="PixelWeightNormalization"/>: by default <see cref="PixelWeightNormalization.PixelCount"/>, the
    /// paper's (1/N) Σ (1 + Φ)·ℓ over the non-ignored pixels (or (pixel, channel) entries);
    /// <see cref="PixelWeightNormalization.WeightSum"/> divides by Σ (1 + Φ) instead. JunMa11's
    /// <c>DisPenalizedCE</c> computes the weighted loss but returns the unweighted mean of ℓ (plain CE); this class
    /// returns the weighted one. Sum is Σ (1 + Φ)·ℓ; None returns (1 + Φ)·ℓ as (N, *spatial) for Multiclass or
    /// (N, C, *spatial) otherwise (ignored entries 0).</para>
    /// <para>Maps from the target: <see cref="SegmentationLoss.forward"/> computes Φ on every call (exact EDT on the
    /// CPU, CUDA tensors copied there and back; no gradient). Measured on this project's 2-core machine at 8x4x256x256
    /// float32 Multiclass (32 EDTs of 256×256 plus a few passes): 20–25 ms per call with two map threads and 33 ms
    /// with one for blob-shaped labels (the forward takes 28 ms with them, 5 ms with precomputed maps); on the quick
    /// benchmark's noise labels, one thread, forward + backward, 50 ms against 13.5 ms with precomputed maps.
    /// 8x1x256x256 Binary: 8–12 ms for blobs, about 28 ms on noise. That is most of the call: precompute the maps once per (augmented) label with <see cref="DistanceMaps"/> or
    /// <see cref="DistanceMapsFromMask"/> and pass them to <see cref="forward(Tensor, Tensor, Tensor)"/>.</para>
    /// </remarks>
    public sealed class DistancePenalizedCrossEntropyLoss : SegmentationLoss
    {
        private readonly double[]? _spacing;

        /// <summary>Configures the loss.</summary>
        /// <param name="mode">Multiclass (default, softmax CE), Binary or Multilabel (BCE with logits).</param>
        /// <param name="fromLogits">True (default): the input holds logits; false: probabilities.</param>
        /// <param name="normalization">How Mean normalises Σ (1 + Φ)·ℓ: by the pixel count (default, the paper's) or by Σ (1 + Φ).</param>
        /// <param name="spacing">Physical pixel size per spatial axis for maps computed from the target, or null for unit spacing.</param>
        /// <param name="ignoreIndex">Target value whose pixels are left out, or null.</param>
        /// <param name="reduction">Mean (default), Sum or None.</param>
        public DistancePenalizedCrossEntropyLoss(LossMode mode = LossMode.Multiclass, bool fromLogits = true,
            PixelWeightNormalization normalization = PixelWeightNormalization.PixelCount, double[]? spacing = null,
            long? ignoreIndex = null, nn.Reduction reduction = nn.Reduction.Mean)
            : base(reduction)
        {
            Arguments.Mode(mode, nameof(mode));
            Arguments.Reduction(reduction, nameof(reduction));
            Normalization = Arguments.Defined(normalization, nameof(normalization));
            _spacing = MapTensors.CheckedSpacing(spacing, nameof(spacing));
            Mode = mode;
            FromLogits = fromLogits;
            IgnoreIndex = ignoreIndex;
        }

        /// <summary>How channels relate to the target.</summary>
        public LossMode Mode { get; }

        /// <summary>True when the input holds logits, false for probabilities.</summary>
        public bool FromLogits { get; }

        /// <summary>How Mean normalises the weighted sum.</summary>
        public PixelWeightNormalization Normalization { get; }

        /// <summary>The pixel spacing used for maps computed from the target, or null (unit spacing).</summary>
        public IReadOnlyList<double>? Spacing => _spacing;

        /// <summary>Target value whose pixels are ignored, or null.</summary>
        public long? IgnoreIndex { get; }

        /// <inheritdoc/>
        public override string DisplayName => "DistancePenalizedCE";

        /// <summary>
        /// The loss with precomputed maps Φ (from <see cref="DistanceMaps"/> or <see cref="DistanceMapsFromMask"/>, or
        /// any finite non-negative penalty) instead of maps computed from the target; the weight is 1 + Φ. The target
        /// still supplies the labels and the ignored pixels and is validated as in the two-input call. Runs in a dispose
        /// scope and applies the non-finite policy; forward hooks are not invoked.
        /// </summary>
        /// <param name="input">Logits or probabilities (N, C, *spatial).</param>
        /// <param name="target">The target, as for the two-input call.</param>
        /// <param name="distanceMaps">Φ: (N, *spatial) or (N, 1, *spatial) for Multiclass; (N, C, *spatial) for
        /// Binary/Multilabel ((N, *spatial) also for Binary); finite, ≥ 0, floating; detached.</param>
        public Tensor forward(Tensor input, Tensor target, Tensor distanceMaps)
        {
            ThrowIfDisposed();
            using var scope = NewDisposeScope();
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var result = Weighted(inputs, CanonicalMaps(distanceMaps, inputs));
            if (SegLossSettings.ThrowOnNonFinite && !NonFinite.IsFinite(result))
                throw NonFinite.Explain(GetType().Name, (nameof(input), input), (nameof(target), target), (nameof(distanceMaps), distanceMaps));
            return result.MoveToOuterDisposeScope();
        }

        /// <summary>Same as <see cref="forward(Tensor, Tensor, Tensor)"/>.</summary>
        /// <param name="input">Logits or probabilities (N, C, *spatial).</param>
        /// <param name="target">The target, as for the two-input call.</param>
        /// <param name="distanceMaps">Φ, as for <see cref="forward(Tensor, Tensor, Tensor)"/>.</param>
        public Tensor call(Tensor input, Tensor target, Tensor distanceMaps) => forward(input, target, distanceMaps);

        /// <summary>
        /// The penalty maps Φ of integer labels (the map the Multiclass loss computes per call), for precomputing them
        /// in a data loader.
        /// </summary>
        /// <param name="labels">Integer labels (N, *spatial), 1 to 3 spatial dimensions, in [0, numClasses) or <paramref name="ignoreIndex"/>.</param>
        /// <param name="numClasses">Number of classes C (≥ 1).</param>
        /// <param name="spacing">Physical pixel size per spatial axis, or null for unit spacing.</param>
        /// <param name="ignoreIndex">Label of pixels that belong to no class (their map value is 0), or null.</param>
        /// <param name="dtype">Float32 (default) or Float64.</param>
        /// <returns>Φ (N, *spatial) in [0, 1) on the labels' device.</returns>
        /// <exception cref="ArgumentException">Bad shape, dtype, label, class count or spacing, naming the argument.</exception>
        public static Tensor DistanceMaps(Tensor labels, long numClasses, double[]? spacing = null, long? ignoreIndex = null, ScalarType? dtype = null)
        {
            const string layout = "(N, *spatial) with 1 to 3 spatial dimensions";
            MapTensors.CheckTensor(labels, nameof(labels));
            MapTensors.CheckRank(labels, 2, 4, layout, nameof(labels));
            MapTensors.CheckIntegral(labels, layout, nameof(labels));
            if (numClasses < 1 || numClasses > int.MaxValue)
                throw new ArgumentException($"{nameof(numClasses)} must be in [1, {int.MaxValue}], got {numClasses}", nameof(numClasses));
            var type = MapTensors.OutputType(dtype, labels);
            MapTensors.SquaredSpacing(spacing, (int)labels.dim() - 1);
            if (MapTensors.IsEmpty(labels.shape)) return MapTensors.Empty(labels.shape, type, labels.device);
            using var scope = NewDisposeScope();
            var flat = labels.to(ScalarType.Int64).reshape(labels.shape[0], -1);
            var ignored = ignoreIndex.HasValue ? flat.eq(ignoreIndex.Value) : null;
            var checkedLabels = ignored is null ? flat : flat.masked_fill(ignored, 0);
            var (lo, hi) = checkedLabels.reshape(-1).aminmax(0);
            long min = lo.item<long>(), max = hi.item<long>();
            if (min < 0 || max >= numClasses)
            {
                string allowed = ignoreIndex.HasValue ? $"[0, {numClasses}) or the ignore index {ignoreIndex.Value}" : $"[0, {numClasses})";
                throw new ArgumentException($"{nameof(labels)} hold {(min < 0 ? min : max)} but must be in {allowed}", nameof(labels));
            }
            var masks = checkedLabels.unsqueeze(1).eq(arange(numClasses, device: labels.device).view(1, -1, 1));
            if (ignored is not null) masks = masks.logical_and(ignored.logical_not().unsqueeze(1));
            var spatial = labels.shape[1..];
            return Penalty(masks, spatial, spacing, type).reshape(labels.shape).MoveToOuterDisposeScope();
        }

        /// <summary>
        /// The penalty maps Φ of binary (or multilabel) targets, one per channel, object = target &gt; 0.5 (the map the
        /// Binary/Multilabel loss computes per call), for precomputing them in a data loader.
        /// </summary>
        /// <param name="mask">(N, C, *spatial) with 1 to 3 spatial dimensions, any real or bool dtype.</param>
        /// <param name="spacing">Physical pixel size per spatial axis, or null for unit spacing.</param>
        /// <param name="dtype">Float32 or Float64; null gives Float64 for a float64 mask and Float32 otherwise.</param>
        /// <returns>Φ of the mask's shape, in [0, 1), on its device.</returns>
        /// <exception cref="ArgumentException">Bad shape, dtype or spacing, naming the argument.</exception>
        public static Tensor DistanceMapsFromMask(Tensor mask, double[]? spacing = null, ScalarType? dtype = null)
        {
            MapTensors.CheckTensor(mask, nameof(mask));
            MapTensors.CheckRank(mask, 3, 5, "(N, C, *spatial) with 1 to 3 spatial dimensions", nameof(mask));
            if (mask.is_complex())
                throw new ArgumentException($"{nameof(mask)} has dtype {mask.dtype} but must hold real numbers", nameof(mask));
            var type = MapTensors.OutputType(dtype, mask);
            MapTensors.SquaredSpacing(spacing, (int)mask.dim() - 2);
            if (MapTensors.IsEmpty(mask.shape)) return MapTensors.Empty(mask.shape, type, mask.device);
            using var scope = NewDisposeScope();
            var values = mask.dtype == ScalarType.Bool ? mask : mask.gt(0.5);
            var flat = values.reshape(mask.shape[0], mask.shape[1], -1);
            return ChannelPenalty(flat, null, mask.shape[2..], spacing, type).reshape(mask.shape).MoveToOuterDisposeScope();
        }

        /// <inheritdoc/>
        protected override Tensor Compute(Tensor input, Tensor target)
        {
            var inputs = SegmentationInputs.Create(input, target, Mode, IgnoreIndex, FromLogits);
            var type = inputs.Input.dtype;
            Tensor maps;
            if (Mode == LossMode.Multiclass)
            {
                Tensor masks;
                if (inputs.Labels is not null)
                {
                    masks = inputs.Labels.unsqueeze(1).eq(arange(inputs.C, device: inputs.Labels.device).view(1, -1, 1));
                    if (inputs.Valid is not null) masks = masks.logical_and(inputs.Valid.gt(0));
                }
                else
                {
                    masks = inputs.Target!.gt(0.5);
                }
                maps = Penalty(masks, inputs.Spatial, _spacing, type);
            }
            else
            {
                maps = ChannelPenalty(inputs.Target!.gt(0.5), inputs.Valid?.gt(0), inputs.Spatial, _spacing, type);
            }
            return Weighted(inputs, maps);
        }

        /// <summary>(1 + Φ)·ℓ reduced; maps are (N, S) for Multiclass and (N, C, S) otherwise.</summary>
        private Tensor Weighted(SegmentationInputs inputs, Tensor maps)
        {
            var ce = FusedCrossEntropy.TryPerElement(inputs, FromLogits, null, null, 0.0)
                ?? PixelCrossEntropy.Compute(inputs, FromLogits).loss;
            var weight = maps + 1.0;
            var values = ce * weight;
            Tensor? denominator = reduction == nn.Reduction.Mean && Normalization == PixelWeightNormalization.WeightSum
                ? PixelReduction.Masked(inputs, weight).sum()
                : null;
            return PixelReduction.Reduce(values, inputs, reduction, denominator);
        }

        /// <summary>Φ per channel of object masks (N, C, S): the object and the background are the two classes.</summary>
        private static Tensor ChannelPenalty(Tensor objects, Tensor? valid, long[] spatial, double[]? spacing, ScalarType type)
        {
            long n = objects.shape[0], c = objects.shape[1];
            var background = objects.logical_not();
            if (valid is not null)
            {
                objects = objects.logical_and(valid);
                background = background.logical_and(valid);
            }
            var masks = stack(new[] { objects, background }, 2).reshape(n * c, 2, -1);
            return Penalty(masks, spatial, spacing, type).reshape(n, c, -1);
        }

        /// <summary>
        /// Φ (M, S) from class masks (M, K, S), each pixel in at most one of the K classes: (M_k − d_k)/M_k inside
        /// class k, d_k = EDT of the class mask, M_k its maximum; 0 where a class covers the whole image.
        /// </summary>
        private static Tensor Penalty(Tensor masks, long[] spatial, double[]? spacing, ScalarType type)
        {
            long m = masks.shape[0], k = masks.shape[1];
            var items = new[] { m * k }.Concat(spatial);
            var outType = type == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
            var d = DistanceTransform.Edt(masks.reshape(items), spacing, spatial.Length, outType).reshape(m, k, -1);
            var outside = d.isfinite().logical_and(masks.reshape(m, k, -1)).logical_not();
            var inside = d.masked_fill(outside, 0.0);
            var max = inside.amax(new long[] { 2 }, keepdim: true);
            var safe = max.where(max.gt(0), ones_like(max));
            return ((max - inside) / safe).masked_fill(outside, 0.0).sum(1);
        }

        private Tensor CanonicalMaps(Tensor distanceMaps, SegmentationInputs inputs)
        {
            if (distanceMaps is null) throw new ArgumentNullException(nameof(distanceMaps));
            var shape = distanceMaps.shape;
            long[] perPixel = new[] { inputs.N }.Concat(inputs.Spatial);
            long[] withChannel = new[] { inputs.N, 1L }.Concat(inputs.Spatial);
            bool ok = Mode == LossMode.Multiclass
                ? Same(shape, perPixel) || Same(shape, withChannel)
                : Same(shape, inputs.InputShape) || (Mode == LossMode.Binary && Same(shape, perPixel));
            if (!ok)
            {
                string expected = Mode == LossMode.Multiclass
                    ? $"{Shapes.Format(perPixel)} or {Shapes.Format(withChannel)}"
                    : Mode == LossMode.Binary ? $"{Shapes.Format(inputs.InputShape)} or {Shapes.Format(perPixel)}" : Shapes.Format(inputs.InputShape);
                throw new ArgumentException($"distanceMaps has shape {Shapes.Format(shape)} but input {Shapes.Format(inputs.InputShape)} needs {expected} for {Mode}", nameof(distanceMaps));
            }
            if (!distanceMaps.is_floating_point())
                throw new ArgumentException($"distanceMaps must be a floating-point tensor, got dtype {distanceMaps.dtype}", nameof(distanceMaps));
            if (distanceMaps.device_type != inputs.Input.device_type || distanceMaps.device_index != inputs.Input.device_index)
                throw new ArgumentException($"distanceMaps is on {distanceMaps.device} but input is on {inputs.Input.device}", nameof(distanceMaps));
            var maps = Mode == LossMode.Multiclass
                ? distanceMaps.detach().to(inputs.Input.dtype).reshape(inputs.N, inputs.S)
                : distanceMaps.detach().to(inputs.Input.dtype).reshape(inputs.N, inputs.C, inputs.S);
            var (lo, hi) = maps.reshape(-1).aminmax(0);
            var range = TensorData.ToArray<double>(stack(new[] { lo, hi }).to(ScalarType.Float64));
            if (!double.IsFinite(range[0]) || !double.IsFinite(range[1]))
                NonFinite.Require(distanceMaps, nameof(distanceMaps));
            if (range[0] < 0)
                throw new ArgumentException($"distanceMaps must be non-negative, got values down to {range[0]}", nameof(distanceMaps));
            return maps;
        }

        private static bool Same(long[] a, long[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }
    }
}
