using System;
using System.Linq;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>Base of the convolution layers: holds the weight, the optional bias and the geometry.</summary>
        public abstract class Convolution : nn.Module<Tensor, Tensor>
        {
            [ComponentName(Name = "weight")] private Parameter _weight;
            [ComponentName(Name = "bias")] private Parameter? _bias;

            internal Convolution(string name, long in_channels, long out_channels, long[] kernel_size, long[] stride, long[]? padding, Padding? padding_type,
                long[] dilation, bool transposed, long[] output_padding, long groups, bool bias, PaddingModes padding_mode, Device? device, ScalarType? dtype)
                : base(name)
            {
                if (in_channels <= 0 || out_channels <= 0) throw new ArgumentException($"{name} needs positive channel counts, got in_channels={in_channels}, out_channels={out_channels}");
                if (groups <= 0) throw new ArgumentException($"groups must be positive, got {groups}", nameof(groups));
                if (in_channels % groups != 0) throw new ArgumentException($"in_channels ({in_channels}) must be divisible by groups ({groups})", nameof(in_channels));
                if (out_channels % groups != 0) throw new ArgumentException($"out_channels ({out_channels}) must be divisible by groups ({groups})", nameof(out_channels));
                if (kernel_size.Any(k => k <= 0)) throw new ArgumentException($"kernel_size must be positive, got [{string.Join(", ", kernel_size)}]", nameof(kernel_size));
                if (padding_type == Padding.Same && stride.Any(s => s != 1)) throw new ArgumentException("padding 'same' is not supported for strided convolutions", nameof(padding_type));

                this.in_channels = in_channels;
                this.out_channels = out_channels;
                this.kernel_size = kernel_size;
                this.stride = stride;
                this.padding = padding;
                this.padding_type = padding_type;
                this.dilation = dilation;
                this.transposed = transposed;
                this.output_padding = output_padding;
                this.groups = groups;
                this.padding_mode = padding_mode;

                var shape = transposed
                    ? new[] { in_channels, out_channels / groups }.Concat(kernel_size).ToArray()
                    : new[] { out_channels, in_channels / groups }.Concat(kernel_size).ToArray();
                // PyTorch: kaiming_uniform_(a = sqrt(5)) for the weight and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias,
                // both with fan_in = weight.size(1) * prod(kernel_size); the two bounds coincide.
                double bound = DefaultInit.Bound(shape.Skip(1).Aggregate(1L, (a, b) => a * b));
                _weight = DefaultInit.UniformParameter(shape, bound, dtype, device);
                if (bias) _bias = DefaultInit.UniformParameter(new[] { out_channels }, bound, dtype, device);
                RegisterComponents();
            }

            /// <summary>The filters: (out, in / groups, *kernel) or, transposed, (in, out / groups, *kernel).</summary>
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

            /// <summary>The per-channel bias, or null.</summary>
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

            /// <summary>Number of input channels.</summary>
            public long in_channels { get; }
            /// <summary>Number of output channels.</summary>
            public long out_channels { get; }
            /// <summary>The window size per spatial dimension.</summary>
            public long[] kernel_size { get; }
            /// <summary>The stride per spatial dimension.</summary>
            public long[] stride { get; }
            /// <summary>The explicit padding per spatial dimension, or null when <see cref="padding_type"/> is used.</summary>
            public long[]? padding { get; }
            /// <summary>Symbolic padding (valid/same), or null.</summary>
            public Padding? padding_type { get; }
            /// <summary>The dilation per spatial dimension.</summary>
            public long[] dilation { get; }
            /// <summary>True for transposed convolutions.</summary>
            public bool transposed { get; }
            /// <summary>Extra size added to one side of a transposed convolution's output.</summary>
            public long[] output_padding { get; }
            /// <summary>Number of blocked connections from input to output channels.</summary>
            public long groups { get; }
            /// <summary>How the input is padded.</summary>
            public PaddingModes padding_mode { get; }

            /// <summary>The explicit (before, after) padding for F.pad, last dimension first.</summary>
            private protected long[] PadAmounts()
            {
                int n = kernel_size.Length;
                var result = new long[2 * n];
                for (int i = 0; i < n; i++)
                {
                    long before, after;
                    if (padding_type == Padding.Same)
                    {
                        long total = dilation[i] * (kernel_size[i] - 1);
                        before = total / 2;
                        after = total - before;
                    }
                    else if (padding_type == Padding.Valid) before = after = 0;
                    else before = after = padding![i];
                    result[2 * (n - 1 - i)] = before;
                    result[2 * (n - 1 - i) + 1] = after;
                }
                return result;
            }
        }

        /// <summary>2-D convolution over (N, C_in, H, W).</summary>
        public sealed class Conv2d : Convolution
        {
            internal Conv2d(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[]? padding, Padding? padding_type, long[] dilation,
                PaddingModes padding_mode, long groups, bool bias, Device? device, ScalarType? dtype)
                : base(nameof(Conv2d), in_channels, out_channels, kernel_size, stride, padding, padding_type, dilation, false, new long[] { 0, 0 }, groups, bias, padding_mode, device, dtype)
            {
            }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input)
            {
                if (padding_mode is PaddingModes.Zeros or PaddingModes.Constant)
                {
                    return padding_type.HasValue
                        ? nn.functional.conv2d_padding(input, weight, bias, stride, padding_type.Value, dilation, groups)
                        : nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
                }
                using var padded = nn.functional.pad(input, PadAmounts(), padding_mode);
                return nn.functional.conv2d(padded, weight, bias, stride, new long[] { 0, 0 }, dilation, groups);
            }
        }

        /// <summary>2-D transposed convolution (fractionally strided convolution) over (N, C_in, H, W).</summary>
        public sealed class ConvTranspose2d : Convolution
        {
            internal ConvTranspose2d(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, long[] output_padding, long[] dilation,
                PaddingModes padding_mode, long groups, bool bias, Device? device, ScalarType? dtype)
                : base(nameof(ConvTranspose2d), in_channels, out_channels, kernel_size, stride, padding, null, dilation, true, output_padding, groups, bias, padding_mode, device, dtype)
            {
                if (padding_mode is not (PaddingModes.Zeros or PaddingModes.Constant))
                    throw new ArgumentException($"ConvTranspose2d only supports zero padding, got {padding_mode}", nameof(padding_mode));
            }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input) =>
                nn.functional.conv_transpose2d(input, weight, bias, stride, padding, output_padding, dilation, groups);
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            private static long[] Two(long v) => new[] { v, v };
            private static long[] Two((long, long) v) => new[] { v.Item1, v.Item2 };

            /// <summary>2-D convolution with a square kernel.</summary>
            public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
                PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new Conv2d(in_channels, out_channels, Two(kernel_size), Two(stride), Two(padding), null, Two(dilation), padding_mode, groups, bias, device, dtype);

            /// <summary>2-D convolution with a (kH, kW) kernel.</summary>
            public static Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null,
                (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new Conv2d(in_channels, out_channels, Two(kernel_size), Two(stride ?? (1, 1)), Two(padding ?? (0, 0)), null, Two(dilation ?? (1, 1)), padding_mode, groups, bias, device, dtype);

            /// <summary>2-D convolution with a square kernel and symbolic padding (valid/same).</summary>
            public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, Padding padding, long stride = 1, long dilation = 1,
                PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new Conv2d(in_channels, out_channels, Two(kernel_size), Two(stride), null, padding, Two(dilation), padding_mode, groups, bias, device, dtype);

            /// <summary>2-D convolution with a (kH, kW) kernel and symbolic padding (valid/same).</summary>
            public static Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, Padding padding, (long, long)? stride = null, (long, long)? dilation = null,
                PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new Conv2d(in_channels, out_channels, Two(kernel_size), Two(stride ?? (1, 1)), null, padding, Two(dilation ?? (1, 1)), padding_mode, groups, bias, device, dtype);

            /// <summary>2-D transposed convolution with a square kernel.</summary>
            public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long output_padding = 0,
                long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new ConvTranspose2d(in_channels, out_channels, Two(kernel_size), Two(stride), Two(padding), Two(output_padding), Two(dilation), padding_mode, groups, bias, device, dtype);

            /// <summary>2-D transposed convolution with a (kH, kW) kernel.</summary>
            public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null,
                (long, long)? output_padding = null, (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true,
                Device? device = null, ScalarType? dtype = null) =>
                new ConvTranspose2d(in_channels, out_channels, Two(kernel_size), Two(stride ?? (1, 1)), Two(padding ?? (0, 0)), Two(output_padding ?? (0, 0)),
                    Two(dilation ?? (1, 1)), padding_mode, groups, bias, device, dtype);
        }
    }
}
