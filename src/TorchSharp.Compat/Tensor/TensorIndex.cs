using System;
using System.Runtime.CompilerServices;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        /// <summary>One component of an indexing expression: a number, a slice, an ellipsis, None, a bool or a tensor.</summary>
        public struct TensorIndex
        {
            internal enum Kind { Single = 0, Slice = 1, Ellipsis = 2, None = 3, Bool = 4, Tensor = 5 }

            internal Kind kind;
            internal long? start;
            internal long? stop;
            internal long? step;
            internal Tensor? tensor;

            /// <summary>A slice start:stop:step (nulls mean the defaults).</summary>
            public static TensorIndex Slice(long? start = null, long? stop = null, long? step = null) =>
                new TensorIndex { kind = Kind.Slice, start = start, stop = stop, step = step };

            /// <summary>A slice from a tuple.</summary>
            public static TensorIndex Slice((int? start, int? end) range) => Slice(range.start, range.end);

            /// <summary>A slice from a C# range (from-end indices map to negative positions).</summary>
            public static TensorIndex Slice(Range range)
            {
                long? s = range.Start.IsFromEnd ? (range.Start.Value == 0 ? null : -range.Start.Value) : range.Start.Value;
                long? e = range.End.IsFromEnd ? (range.End.Value == 0 ? null : -range.End.Value) : range.End.Value;
                if (!range.Start.IsFromEnd && range.Start.Value == 0) s = null;
                return Slice(s, e);
            }

            /// <summary>A single position (removes the dimension).</summary>
            public static TensorIndex Single(long? index) => new TensorIndex { kind = Kind.Single, start = index };

            /// <summary>A boolean index (adds a dimension of size 1 or 0).</summary>
            public static TensorIndex Bool(bool value) => new TensorIndex { kind = Kind.Bool, start = value ? 1 : 0 };

            /// <summary>An index tensor (integer or boolean mask).</summary>
            public static TensorIndex Tensor(Tensor tensor) => new TensorIndex { kind = Kind.Tensor, tensor = tensor };

            /// <summary>"..."</summary>
            public static TensorIndex Ellipsis => new TensorIndex { kind = Kind.Ellipsis };

            /// <summary>A new axis.</summary>
            public static TensorIndex None => new TensorIndex { kind = Kind.None };

            /// <summary>A new axis (TorchSharp's alias).</summary>
            public static TensorIndex Null => None;

            /// <summary>":" — every element of the dimension.</summary>
            public static TensorIndex Colon => Slice();

#pragma warning disable CS1591
            public static implicit operator TensorIndex(long index) => Single(index);
            public static implicit operator TensorIndex((int? start, int? end) range) => Slice(range);
            public static implicit operator TensorIndex(Range range) => Slice(range);
            public static implicit operator TensorIndex(Index index) => Single(index.IsFromEnd ? -index.Value : index.Value);
#pragma warning restore CS1591
        }

        public partial class Tensor
        {
            private unsafe IntPtr IndexCall(TensorIndex[] indices, Tensor? value, Scalar? scalar, bool put)
            {
                int n = indices.Length;
                Span<int> kinds = stackalloc int[n];
                Span<int> has = stackalloc int[n];
                Span<long> starts = stackalloc long[n];
                Span<long> stops = stackalloc long[n];
                Span<long> steps = stackalloc long[n];
                var tensors = new IntPtr[n];
                for (int i = 0; i < n; i++)
                {
                    var ix = indices[i];
                    kinds[i] = (int)ix.kind;
                    has[i] = (ix.start.HasValue ? 1 : 0) | (ix.stop.HasValue ? 2 : 0) | (ix.step.HasValue ? 4 : 0);
                    starts[i] = ix.start ?? 0;
                    stops[i] = ix.stop ?? 0;
                    steps[i] = ix.step ?? 1;
                    tensors[i] = ix.tensor?.Handle ?? IntPtr.Zero;
                }
                fixed (int* k = kinds) fixed (int* h = has) fixed (long* a = starts) fixed (long* b = stops) fixed (long* c = steps) fixed (IntPtr* t = tensors)
                {
                    if (!put) return Native.shim_index(Handle, k, h, a, b, c, t, n);
                    if (value is not null) Native.shim_index_put_(Handle, value.Handle, k, h, a, b, c, t, n);
                    else Native.shim_index_put_scalar_(Handle, scalar!.Value, k, h, a, b, c, t, n);
                    CheckForErrors();
                    return IntPtr.Zero;
                }
            }

#pragma warning disable CS1591
            public Tensor index(params TensorIndex[] indices) => Wrap(IndexCall(indices, null, null, false));
            public Tensor index(params Tensor[] indices) => index(Array.ConvertAll(indices, TensorIndex.Tensor));
            public Tensor index_put_(Tensor value, params TensorIndex[] indices) { IndexCall(indices, value, null, true); return this; }
            public Tensor index_put_(Scalar value, params TensorIndex[] indices) { IndexCall(indices, null, value, true); return this; }
            public unsafe Tensor index_put_(Tensor value, TensorIndex[] indices, bool accumulate = false)
            {
                if (!accumulate) return index_put_(value, indices);
                var handles = new IntPtr[indices.Length];
                for (int i = 0; i < indices.Length; i++)
                {
                    if (indices[i].kind != TensorIndex.Kind.Tensor) throw new ArgumentException("index_put_ with accumulate takes tensor indices only", nameof(indices));
                    handles[i] = indices[i].tensor!.Handle;
                }
                fixed (IntPtr* p = handles) Native.shim_index_put_accumulate_(Handle, value.Handle, p, handles.Length, 1);
                CheckForErrors();
                return this;
            }
            public Tensor index_put_(Tensor value, params Tensor[] indices) => index_put_(value, Array.ConvertAll(indices, TensorIndex.Tensor));

            [IndexerName("TensorItems")]
            public Tensor this[params TensorIndex[] indices]
            {
                get => index(indices);
                set => index_put_(value, indices);
            }

            [IndexerName("TensorItems")]
            public Tensor this[params Tensor[] indices]
            {
                get => index(indices);
                set => index_put_(value, indices);
            }

            [IndexerName("TensorItems")]
            public Tensor this[long i1]
            {
                get => index(TensorIndex.Single(i1));
                set => index_put_(value, TensorIndex.Single(i1));
            }

            [IndexerName("TensorItems")]
            public Tensor this[long i1, long i2]
            {
                get => index(TensorIndex.Single(i1), TensorIndex.Single(i2));
                set => index_put_(value, TensorIndex.Single(i1), TensorIndex.Single(i2));
            }

            [IndexerName("TensorItems")]
            public Tensor this[long i1, long i2, long i3]
            {
                get => index(TensorIndex.Single(i1), TensorIndex.Single(i2), TensorIndex.Single(i3));
                set => index_put_(value, TensorIndex.Single(i1), TensorIndex.Single(i2), TensorIndex.Single(i3));
            }

            [IndexerName("TensorItems")]
            public Tensor this[long i1, long i2, long i3, long i4]
            {
                get => index(TensorIndex.Single(i1), TensorIndex.Single(i2), TensorIndex.Single(i3), TensorIndex.Single(i4));
                set => index_put_(value, TensorIndex.Single(i1), TensorIndex.Single(i2), TensorIndex.Single(i3), TensorIndex.Single(i4));
            }
#pragma warning restore CS1591
        }
    }
}
