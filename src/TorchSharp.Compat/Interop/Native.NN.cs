using System;
using System.Runtime.InteropServices;

namespace TorchSharp.Interop
{
    internal static partial class Native
    {
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_conv2d(IntPtr input, IntPtr weight, IntPtr bias, long* stride, int nstride, long* padding, int npadding, long* dilation, int ndilation, long groups);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_conv2d_padding(IntPtr input, IntPtr weight, IntPtr bias, long* stride, int nstride, int paddingKind, long* dilation, int ndilation, long groups);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_conv_transpose2d(IntPtr input, IntPtr weight, IntPtr bias, long* stride, int nstride, long* padding, int npadding, long* outputPadding, int noutputPadding, long* dilation, int ndilation, long groups);
        [DllImport(Lib)] internal static extern IntPtr shim_linear(IntPtr input, IntPtr weight, IntPtr bias);

        [DllImport(Lib)] internal static extern unsafe IntPtr shim_max_pool2d(IntPtr input, long* kernel, int nkernel, long* stride, int nstride, long* padding, int npadding, long* dilation, int ndilation, int ceilMode);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_avg_pool2d(IntPtr input, long* kernel, int nkernel, long* stride, int nstride, long* padding, int npadding, int ceilMode, int countIncludePad, int hasDivisor, long divisor);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_adaptive_avg_pool2d(IntPtr input, long* size, int nsize);

        [DllImport(Lib)] internal static extern IntPtr shim_batch_norm(IntPtr input, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, int training, double momentum, double eps);
        [DllImport(Lib)] internal static extern IntPtr shim_dropout(IntPtr input, double p, int training, int feature);
        [DllImport(Lib)] internal static extern void shim_dropout_(IntPtr input, double p, int training, int feature);

        [DllImport(Lib)] internal static extern unsafe IntPtr shim_interpolate(IntPtr input, long* size, int nsize, double* scale, int nscale, int mode, int alignCorners, int recomputeScaleFactor, int antialias);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_pad(IntPtr input, long* pad, int n, int mode, double value);

        [DllImport(Lib)] internal static extern IntPtr shim_cross_entropy(IntPtr input, IntPtr target, IntPtr weight, long reduction, long ignoreIndex, double labelSmoothing);
        [DllImport(Lib)] internal static extern IntPtr shim_nll_loss(IntPtr input, IntPtr target, IntPtr weight, long reduction, long ignoreIndex);
        [DllImport(Lib)] internal static extern IntPtr shim_binary_cross_entropy_with_logits(IntPtr input, IntPtr target, IntPtr weight, IntPtr posWeight, long reduction);
        [DllImport(Lib)] internal static extern IntPtr shim_binary_cross_entropy(IntPtr input, IntPtr target, IntPtr weight, long reduction);
        [DllImport(Lib)] internal static extern IntPtr shim_mse_loss(IntPtr input, IntPtr target, long reduction);
        [DllImport(Lib)] internal static extern IntPtr shim_l1_loss(IntPtr input, IntPtr target, long reduction);
        [DllImport(Lib)] internal static extern IntPtr shim_smooth_l1_loss(IntPtr input, IntPtr target, long reduction, double beta);
        [DllImport(Lib)] internal static extern IntPtr shim_huber_loss(IntPtr input, IntPtr target, long reduction, double delta);
        [DllImport(Lib)] internal static extern IntPtr shim_kl_div(IntPtr input, IntPtr target, long reduction, int logTarget);
        [DllImport(Lib)] internal static extern IntPtr shim_one_hot(IntPtr input, long numClasses);
        [DllImport(Lib)] internal static extern IntPtr shim_leaky_relu(IntPtr input, double negativeSlope);
        [DllImport(Lib)] internal static extern void shim_leaky_relu_(IntPtr input, double negativeSlope);
    }
}
