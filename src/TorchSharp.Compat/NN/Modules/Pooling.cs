using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>2-D max pooling over (N, C, H, W).</summary>
        public sealed class MaxPool2d : ParameterLessModule<Tensor, Tensor>
        {
            internal MaxPool2d(long[] kernel_size, long[]? stride, long[]? padding, long[]? dilation, bool ceil_mode) : base(nameof(MaxPool2d))
            {
                this.kernel_size = kernel_size ?? throw new ArgumentNullException(nameof(kernel_size));
                this.stride = stride ?? kernel_size;
                this.padding = padding ?? new long[] { 0, 0 };
                this.dilation = dilation ?? new long[] { 1, 1 };
                this.ceil_mode = ceil_mode;
            }

            /// <summary>The window size.</summary>
            public long[] kernel_size { get; set; }
            /// <summary>The window stride.</summary>
            public long[] stride { get; set; }
            /// <summary>Implicit negative-infinity padding on both sides.</summary>
            public long[] padding { get; set; }
            /// <summary>Spacing between window elements.</summary>
            public long[] dilation { get; set; }
            /// <summary>Whether the output size rounds up.</summary>
            public bool ceil_mode { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input) => nn.functional.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode);
        }

        /// <summary>2-D average pooling over (N, C, H, W).</summary>
        public sealed class AvgPool2d : ParameterLessModule<Tensor, Tensor>
        {
            internal AvgPool2d(long[] kernel_size, long[]? stride, long[]? padding, bool ceil_mode, bool count_include_pad, long? divisor_override) : base(nameof(AvgPool2d))
            {
                this.kernel_size = kernel_size ?? throw new ArgumentNullException(nameof(kernel_size));
                this.stride = stride ?? kernel_size;
                this.padding = padding ?? new long[] { 0, 0 };
                this.ceil_mode = ceil_mode;
                this.count_include_pad = count_include_pad;
                this.divisor_override = divisor_override;
            }

            /// <summary>The window size.</summary>
            public long[] kernel_size { get; set; }
            /// <summary>The window stride.</summary>
            public long[] stride { get; set; }
            /// <summary>Implicit zero padding on both sides.</summary>
            public long[] padding { get; set; }
            /// <summary>Whether the output size rounds up.</summary>
            public bool ceil_mode { get; set; }
            /// <summary>Whether padded zeros count in the average.</summary>
            public bool count_include_pad { get; set; }
            /// <summary>A fixed divisor replacing the window size, or null.</summary>
            public long? divisor_override { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input) => nn.functional.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
        }

        /// <summary>2-D adaptive average pooling to a fixed output size.</summary>
        public sealed class AdaptiveAvgPool2d : ParameterLessModule<Tensor, Tensor>
        {
            internal AdaptiveAvgPool2d(long[] output_size) : base(nameof(AdaptiveAvgPool2d)) => this.output_size = output_size ?? throw new ArgumentNullException(nameof(output_size));

            /// <summary>The output (H, W).</summary>
            public long[] output_size { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input) => nn.functional.adaptive_avg_pool2d(input, output_size);
        }

        /// <summary>Resamples (N, C, *spatial) to a size or by a scale factor.</summary>
        public sealed class Upsample : ParameterLessModule<Tensor, Tensor>
        {
            internal Upsample(long[]? size, double[]? scale_factor, UpsampleMode mode, bool? align_corners, bool? recompute_scale_factor) : base(nameof(Upsample))
            {
                if ((size is null) == (scale_factor is null)) throw new ArgumentException("Upsample needs exactly one of size and scale_factor");
                this.size = size;
                this.scale_factor = scale_factor;
                this.mode = mode;
                this.align_corners = align_corners;
                this.recompute_scale_factor = recompute_scale_factor;
            }

            /// <summary>The output spatial size, or null.</summary>
            public long[]? size { get; set; }
            /// <summary>The scale per spatial dimension, or null.</summary>
            public double[]? scale_factor { get; set; }
            /// <summary>The resampling algorithm.</summary>
            public UpsampleMode mode { get; set; }
            /// <summary>Whether corner pixels are aligned (interpolating modes only).</summary>
            public bool? align_corners { get; set; }
            /// <summary>Whether the scale is recomputed from the rounded output size.</summary>
            public bool? recompute_scale_factor { get; set; }

            /// <inheritdoc/>
            public override Tensor forward(Tensor input) =>
                nn.functional.interpolate(input, size, scale_factor, (InterpolationMode)(int)mode, align_corners, recompute_scale_factor ?? false);
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>2-D max pooling with a square window (stride defaults to the window).</summary>
            public static MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long? padding = null, long? dilation = null, bool ceil_mode = false) =>
                new MaxPool2d(Two(kernel_size), Two(stride ?? kernel_size), Two(padding ?? 0), Two(dilation ?? 1), ceil_mode);

            /// <summary>2-D max pooling with a (kH, kW) window.</summary>
            public static MaxPool2d MaxPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, bool ceil_mode = false) =>
                new MaxPool2d(Two(kernel_size), Two(stride ?? kernel_size), Two(padding ?? (0, 0)), Two(dilation ?? (1, 1)), ceil_mode);

            /// <summary>2-D max pooling.</summary>
            public static MaxPool2d MaxPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false) =>
                new MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode);

            /// <summary>2-D average pooling with a square window (stride defaults to the window).</summary>
            public static AvgPool2d AvgPool2d(long kernel_size, long? stride = null, long? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new AvgPool2d(Two(kernel_size), Two(stride ?? kernel_size), Two(padding ?? 0), ceil_mode, count_include_pad, divisor_override);

            /// <summary>2-D average pooling with a (kH, kW) window.</summary>
            public static AvgPool2d AvgPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new AvgPool2d(Two(kernel_size), Two(stride ?? kernel_size), Two(padding ?? (0, 0)), ceil_mode, count_include_pad, divisor_override);

            /// <summary>2-D average pooling.</summary>
            public static AvgPool2d AvgPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);

            /// <summary>2-D adaptive average pooling to (size, size).</summary>
            public static AdaptiveAvgPool2d AdaptiveAvgPool2d(long output_size) => new AdaptiveAvgPool2d(Two(output_size));

            /// <summary>2-D adaptive average pooling to (H, W).</summary>
            public static AdaptiveAvgPool2d AdaptiveAvgPool2d((long, long) output_size) => new AdaptiveAvgPool2d(Two(output_size));

            /// <summary>2-D adaptive average pooling to (H, W).</summary>
            public static AdaptiveAvgPool2d AdaptiveAvgPool2d(long[] output_size) => new AdaptiveAvgPool2d(output_size);

            /// <summary>Resampling to <paramref name="size"/> or by <paramref name="scale_factor"/> (exactly one).</summary>
            public static Upsample Upsample(long[]? size = null, double[]? scale_factor = null, UpsampleMode mode = UpsampleMode.Nearest, bool? align_corners = null, bool? recompute_scale_factor = null) =>
                new Upsample(size, scale_factor, mode, align_corners, recompute_scale_factor);
        }
    }
}
