using System;
using System.Collections.Generic;
using TorchSharp.Interop;
using static TorchSharp.torch;

namespace TorchSharp.Modules
{
    /// <summary>
    /// Stochastic gradient descent with PyTorch's semantics: optional L2 weight decay, momentum with dampening (the buffer
    /// starts as the first gradient), Nesterov momentum and maximisation. Momentum buffers are released with the optimizer.
    /// </summary>
    public class SGD : OptimizerHelper, optim.IMomentum
    {
        private readonly Dictionary<Parameter, Tensor> _momentum_buffers = new Dictionary<Parameter, Tensor>(ReferenceEqualityComparer.Instance);

        /// <summary>Creates the optimizer (see <see cref="optim.SGD(IEnumerable{Parameter}, double, double, double, double, bool, bool)"/>).</summary>
        public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
            : base(parameters, lr)
        {
            if (double.IsNaN(momentum) || momentum < 0) throw new ArgumentException($"Invalid momentum: {momentum}", nameof(momentum));
            if (double.IsNaN(weight_decay) || weight_decay < 0) throw new ArgumentException($"Invalid weight_decay: {weight_decay}", nameof(weight_decay));
            if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Nesterov momentum requires a positive momentum and zero dampening", nameof(nesterov));
            Momentum = momentum;
            this.dampening = dampening;
            this.weight_decay = weight_decay;
            this.nesterov = nesterov;
            this.maximize = maximize;
        }

        /// <inheritdoc/>
        public double Momentum { get; set; }

        /// <summary>Dampening of the momentum.</summary>
        public double dampening { get; set; }

        /// <summary>L2 penalty added to the gradient.</summary>
        public double weight_decay { get; set; }

        /// <summary>Whether Nesterov momentum is used.</summary>
        public bool nesterov { get; set; }

        /// <summary>Whether the objective is maximised.</summary>
        public bool maximize { get; set; }

        /// <inheritdoc/>
        public override Tensor? step(Func<Tensor>? closure = null) => _step((group, p, grad) =>
        {
            IntPtr buffer = IntPtr.Zero;
            bool first = false;
            if (Momentum != 0)
            {
                if (!_momentum_buffers.TryGetValue(p, out var buf))
                {
                    buf = zeros_like(p).DetachFromDisposeScope();
                    _momentum_buffers[p] = buf;
                    first = true;
                }
                buffer = buf.Handle;
            }
            Native.shim_sgd_step(p.Handle, grad.Handle, buffer, first ? 1 : 0, group.LearningRate, Momentum, dampening, weight_decay, nesterov ? 1 : 0, maximize ? 1 : 0);
            CheckForErrors();
        }, closure);

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                foreach (var b in _momentum_buffers.Values) b.Dispose();
                _momentum_buffers.Clear();
            }
            base.Dispose(disposing);
        }
    }
}
