using System;
using System.Runtime.InteropServices;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        public partial class Tensor
        {
#pragma warning disable CS1591 // shape operations mirror TorchSharp's names and overloads
            public unsafe Tensor reshape(params long[] shape) { fixed (long* p = shape) return Wrap(Native.shim_reshape(Handle, p, shape.Length)); }
            public unsafe Tensor view(params long[] shape) { fixed (long* p = shape) return Wrap(Native.shim_view(Handle, p, shape.Length)); }
            public Tensor view_as(Tensor other) => view(other.shape);
            public Tensor reshape_as(Tensor other) => reshape(other.shape);
            public unsafe Tensor permute(params long[] permutation) { fixed (long* p = permutation) return Wrap(Native.shim_permute(Handle, p, permutation.Length)); }
            public Tensor permute(IEnumerable<long> permutation) => permute(permutation.ToArray());
            public Tensor transpose(long dim0, long dim1) => Wrap(Native.shim_transpose(Handle, dim0, dim1));
            public Tensor t() => transpose(0, 1);
            public Tensor unsqueeze(long dim) => Wrap(Native.shim_unsqueeze(Handle, dim));
            public Tensor squeeze(long? dim = null) => Wrap(Native.shim_squeeze(Handle, dim.HasValue ? 1 : 0, dim ?? 0));
            public Tensor flatten(long start_dim = 0, long end_dim = -1) => Wrap(Native.shim_flatten(Handle, start_dim, end_dim));
            public unsafe Tensor unflatten(long dim, params long[] sizes) { fixed (long* p = sizes) return Wrap(Native.shim_unflatten(Handle, dim, p, sizes.Length)); }
            public Tensor expand(params long[] sizes) => expand(sizes, false);
            public unsafe Tensor expand(long[] sizes, bool isImplicit = false) { fixed (long* p = sizes) return Wrap(Native.shim_expand(Handle, p, sizes.Length, isImplicit ? 1 : 0)); }
            public unsafe Tensor expand(ReadOnlySpan<long> sizes, bool isImplicit = false) { fixed (long* p = sizes) return Wrap(Native.shim_expand(Handle, p, sizes.Length, isImplicit ? 1 : 0)); }
            public Tensor expand_as(Tensor other) => expand(other.shape);
            public Tensor broadcast_to(params long[] shape) => expand(shape);
            public unsafe Tensor repeat(params long[] sizes) { fixed (long* p = sizes) return Wrap(Native.shim_repeat(Handle, p, sizes.Length)); }
            public unsafe Tensor flip(params long[] dims) { fixed (long* p = dims) return Wrap(Native.shim_flip(Handle, p, dims.Length)); }
            public Tensor roll(long shifts, long? dims = null) => Wrap(Native.shim_roll(Handle, shifts, dims.HasValue ? 1 : 0, dims ?? 0));
            public Tensor narrow(long dim, long start, long length) => Wrap(Native.shim_narrow(Handle, dim, start, length));
            public Tensor select(long dim, long index) => Wrap(Native.shim_select(Handle, dim, index));

            private unsafe Tensor[] Split(int kind, long arg, long dim, long capacity)
            {
                var handles = new IntPtr[Math.Max(capacity, 1)];
                long n;
                fixed (IntPtr* p = handles) n = Native.shim_split(Handle, kind, arg, dim, p, handles.Length);
                if (n < 0) { CheckForErrors(); throw new ExternalException("split failed"); }
                var result = new Tensor[n];
                for (long i = 0; i < n; i++) result[i] = new Tensor(handles[i]);
                return result;
            }
            private long DimSize(long dim) => size((int)dim);
            public Tensor[] split(long size, int dim = 0)
            {
                if (size <= 0) throw new ArgumentException($"split size must be positive, got {size}", nameof(size));
                return Split(0, size, dim, (DimSize(dim) + size - 1) / size);
            }
            public Tensor[] chunk(long chunks, long dim = 0L)
            {
                if (chunks <= 0) throw new ArgumentException($"chunks must be positive, got {chunks}", nameof(chunks));
                return Split(1, chunks, dim, chunks);
            }
            public Tensor[] unbind(long dimension = 0L) => Split(2, 0, dimension, DimSize(dimension));

            public Tensor gather(long dim, Tensor index) => Wrap(Native.shim_gather(Handle, dim, index.Handle));
            public Tensor take_along_dim(Tensor indices, long dim) => Wrap(Native.shim_take_along_dim(Handle, indices.Handle, dim));
            public Tensor scatter(long dim, Tensor index, Tensor src) => Wrap(Native.shim_scatter(Handle, 0, dim, index.Handle, src.Handle));
            public Tensor scatter_(long dim, Tensor index, Tensor src) { Native.shim_scatter_(Handle, 0, dim, index.Handle, src.Handle); CheckForErrors(); return this; }
            public Tensor scatter_add(long dim, Tensor index, Tensor src) => Wrap(Native.shim_scatter(Handle, 1, dim, index.Handle, src.Handle));
            public Tensor scatter_add_(long dim, Tensor index, Tensor src) { Native.shim_scatter_(Handle, 1, dim, index.Handle, src.Handle); CheckForErrors(); return this; }
            public Tensor index_select(long dim, Tensor index) => Wrap(Native.shim_index_select(Handle, dim, index.Handle));
            public Tensor index_fill(long dim, Tensor index, Scalar value) => Wrap(Native.shim_index_fill(Handle, dim, index.Handle, value.Value));
            public Tensor index_add(long dim, Tensor index, Tensor source, Scalar alpha) => Wrap(Native.shim_index_add(Handle, dim, index.Handle, source.Handle, alpha.Value));
            public Tensor masked_fill(Tensor mask, Scalar value) => Wrap(Native.shim_masked_fill(Handle, mask.Handle, value.Value));
            public Tensor masked_fill_(Tensor mask, Scalar value) { Native.shim_masked_fill_(Handle, mask.Handle, value.Value); CheckForErrors(); return this; }
            public Tensor masked_select(Tensor mask) => Wrap(Native.shim_masked_select(Handle, mask.Handle));
            public Tensor nonzero() => Wrap(Native.shim_nonzero(Handle));
#pragma warning restore CS1591
        }
    }
}
