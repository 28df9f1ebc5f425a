using TorchSharp.Interop;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>Base of modules without parameters or buffers.</summary>
        public abstract class ParameterLessModule<T, TResult> : nn.Module<T, TResult>
        {
            /// <summary>Creates a module with a type name.</summary>
            protected ParameterLessModule(string name) : base(name) { }
        }

        /// <summary>max(x, 0).</summary>
        public sealed class ReLU : ParameterLessModule<Tensor, Tensor>
        {
            internal ReLU(bool inplace) : base(nameof(ReLU)) => this.inplace = inplace;

            /// <summary>Whether forward overwrites (and returns) its input.</summary>
            public bool inplace { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => nn.functional.relu(tensor, inplace);
        }

        /// <summary>max(x, 0) + negative_slope * min(x, 0).</summary>
        public sealed class LeakyReLU : ParameterLessModule<Tensor, Tensor>
        {
            internal LeakyReLU(double negative_slope, bool inplace) : base(nameof(LeakyReLU))
            {
                this.negative_slope = negative_slope;
                this.inplace = inplace;
            }

            /// <summary>The slope for negative inputs.</summary>
            public double negative_slope { get; set; }

            /// <summary>Whether forward overwrites (and returns) its input.</summary>
            public bool inplace { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => nn.functional.leaky_relu(tensor, negative_slope, inplace);
        }

        /// <summary>The logistic sigmoid.</summary>
        public sealed class Sigmoid : ParameterLessModule<Tensor, Tensor>
        {
            internal Sigmoid() : base(nameof(Sigmoid)) { }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => tensor.sigmoid();
        }

        /// <summary>The hyperbolic tangent.</summary>
        public sealed class Tanh : ParameterLessModule<Tensor, Tensor>
        {
            internal Tanh() : base(nameof(Tanh)) { }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => tensor.tanh();
        }

        /// <summary>Softmax along a dimension.</summary>
        public sealed class Softmax : ParameterLessModule<Tensor, Tensor>
        {
            internal Softmax(long dim) : base(nameof(Softmax)) => this.dim = dim;

            /// <summary>The dimension normalised.</summary>
            public long dim { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => tensor.softmax(dim);
        }

        /// <summary>Log-softmax along a dimension.</summary>
        public sealed class LogSoftmax : ParameterLessModule<Tensor, Tensor>
        {
            internal LogSoftmax(long dim) : base(nameof(LogSoftmax)) => this.dim = dim;

            /// <summary>The dimension normalised.</summary>
            public long dim { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => tensor.log_softmax(dim);
        }

        /// <summary>Returns its input (as a new tensor object sharing the data).</summary>
        public sealed class Identity : ParameterLessModule<Tensor, Tensor>
        {
            internal Identity() : base(nameof(Identity)) { }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => Tensor.Wrap(Native.shim_tensor_alias(tensor.Handle));
        }

        /// <summary>Flattens a range of dimensions.</summary>
        public sealed class Flatten : ParameterLessModule<Tensor, Tensor>
        {
            internal Flatten(long start_dim, long end_dim) : base(nameof(Flatten))
            {
                this.start_dim = start_dim;
                this.end_dim = end_dim;
            }

            /// <summary>First dimension flattened.</summary>
            public long start_dim { get; set; }

            /// <summary>Last dimension flattened.</summary>
            public long end_dim { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => tensor.flatten(start_dim, end_dim);
        }

        /// <summary>Element-wise dropout in training mode; the identity in evaluation mode.</summary>
        public sealed class Dropout : ParameterLessModule<Tensor, Tensor>
        {
            internal Dropout(double p, bool inplace) : base(nameof(Dropout))
            {
                this.p = p;
                this.inplace = inplace;
            }

            /// <summary>Probability of zeroing an element.</summary>
            public double p { get; set; }

            /// <summary>Whether forward overwrites (and returns) its input.</summary>
            public bool inplace { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => nn.functional.dropout(tensor, p, training, inplace);
        }

        /// <summary>Channel-wise dropout of (N, C, H, W) in training mode; the identity in evaluation mode.</summary>
        public sealed class Dropout2d : ParameterLessModule<Tensor, Tensor>
        {
            internal Dropout2d(double p, bool inplace) : base(nameof(Dropout2d))
            {
                this.p = p;
                this.inplace = inplace;
            }

            /// <summary>Probability of zeroing a channel.</summary>
            public double p { get; set; }

            /// <summary>Whether forward overwrites (and returns) its input.</summary>
            public bool inplace { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => nn.functional.dropout2d(tensor, p, training, inplace);
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>max(x, 0).</summary>
            public static ReLU ReLU(bool inplace = false) => new ReLU(inplace);

            /// <summary>max(x, 0) + negative_slope * min(x, 0).</summary>
            public static LeakyReLU LeakyReLU(double negative_slope = 0.01, bool inplace = false) => new LeakyReLU(negative_slope, inplace);

            /// <summary>The logistic sigmoid.</summary>
            public static Sigmoid Sigmoid() => new Sigmoid();

            /// <summary>The hyperbolic tangent.</summary>
            public static Tanh Tanh() => new Tanh();

            /// <summary>Softmax along <paramref name="dim"/>.</summary>
            public static Softmax Softmax(long dim) => new Softmax(dim);

            /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
            public static LogSoftmax LogSoftmax(long dim) => new LogSoftmax(dim);

            /// <summary>The identity.</summary>
            public static Identity Identity() => new Identity();

            /// <summary>Flattens dimensions <paramref name="start_dim"/> to <paramref name="end_dim"/>.</summary>
            public static Flatten Flatten(long start_dim = 1, long end_dim = -1) => new Flatten(start_dim, end_dim);

            /// <summary>Element-wise dropout with probability <paramref name="p"/>.</summary>
            public static Dropout Dropout(double p = 0.5, bool inplace = false) => new Dropout(p, inplace);

            /// <summary>Channel-wise dropout with probability <paramref name="p"/>.</summary>
            public static Dropout2d Dropout2d(double p = 0.5, bool inplace = false) => new Dropout2d(p, inplace);
        }
    }
}
