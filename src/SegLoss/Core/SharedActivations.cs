using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Memoises the activations of one (input, target) pair while several losses are evaluated on it — the terms of a
    /// <see cref="WeightedSumLoss"/>, or the region and pixel terms of one loss — so that Dice + CE computes one
    /// log_softmax and one gather of the true-class log-probabilities instead of a softmax, a log_softmax and two
    /// gathers.
    /// </summary>
    /// <remarks>
    /// A context is opened on the calling thread for one forward call and closed when it returns. Values are keyed by
    /// the caller's input and target objects (identity) and by mode, activation and ignore index, so losses with other
    /// settings, or a deep-supervision level with a resized target, compute their own. Shared tensors are moved into
    /// the dispose scope the context was opened with, which outlives the terms' own scopes and is disposed with the
    /// call (autograd keeps what the backward pass needs). A context also belongs to the <see cref="MaskScope"/> open
    /// when it was created: under another user mask (or none) the same pair is served by another context, so masked
    /// and unmasked views of one pair are never mixed up.
    /// </remarks>
    internal sealed class SharedActivations : IDisposable
    {
        [ThreadStatic] private static SharedActivations? _current;

        private readonly SharedActivations? _previous;
        private readonly Tensor _input;
        private readonly Tensor _target;
        private readonly DisposeScope _scope;
        private readonly MaskScope? _mask;
        private readonly Dictionary<(LossMode mode, bool fromLogits, long? ignoreIndex, string kind), Tensor> _values = new();
        private readonly Dictionary<(LossMode mode, bool fromLogits, long? ignoreIndex), SegmentationInputs> _inputs = new();

        private SharedActivations(Tensor input, Tensor target, DisposeScope scope)
        {
            _input = input;
            _target = target;
            _scope = scope;
            _mask = MaskScope.Current;
            _previous = _current;
            _current = this;
        }

        /// <summary>
        /// Opens a context for (input, target) whose shared tensors live in <paramref name="scope"/>, unless one is
        /// open for the same pair already (then null: the outer context serves).
        /// </summary>
        internal static SharedActivations? Open(Tensor input, Tensor target, DisposeScope scope) =>
            Matching(input, target) is null ? new SharedActivations(input, target, scope) : null;

        /// <summary>Whether a context serves these inputs.</summary>
        internal static bool Serves(SegmentationInputs inputs) => For(inputs) is not null;

        /// <summary>The memoised value of <paramref name="kind"/> for these inputs, computed by <paramref name="make"/> once.</summary>
        internal static Tensor GetOrAdd(SegmentationInputs inputs, string kind, Func<Tensor> make)
        {
            var context = For(inputs);
            if (context is null) return make();
            var key = (inputs.Mode, inputs.FromLogits, inputs.IgnoreIndex, kind);
            if (context._values.TryGetValue(key, out var value)) return value;
            value = make();
            // Never adopt the caller's own tensors (a probability input may be returned as it is).
            if (ReferenceEquals(value, inputs.Source) || ReferenceEquals(value, inputs.TargetSource)) return value;
            // TorchSharp 0.107 drops a tensor from its scope when it is "moved" into the scope that owns it already
            // (the scope forgets it, the tensor still names the scope, and its finalizer throws once the scope is
            // gone), so only a tensor owned elsewhere is moved.
            if (!context._scope.Contains(value)) value.MoveToOtherDisposeScope(context._scope);
            context._values[key] = value;
            return value;
        }

        /// <summary>
        /// The validated inputs of (input, target) for these options, built by <paramref name="make"/> once per context
        /// (so Dice + CE checks shapes, labels and ranges once); outside a context, <paramref name="make"/>'s result.
        /// </summary>
        internal static SegmentationInputs GetOrAddInputs(Tensor input, Tensor target, (LossMode mode, bool fromLogits, long? ignoreIndex) options, Func<SegmentationInputs> make)
        {
            var context = Matching(input, target);
            if (context is null) return make();
            if (context._inputs.TryGetValue(options, out var inputs)) return inputs;
            inputs = make();
            // Its views were made in the first term's scope, which closes before the other terms run.
            foreach (var t in inputs.OwnedTensors())
                if (!ReferenceEquals(t, input) && !ReferenceEquals(t, target) && !context._scope.Contains(t)) t.MoveToOtherDisposeScope(context._scope);
            context._inputs[options] = inputs;
            return inputs;
        }

        /// <summary>Closes the context.</summary>
        public void Dispose() => _current = _previous;

        private static SharedActivations? For(SegmentationInputs inputs) => Matching(inputs.Source, inputs.TargetSource);

        /// <summary>The open context for (input, target) under the current user mask, or null.</summary>
        private static SharedActivations? Matching(Tensor input, Tensor target) =>
            _current is { } c && ReferenceEquals(c._input, input) && ReferenceEquals(c._target, target) && ReferenceEquals(c._mask, MaskScope.Current) ? c : null;
    }
}
