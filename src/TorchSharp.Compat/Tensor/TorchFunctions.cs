using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        private static unsafe Tensor Join(IEnumerable<Tensor> tensors, long dim, bool stack)
        {
            var handles = tensors.Select(t => t.Handle).ToArray();
            if (handles.Length == 0) throw new ArgumentException("expected a non-empty list of tensors", nameof(tensors));
            fixed (IntPtr* p = handles)
                return Tensor.Wrap(stack ? Native.shim_stack(p, handles.Length, dim) : Native.shim_cat(p, handles.Length, dim));
        }

#pragma warning disable CS1591 // static forms mirror TorchSharp's
        public static Tensor cat(IList<Tensor> tensors, long dim = 0) => Join(tensors, dim, false);
        public static Tensor cat(Tensor[] tensors, long dim = 0) => Join(tensors, dim, false);
        public static Tensor concat(IList<Tensor> tensors, long dim = 0) => Join(tensors, dim, false);
        public static Tensor stack(IEnumerable<Tensor> tensors, long dim = 0) => Join(tensors, dim, true);

        public static Tensor where(Tensor condition, Tensor x, Tensor y) => x.where(condition, y);
        public static Tensor gather(Tensor input, long dim, Tensor index) => input.gather(dim, index);
        public static Tensor scatter(Tensor input, long dim, Tensor index, Tensor src) => input.scatter(dim, index, src);
        public static Tensor scatter_add(Tensor input, long dim, Tensor index, Tensor src) => input.scatter_add(dim, index, src);
        public static Tensor index_select(Tensor input, long dim, Tensor index) => input.index_select(dim, index);
        public static Tensor reshape(Tensor input, params long[] shape) => input.reshape(shape);
        public static Tensor permute(Tensor input, params long[] permutation) => input.permute(permutation);
        public static Tensor transpose(Tensor input, long dim0, long dim1) => input.transpose(dim0, dim1);
        public static Tensor unsqueeze(Tensor input, long dim) => input.unsqueeze(dim);
        public static Tensor squeeze(Tensor input, long? dim = null) => input.squeeze(dim);
        public static Tensor flatten(Tensor input, long start_dim = 0, long end_dim = -1) => input.flatten(start_dim, end_dim);

        public static Tensor abs(Tensor input) => input.abs();
        public static Tensor exp(Tensor input) => input.exp();
        public static Tensor exp_(Tensor input) => input.exp_();
        public static Tensor log(Tensor input) => input.log();
        public static Tensor log1p(Tensor input) => input.log1p();
        public static Tensor sqrt(Tensor input) => input.sqrt();
        public static Tensor square(Tensor input) => input.square();
        public static Tensor sigmoid(Tensor input) => input.sigmoid();
        public static Tensor sign(Tensor input) => input.sign();
        public static Tensor neg(Tensor input) => input.neg();
        public static Tensor floor(Tensor input) => input.floor();
        public static Tensor tanh(Tensor input) => input.tanh();
        public static Tensor pow(Tensor left, Tensor exponent) => left.pow(exponent);
        public static Tensor pow(Tensor left, Scalar exponent) => left.pow(exponent);
        public static Tensor clamp(Tensor input, Scalar? min = null, Scalar? max = null) => input.clamp(min, max);
        public static Tensor clamp(Tensor input, Tensor? min = null, Tensor? max = null) => input.clamp(min, max);
        public static Tensor clamp_min(Tensor input, Scalar min) => input.clamp_min(min);
        public static Tensor clamp_max(Tensor input, Scalar max) => input.clamp_max(max);
        public static Tensor add(Tensor left, Tensor right) => left.add(right);
        public static Tensor add(Tensor left, Scalar right) => left.add(right);
        public static Tensor sub(Tensor left, Tensor right) => left.sub(right);
        public static Tensor sub(Tensor left, Scalar right) => left.sub(right);
        public static Tensor mul(Tensor left, Tensor right) => left.mul(right);
        public static Tensor mul(Tensor left, Scalar right) => left.mul(right);
        public static Tensor div(Tensor left, Tensor right, RoundingMode rounding_mode = RoundingMode.None) => left.div(right, rounding_mode);
        public static Tensor div(Tensor left, Scalar right, RoundingMode rounding_mode = RoundingMode.None) => left.div(right, rounding_mode);
        public static Tensor eq(Tensor left, Tensor right) => left.eq(right);
        public static Tensor ne(Tensor left, Tensor right) => left.ne(right);
        public static Tensor lt(Tensor left, Tensor right) => left.lt(right);
        public static Tensor le(Tensor left, Tensor right) => left.le(right);
        public static Tensor gt(Tensor left, Tensor right) => left.gt(right);
        public static Tensor ge(Tensor left, Tensor right) => left.ge(right);
        public static Tensor maximum(Tensor input, Tensor other) => input.maximum(other);
        public static Tensor minimum(Tensor input, Tensor other) => input.minimum(other);
        public static Tensor logical_and(Tensor left, Tensor right) => left.logical_and(right);
        public static Tensor logical_or(Tensor left, Tensor right) => left.logical_or(right);
        public static Tensor logical_not(Tensor input) => input.logical_not();
        public static Tensor isnan(Tensor input) => input.isnan();
        public static bool allclose(Tensor tensor, Tensor target, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false) => tensor.allclose(target, rtol, atol, equal_nan);
        public static Tensor matmul(Tensor left, Tensor right) => left.matmul(right);

        public static Tensor softmax(Tensor input, int dim, ScalarType? dtype = null) => input.softmax(dim, dtype);
        public static Tensor sum(Tensor input, ScalarType? type = null) => input.sum(type);
        public static Tensor sum(Tensor input, long dim, bool keepdim = false, ScalarType? type = null) => input.sum(dim, keepdim, type);
        public static Tensor sum(Tensor input, ReadOnlySpan<long> dim, bool keepdim = false, ScalarType? type = null) => input.sum(dim, keepdim, type);
        public static Tensor mean(Tensor input) => input.mean();
        public static Tensor mean(Tensor input, long[] dimensions, bool keepdim = false, ScalarType? type = null) => input.mean(dimensions, keepdim, type);
        public static Tensor max(Tensor input) => input.max();
        public static (Tensor values, Tensor indexes) max(Tensor input, long dim, bool keepdim = false) => input.max(dim, keepdim);
        public static Tensor max(Tensor input, Tensor other) => input.maximum(other);
        public static Tensor min(Tensor input) => input.min();
        public static (Tensor values, Tensor indexes) min(Tensor input, long dim, bool keepdim = false) => input.min(dim, keepdim);
        public static Tensor min(Tensor input, Tensor other) => input.minimum(other);
        public static Tensor argmax(Tensor input) => input.argmax();
        public static Tensor argmax(Tensor input, long dim, bool keepdim = false) => input.argmax(dim, keepdim);
        public static Tensor argmin(Tensor input) => input.argmin();
        public static Tensor argmin(Tensor input, long dim, bool keepdim = false) => input.argmin(dim, keepdim);
        public static (Tensor values, Tensor indices) sort(Tensor input, long dim = -1, bool descending = false, bool stable = false)
        {
            var (v, i) = input.sort(dim, descending, stable);
            return (v, i);
        }
        public static Tensor argsort(Tensor input, long dim = -1, bool descending = false) => input.argsort(dim, descending);
        public static (Tensor values, Tensor indices) topk(Tensor tensor, int k, int dim = -1, bool largest = true, bool sorted = true)
        {
            var (v, i) = tensor.topk(k, dim, largest, sorted);
            return (v, i);
        }
        public static Tensor cumsum(Tensor input, long dim, ScalarType? type = null) => input.cumsum(dim, type);
        public static Tensor logsumexp(Tensor input, long dim, bool keepdim = false) => input.logsumexp(dim, keepdim);
        public static long numel(Tensor input) => input.numel();
#pragma warning restore CS1591
    }
}
