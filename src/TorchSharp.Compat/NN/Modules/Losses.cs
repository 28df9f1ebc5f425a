using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>
        /// Cross entropy of logits (N, C, *) against class indices (N, *) or class probabilities (N, C, *).
        /// The weight tensor stays owned by the caller (it is not disposed with the loss).
        /// </summary>
        public sealed class CrossEntropyLoss : WeightedLoss<Tensor, Tensor, Tensor>
        {
            /// <summary>Creates the loss.</summary>
            /// <param name="weight">Per-class weights (C), or null.</param>
            /// <param name="ignore_index">A target value that contributes nothing (class-index targets only), or null.</param>
            /// <param name="reduction">Mean (weighted by the class weights), Sum or None.</param>
            /// <param name="label_smoothing">Amount of smoothing in [0, 1] toward the uniform distribution.</param>
            public CrossEntropyLoss(Tensor? weight = null, long? ignore_index = null, nn.Reduction reduction = nn.Reduction.Mean, double label_smoothing = 0.0)
                : base(weight, reduction)
            {
                this.ignore_index = ignore_index;
                this.label_smoothing = label_smoothing;
            }

            /// <summary>The ignored target value, or null (PyTorch's -100 is used then).</summary>
            public long? ignore_index { get; }

            /// <summary>Amount of label smoothing.</summary>
            public double label_smoothing { get; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input, Tensor target) =>
                nn.functional.cross_entropy(input, target, weight, ignore_index ?? -100, reduction, label_smoothing);
        }

        /// <summary>Negative log-likelihood of log-probabilities (N, C, *) at class indices (N, *).</summary>
        public sealed class NLLLoss : WeightedLoss<Tensor, Tensor, Tensor>
        {
            /// <summary>Creates the loss with optional per-class weights (owned by the caller).</summary>
            public NLLLoss(Tensor? weight = null, nn.Reduction reduction = nn.Reduction.Mean) : base(weight, reduction) { }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input, Tensor target) => nn.functional.nll_loss(input, target, weight, reduction);
        }

        /// <summary>Binary cross entropy of logits, with optional element weights and positive-class weights.</summary>
        public sealed class BCEWithLogitsLoss : WeightedLoss<Tensor, Tensor, Tensor>
        {
            /// <summary>Creates the loss; the weight tensors stay owned by the caller.</summary>
            /// <param name="weight">Weights broadcast over the elements, or null.</param>
            /// <param name="reduction">Mean, Sum or None.</param>
            /// <param name="pos_weights">Weights of the positive term, broadcast along the last (class) dimension, or null.</param>
            public BCEWithLogitsLoss(Tensor? weight = null, nn.Reduction reduction = nn.Reduction.Mean, Tensor? pos_weights = null) : base(weight, reduction) =>
                this.pos_weights = pos_weights;

            /// <summary>Weights of the positive term, or null.</summary>
            public Tensor? pos_weights { get; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input, Tensor target) =>
                nn.functional.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weights);
        }

        /// <summary>Binary cross entropy of probabilities.</summary>
        public sealed class BCELoss : WeightedLoss<Tensor, Tensor, Tensor>
        {
            /// <summary>Creates the loss with optional element weights (owned by the caller).</summary>
            public BCELoss(Tensor? weight = null, nn.Reduction reduction = nn.Reduction.Mean) : base(weight, reduction) { }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input, Tensor target) => nn.functional.binary_cross_entropy(input, target, weight, reduction);
        }

        /// <summary>Squared error.</summary>
        public sealed class MSELoss : Loss<Tensor, Tensor, Tensor>
        {
            /// <summary>Creates the loss.</summary>
            public MSELoss(nn.Reduction reduction = nn.Reduction.Mean) : base(reduction) { }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input, Tensor target) => nn.functional.mse_loss(input, target, reduction);
        }

        /// <summary>Absolute error.</summary>
        public sealed class L1Loss : Loss<Tensor, Tensor, Tensor>
        {
            /// <summary>Creates the loss.</summary>
            public L1Loss(nn.Reduction reduction = nn.Reduction.Mean) : base(reduction) { }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input, Tensor target) => nn.functional.l1_loss(input, target, reduction);
        }

        /// <summary>Smooth L1: quadratic below beta, linear above.</summary>
        public sealed class SmoothL1Loss : Loss<Tensor, Tensor, Tensor>
        {
            /// <summary>Creates the loss.</summary>
            public SmoothL1Loss(nn.Reduction reduction = nn.Reduction.Mean, double beta = 1.0) : base(reduction) => this.beta = beta;

            /// <summary>The transition point.</summary>
            public double beta { get; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input, Tensor target) => nn.functional.smooth_l1_loss(input, target, reduction, beta);
        }

        /// <summary>Huber loss: quadratic below delta, linear above.</summary>
        public sealed class HuberLoss : Loss<Tensor, Tensor, Tensor>
        {
            /// <summary>Creates the loss.</summary>
            public HuberLoss(double delta = 1.0, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction) => this.delta = delta;

            /// <summary>The transition point.</summary>
            public double delta { get; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input, Tensor target) => nn.functional.huber_loss(input, target, delta, reduction);
        }

        /// <summary>Kullback-Leibler divergence of log-probabilities from a target distribution.</summary>
        public sealed class KLDivLoss : Loss<Tensor, Tensor, Tensor>
        {
            /// <summary>Creates the loss.</summary>
            public KLDivLoss(bool log_target = true, nn.Reduction reduction = nn.Reduction.Mean) : base(reduction) => this.log_target = log_target;

            /// <summary>Whether the target holds log-probabilities.</summary>
            public bool log_target { get; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input, Tensor target) => nn.functional.kl_div(input, target, log_target, reduction);
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>Cross entropy of logits against class indices or probabilities.</summary>
            public static CrossEntropyLoss CrossEntropyLoss(Tensor? weight = null, long? ignore_index = null, Reduction reduction = Reduction.Mean) =>
                new CrossEntropyLoss(weight, ignore_index, reduction);

            /// <summary>Negative log-likelihood of log-probabilities.</summary>
            public static NLLLoss NLLLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) => new NLLLoss(weight, reduction);

            /// <summary>Binary cross entropy of logits.</summary>
            public static BCEWithLogitsLoss BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null) =>
                new BCEWithLogitsLoss(weight, reduction, pos_weights);

            /// <summary>Binary cross entropy of probabilities.</summary>
            public static BCELoss BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) => new BCELoss(weight, reduction);

            /// <summary>Squared error.</summary>
            public static MSELoss MSELoss(Reduction reduction = Reduction.Mean) => new MSELoss(reduction);

            /// <summary>Absolute error.</summary>
            public static L1Loss L1Loss(Reduction reduction = Reduction.Mean) => new L1Loss(reduction);

            /// <summary>Smooth L1 loss.</summary>
            public static SmoothL1Loss SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1.0) => new SmoothL1Loss(reduction, beta);

            /// <summary>Huber loss.</summary>
            public static HuberLoss HuberLoss(double delta = 1.0, Reduction reduction = Reduction.Mean) => new HuberLoss(delta, reduction);

            /// <summary>Kullback-Leibler divergence.</summary>
            public static KLDivLoss KLDivLoss(bool log_target = true, Reduction reduction = Reduction.Mean) => new KLDivLoss(log_target, reduction);
        }
    }
}
