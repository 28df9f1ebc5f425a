using System;
using System.Collections.Generic;
using TorchSharp.Interop;
using static TorchSharp.torch;

namespace TorchSharp.Modules
{
    /// <summary>
    /// Adam with PyTorch's semantics: bias-corrected first and second moment estimates, optional L2 weight decay added to the
    /// gradient, the AMSGrad variant and maximisation. State tensors are created at a parameter's first update and released
    /// when the optimizer is disposed.
    /// </summary>
    public class Adam : OptimizerHelper, optim.IBetas
    {
        private sealed class State : IDisposable
        {
            public long step;
            public Tensor exp_avg = null!;
            public Tensor exp_avg_sq = null!;
            public Tensor? max_exp_avg_sq;

            public void Dispose()
            {
                exp_avg.Dispose();
                exp_avg_sq.Dispose();
                max_exp_avg_sq?.Dispose();
            }
        }

        private readonly Dictionary<Parameter, State> _state = new Dictionary<Parameter, State>(ReferenceEqualityComparer.Instance);

        /// <summary>Creates the optimizer (see <see cref="optim.Adam(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>).</summary>
        public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : base(parameters, lr)
        {
            if (double.IsNaN(eps) || eps < 0) throw new ArgumentException($"Invalid epsilon: {eps}", nameof(eps));
            if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentException($"Invalid beta1: {beta1}; expected 0 <= beta1 < 1", nameof(beta1));
            if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentException($"Invalid beta2: {beta2}; expected 0 <= beta2 < 1", nameof(beta2));
            if (double.IsNaN(weight_decay) || weight_decay < 0) throw new ArgumentException($"Invalid weight_decay: {weight_decay}", nameof(weight_decay));
            Betas = (beta1, beta2);
            this.eps = eps;
            this.weight_decay = weight_decay;
            this.amsgrad = amsgrad;
            this.maximize = maximize;
        }

        /// <inheritdoc/>
        public (double, double) Betas { get; set; }

        /// <summary>Added to the denominator for numerical stability.</summary>
        public double eps { get; set; }

        /// <summary>L2 penalty added to the gradient.</summary>
        public double weight_decay { get; set; }

        /// <summary>Whether the AMSGrad variant is used.</summary>
        public bool amsgrad { get; }

        /// <summary>Whether the objective is maximised.</summary>
        public bool maximize { get; set; }

        /// <inheritdoc/>
        public override Tensor? step(Func<Tensor>? closure = null) => _step((group, p, grad) =>
        {
            if (!_state.TryGetValue(p, out var state))
            {
                state = new State
                {
                    exp_avg = zeros_like(p).DetachFromDisposeScope(),
                    exp_avg_sq = zeros_like(p).DetachFromDisposeScope(),
                    max_exp_avg_sq = amsgrad ? zeros_like(p).DetachFromDisposeScope() : null,
                };
                _state[p] = state;
            }
            state.step += 1;
            var (beta1, beta2) = Betas;
            Native.shim_adam_step(p.Handle, grad.Handle, state.exp_avg.Handle, state.exp_avg_sq.Handle, state.max_exp_avg_sq?.Handle ?? IntPtr.Zero,
                state.step, group.LearningRate, beta1, beta2, eps, weight_decay, maximize ? 1 : 0, 0);
            CheckForErrors();
        }, closure);

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                foreach (var s in _state.Values) s.Dispose();
                _state.Clear();
            }
            base.Dispose(disposing);
        }
    }
}
