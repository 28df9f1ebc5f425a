using System;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static partial class functional
            {
                private static long[] Pair(long v) => new[] { v, v };
                private static long[] Pair((long, long) v) => new[] { v.Item1, v.Item2 };

                // ---- convolution, linear ----

                /// <summary>2-D convolution of (N, C_in, H, W) (or unbatched (C_in, H, W)) with weight (C_out, C_in / groups, kH, kW).</summary>
                public static unsafe Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? strides = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
                {
                    strides ??= new long[] { 1 };
                    padding ??= new long[] { 0 };
                    dilation ??= new long[] { 1 };
                    fixed (long* ps = strides, pp = padding, pd = dilation)
                        return Tensor.Wrap(Native.shim_conv2d(input.Handle, weight.Handle, H(bias), ps, strides.Length, pp, padding.Length, pd, dilation.Length, groups));
                }

                /// <summary>2-D convolution with symbolic padding ('valid' or 'same').</summary>
                internal static unsafe Tensor conv2d_padding(Tensor input, Tensor weight, Tensor? bias, long[]? strides, Padding padding, long[]? dilation, long groups)
                {
                    strides ??= new long[] { 1 };
                    dilation ??= new long[] { 1 };
                    fixed (long* ps = strides, pd = dilation)
                        return Tensor.Wrap(Native.shim_conv2d_padding(input.Handle, weight.Handle, H(bias), ps, strides.Length, padding == Padding.Same ? 1 : 0, pd, dilation.Length, groups));
                }

                /// <summary>2-D transposed convolution with weight (C_in, C_out / groups, kH, kW).</summary>
                public static unsafe Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? strides = null, long[]? padding = null, long[]? output_padding = null, long[]? dilation = null, long groups = 1)
                {
                    strides ??= new long[] { 1 };
                    padding ??= new long[] { 0 };
                    output_padding ??= new long[] { 0 };
                    dilation ??= new long[] { 1 };
                    fixed (long* ps = strides, pp = padding, po = output_padding, pd = dilation)
                        return Tensor.Wrap(Native.shim_conv_transpose2d(input.Handle, weight.Handle, H(bias), ps, strides.Length, pp, padding.Length, po, output_padding.Length, pd, dilation.Length, groups));
                }

                /// <summary>x Wᵀ + b.</summary>
                public static Tensor linear(Tensor input, Tensor weights, Tensor? bias = null) =>
                    Tensor.Wrap(Native.shim_linear(input.Handle, weights.Handle, H(bias)));

                // ---- pooling ----

                /// <summary>2-D max pooling with a square window.</summary>
                public static Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null, long? padding = null, long? dilation = null, bool ceil_mode = false) =>
                    max_pool2d(input, Pair(kernel_size), Pair(stride ?? kernel_size), Pair(padding ?? 0), Pair(dilation ?? 1), ceil_mode);

                /// <summary>2-D max pooling with a (kH, kW) window.</summary>
                public static Tensor max_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, bool ceil_mode = false) =>
                    max_pool2d(input, Pair(kernel_size), Pair(stride ?? kernel_size), Pair(padding ?? (0, 0)), Pair(dilation ?? (1, 1)), ceil_mode);

                /// <summary>2-D max pooling; <paramref name="strides"/> defaults to the kernel size.</summary>
                public static unsafe Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? strides = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
                {
                    if (kernel_size is null) throw new ArgumentNullException(nameof(kernel_size));
                    strides ??= kernel_size;
                    padding ??= new long[] { 0 };
                    dilation ??= new long[] { 1 };
                    fixed (long* pk = kernel_size, ps = strides, pp = padding, pd = dilation)
                        return Tensor.Wrap(Native.shim_max_pool2d(input.Handle, pk, kernel_size.Length, ps, strides.Length, pp, padding.Length, pd, dilation.Length, ceil_mode ? 1 : 0));
                }

                /// <summary>2-D average pooling with a square window.</summary>
                public static Tensor avg_pool2d(Tensor input, long kernel_size, long? stride = null, long? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                    avg_pool2d(input, Pair(kernel_size), Pair(stride ?? kernel_size), Pair(padding ?? 0), ceil_mode, count_include_pad, divisor_override);

                /// <summary>2-D average pooling with a (kH, kW) window.</summary>
                public static Tensor avg_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                    avg_pool2d(input, Pair(kernel_size), Pair(stride ?? kernel_size), Pair(padding ?? (0, 0)), ceil_mode, count_include_pad, divisor_override);

                /// <summary>2-D average pooling; <paramref name="strides"/> defaults to the kernel size.</summary>
                public static unsafe Tensor avg_pool2d(Tensor input, long[] kernel_size, long[]? strides = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
                {
                    if (kernel_size is null) throw new ArgumentNullException(nameof(kernel_size));
                    strides ??= kernel_size;
                    padding ??= new long[] { 0 };
                    fixed (long* pk = kernel_size, ps = strides, pp = padding)
                        return Tensor.Wrap(Native.shim_avg_pool2d(input.Handle, pk, kernel_size.Length, ps, strides.Length, pp, padding.Length, ceil_mode ? 1 : 0,
                            count_include_pad ? 1 : 0, divisor_override.HasValue ? 1 : 0, divisor_override ?? 0));
                }

                /// <summary>2-D adaptive average pooling to <paramref name="output_size"/> (one or two sizes).</summary>
                public static unsafe Tensor adaptive_avg_pool2d(Tensor input, long[] output_size)
                {
                    if (output_size is null) throw new ArgumentNullException(nameof(output_size));
                    fixed (long* p = output_size) return Tensor.Wrap(Native.shim_adaptive_avg_pool2d(input.Handle, p, output_size.Length));
                }

                // ---- normalisation, dropout ----

                /// <summary>
                /// Batch normalisation over dimension 1. In training mode the batch statistics are used and, when given, the running
                /// statistics are updated in place with <paramref name="momentum"/>; otherwise the running statistics are used.
                /// </summary>
                public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5) =>
                    Tensor.Wrap(Native.shim_batch_norm(input.Handle, H(weight), H(bias), H(running_mean), H(running_var), training ? 1 : 0, momentum, eps));

                private static Tensor Dropout(Tensor input, double p, bool training, bool inplace, bool feature)
                {
                    if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be between 0 and 1");
                    if (!inplace) return Tensor.Wrap(Native.shim_dropout(input.Handle, p, training ? 1 : 0, feature ? 1 : 0));
                    Native.shim_dropout_(input.Handle, p, training ? 1 : 0, feature ? 1 : 0);
                    CheckForErrors();
                    return input;
                }

                /// <summary>Zeroes elements with probability <paramref name="p"/> and scales the rest by 1/(1-p) (training only).</summary>
                public static Tensor dropout(Tensor input, double p = 0.5, bool training = true, bool inplace = false) => Dropout(input, p, training, inplace, false);

                /// <summary>Zeroes whole channels of (N, C, H, W) with probability <paramref name="p"/> (training only).</summary>
                public static Tensor dropout2d(Tensor input, double p = 0.5, bool training = true, bool inplace = false) => Dropout(input, p, training, inplace, true);

                // ---- resampling, padding ----

                /// <summary>
                /// Resamples (N, C, L), (N, C, H, W) or (N, C, D, H, W) to <paramref name="size"/> or by <paramref name="scale_factor"/>
                /// (exactly one; a single value applies to every spatial dimension). Nearest modes also accept integer and bool
                /// tensors (e.g. label maps of shape (N, 1, *spatial)).
                /// </summary>
                public static unsafe Tensor interpolate(Tensor x, long[]? size = null, double[]? scale_factor = null, InterpolationMode mode = InterpolationMode.Nearest, bool? align_corners = null, bool recompute_scale_factor = false, bool antialias = false)
                {
                    fixed (long* ps = size) fixed (double* pf = scale_factor)
                        return Tensor.Wrap(Native.shim_interpolate(x.Handle, ps, size?.Length ?? 0, pf, scale_factor?.Length ?? 0, (int)mode,
                            align_corners is null ? -1 : align_corners.Value ? 1 : 0, recompute_scale_factor ? 1 : 0, antialias ? 1 : 0));
                }

                /// <summary>Resamples like <see cref="interpolate"/>; <paramref name="align_corners"/> applies to the interpolating modes only.</summary>
                public static Tensor upsample(Tensor input, long[]? size = null, double[]? scale_factor = null, UpsampleMode mode = UpsampleMode.Nearest, bool align_corners = false) =>
                    interpolate(input, size, scale_factor, (InterpolationMode)(int)mode, mode == UpsampleMode.Nearest ? null : align_corners);

                /// <summary>
                /// Pads the last dimensions: <paramref name="pad"/> holds (before, after) pairs starting with the last dimension.
                /// <paramref name="value"/> is used by <see cref="PaddingModes.Constant"/> only.
                /// </summary>
                public static Tensor pad(Tensor input, long[] pad, PaddingModes mode = PaddingModes.Constant, double value = 0) =>
                    functional.pad(input, (ReadOnlySpan<long>)(pad ?? throw new ArgumentNullException(nameof(pad))), mode, value);

                /// <summary>Pads the last dimensions (see the long[] overload).</summary>
                public static unsafe Tensor pad(Tensor input, ReadOnlySpan<long> pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
                {
                    fixed (long* p = pad) return Tensor.Wrap(Native.shim_pad(input.Handle, p, pad.Length, (int)mode, value));
                }

                /// <summary>Pads the last two dimensions by <paramref name="pad"/> on every side.</summary>
                public static Tensor pad(Tensor input, long pad, PaddingModes mode = PaddingModes.Constant, double value = 0) =>
                    functional.pad(input, new[] { pad, pad, pad, pad }, mode, value);

                /// <summary>Pads the last dimension by (left, right).</summary>
                public static Tensor pad(Tensor input, (long, long) pad, PaddingModes mode = PaddingModes.Constant, double value = 0) =>
                    functional.pad(input, new[] { pad.Item1, pad.Item2 }, mode, value);

                /// <summary>Pads the last two dimensions by (left, right, top, bottom).</summary>
                public static Tensor pad(Tensor input, (long, long, long, long) pad, PaddingModes mode = PaddingModes.Constant, double value = 0) =>
                    functional.pad(input, new[] { pad.Item1, pad.Item2, pad.Item3, pad.Item4 }, mode, value);
            }
        }
    }
}
