using System;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// The user mask of one <see cref="MaskedLoss"/> call, visible to <see cref="SegmentationInputs.Create"/> while the
    /// wrapped loss runs, so that every loss honours it through the same <c>Valid</c> mask as its ignore index without a
    /// mask parameter of its own.
    /// </summary>
    /// <remarks>
    /// Call-scoped and thread-local, like <see cref="SharedActivations"/>: opened by <see cref="MaskedLoss"/> around
    /// the wrapped call and closed in its <c>finally</c> (a <c>using</c>), so an exception never leaves a mask behind.
    /// It applies only to the exact (input, target) objects the wrapper received (identity), so a loss that evaluates
    /// another pair inside the call is not masked by accident. Scopes nest: a scope opened for the same pair inside
    /// another keeps the pixels both keep.
    /// </remarks>
    internal sealed class MaskScope : IDisposable
    {
        [ThreadStatic] private static MaskScope? _current;

        private readonly MaskScope? _previous;
        private readonly Tensor _input;
        private readonly Tensor _target;

        private MaskScope(Tensor input, Tensor target, Tensor? keep, Tensor? keptValues)
        {
            _input = input;
            _target = target;
            _previous = _current;
            if (_previous is { } outer && outer.IsFor(input, target) && outer.Keep is { } outerKeep)
            {
                keptValues = keep is null ? outer.KeptValues : null;
                keep = keep is null ? outerKeep : keep.logical_and(outerKeep);
            }
            Keep = keep;
            KeptValues = keep is null ? null : keptValues;
            _current = this;
        }

        /// <summary>The scope open on this thread, or null (identity only: <see cref="SharedActivations"/> keys on it).</summary>
        internal static MaskScope? Current => _current;

        /// <summary>Pixels kept, bool (N, 1, S); null when the mask keeps every pixel.</summary>
        internal Tensor? Keep { get; }

        /// <summary>
        /// <see cref="Keep"/> as 0/1 values in a floating dtype (the input's compute dtype), when the wrapper made them
        /// while checking the mask; null otherwise (then the validation converts <see cref="Keep"/> itself).
        /// </summary>
        internal Tensor? KeptValues { get; }

        /// <summary>Whether a <see cref="SegmentationInputs"/> applied the mask during the scope.</summary>
        internal bool Used { get; private set; }

        /// <summary>
        /// Opens a scope masking (input, target) with <paramref name="keep"/> (bool (N, 1, S), or null for a mask that
        /// keeps every pixel) and, optionally, the same pixels as 0/1 floating values (N, 1, S).
        /// </summary>
        internal static MaskScope Open(Tensor input, Tensor target, Tensor? keep, Tensor? keptValues = null) => new(input, target, keep, keptValues);

        /// <summary>
        /// The pixels kept for (input, target), bool (N, 1, S), and the same as floating 0/1 values when at hand, or
        /// (null, null) when no scope masks this pair or its mask keeps every pixel; marks the scope used.
        /// </summary>
        internal static (Tensor? keep, Tensor? keptValues) KeepFor(Tensor input, Tensor target)
        {
            if (_current is not { } scope || !scope.IsFor(input, target)) return (null, null);
            scope.Used = true;
            return (scope.Keep, scope.KeptValues);
        }

        /// <summary>Closes the scope, restoring the enclosing one.</summary>
        public void Dispose() => _current = _previous;

        private bool IsFor(Tensor input, Tensor target) => ReferenceEquals(_input, input) && ReferenceEquals(_target, target);
    }
}
