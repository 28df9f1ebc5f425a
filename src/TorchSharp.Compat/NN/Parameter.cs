using System;

namespace TorchSharp.Modules
{
    /// <summary>
    /// A tensor registered as a module's trainable parameter. Constructing one takes over the native handle
    /// of <c>data</c> (which becomes invalid) and its place in a dispose scope, as in TorchSharp.
    /// </summary>
    public class Parameter : torch.Tensor
    {
        /// <summary>Wraps <paramref name="data"/> as a parameter.</summary>
        public Parameter(torch.Tensor data, bool requires_grad = true) : base(Take(data, out var scope), register: false)
        {
            scope?.Attach(this);
            this.requires_grad = requires_grad;
        }

        private static IntPtr Take(torch.Tensor data, out DisposeScope? scope)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            scope = data.OwningDisposeScope;
            scope?.Detach(data);
            return data.StealHandle();
        }
    }

    /// <summary>Conversions to <see cref="Parameter"/>.</summary>
    public static class ParameterExtensionMethods
    {
        /// <summary>Wraps the tensor as a parameter (steals its handle).</summary>
        public static Parameter AsParameter(this torch.Tensor tensor) => new Parameter(tensor);
    }
}
