using System;
using System.Runtime.InteropServices;

namespace TorchSharp.Interop
{
    /// <summary>P/Invoke declarations of the shim (native/*.cpp). One partial file per native file.</summary>
    internal static partial class Native
    {
        internal const string Lib = NativeLibraryLoader.ShimName;

        static Native() => NativeLibraryLoader.EnsureRegistered();

        [DllImport(Lib)] internal static extern IntPtr shim_get_and_reset_last_err();
        [DllImport(Lib)] internal static extern void shim_free_string(IntPtr s);

        [DllImport(Lib)] internal static extern void shim_tensor_dispose(IntPtr t);
        [DllImport(Lib)] internal static extern long shim_tensor_ndim(IntPtr t);
        [DllImport(Lib)] internal static extern unsafe void shim_tensor_shape(IntPtr t, long* shape);
        [DllImport(Lib)] internal static extern long shim_tensor_numel(IntPtr t);
        [DllImport(Lib)] internal static extern int shim_tensor_dtype(IntPtr t);
        [DllImport(Lib)] internal static extern int shim_tensor_device_type(IntPtr t);
        [DllImport(Lib)] internal static extern int shim_tensor_device_index(IntPtr t);
        [DllImport(Lib)] internal static extern long shim_tensor_element_size(IntPtr t);
        [DllImport(Lib)] internal static extern int shim_tensor_is_contiguous(IntPtr t);
        [DllImport(Lib)] internal static extern int shim_tensor_requires_grad(IntPtr t);
        [DllImport(Lib)] internal static extern void shim_tensor_set_requires_grad(IntPtr t, int value);
        [DllImport(Lib)] internal static extern int shim_tensor_is_leaf(IntPtr t);
        [DllImport(Lib)] internal static extern void shim_tensor_retain_grad(IntPtr t);

        [DllImport(Lib)] internal static extern unsafe IntPtr shim_tensor_from_data(void* data, int dtype, long* shape, int ndim, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_zeros(long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_ones(long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_empty(long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_full(long* shape, int ndim, ShimScalar value, int dtype, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_rand(long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_randn(long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern unsafe IntPtr shim_randint(long low, long high, long* shape, int ndim, int dtype, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern IntPtr shim_arange(ShimScalar start, ShimScalar stop, ShimScalar step, int dtype, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern IntPtr shim_linspace(double start, double end, long steps, int dtype, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern IntPtr shim_eye(long rows, long cols, int dtype, int devType, int devIndex, int requiresGrad);
        [DllImport(Lib)] internal static extern IntPtr shim_like(IntPtr t, int kind, ShimScalar value, int dtype, int devType, int devIndex, int requiresGrad);

        [DllImport(Lib)] internal static extern IntPtr shim_tensor_to(IntPtr t, int dtype, int devType, int devIndex, int copy, int nonBlocking);
        [DllImport(Lib)] internal static extern IntPtr shim_tensor_clone(IntPtr t);
        [DllImport(Lib)] internal static extern IntPtr shim_tensor_contiguous(IntPtr t);
        [DllImport(Lib)] internal static extern IntPtr shim_tensor_detach(IntPtr t);
        [DllImport(Lib)] internal static extern void shim_tensor_detach_(IntPtr t);
        [DllImport(Lib)] internal static extern IntPtr shim_tensor_alias(IntPtr t);
        [DllImport(Lib)] internal static extern unsafe void shim_tensor_copy_out(IntPtr t, void* dst, long nbytes);
        [DllImport(Lib)] internal static extern unsafe void shim_tensor_copy_in(IntPtr t, void* src, long nbytes);

        [DllImport(Lib)] internal static extern void shim_manual_seed(long seed);
        [DllImport(Lib)] internal static extern void shim_set_num_threads(int n);
        [DllImport(Lib)] internal static extern int shim_get_num_threads();
        [DllImport(Lib)] internal static extern void shim_set_num_interop_threads(int n);
        [DllImport(Lib)] internal static extern int shim_cuda_is_available();
        [DllImport(Lib)] internal static extern int shim_cuda_device_count();
        [DllImport(Lib)] internal static extern int shim_grad_enabled();
        [DllImport(Lib)] internal static extern void shim_set_grad_enabled(int enabled);
    }
}
