using System;
using System.Runtime.InteropServices;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        public partial class Tensor
        {
            /// <summary>Whether autograd records operations on this tensor.</summary>
            public bool requires_grad
            {
                get => Native.shim_tensor_requires_grad(Handle) != 0;
                set { Native.shim_tensor_set_requires_grad(Handle, value ? 1 : 0); CheckForErrors(); }
            }

            /// <summary>Sets <see cref="requires_grad"/> and returns this tensor.</summary>
            public Tensor requires_grad_(bool requires_grad = true)
            {
                this.requires_grad = requires_grad;
                return this;
            }

            /// <summary>Sets <see cref="requires_grad"/> and returns this tensor.</summary>
            public Tensor with_requires_grad(bool requires_grad = true) => requires_grad_(requires_grad);

            /// <summary>Keeps the gradient of a non-leaf tensor after backward.</summary>
            public void retain_grad() { Native.shim_tensor_retain_grad(Handle); CheckForErrors(); }

            /// <summary>True for tensors created by the user rather than by a recorded operation.</summary>
            public bool is_leaf => Native.shim_tensor_is_leaf(Handle) != 0;

            /// <summary>The accumulated gradient, or null. Each get returns a new wrapper the caller may dispose.</summary>
            public Tensor? grad
            {
                get => WrapNullable(Native.shim_grad(Handle));
                set { Native.shim_set_grad(Handle, value?.Handle ?? IntPtr.Zero); CheckForErrors(); }
            }

            /// <summary>Computes gradients of this (scalar) tensor with respect to the graph's leaves.</summary>
            public void backward() => backward(null);

            /// <summary>Computes gradients with optional output gradients and graph options.</summary>
            public void backward(IList<Tensor>? grad_tensors = null, bool retain_graph = false, bool create_graph = false, IList<Tensor>? inputs = null) =>
                autograd.backward(this, grad_tensors, retain_graph, create_graph, inputs);

            /// <summary>A tensor sharing the data but outside the graph.</summary>
            public Tensor detach() => Wrap(Native.shim_tensor_detach(Handle));

            /// <summary>Detaches this tensor from the graph in place.</summary>
            public Tensor detach_() { Native.shim_tensor_detach_(Handle); CheckForErrors(); return this; }
        }

        /// <summary>Automatic differentiation entry points.</summary>
        public static class autograd
        {
            private static IntPtr[] Handles(IEnumerable<Tensor>? tensors) => tensors?.Select(t => t.Handle).ToArray() ?? Array.Empty<IntPtr>();

            /// <summary>Accumulates gradients of <paramref name="tensor"/> into the leaves' grad.</summary>
            public static void backward(Tensor tensor, IList<Tensor>? grad_tensors = null, bool? retain_graph = null, bool create_graph = false, IList<Tensor>? inputs = null) =>
                backward(new[] { tensor }, grad_tensors, retain_graph, create_graph, inputs);

            /// <summary>Accumulates gradients of several outputs into the leaves' grad.</summary>
            public static unsafe void backward(IList<Tensor> tensors, IList<Tensor>? grad_tensors = null, bool? retain_graph = null, bool create_graph = false, IList<Tensor>? inputs = null)
            {
                var o = Handles(tensors);
                var g = Handles(grad_tensors);
                var i = Handles(inputs);
                fixed (IntPtr* po = o) fixed (IntPtr* pg = g) fixed (IntPtr* pi = i)
                    Native.shim_backward(po, o.Length, pg, g.Length, retain_graph == true ? 1 : 0, retain_graph.HasValue ? 1 : 0, create_graph ? 1 : 0, pi, i.Length);
                CheckForErrors();
            }

            /// <summary>Gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>, without touching .grad.</summary>
            public static unsafe IList<Tensor> grad(IList<Tensor> outputs, IList<Tensor> inputs, IList<Tensor>? grad_outputs = null, bool retain_graph = false, bool create_graph = false, bool allow_unused = false)
            {
                var o = Handles(outputs);
                var i = Handles(inputs);
                var g = Handles(grad_outputs);
                var result = new IntPtr[i.Length];
                int rc;
                fixed (IntPtr* po = o) fixed (IntPtr* pi = i) fixed (IntPtr* pg = g) fixed (IntPtr* pr = result)
                    rc = Native.shim_autograd_grad(po, o.Length, pi, i.Length, pg, g.Length, retain_graph ? 1 : 0, 1, create_graph ? 1 : 0, allow_unused ? 1 : 0, pr);
                if (rc != 0) { CheckForErrors(); throw new ExternalException("autograd.grad failed"); }
                return result.Select(h => h == IntPtr.Zero ? null! : new Tensor(h)).ToList();
            }
        }

        /// <summary>Restores the previous grad mode when disposed.</summary>
        public sealed class AutoGradMode : IDisposable
        {
            private readonly bool _previous;
            private bool _disposed;

            /// <summary>Sets grad mode on this thread until disposed.</summary>
            public AutoGradMode(bool enabled)
            {
                _previous = Native.shim_grad_enabled() != 0;
                Native.shim_set_grad_enabled(enabled ? 1 : 0);
            }

            /// <summary>Whether grad mode is on for this thread.</summary>
            public static bool IsEnabled => Native.shim_grad_enabled() != 0;

            /// <summary>Restores the previous mode.</summary>
            public void Dispose()
            {
                if (_disposed) return;
                _disposed = true;
                Native.shim_set_grad_enabled(_previous ? 1 : 0);
            }
        }

        /// <summary>Disables gradient recording on this thread until the result is disposed.</summary>
        public static IDisposable no_grad() => new AutoGradMode(false);

        /// <summary>Enables (or disables) gradient recording until the result is disposed.</summary>
        public static IDisposable enable_grad(bool enabled = true) => new AutoGradMode(enabled);

        /// <summary>Sets gradient recording until the result is disposed.</summary>
        public static IDisposable set_grad_enabled(bool mode = true) => new AutoGradMode(mode);

        /// <summary>Whether gradient recording is on for this thread.</summary>
        public static bool is_grad_enabled() => AutoGradMode.IsEnabled;

        /// <summary>Like no_grad (this binding does not distinguish inference mode).</summary>
        public static IDisposable inference_mode(bool mode = true) => new AutoGradMode(!mode);
    }
}
