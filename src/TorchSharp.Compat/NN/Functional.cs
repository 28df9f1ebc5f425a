using System;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>
            /// torch.nn.functional: stateless forms of the layers, activations and losses
            /// (usually imported as <c>using F = TorchSharp.torch.nn.functional;</c>).
            /// </summary>
            public static partial class functional
            {
                // ---- activations ----

                /// <summary>Softmax along <paramref name="dim"/>, optionally computed in <paramref name="dtype"/>.</summary>
                public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);

                /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
                public static Tensor log_softmax(Tensor x, long dim) => x.log_softmax(dim);

                /// <summary>log(sigmoid(x)), computed stably.</summary>
                public static Tensor logsigmoid(Tensor x) => x.log_sigmoid();

                /// <summary>The logistic sigmoid.</summary>
                public static Tensor sigmoid(Tensor x) => x.sigmoid();

                /// <summary>The logistic sigmoid, optionally in place (returning <paramref name="x"/>).</summary>
                public static Tensor sigmoid(Tensor x, bool inplace) => inplace ? x.sigmoid_() : x.sigmoid();

                /// <summary>max(x, 0), optionally in place (returning <paramref name="x"/>).</summary>
                public static Tensor relu(Tensor x, bool inplace = false) => inplace ? x.relu_() : x.relu();

                /// <summary>log(1 + exp(beta x)) / beta, linear above <paramref name="threshold"/>.</summary>
                public static Tensor softplus(Tensor x, double beta = 1, double threshold = 20) => x.softplus(beta, threshold);

                /// <summary>The hyperbolic tangent.</summary>
                public static Tensor tanh(Tensor x) => x.tanh();

                /// <summary>max(x, 0) + negative_slope * min(x, 0), optionally in place.</summary>
                public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01, bool inplace = false)
                {
                    if (!inplace) return Tensor.Wrap(Native.shim_leaky_relu(input.Handle, negative_slope));
                    Native.shim_leaky_relu_(input.Handle, negative_slope);
                    CheckForErrors();
                    return input;
                }

                /// <summary>One-hot encoding of an Int64 tensor of class indices; the result is Int64 with a trailing class dimension.</summary>
                /// <param name="x">Class indices (Int64).</param>
                /// <param name="num_classes">Number of classes; -1 infers max(x) + 1.</param>
                public static Tensor one_hot(Tensor x, long num_classes = -1) => Tensor.Wrap(Native.shim_one_hot(x.Handle, num_classes));

                // ---- losses ----

                private static IntPtr H(Tensor? t) => t?.Handle ?? IntPtr.Zero;

                /// <summary>
                /// Cross entropy between logits <paramref name="input"/> (N, C, *) or (C) and either class indices (N, *) (Int64)
                /// or class probabilities with the input's shape. With class weights, the mean divides by the sum of the weights
                /// of the non-ignored targets.
                /// </summary>
                public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) =>
                    Tensor.Wrap(Native.shim_cross_entropy(input.Handle, target.Handle, H(weight), (long)reduction, ignore_index, label_smoothing));

                /// <summary>Negative log-likelihood of log-probabilities <paramref name="input"/> (N, C, *) at the class indices <paramref name="target"/> (N, *).</summary>
                public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
                    Tensor.Wrap(Native.shim_nll_loss(input.Handle, target.Handle, H(weight), (long)reduction, -100));

                /// <summary>
                /// Binary cross entropy of logits: -w [p y log σ(x) + (1 - y) log(1 - σ(x))], where p is <paramref name="pos_weights"/>
                /// (broadcast along the last dimension) and w is <paramref name="weight"/> (broadcast).
                /// </summary>
                public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null) =>
                    Tensor.Wrap(Native.shim_binary_cross_entropy_with_logits(input.Handle, target.Handle, H(weight), H(pos_weights), (long)reduction));

                /// <summary>Binary cross entropy of probabilities (logs are clamped at -100, as in PyTorch).</summary>
                public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
                    Tensor.Wrap(Native.shim_binary_cross_entropy(input.Handle, target.Handle, H(weight), (long)reduction));

                /// <summary>Squared error.</summary>
                public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                    Tensor.Wrap(Native.shim_mse_loss(input.Handle, target.Handle, (long)reduction));

                /// <summary>Absolute error.</summary>
                public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                    Tensor.Wrap(Native.shim_l1_loss(input.Handle, target.Handle, (long)reduction));

                /// <summary>Smooth L1: quadratic below <paramref name="beta"/>, linear above.</summary>
                public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
                    Tensor.Wrap(Native.shim_smooth_l1_loss(input.Handle, target.Handle, (long)reduction, beta));

                /// <summary>Huber loss: quadratic below <paramref name="delta"/>, linear above.</summary>
                public static Tensor huber_loss(Tensor input, Tensor target, double delta = 1.0, Reduction reduction = Reduction.Mean) =>
                    Tensor.Wrap(Native.shim_huber_loss(input.Handle, target.Handle, (long)reduction, delta));

                /// <summary>Kullback-Leibler divergence of log-probabilities <paramref name="input"/> from <paramref name="target"/>.</summary>
                public static Tensor kl_div(Tensor input, Tensor target, bool log_target = true, Reduction reduction = Reduction.Mean) =>
                    Tensor.Wrap(Native.shim_kl_div(input.Handle, target.Handle, (long)reduction, log_target ? 1 : 0));
            }
        }
    }
}
