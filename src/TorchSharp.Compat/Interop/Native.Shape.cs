using System;
using System.Runtime.InteropServices;

namespace TorchSharp.Interop
{
    internal static partial class Native
    {
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_reshape(IntPtr t, long* shape, int n);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_view(IntPtr t, long* shape, int n);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_permute(IntPtr t, long* dims, int n);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_expand(IntPtr t, long* shape, int n, int isImplicit);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_repeat(IntPtr t, long* shape, int n);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_flip(IntPtr t, long* dims, int n);
        [DllImport(Lib)] internal static extern IntPtr shim_transpose(IntPtr t, long a, long b);
        [DllImport(Lib)] internal static extern IntPtr shim_unsqueeze(IntPtr t, long d);
        [DllImport(Lib)] internal static extern IntPtr shim_squeeze(IntPtr t, int hasDim, long d);
        [DllImport(Lib)] internal static extern IntPtr shim_flatten(IntPtr t, long start, long end);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_unflatten(IntPtr t, long dim, long* sizes, int n);
        [DllImport(Lib)] internal static extern IntPtr shim_narrow(IntPtr t, long dim, long start, long length);
        [DllImport(Lib)] internal static extern IntPtr shim_select(IntPtr t, long dim, long index);
        [DllImport(Lib)] internal static extern IntPtr shim_roll(IntPtr t, long shifts, int hasDim, long dim);
        [DllImport(Lib)] internal static extern unsafe long shim_split(IntPtr t, int kind, long arg, long dim, IntPtr* output, long capacity);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_cat(IntPtr* tensors, int n, long dim);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_stack(IntPtr* tensors, int n, long dim);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_index(IntPtr t, int* kinds, int* has, long* starts, long* stops, long* steps, IntPtr* tensors, int n);
        [DllImport(Lib)] internal static extern unsafe void shim_index_put_(IntPtr t, IntPtr value, int* kinds, int* has, long* starts, long* stops, long* steps, IntPtr* tensors, int n);
        [DllImport(Lib)] internal static extern unsafe void shim_index_put_scalar_(IntPtr t, ShimScalar value, int* kinds, int* has, long* starts, long* stops, long* steps, IntPtr* tensors, int n);
        [DllImport(Lib)] internal static extern unsafe void shim_index_put_accumulate_(IntPtr t, IntPtr value, IntPtr* tensors, int n, int accumulate);
        [DllImport(Lib)] internal static extern IntPtr shim_gather(IntPtr t, long dim, IntPtr index);
        [DllImport(Lib)] internal static extern IntPtr shim_take_along_dim(IntPtr t, IntPtr index, long dim);
        [DllImport(Lib)] internal static extern IntPtr shim_scatter(IntPtr t, int kind, long dim, IntPtr index, IntPtr src);
        [DllImport(Lib)] internal static extern void shim_scatter_(IntPtr t, int kind, long dim, IntPtr index, IntPtr src);
        [DllImport(Lib)] internal static extern IntPtr shim_index_select(IntPtr t, long dim, IntPtr index);
        [DllImport(Lib)] internal static extern IntPtr shim_index_fill(IntPtr t, long dim, IntPtr index, ShimScalar v);
        [DllImport(Lib)] internal static extern IntPtr shim_index_add(IntPtr t, long dim, IntPtr index, IntPtr src, ShimScalar alpha);
        [DllImport(Lib)] internal static extern IntPtr shim_masked_fill(IntPtr t, IntPtr mask, ShimScalar v);
        [DllImport(Lib)] internal static extern void shim_masked_fill_(IntPtr t, IntPtr mask, ShimScalar v);
        [DllImport(Lib)] internal static extern IntPtr shim_masked_select(IntPtr t, IntPtr mask);
        [DllImport(Lib)] internal static extern IntPtr shim_nonzero(IntPtr t);

        [DllImport(Lib)] internal static extern unsafe void shim_backward(IntPtr* outputs, int n, IntPtr* grads, int ngrads, int retainGraph, int hasRetain, int createGraph, IntPtr* inputs, int ninputs);
        [DllImport(Lib)] internal static extern unsafe int shim_autograd_grad(IntPtr* outputs, int n, IntPtr* inputs, int ninputs, IntPtr* gradOutputs, int ngrad, int retainGraph, int hasRetain, int createGraph, int allowUnused, IntPtr* output);
        [DllImport(Lib)] internal static extern IntPtr shim_grad(IntPtr t);
        [DllImport(Lib)] internal static extern void shim_set_grad(IntPtr t, IntPtr g);
    }
}
