using System;
using System.Collections;
using System.Collections.Generic;

namespace TorchSharp.Utils
{
    /// <summary>
    /// Element access to a tensor. This binding reads a copy of the values when the accessor is created;
    /// writes through the indexer go to both the copy and the tensor.
    /// </summary>
    public sealed class TensorAccessor<T> : IDisposable, IEnumerable<T> where T : unmanaged
    {
        private readonly torch.Tensor _tensor;
        private readonly T[] _values;
        private readonly long[] _strides;

        internal TensorAccessor(torch.Tensor tensor, T[] values)
        {
            _tensor = tensor;
            _values = values;
            var shape = tensor.shape;
            _strides = new long[shape.Length];
            long s = 1;
            for (int i = shape.Length - 1; i >= 0; i--) { _strides[i] = s; s *= shape[i]; }
        }

        /// <summary>The number of elements.</summary>
        public long Count => _values.LongLength;

        /// <summary>The elements, row-major.</summary>
        public T[] ToArray() => (T[])_values.Clone();

        /// <summary>One element by its multi-dimensional (or, with one index, flat) position.</summary>
        public T this[params long[] indices]
        {
            get => _values[Offset(indices)];
            set
            {
                long offset = Offset(indices);
                _values[offset] = value;
                _tensor.CopyIn(_values);
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
        public void CopyTo(T[] array, int arrayIndex = 0, long tensorIndex = 0) =>
            Array.Copy(_values, tensorIndex, array, arrayIndex, Math.Min(array.Length - arrayIndex, _values.LongLength - tensorIndex));

        /// <inheritdoc/>
        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_values).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => _values.GetEnumerator();

        /// <summary>Nothing native to release.</summary>
        public void Dispose() { }
    }
}
