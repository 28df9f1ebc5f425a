using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The validated, canonical views of one (input, target) pair that every loss works on. Created by
    /// <see cref="Create"/> inside the caller's dispose scope; all tensors here are owned by that scope.
    /// </summary>
    /// <remarks>
    /// Spatial dimensions are flattened to one axis S so that every loss handles 1D, 2D and 3D alike.
    /// Ignored pixels are replaced by a harmless value (label 0, target 0) and reported in <see cref="Valid"/>,
    /// so no later gather or one-hot can index out of range. Pixels a <see cref="MaskedLoss"/> masks out (the
    /// <see cref="MaskScope"/> open for this pair) are treated exactly like ignored ones: they are 0 in
    /// <see cref="Valid"/>, hold label 0 / target 0 whatever the target held there (so their values are not checked),
    /// and hold <see cref="RawIgnoreIndex"/> in <see cref="RawLabels"/>; so every loss that honours its ignore index
    /// honours the mask.
    /// </remarks>
    internal sealed class SegmentationInputs
    {
        private SegmentationInputs(LossMode mode, long[] inputShape, Tensor input)
        {
            Mode = mode;
            InputShape = inputShape;
            Input = input;
        }

        /// <summary>The caller's input tensor (identity only: <see cref="SharedActivations"/> keys on it).</summary>
        public Tensor Source { get; private init; } = null!;

        /// <summary>The caller's target tensor (identity only).</summary>
        public Tensor TargetSource { get; private init; } = null!;

        /// <summary>Whether the input holds logits.</summary>
        public bool FromLogits { get; private init; }

        /// <summary>The ignore index the inputs were validated with.</summary>
        public long? IgnoreIndex { get; private init; }

        /// <summary>The mode the loss was configured with.</summary>
        public LossMode Mode { get; }

        /// <summary>The original input shape (N, C, *spatial).</summary>
        public long[] InputShape { get; }

        /// <summary>Batch size.</summary>
        public long N => InputShape[0];

        /// <summary>Channels (classes).</summary>
        public long C => InputShape[1];

        /// <summary>Flattened spatial size.</summary>
        public long S => Shapes.Product(InputShape, 2);

        /// <summary>The spatial shape.</summary>
        public long[] Spatial => InputShape[2..];

        /// <summary>Input as (N, C, S) in float32 or float64 (half precision is promoted to float32).</summary>
        public Tensor Input { get; }

        /// <summary>Multiclass hard labels (N, S) int64 with ignored pixels set to 0; null for floating targets.</summary>
        public Tensor? Labels { get; private set; }

        /// <summary>
        /// Multiclass hard labels (N, S) int64 as given, ignored pixels still holding the ignore index (for fused
        /// kernels that take an ignore index themselves) and masked-out pixels holding <see cref="RawIgnoreIndex"/>;
        /// null for floating targets.
        /// </summary>
        public Tensor? RawLabels { get; private set; }

        /// <summary>
        /// The label <see cref="RawLabels"/> holds at masked-out pixels when the loss has no ignore index: outside every
        /// valid label range, PyTorch's default ignore index.
        /// </summary>
        internal const long MaskedLabel = -100;

        /// <summary>
        /// The value <see cref="RawLabels"/> holds at every pixel that is not valid: the ignore index, or
        /// <see cref="MaskedLabel"/> when only a user mask left pixels out (fused kernels skip it).
        /// </summary>
        public long RawIgnoreIndex => RawIgnoreIndexFor(IgnoreIndex);

        /// <summary>Floating target (N, C, S) in the input's dtype with ignored entries set to 0; null for hard labels.</summary>
        public Tensor? Target { get; private set; }

        /// <summary>
        /// Validity mask in the input's dtype (1 = used, 0 = ignored), shaped (N, 1, S) for Multiclass labels and
        /// (N, C, S) otherwise; null when no ignore index was configured.
        /// </summary>
        public Tensor? Valid { get; private set; }

        /// <summary>
        /// True when <see cref="Target"/> holds only 0 and 1 (checked at validation, in the same pass or read-back that
        /// checks the range), so that Σ p·g and p_t = exp(−BCE) are exact; false for soft targets and for labels.
        /// </summary>
        public bool HardTargets { get; private set; }

        /// <summary>True when the target is hard Multiclass labels.</summary>
        public bool HasLabels => Labels is not null;

        /// <summary>Number of non-ignored elements, as a 0-d tensor (pixels for labels, entries otherwise).</summary>
        public Tensor ValidCount() => Valid is null
            ? tensor((double)(HasLabels ? N * S : N * C * S), Input.dtype, Input.device)
            : Valid.sum();

        /// <summary>
        /// The target as (N, C, S) probabilities in the input's dtype (one-hot for labels, ignored pixels all zero).
        /// Materialises a one-hot tensor for labels: use only where a gather or reduction will not do.
        /// </summary>
        public Tensor DenseTarget()
        {
            if (Target is not null) return Target;
            var oneHot = zeros(new[] { N, C, S }, Input.dtype, Input.device);
            var src = Valid ?? ones(new[] { N, 1, S }, Input.dtype, Input.device);
            return oneHot.scatter_(1, Labels!.unsqueeze(1), src);
        }

        /// <summary>
        /// Validates (input, target) for <paramref name="mode"/> and builds the canonical views.
        /// Throws <see cref="ArgumentException"/> naming the argument, the expected and the actual shape/dtype/value.
        /// </summary>
        public static SegmentationInputs Create(Tensor input, Tensor target, LossMode mode, long? ignoreIndex, bool fromLogits = true)
        {
            if (input is null) throw new ArgumentNullException(nameof(input));
            if (target is null) throw new ArgumentNullException(nameof(target));
            // The pixels a MaskedLoss around this call keeps (null: all). Read here, before the memo, so that the mask's
            // scope is marked used even when a sum's first term built the views.
            var (keep, keptValues) = MaskScope.KeepFor(input, target);
            // The terms of a sum validate the pair once: the first term's views serve the others (the sharing context
            // belongs to the mask scope, so the memo never crosses masks).
            return SharedActivations.GetOrAddInputs(input, target, (mode, fromLogits, ignoreIndex), () => Validate(input, target, mode, ignoreIndex, fromLogits, keep, keptValues));
        }

        /// <summary>The tensors this object holds, for adoption into a sharing context's scope.</summary>
        internal IEnumerable<Tensor> OwnedTensors()
        {
            yield return Input;
            foreach (var t in new[] { Labels, RawLabels, Target, Valid })
                if (t is not null) yield return t;
        }

        private static SegmentationInputs Validate(Tensor input, Tensor target, LossMode mode, long? ignoreIndex, bool fromLogits, Tensor? keep, Tensor? keptValues)
        {
            var shape = input.shape;
            if (!input.is_floating_point())
                throw new ArgumentException($"input must be a floating-point tensor of {(fromLogits ? "logits" : "probabilities")}, got dtype {input.dtype}", nameof(input));
            if (shape.Length < 3 || shape.Length > 5)
                throw new ArgumentException($"input has shape {Shapes.Format(shape)} but must be (N, C, *spatial) with 1 to 3 spatial dimensions", nameof(input));
            if (input.device_type != target.device_type || input.device_index != target.device_index)
                throw new ArgumentException($"target is on {target.device} but input is on {input.device}", nameof(target));
            long c = shape[1];
            switch (mode)
            {
                case LossMode.Binary when c != 1:
                    throw new ArgumentException($"input has {c} channels (shape {Shapes.Format(shape)}) but Binary mode needs exactly 1", nameof(input));
                case LossMode.Multiclass when c < 2:
                    throw new ArgumentException($"input has {c} channel (shape {Shapes.Format(shape)}) but Multiclass mode needs at least 2; use LossMode.Binary for one channel", nameof(input));
            }
            foreach (var d in shape)
                if (d == 0) throw new ArgumentException($"input has shape {Shapes.Format(shape)} with an empty dimension", nameof(input));

            var computeType = input.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
            var n = shape[0];
            var s = Shapes.Product(shape, 2);
            var canonical = input.dtype == computeType ? input.reshape(n, c, s) : input.to(computeType).reshape(n, c, s);
            var result = new SegmentationInputs(mode, shape, canonical)
            {
                Source = input,
                TargetSource = target,
                FromLogits = fromLogits,
                IgnoreIndex = ignoreIndex,
            };
            if (!fromLogits) CheckProbabilityRange(canonical, nameof(input), "input", input);

            // Masked-out pixels, bool (N, 1, S); the mask's batch size was checked against this input by MaskedLoss. The
            // kept pixels as 0/1 values of the input's dtype (N, 1, S) serve as Valid where only the mask leaves pixels out.
            var dropped = keep?.logical_not();
            var kept = keep is null ? null : keptValues is not null && keptValues.dtype == computeType ? keptValues : MaskedLoss.ZeroOne(keep, computeType);
            if (mode == LossMode.Multiclass) result.SetMulticlassTarget(target, ignoreIndex, keep, dropped, kept);
            else result.SetSigmoidTarget(target, ignoreIndex, dropped, kept);
            return result;
        }

        private void SetMulticlassTarget(Tensor target, long? ignoreIndex, Tensor? keep, Tensor? dropped, Tensor? kept)
        {
            var tshape = target.shape;
            var labelShape = new long[InputShape.Length - 1];
            labelShape[0] = N;
            Array.Copy(InputShape, 2, labelShape, 1, InputShape.Length - 2);

            if (target.is_floating_point() && tshape.Length == InputShape.Length)
            {
                if (!SameShape(tshape, InputShape))
                    throw new ArgumentException($"target has shape {Shapes.Format(tshape)} but input {Shapes.Format(InputShape)} needs {Shapes.Format(InputShape)} soft labels (or {Shapes.Format(labelShape)} class labels) for Multiclass", nameof(target));
                // Soft Multiclass targets have no ignore index either: the losses' soft-label paths take every pixel.
                if (dropped is not null)
                    throw new ArgumentException($"target has shape {Shapes.Format(tshape)} (soft labels), but a MaskedLoss in Multiclass mode needs integer class labels of shape {Shapes.Format(labelShape)} (e.g. the argmax over dim 1 of a one-hot target)", nameof(target));
                var soft = target.to(Input.dtype).reshape(N, C, S);
                CheckProbabilityRange(soft, nameof(target), "soft target", target);
                Target = soft;
                return;
            }
            if (!SameShape(tshape, labelShape))
                throw new ArgumentException($"target has shape {Shapes.Format(tshape)} but input {Shapes.Format(InputShape)} needs {Shapes.Format(labelShape)} for Multiclass", nameof(target));
            if (!target.is_integral())
                throw new ArgumentException($"target has dtype {target.dtype} but Multiclass labels of shape {Shapes.Format(labelShape)} must be integers (floating targets must be {Shapes.Format(InputShape)} class probabilities)", nameof(target));

            var given = target.to(ScalarType.Int64).reshape(N, S);
            var masked = dropped?.squeeze(1);
            // Masked-out pixels take label 0 before the range check: what the target holds there is never used.
            var labels = given;
            RawLabels = given;
            if (masked is not null)
            {
                long raw = RawIgnoreIndexFor(ignoreIndex);
                if (raw != long.MinValue)
                {
                    // Integer arithmetic with the 0/1 mask k, exact for any label: label·k, then + (k − 1)·(−raw). On
                    // libtorch 2.10's CPU, one thread, 8x256x256 int64: about 0.85 ms for both, against 1.5 ms for two
                    // masked_fill calls.
                    var k = MaskedLoss.ZeroOne(keep!.squeeze(1), ScalarType.Int64);
                    labels = given * k;
                    RawLabels = labels.add(k - 1, -raw);
                }
                else
                {
                    labels = given.masked_fill(masked, 0);
                    RawLabels = given.masked_fill(masked, raw);
                }
            }
            // Two reductions (one read-back) instead of element-wise range masks: the common case is in range.
            var (lo, hi) = MinMax(labels);
            bool ignoredAny = false;
            if (ignoreIndex.HasValue && ignoreIndex.Value >= lo && ignoreIndex.Value <= hi)
            {
                var ignored = labels.eq(ignoreIndex.Value);
                labels = labels.masked_fill(ignored, 0);
                masked = masked is null ? ignored : masked.logical_or(ignored);
                ignoredAny = true;
                if (lo < 0 || hi >= C) (lo, hi) = MinMax(labels);
            }
            // Where only the mask leaves pixels out, its 0/1 values are Valid as they are.
            if (masked is not null) Valid = !ignoredAny && kept is not null ? kept : masked.logical_not().to(Input.dtype).unsqueeze(1);
            if (lo < 0 || hi >= C)
            {
                long bad = lo < 0 ? lo : hi;
                string allowed = ignoreIndex.HasValue ? $"[0, {C}) or the ignore index {ignoreIndex.Value}" : $"[0, {C})";
                throw new ArgumentException($"target holds label {bad} but labels must be in {allowed} for input with {C} classes", nameof(target));
            }
            Labels = labels;
        }

        private void SetSigmoidTarget(Tensor target, long? ignoreIndex, Tensor? dropped, Tensor? kept)
        {
            var tshape = target.shape;
            bool full = SameShape(tshape, InputShape);
            bool squeezed = Mode == LossMode.Binary && tshape.Length == InputShape.Length - 1 && tshape[0] == N && SameShape(tshape[1..], InputShape[2..]);
            if (!full && !squeezed)
            {
                string expected = Mode == LossMode.Binary
                    ? $"{Shapes.Format(InputShape)} or {Shapes.Format(new[] { N }.Concat(InputShape[2..]))}"
                    : Shapes.Format(InputShape);
                throw new ArgumentException($"target has shape {Shapes.Format(tshape)} but input {Shapes.Format(InputShape)} needs {expected} for {Mode}", nameof(target));
            }
            if (target.is_complex())
                throw new ArgumentException($"target has dtype {target.dtype} but {Mode} targets must be real numbers in [0, 1]", nameof(target));

            var flat = target.reshape(N, C, S);
            if (dropped is not null && kept is not null && !(ignoreIndex.HasValue && target.dtype != ScalarType.Bool))
            {
                SetMaskedSigmoidTarget(target, flat, dropped, kept);
                return;
            }
            Tensor? ignored = null;
            if (ignoreIndex.HasValue && target.dtype != ScalarType.Bool) ignored = flat.eq(ignoreIndex.Value);
            // A masked-out pixel leaves out all its channels, as an ignore index in every channel would.
            if (dropped is not null) ignored = ignored is null ? dropped.expand(N, C, S).contiguous() : ignored.logical_or(dropped);
            if (ignored is not null) Valid = ignored.logical_not().to(Input.dtype);
            var values = flat.to(Input.dtype);
            if (ignored is not null) values = values.masked_fill(ignored, 0);
            SetCheckedSigmoidTarget(target, values);
        }

        /// <summary>
        /// The floating target under a user mask alone (no ignore index): Valid is the mask's 0/1 values, and the target
        /// is zeroed at masked-out pixels by multiplying by them, then adding +0 (so that −0 from a negative value
        /// becomes +0, as masked_fill gives): 0.09 ms for 524 K float32 values on libtorch 2.10's CPU, one thread,
        /// against 0.59 ms for masked_fill. A non-finite value at a masked-out pixel would survive the product as NaN,
        /// so when the range check fails the target is rebuilt with masked_fill and checked again, which then reports
        /// exactly what the unmasked pixels hold.
        /// </summary>
        private void SetMaskedSigmoidTarget(Tensor target, Tensor flat, Tensor dropped, Tensor kept)
        {
            Valid = C == 1 ? kept : kept.expand(N, C, S).contiguous();
            var given = flat.to(Input.dtype);
            var values = (given * Valid).add_(0.0);
            if (target.dtype == ScalarType.Bool)
            {
                HardTargets = true;
                Target = values;
                return;
            }
            if (TryCheckProbabilityRange(values, out bool hard))
            {
                HardTargets = hard;
                Target = values;
                return;
            }
            SetCheckedSigmoidTarget(target, given.masked_fill(dropped.expand(N, C, S), 0));
        }

        /// <summary>Checks a floating target's range (bool targets are 0/1 by type) and keeps it as <see cref="Target"/>.</summary>
        private void SetCheckedSigmoidTarget(Tensor target, Tensor values)
        {
            // Bool targets are 0/1 by type. Otherwise one pass checks the range and tells 0/1 targets from soft ones
            // (CheckProbabilityRange: a ValueScan on the CPU, four reductions and one read-back elsewhere).
            if (target.dtype == ScalarType.Bool) HardTargets = true;
            else HardTargets = CheckProbabilityRange(values, nameof(target), "target", target, detectHard: true);
            Target = values;
        }

        private static long RawIgnoreIndexFor(long? ignoreIndex) => ignoreIndex ?? MaskedLabel;

        /// <summary>
        /// Values in [0, 1]; a NaN or ±∞ is reported in <paramref name="source"/>'s own coordinates. With
        /// <paramref name="detectHard"/>, returns whether every value is 0 or 1. On the CPU one <see cref="ValueScan"/>
        /// pass answers both exactly; elsewhere Σg² = Σg is read back with the range, and a soft value whose g(1 − g)
        /// vanishes in the rounding of these sums counts as hard (Σ p·g and Σ min(p, g) then differ by less than that
        /// rounding). Out-of-range values always take the reductions, which give the message its range.
        /// </summary>
        private static bool CheckProbabilityRange(Tensor values, string paramName, string what, Tensor source, bool detectHard = false)
        {
            if (ValueScan.TryUnitInterval(values, out bool inRange, out bool hard) && inRange) return detectHard && hard;
            var range = RangeSummary(values, detectHard);
            double lo = range[0], hi = range[1];
            if (!double.IsFinite(lo) || !double.IsFinite(hi)) NonFinite.Require(source, paramName);
            if (!(lo >= 0) || !(hi <= 1))
                throw new ArgumentException($"{what} values must be in [0, 1] but range over [{lo}, {hi}]", paramName);
            return detectHard && range[2] == range[3];
        }

        /// <summary>
        /// The range check without the exceptions: false when a value is non-finite or outside [0, 1]; otherwise true,
        /// with <paramref name="hard"/> telling whether every value is 0 or 1 (as <see cref="CheckProbabilityRange"/>).
        /// </summary>
        private static bool TryCheckProbabilityRange(Tensor values, out bool hard)
        {
            if (ValueScan.TryUnitInterval(values, out bool inRange, out hard)) return inRange;
            var range = RangeSummary(values, detectHard: true);
            hard = range[2] == range[3];
            return range[0] >= 0 && range[1] <= 1;
        }

        /// <summary>min and max, and with <paramref name="detectHard"/> Σg² and Σg, read back together as float64.</summary>
        private static double[] RangeSummary(Tensor values, bool detectHard)
        {
            Tensor summary;
            if (detectHard)
            {
                var flat = values.reshape(-1);
                summary = stack(new[] { flat.min(), flat.max(), flat.dot(flat), flat.sum() });
            }
            else summary = MinAndMax(values);
            return TensorData.ToArray<double>(summary.to(ScalarType.Float64));
        }

        /// <summary>
        /// min and max as one (2) tensor, for one read-back. Two full reductions, not <c>aminmax</c>: on libtorch 2.10's
        /// CPU, aminmax over 524 K float32 values took 1.1 ms against 0.14 ms for min and max together (0.38 against
        /// 0.26 ms for int64 labels), measured on this project's build machine.
        /// </summary>
        internal static Tensor MinAndMax(Tensor values) => stack(new[] { values.min(), values.max() });

        /// <summary>Smallest and largest of non-empty int64 labels: one <see cref="ValueScan"/> pass on the CPU, one read-back of two reductions elsewhere.</summary>
        internal static (long lo, long hi) MinMax(Tensor labels)
        {
            if (ValueScan.TryMinMax(labels, out long lo, out long hi)) return (lo, hi);
            var range = TensorData.ToArray<long>(MinAndMax(labels));
            return (range[0], range[1]);
        }

        private static bool SameShape(long[] a, long[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }
    }

    internal static class ShapeExtensions
    {
        internal static long[] Concat(this long[] first, long[] second)
        {
            var r = new long[first.Length + second.Length];
            first.CopyTo(r, 0);
            second.CopyTo(r, first.Length);
            return r;
        }
    }
}
