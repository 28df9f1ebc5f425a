using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;

namespace TorchSharp
{
    public static partial class torch
    {
        /// <summary>torch.optim: optimizers that update parameters from their gradients.</summary>
        public static partial class optim
        {
            /// <summary>Base class of all optimizers. Disposing an optimizer releases its state tensors (not the parameters).</summary>
            public abstract partial class Optimizer : IDisposable
            {
                /// <summary>The parameter groups; each has its own learning rate.</summary>
                protected IList<ParamGroup> _parameter_groups = new List<ParamGroup>();

                /// <summary>Creates an optimizer without parameter groups.</summary>
                protected Optimizer() { }

                /// <summary>Releases the optimizer's state.</summary>
                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                /// <summary>Releases the optimizer's state (when <paramref name="disposing"/>).</summary>
                protected virtual void Dispose(bool disposing) { }

                /// <summary>Sets the gradients of all parameters to zero (in place; parameters without a gradient are skipped).</summary>
                public virtual void zero_grad()
                {
                    foreach (var p in parameters())
                    {
                        using var grad = p.grad;
                        grad?.zero_();
                    }
                }

                /// <summary>
                /// Performs one update. <paramref name="closure"/>, when given, is evaluated first (with gradients enabled) and its
                /// result, the loss, is returned; otherwise null.
                /// </summary>
                public abstract Tensor? step(Func<Tensor>? closure = null);

                /// <summary>The parameters the optimizer updates.</summary>
                public virtual IEnumerable<Parameter> parameters() => _parameter_groups.SelectMany(g => g.Parameters);

                /// <summary>The parameter groups, through which learning-rate schedules change the rates.</summary>
                public virtual IEnumerable<ILearningRateController> ParamGroups => _parameter_groups;
            }

            /// <summary>Access to an optimizer's (group's) learning rate, for schedulers.</summary>
            public interface ILearningRateController
            {
                /// <summary>The current learning rate.</summary>
                double LearningRate { set; get; }

                /// <summary>The learning rate the optimizer was created with.</summary>
                double InitialLearningRate { set; get; }
            }

            /// <summary>Optimizers with a momentum coefficient.</summary>
            public interface IMomentum
            {
                /// <summary>The momentum coefficient.</summary>
                double Momentum { get; set; }
            }

            /// <summary>Optimizers with (beta1, beta2) coefficients.</summary>
            public interface IBetas
            {
                /// <summary>The running-average coefficients.</summary>
                (double, double) Betas { get; set; }
            }

            /// <summary>Adam (Kingma and Ba), with optional L2 weight decay and the AMSGrad variant.</summary>
            /// <param name="parameters">Parameters to optimize.</param>
            /// <param name="lr">Learning rate.</param>
            /// <param name="beta1">Coefficient of the running average of the gradient.</param>
            /// <param name="beta2">Coefficient of the running average of the squared gradient.</param>
            /// <param name="eps">Added to the denominator for numerical stability.</param>
            /// <param name="weight_decay">L2 penalty added to the gradient.</param>
            /// <param name="amsgrad">Use the maximum of past squared-gradient averages.</param>
            /// <param name="maximize">Maximise the objective instead of minimising it.</param>
            public static Modules.Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
                new Modules.Adam(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>Adam over named parameters (the names are ignored).</summary>
            public static Modules.Adam Adam(IEnumerable<(string name, Parameter parameter)> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
                new Modules.Adam(parameters.Select(np => np.parameter), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 weight decay.</summary>
            /// <param name="parameters">Parameters to optimize.</param>
            /// <param name="learningRate">Learning rate.</param>
            /// <param name="momentum">Momentum factor.</param>
            /// <param name="dampening">Dampening of the momentum.</param>
            /// <param name="weight_decay">L2 penalty added to the gradient.</param>
            /// <param name="nesterov">Use Nesterov momentum (needs momentum &gt; 0 and no dampening).</param>
            /// <param name="maximize">Maximise the objective instead of minimising it.</param>
            public static Modules.SGD SGD(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
                new Modules.SGD(parameters, learningRate, momentum, dampening, weight_decay, nesterov, maximize);

            /// <summary>SGD over named parameters (the names are ignored).</summary>
            public static Modules.SGD SGD(IEnumerable<(string name, Parameter parameter)> parameters, double learningRate, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
                new Modules.SGD(parameters.Select(np => np.parameter), learningRate, momentum, dampening, weight_decay, nesterov, maximize);
        }
    }

    namespace Modules
    {
        /// <summary>A set of parameters sharing a learning rate.</summary>
        public class ParamGroup : torch.optim.ILearningRateController
        {
            /// <summary>Creates an empty group.</summary>
            public ParamGroup() { }

            /// <summary>Creates a group with parameters and a learning rate.</summary>
            public ParamGroup(IEnumerable<Parameter> parameters, double lr)
            {
                Parameters = parameters;
                LearningRate = lr;
                InitialLearningRate = lr;
            }

            /// <summary>The group's parameters.</summary>
            public IEnumerable<Parameter> Parameters { get; set; } = Array.Empty<Parameter>();

            /// <inheritdoc/>
            public double LearningRate { get; set; }

            /// <inheritdoc/>
            public double InitialLearningRate { get; set; }
        }

        /// <summary>Shared plumbing of the managed optimizers: one parameter group, per-parameter state, the step frame.</summary>
        public abstract class OptimizerHelper : torch.optim.Optimizer
        {
            /// <summary>Creates the optimizer with one group holding the distinct parameters.</summary>
            protected OptimizerHelper(IEnumerable<Parameter> parameters, double lr)
            {
                if (parameters is null) throw new ArgumentNullException(nameof(parameters));
                if (double.IsNaN(lr) || lr < 0) throw new ArgumentException($"Invalid learning rate: {lr}", nameof(lr));
                var distinct = new List<Parameter>();
                var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
                foreach (var p in parameters)
                {
                    if (p is null) throw new ArgumentException("the parameter list contains null", nameof(parameters));
                    if (seen.Add(p)) distinct.Add(p);
                }
                _parameter_groups.Add(new ParamGroup(distinct, lr));
            }

            /// <summary>
            /// Evaluates the closure (with gradients), then runs <paramref name="body"/> for every parameter that has a gradient,
            /// without recording gradients and inside a dispose scope, so that no temporary outlives the step.
            /// </summary>
            protected torch.Tensor? _step(Action<ParamGroup, Parameter, torch.Tensor> body, Func<torch.Tensor>? closure)
            {
                torch.Tensor? loss = null;
                if (closure is not null)
                {
                    using (torch.enable_grad()) loss = closure();
                }
                using (torch.no_grad())
                using (torch.NewDisposeScope())
                {
                    foreach (var group in _parameter_groups)
                    {
                        foreach (var p in group.Parameters)
                        {
                            using var grad = p.grad;
                            if (grad is null) continue;
                            body(group, p, grad);
                        }
                    }
                }
                return loss;
            }
        }
    }
}
