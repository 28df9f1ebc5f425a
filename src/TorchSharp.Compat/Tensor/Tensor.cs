using System;
using System.Runtime.InteropServices;
using System.Threading;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        /// <summary>
        /// A tensor: owns exactly one native handle (a reference to a libtorch tensor), released by
        /// <see cref="Dispose()"/>, by the dispose scope it was created in, or by the finalizer.
        /// </summary>
#pragma warning disable CS0660, CS0661 // == and != are element-wise, as in TorchSharp; Equals stays reference equality
        public partial class Tensor : IDisposable
#pragma warning restore CS0660, CS0661
        {
            private static long _totalCount;
            private static long _peakCount;
            private IntPtr _handle;

            internal Tensor(IntPtr handle, bool register = true)
            {
                _handle = handle;
                long live = Interlocked.Increment(ref _totalCount);
                long peak;
                while (live > (peak = Interlocked.Read(ref _peakCount)) && Interlocked.CompareExchange(ref _peakCount, live, peak) != peak) { }
                if (register) DisposeScopeManager.RegisterOnCurrent(this);
            }

            /// <summary>Number of managed tensors whose native handle has not been released yet.</summary>
            public static long TotalCount => Interlocked.Read(ref _totalCount);

            /// <summary>The largest <see cref="TotalCount"/> seen so far.</summary>
            public static long PeakCount => Interlocked.Read(ref _peakCount);

            /// <summary>Wraps a native handle returned by the shim, turning a null handle into the pending exception.</summary>
            internal static Tensor Wrap(IntPtr handle)
            {
                if (handle == IntPtr.Zero)
                {
                    CheckForErrors();
                    throw new ExternalException("libtorch returned no tensor");
                }
                return new Tensor(handle);
            }

            /// <summary>Wraps a handle that may legitimately be null (an undefined tensor such as a missing grad).</summary>
            internal static Tensor? WrapNullable(IntPtr handle)
            {
                if (handle == IntPtr.Zero)
                {
                    CheckForErrors();
                    return null;
                }
                return new Tensor(handle);
            }

            /// <summary>Takes ownership of a native handle obtained elsewhere.</summary>
            public static Tensor UnsafeCreateTensor(IntPtr handle) => new Tensor(handle);

            /// <summary>The native handle; throws once the tensor is disposed.</summary>
            public IntPtr Handle
            {
                get
                {
                    if (_handle == IntPtr.Zero) throw new InvalidOperationException("Tensor invalid -- empty handle.");
                    return _handle;
                }
            }

            /// <summary>True once the tensor is disposed (or its handle was taken by a Parameter).</summary>
            public bool IsInvalid => _handle == IntPtr.Zero;

            /// <summary>The scope that will dispose this tensor, if any.</summary>
            internal DisposeScope? OwningDisposeScope { get; set; }

            /// <summary>Gives the handle away (to a Parameter); this object becomes invalid without releasing it.</summary>
            internal IntPtr StealHandle()
            {
                IntPtr h = Handle;
                _handle = IntPtr.Zero;
                Interlocked.Decrement(ref _totalCount);
                GC.SuppressFinalize(this);
                return h;
            }

            /// <summary>An optional name (TorchSharp's named tensors are not supported; the name is informative).</summary>
            public string? name { get; set; }

            /// <summary>Releases the native handle.</summary>
            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            /// <summary>Releases the native handle; when disposing, also leaves the owning scope.</summary>
            protected virtual void Dispose(bool disposing)
            {
                if (disposing) OwningDisposeScope?.Detach(this);
                IntPtr h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
                if (h != IntPtr.Zero)
                {
                    Native.shim_tensor_dispose(h);
                    Interlocked.Decrement(ref _totalCount);
                }
            }

            /// <summary>Finalizer: releases the native handle of a tensor nobody disposed.</summary>
            ~Tensor() => Dispose(false);

            /// <summary>Moves the tensor to the scope enclosing its owner (or detaches it when there is none).</summary>
            public Tensor MoveToOuterDisposeScope()
            {
                OwningDisposeScope?.MoveToOuter(this);
                return this;
            }

            /// <summary>Removes the tensor from its scope: the caller owns it.</summary>
            public Tensor DetachFromDisposeScope()
            {
                OwningDisposeScope?.Detach(this);
                return this;
            }

            /// <summary>Moves the tensor into the scope that owns <paramref name="other"/>.</summary>
            public Tensor MoveToOtherDisposeScope(Tensor other) => MoveToOtherDisposeScope(other.OwningDisposeScope);

            /// <summary>Moves the tensor into the given scope (null detaches it).</summary>
            public Tensor MoveToOtherDisposeScope(DisposeScope? other)
            {
                OwningDisposeScope?.Detach(this);
                other?.Attach(this);
                return this;
            }

            // ---- metadata ----

            /// <summary>The sizes of every dimension.</summary>
            public unsafe long[] shape
            {
                get
                {
                    var h = Handle;
                    var result = new long[Native.shim_tensor_ndim(h)];
                    fixed (long* p = result) Native.shim_tensor_shape(h, p);
                    return result;
                }
            }

            /// <summary>The sizes of every dimension.</summary>
            public long[] size() => shape;

            /// <summary>The size of one dimension (negative counts from the end).</summary>
            public long size(int dim)
            {
                var s = shape;
                int d = dim < 0 ? dim + s.Length : dim;
                if (d < 0 || d >= s.Length) throw new IndexOutOfRangeException($"dimension {dim} is out of range for a tensor of rank {s.Length}");
                return s[d];
            }

            /// <summary>The number of dimensions.</summary>
            public long dim() => Native.shim_tensor_ndim(Handle);

            /// <summary>The number of dimensions.</summary>
            public long ndim => dim();

            /// <summary>The number of dimensions.</summary>
            public long Dimensions => dim();

            /// <summary>The number of elements.</summary>
            public long numel() => Native.shim_tensor_numel(Handle);

            /// <summary>The number of elements.</summary>
            public long NumberOfElements => numel();

            /// <summary>Bytes per element.</summary>
            public long element_size() => Native.shim_tensor_element_size(Handle);

            /// <summary>Bytes per element.</summary>
            public long ElementSize => element_size();

            /// <summary>The element type.</summary>
            public ScalarType dtype => (ScalarType)Native.shim_tensor_dtype(Handle);

            /// <summary>The device holding the data.</summary>
            public Device device => new Device(device_type, device_index);

            /// <summary>The type of the device holding the data.</summary>
            public DeviceType device_type => (DeviceType)Native.shim_tensor_device_type(Handle);

            /// <summary>The index of the device holding the data.</summary>
            public int device_index => Native.shim_tensor_device_index(Handle);

            /// <summary>True when the data lives on a CUDA device.</summary>
            public bool is_cuda => device_type == DeviceType.CUDA;

            /// <summary>True when the elements are laid out contiguously.</summary>
            public bool is_contiguous() => Native.shim_tensor_is_contiguous(Handle) != 0;

            /// <summary>True for floating-point dtypes.</summary>
            public bool is_floating_point() => torch.is_floating_point(dtype);

            /// <summary>True for integer dtypes (bool excluded).</summary>
            public bool is_integral() => torch.is_integral(dtype);

            /// <summary>True for complex dtypes.</summary>
            public bool is_complex() => dtype is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64;

            /// <summary>Metadata, e.g. "[2x3], type = Float32, device = cpu".</summary>
            public override string ToString()
            {
                if (IsInvalid) return "Tensor (disposed)";
                return $"[{string.Join("x", shape)}], type = {dtype}, device = {device}";
            }
        }
    }
}
