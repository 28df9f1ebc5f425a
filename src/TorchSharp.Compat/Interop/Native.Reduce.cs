using System;
using System.Runtime.InteropServices;

namespace TorchSharp.Interop
{
    internal static partial class Native
    {
        [DllImport(Lib)] internal static extern IntPtr shim_sum(IntPtr t, int dtype);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_sum_dims(IntPtr t, long* dims, int n, int keepdim, int dtype);
        [DllImport(Lib)] internal static extern IntPtr shim_mean(IntPtr t, int dtype);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_mean_dims(IntPtr t, long* dims, int n, int keepdim, int dtype);
        [DllImport(Lib)] internal static extern IntPtr shim_prod(IntPtr t, int dtype);
        [DllImport(Lib)] internal static extern IntPtr shim_prod_dim(IntPtr t, long dim, int keepdim, int dtype);
        [DllImport(Lib)] internal static extern IntPtr shim_reduce_all(IntPtr t, int kind);
        [DllImport(Lib)] internal static extern IntPtr shim_reduce_dim(IntPtr t, int kind, long dim, int keepdim);
        [DllImport(Lib)] internal static extern IntPtr shim_max_min_dim(IntPtr t, int kind, long dim, int keepdim, out IntPtr indices);
        [DllImport(Lib)] internal static extern IntPtr shim_aminmax(IntPtr t, long dim, int hasDim, int keepdim, out IntPtr max);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_amax_amin(IntPtr t, int kind, long* dims, int n, int keepdim);
        [DllImport(Lib)] internal static extern IntPtr shim_norm(IntPtr t, double p);
        [DllImport(Lib)] internal static extern IntPtr shim_norm_dim(IntPtr t, long dim, int keepdim, double p);
        [DllImport(Lib)] internal static extern IntPtr shim_logsumexp(IntPtr t, long dim, int keepdim);
        [DllImport(Lib)] internal static extern IntPtr shim_cumsum(IntPtr t, long dim, int dtype);
        [DllImport(Lib)] internal static extern IntPtr shim_cumprod(IntPtr t, long dim, int dtype);
        [DllImport(Lib)] internal static extern IntPtr shim_sort(IntPtr t, long dim, int descending, int stable, out IntPtr indices);
        [DllImport(Lib)] internal static extern IntPtr shim_argsort(IntPtr t, long dim, int descending);
        [DllImport(Lib)] internal static extern IntPtr shim_topk(IntPtr t, long k, long dim, int largest, int sorted, out IntPtr indices);
        [DllImport(Lib)] internal static extern IntPtr shim_bincount(IntPtr t, IntPtr weights, long minlength);
        [DllImport(Lib)] internal static extern IntPtr shim_unique(IntPtr t, int sorted, int returnInverse, int returnCounts, out IntPtr inverse, out IntPtr counts);
    }
}
