using System;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        public partial class Tensor
        {
            private static int Code(ScalarType? type) => type.HasValue ? (int)type.Value : -1;

            internal unsafe Tensor SumDims(ReadOnlySpan<long> dims, bool keepdim, ScalarType? type)
            {
                fixed (long* p = dims) return Wrap(Native.shim_sum_dims(Handle, p, dims.Length, keepdim ? 1 : 0, Code(type)));
            }

#pragma warning disable CS1591 // reductions mirror TorchSharp's names and overloads
            public Tensor sum(ScalarType? type = null) => Wrap(Native.shim_sum(Handle, Code(type)));
            public Tensor sum(long dim, bool keepdim = false, ScalarType? type = null) => SumDims(stackalloc long[] { dim }, keepdim, type);
            public Tensor sum(long dim0, long dim1, bool keepdim = false, ScalarType? type = null) => SumDims(stackalloc long[] { dim0, dim1 }, keepdim, type);
            public Tensor sum(long dim0, long dim1, long dim2, bool keepdim = false, ScalarType? type = null) => SumDims(stackalloc long[] { dim0, dim1, dim2 }, keepdim, type);
            public Tensor sum(long[] dim, bool keepdim = false, ScalarType? type = null) => SumDims(dim, keepdim, type);
            public Tensor sum(ReadOnlySpan<long> dim, bool keepdim = false, ScalarType? type = null) => SumDims(dim, keepdim, type);

            public Tensor mean() => Wrap(Native.shim_mean(Handle, -1));
            public unsafe Tensor mean(long[] dimensions, bool keepdim = false, ScalarType? type = null)
            {
                fixed (long* p = dimensions) return Wrap(Native.shim_mean_dims(Handle, p, dimensions.Length, keepdim ? 1 : 0, Code(type)));
            }

            public Tensor prod(ScalarType? type = null) => Wrap(Native.shim_prod(Handle, Code(type)));
            public Tensor prod(long dim, bool keepdim = false, ScalarType? type = null) => Wrap(Native.shim_prod_dim(Handle, dim, keepdim ? 1 : 0, Code(type)));

            public Tensor max() => Wrap(Native.shim_reduce_all(Handle, 0));
            public Tensor min() => Wrap(Native.shim_reduce_all(Handle, 1));
            public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
            {
                var v = Native.shim_max_min_dim(Handle, 0, dim, keepdim ? 1 : 0, out var i);
                var values = Wrap(v);
                return (values, Wrap(i));
            }
            public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false)
            {
                var v = Native.shim_max_min_dim(Handle, 1, dim, keepdim ? 1 : 0, out var i);
                var values = Wrap(v);
                return (values, Wrap(i));
            }
            /// <summary>The minimum and maximum in one pass, along <paramref name="dim"/> (over all elements when null).</summary>
            public (Tensor min, Tensor max) aminmax(long? dim = null, bool keepDim = false)
            {
                var lo = Native.shim_aminmax(Handle, dim ?? 0, dim.HasValue ? 1 : 0, keepDim ? 1 : 0, out var hi);
                var min = Wrap(lo);
                return (min, Wrap(hi));
            }
            public Tensor all() => Wrap(Native.shim_reduce_all(Handle, 2));
            public Tensor any() => Wrap(Native.shim_reduce_all(Handle, 3));
            public Tensor argmax() => Wrap(Native.shim_reduce_all(Handle, 4));
            public Tensor argmin() => Wrap(Native.shim_reduce_all(Handle, 5));
            public Tensor all(long dim, bool keepdim = false) => Wrap(Native.shim_reduce_dim(Handle, 2, dim, keepdim ? 1 : 0));
            public Tensor any(long dim, bool keepdim = false) => Wrap(Native.shim_reduce_dim(Handle, 3, dim, keepdim ? 1 : 0));
            public Tensor argmax(long dim, bool keepdim = false) => Wrap(Native.shim_reduce_dim(Handle, 4, dim, keepdim ? 1 : 0));
            public Tensor argmin(long dim, bool keepdim = false) => Wrap(Native.shim_reduce_dim(Handle, 5, dim, keepdim ? 1 : 0));

            public Tensor amax(params long[] dims) => amax(dims, false);
            public unsafe Tensor amax(long[] dims, bool keepdim = false, Tensor? @out = null)
            {
                if (@out is not null) throw new NotSupportedException("amax(out:) is not supported by this binding");
                fixed (long* p = dims) return Wrap(Native.shim_amax_amin(Handle, 0, p, dims.Length, keepdim ? 1 : 0));
            }
            public Tensor amin(params long[] dims) => amin(dims, false);
            public unsafe Tensor amin(long[] dims, bool keepdim = false, Tensor? @out = null)
            {
                if (@out is not null) throw new NotSupportedException("amin(out:) is not supported by this binding");
                fixed (long* p = dims) return Wrap(Native.shim_amax_amin(Handle, 1, p, dims.Length, keepdim ? 1 : 0));
            }

            public Tensor norm(float p = 2.0f) => Wrap(Native.shim_norm(Handle, p));
            public Tensor norm(int dim, bool keepdim = false, float p = 2.0f) => Wrap(Native.shim_norm_dim(Handle, dim, keepdim ? 1 : 0, p));
            public Tensor logsumexp(long dim, bool keepdim = false) => Wrap(Native.shim_logsumexp(Handle, dim, keepdim ? 1 : 0));
            public Tensor cumsum(long dim, ScalarType? type = null) => Wrap(Native.shim_cumsum(Handle, dim, Code(type)));
            public Tensor cumprod(long dim, ScalarType? type = null) => Wrap(Native.shim_cumprod(Handle, dim, Code(type)));

            public (Tensor Values, Tensor Indices) sort(long dim = -1, bool descending = false, bool stable = false)
            {
                var v = Native.shim_sort(Handle, dim, descending ? 1 : 0, stable ? 1 : 0, out var i);
                var values = Wrap(v);
                return (values, Wrap(i));
            }
            public Tensor argsort(long dim = -1, bool descending = false) => Wrap(Native.shim_argsort(Handle, dim, descending ? 1 : 0));
            public (Tensor values, Tensor indexes) topk(int k, int dim = -1, bool largest = true, bool sorted = true)
            {
                var v = Native.shim_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var i);
                var values = Wrap(v);
                return (values, Wrap(i));
            }
            public Tensor bincount(Tensor? weights, long minlength = 0) => Wrap(Native.shim_bincount(Handle, weights?.Handle ?? IntPtr.Zero, minlength));
            public (Tensor output, Tensor? inverse_indices, Tensor? counts) unique(bool sorted = true, bool return_inverse = false, bool return_counts = false, int? dim = null)
            {
                if (dim.HasValue) throw new NotSupportedException("unique(dim:) is not supported by this binding");
                var o = Native.shim_unique(Handle, sorted ? 1 : 0, return_inverse ? 1 : 0, return_counts ? 1 : 0, out var inv, out var cnt);
                var output = Wrap(o);
                return (output, inv == IntPtr.Zero ? null : new Tensor(inv), cnt == IntPtr.Zero ? null : new Tensor(cnt));
            }
#pragma warning restore CS1591
        }
    }
}
