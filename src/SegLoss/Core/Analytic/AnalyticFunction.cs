using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace SegLoss
{
    /// <summary>
    /// Runs an <see cref="AnalyticOperation"/> as a TorchSharp custom autograd function, with a leak-free hand-off of the
    /// gradients it returns.
    /// </summary>
    /// <remarks>
    /// <para>The graph is anchor → <see cref="ReleaseNode"/> → token, then (input, token) → <see cref="OperationNode"/> →
    /// output. The anchor is a one-element leaf that requires a gradient but never receives one; the token is a
    /// one-element tensor that only orders the nodes: libtorch runs the release node after the operation node, once it
    /// has copied the operation's gradients, and the release node disposes them (<see cref="GradientHandOff"/>).</para>
    /// <para>Both nodes turn off the materialisation of missing output gradients: TorchSharp would fill them from cached
    /// tensors that belong to the caller's dispose scope. The operation node's single output always receives a gradient
    /// when it is used; the release node's token always receives one from the operation node.</para>
    /// <para>A managed exception cannot cross libtorch's engine (the process would end), so the operation node catches any
    /// (for instance a saved input modified in place since the forward, which libtorch refuses to unpack) and returns an
    /// empty gradient, which libtorch rejects: backward() then throws to its caller.</para>
    /// <para>Limits: <c>torch.autograd.grad</c> restricted to some inputs may skip the release node; the held gradients are
    /// then freed by the garbage collector with the graph (<see cref="SegLossSettings.AnalyticBackward"/> turns the
    /// analytic operations off). Without gradient recording (no_grad, or an input that does not require a gradient) the
    /// operation runs as a plain function.</para>
    /// </remarks>
    internal static class AnalyticFunction
    {
        [ThreadStatic]
        private static int _disabled;

        [ThreadStatic]
        private static long _applications;

        /// <summary>How many analytic operations this thread has run (tests check that a fast path was taken).</summary>
        internal static long Applications => _applications;

        /// <summary>
        /// False when <see cref="SegLossSettings.AnalyticBackward"/> is off or inside <see cref="Disable"/> on this thread:
        /// callers then take their autograd path.
        /// </summary>
        internal static bool Enabled => _disabled == 0 && SegLossSettings.AnalyticBackward;

        /// <summary>
        /// Until disposed, losses on this thread take their autograd operations instead of analytic ones: the reference
        /// the tests and benchmarks compare the analytic operations with.
        /// </summary>
        internal static IDisposable Disable()
        {
            _disabled++;
            return new Reenable();
        }

        private sealed class Reenable : IDisposable
        {
            private bool _done;

            public void Dispose()
            {
                if (_done) return;
                _done = true;
                _disabled--;
            }
        }

        /// <summary>The operation's output, differentiable with respect to <paramref name="input"/> when that requires a gradient.</summary>
        public static Tensor Apply(AnalyticOperation operation, Tensor input)
        {
            _applications++;
            if (!input.requires_grad || !is_grad_enabled())
            {
                using (no_grad()) return operation.Forward(input, new List<Tensor>());
            }
            var handOff = new GradientHandOff();
            var anchor = ones(1, ScalarType.Float32).requires_grad_(true);
            var token = ReleaseNode.apply(anchor, handOff);
            return OperationNode.apply(input, token, new OperationState(operation, handOff));
        }

        private sealed record OperationState(AnalyticOperation Operation, GradientHandOff HandOff);

        private const string StateKey = "state";

        /// <summary>Orders the release after the operation's backward, then disposes the gradients it returned.</summary>
        private sealed class ReleaseNode : autograd.SingleTensorFunction<ReleaseNode>
        {
            public override string Name => "SegLossGradientRelease";

            public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
            {
                ctx.set_materialize_grads(false);
                ctx.save_data(StateKey, vars[1]);
                return zeros(1, ScalarType.Float32);
            }

            public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            {
                ((GradientHandOff)ctx.get_data(StateKey)).Release();
                grad_output.Dispose();
                // One entry per forward argument: the anchor gets no gradient, the hand-off is not a tensor.
                return new List<Tensor>() { null!, null! };
            }
        }

        /// <summary>The operation itself: forward without a graph, the hand-written backward, gradients held for release.</summary>
        private sealed class OperationNode : autograd.SingleTensorFunction<OperationNode>
        {
            public override string Name => "SegLossAnalytic";

            public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
            {
                ctx.set_materialize_grads(false);
                var state = (OperationState)vars[2];
                var saved = new List<Tensor>();
                var output = state.Operation.Forward((Tensor)vars[0], saved);
                ctx.save_for_backward(saved);
                ctx.save_data(StateKey, state);
                return output;
            }

            public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            {
                var state = (OperationState)ctx.get_data(StateKey);
                List<Tensor>? saved = null;
                Tensor? gradient = null;
                try
                {
                    // Unpacking throws when a saved tensor was modified in place since the forward.
                    saved = ctx.get_saved_variables();
                    if (!grad_output.IsInvalid)
                    {
                        using var scope = NewDisposeScope();
                        gradient = state.Operation.Backward(grad_output, saved).MoveToOuterDisposeScope();
                    }
                }
                catch (Exception)
                {
                    // A managed exception cannot cross libtorch's engine (the process would end). An empty gradient makes
                    // libtorch refuse this node's output, so that backward() throws to its caller instead.
                    gradient?.Dispose();
                    gradient = empty(0);
                }
                // The token's gradient makes libtorch run the release node, which disposes both.
                var tokenGradient = zeros(1, ScalarType.Float32);
                state.HandOff.Hold(gradient);
                state.HandOff.Hold(tokenGradient);
                if (saved is not null) foreach (var t in saved) t?.Dispose();
                grad_output.Dispose();
                return new List<Tensor>() { gradient!, tokenGradient, null! };
            }
        }
    }
}
