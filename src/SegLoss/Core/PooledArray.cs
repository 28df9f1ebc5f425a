using System;
using System.Buffers;

namespace SegLoss
{
    /// <summary>An array rented from <see cref="ArrayPool{T}.Shared"/> (possibly longer than <see cref="Length"/>).</summary>
    internal readonly struct PooledArray<T> : IDisposable
    {
        internal PooledArray(int length)
        {
            Array = ArrayPool<T>.Shared.Rent(Math.Max(length, 1));
            Length = length;
        }

        /// <summary>The rented array; only the first <see cref="Length"/> elements are meaningful.</summary>
        internal T[] Array { get; }

        /// <summary>The number of meaningful elements.</summary>
        internal int Length { get; }

        /// <summary>The meaningful elements.</summary>
        internal Span<T> Span => Array.AsSpan(0, Length);

        /// <summary>Returns the array to the pool.</summary>
        public void Dispose() => ArrayPool<T>.Shared.Return(Array);
    }
}
