using System;
using System.Collections;
using System.Collections.Generic;

namespace TorchSharp.Utils
{
    /// <summary>
    /// Element access to a tensor. This binding reads a copy of the values on first element access (a whole-tensor
    /// <see cref="CopyTo"/> copies straight into the destination instead); writes through the indexer go to both the
    /// copy and the tensor.
    /// </summary>
    public sealed class TensorAccessor<T> : IDisposable, IEnumerable<T> where T : unmanaged
    {
        private readonly torch.Tensor _tensor;
        private readonly long[] _strides;
        private readonly long _count;
        private T[]? _copy;

        internal TensorAccessor(torch.Tensor tensor)
        {
            _tensor = tensor;
            _count = tensor.numel();
            var shape = tensor.shape;
            _strides = new long[shape.Length];
            long s = 1;
            for (int i = shape.Length - 1; i >= 0; i--) { _strides[i] = s; s *= shape[i]; }
        }

        /// <summary>The number of elements.</summary>
        public long Count => _count;

        private T[] Values => _copy ??= _tensor.CopyOut<T>();

        /// <summary>The elements, row-major.</summary>
        public T[] ToArray() => (T[])Values.Clone();

        /// <summary>One element by its multi-dimensional (or, with one index, flat) position.</summary>
        public T this[params long[] indices]
        {
            get => Values[Offset(indices)];
            set
            {
                long offset = Offset(indices);
                Values[offset] = value;
                _tensor.CopyIn(Values);
            }
        }

        private long Offset(long[] indices)
        {
            if (indices.Length == 1) return indices[0];
            if (indices.Length != _strides.Length) throw new ArgumentException($"expected {_strides.Length} indices, got {indices.Length}", nameof(indices));
            long o = 0;
            for (int i = 0; i < indices.Length; i++) o += indices[i] * _strides[i];
            return o;
        }

        /// <summary>Copies elements into an array.</summary>
        public void CopyTo(T[] array, int arrayIndex = 0, long tensorIndex = 0)
        {
            if (_copy is null && tensorIndex == 0 && arrayIndex >= 0 && array.LongLength - arrayIndex >= _count)
            {
                _tensor.CopyOutInto(array, arrayIndex);
                return;
            }
            Array.Copy(Values, tensorIndex, array, arrayIndex, Math.Min(array.Length - arrayIndex, _count - tensorIndex));
        }

        /// <inheritdoc/>
        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Values).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => Values.GetEnumerator();

        /// <summary>Nothing native to release.</summary>
        public void Dispose() { }
    }
}
