using System;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>y = x Wᵀ + b over the last dimension.</summary>
        public sealed class Linear : nn.Module<Tensor, Tensor>
        {
            [ComponentName(Name = "weight")] private Parameter _weight;
            [ComponentName(Name = "bias")] private Parameter? _bias;

            internal Linear(long in_features, long out_features, bool hasBias, Device? device, ScalarType? dtype) : base(nameof(Linear))
            {
                if (in_features <= 0 || out_features <= 0) throw new ArgumentException($"Linear needs positive sizes, got in_features={in_features}, out_features={out_features}");
                this.in_features = in_features;
                this.out_features = out_features;
                double bound = DefaultInit.Bound(in_features);
                _weight = DefaultInit.UniformParameter(new[] { out_features, in_features }, bound, dtype, device);
                if (hasBias) _bias = DefaultInit.UniformParameter(new[] { out_features }, bound, dtype, device);
                RegisterComponents();
            }

            /// <summary>The weight, (out_features, in_features).</summary>
            public Parameter weight
            {
                get => _weight;
                set
                {
                    if (value is null) throw new ArgumentNullException(nameof(weight));
                    if (ReferenceEquals(value, _weight)) return;
                    _weight?.Dispose();
                    _weight = value;
                    value.DetachFromDisposeScope();
                    register_parameter("weight", value);
                }
            }

            /// <summary>The bias, (out_features), or null.</summary>
            public Parameter? bias
            {
                get => _bias;
                set
                {
                    if (ReferenceEquals(value, _bias)) return;
                    _bias?.Dispose();
                    _bias = value;
                    value?.DetachFromDisposeScope();
                    register_parameter("bias", value!);
                }
            }

            /// <summary>Size of each input sample.</summary>
            public long in_features { get; }

            /// <summary>Size of each output sample.</summary>
            public long out_features { get; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor tensor) => nn.functional.linear(tensor, weight, bias);
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>A fully connected layer initialised as in PyTorch (U(-1/sqrt(in), 1/sqrt(in))).</summary>
            public static Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null, ScalarType? dtype = null) =>
                new Linear(inputSize, outputSize, hasBias, device, dtype);
        }
    }
}
