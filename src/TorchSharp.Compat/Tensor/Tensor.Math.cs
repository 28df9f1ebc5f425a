using System;
using TorchSharp.Interop;

namespace TorchSharp
{
    /// <summary>Rounding modes of <c>div</c>.</summary>
    public static partial class torch
    {
        /// <summary>How <c>div</c> rounds: not at all, toward zero, or down.</summary>
        public enum RoundingMode
        {
            /// <summary>True division.</summary>
            None,
            /// <summary>Round toward zero.</summary>
            trunc,
            /// <summary>Round down.</summary>
            floor,
        }

        public partial class Tensor
        {
            internal Tensor Binary(Tensor other, BinaryOp op) => Wrap(Native.shim_binary(Handle, other.Handle, (int)op));
            internal Tensor Binary(ShimScalar s, BinaryOp op) => Wrap(Native.shim_binary_scalar(Handle, s, (int)op));
            internal Tensor BinaryInPlace(Tensor other, BinaryOp op) { Native.shim_binary_(Handle, other.Handle, (int)op); CheckForErrors(); return this; }
            internal Tensor BinaryInPlace(ShimScalar s, BinaryOp op) { Native.shim_binary_scalar_(Handle, s, (int)op); CheckForErrors(); return this; }
            internal static Tensor ScalarBinary(ShimScalar s, Tensor t, BinaryOp op) => Wrap(Native.shim_scalar_binary(s, t.Handle, (int)op));
            internal Tensor Unary(UnaryOp op) => Wrap(Native.shim_unary(Handle, (int)op));
            internal Tensor UnaryInPlace(UnaryOp op) { Native.shim_unary_(Handle, (int)op); CheckForErrors(); return this; }

            /// <summary>
            /// alpha * scalar as one scalar: integral when both are (so that an integer tensor stays integral,
            /// as with libtorch's add(self, other, alpha)), floating point otherwise.
            /// </summary>
            private static ShimScalar Scaled(Scalar scalar, Scalar alpha) =>
                scalar.Value.Kind != 0 && alpha.Value.Kind != 0
                    ? ShimScalar.FromLong(scalar.Value.I * alpha.Value.I)
                    : ShimScalar.FromDouble(scalar.ToDouble() * alpha.ToDouble());

            private static BinaryOp DivOp(RoundingMode mode) => mode switch
            {
                RoundingMode.trunc => BinaryOp.DivTrunc,
                RoundingMode.floor => BinaryOp.DivFloor,
                _ => BinaryOp.Div,
            };

#pragma warning disable CS1591 // arithmetic mirrors TorchSharp/PyTorch names one to one
            public Tensor add(Tensor target) => Binary(target, BinaryOp.Add);
            public Tensor add(Tensor target, Scalar alpha) => Wrap(Native.shim_add_alpha(Handle, target.Handle, alpha.Value));
            public Tensor add(Scalar scalar) => Binary(scalar.Value, BinaryOp.Add);
            public Tensor add(Scalar scalar, Scalar alpha) => Binary(Scaled(scalar, alpha), BinaryOp.Add);
            public Tensor add_(Tensor target) => BinaryInPlace(target, BinaryOp.Add);
            public Tensor add_(Tensor target, Scalar alpha) { Native.shim_add_alpha_(Handle, target.Handle, alpha.Value); CheckForErrors(); return this; }
            public Tensor add_(Scalar scalar) => BinaryInPlace(scalar.Value, BinaryOp.Add);
            public Tensor sub(Tensor target) => Binary(target, BinaryOp.Sub);
            public Tensor sub(Scalar target) => Binary(target.Value, BinaryOp.Sub);
            public Tensor sub_(Tensor target) => BinaryInPlace(target, BinaryOp.Sub);
            public Tensor sub_(Scalar target) => BinaryInPlace(target.Value, BinaryOp.Sub);
            public Tensor mul(Tensor target) => Binary(target, BinaryOp.Mul);
            public Tensor mul(Scalar target) => Binary(target.Value, BinaryOp.Mul);
            public Tensor mul_(Tensor target) => BinaryInPlace(target, BinaryOp.Mul);
            public Tensor mul_(Scalar target) => BinaryInPlace(target.Value, BinaryOp.Mul);
            public Tensor div(Tensor target, RoundingMode rounding_mode = RoundingMode.None) => Binary(target, DivOp(rounding_mode));
            public Tensor div(Scalar target, RoundingMode rounding_mode = RoundingMode.None) => Binary(target.Value, DivOp(rounding_mode));
            public Tensor div_(Tensor target, RoundingMode rounding_mode = RoundingMode.None) => BinaryInPlace(target, DivOp(rounding_mode));
            public Tensor div_(Scalar target, RoundingMode rounding_mode = RoundingMode.None) => BinaryInPlace(target.Value, DivOp(rounding_mode));
            public Tensor remainder(Tensor target) => Binary(target, BinaryOp.Remainder);
            public Tensor remainder(Scalar target) => Binary(target.Value, BinaryOp.Remainder);
            public Tensor pow(Tensor exponent) => Binary(exponent, BinaryOp.Pow);
            public Tensor pow(Scalar exponent) => Binary(exponent.Value, BinaryOp.Pow);
            public Tensor pow_(Tensor exponent) => BinaryInPlace(exponent, BinaryOp.Pow);
            public Tensor pow_(Scalar exponent) => BinaryInPlace(exponent.Value, BinaryOp.Pow);
            public Tensor maximum(Tensor other) => Binary(other, BinaryOp.Maximum);
            public Tensor minimum(Tensor other) => Binary(other, BinaryOp.Minimum);
            public Tensor max(Tensor other) => Binary(other, BinaryOp.Maximum);
            public Tensor min(Tensor other) => Binary(other, BinaryOp.Minimum);
            public Tensor atan2(Tensor other) => Binary(other, BinaryOp.Atan2);
            public Tensor matmul(Tensor target) => Binary(target, BinaryOp.Matmul);
            public Tensor mm(Tensor target) => Binary(target, BinaryOp.Mm);
            public Tensor bmm(Tensor batch2) => Binary(batch2, BinaryOp.Bmm);
            public Tensor addcmul(Tensor tensor1, Tensor tensor2, Scalar value) => Wrap(Native.shim_addcmul(Handle, tensor1.Handle, tensor2.Handle, value.Value));
            public Tensor addcmul_(Tensor tensor1, Tensor tensor2, Scalar value) { Native.shim_addcmul_(Handle, tensor1.Handle, tensor2.Handle, value.Value); CheckForErrors(); return this; }
            public Tensor addcdiv_(Tensor tensor1, Tensor tensor2, Scalar value) { Native.shim_addcdiv_(Handle, tensor1.Handle, tensor2.Handle, value.Value); CheckForErrors(); return this; }
            public Tensor lerp(Tensor end, Tensor weight) => Wrap(Native.shim_lerp(Handle, end.Handle, weight.Handle));

            public Tensor eq(Tensor target) => Binary(target, BinaryOp.Eq);
            public Tensor eq(Scalar target) => Binary(target.Value, BinaryOp.Eq);
            public Tensor ne(Tensor target) => Binary(target, BinaryOp.Ne);
            public Tensor ne(Scalar target) => Binary(target.Value, BinaryOp.Ne);
            public Tensor lt(Tensor target) => Binary(target, BinaryOp.Lt);
            public Tensor lt(Scalar target) => Binary(target.Value, BinaryOp.Lt);
            public Tensor le(Tensor target) => Binary(target, BinaryOp.Le);
            public Tensor le(Scalar target) => Binary(target.Value, BinaryOp.Le);
            public Tensor gt(Tensor target) => Binary(target, BinaryOp.Gt);
            public Tensor gt(Scalar target) => Binary(target.Value, BinaryOp.Gt);
            public Tensor ge(Tensor target) => Binary(target, BinaryOp.Ge);
            public Tensor ge(Scalar target) => Binary(target.Value, BinaryOp.Ge);
            public Tensor eq_(Tensor target) => BinaryInPlace(target, BinaryOp.Eq);
            public Tensor eq_(Scalar target) => BinaryInPlace(target.Value, BinaryOp.Eq);
            public Tensor ne_(Scalar target) => BinaryInPlace(target.Value, BinaryOp.Ne);
            public Tensor lt_(Scalar target) => BinaryInPlace(target.Value, BinaryOp.Lt);
            public Tensor le_(Scalar target) => BinaryInPlace(target.Value, BinaryOp.Le);
            public Tensor gt_(Scalar target) => BinaryInPlace(target.Value, BinaryOp.Gt);
            public Tensor ge_(Scalar target) => BinaryInPlace(target.Value, BinaryOp.Ge);
            public Tensor logical_and(Tensor other) => Binary(other, BinaryOp.LogicalAnd);
            public Tensor logical_or(Tensor other) => Binary(other, BinaryOp.LogicalOr);
            public Tensor logical_xor(Tensor other) => Binary(other, BinaryOp.LogicalXor);
            public Tensor logical_and_(Tensor other) => BinaryInPlace(other, BinaryOp.LogicalAnd);
            public Tensor logical_or_(Tensor other) => BinaryInPlace(other, BinaryOp.LogicalOr);
            public Tensor logical_not() => Unary(UnaryOp.LogicalNot);
            public Tensor logical_not_() => UnaryInPlace(UnaryOp.LogicalNot);
            public Tensor bitwise_and(Tensor other) => Binary(other, BinaryOp.BitwiseAnd);
            public Tensor bitwise_or(Tensor other) => Binary(other, BinaryOp.BitwiseOr);
            public Tensor bitwise_xor(Tensor other) => Binary(other, BinaryOp.BitwiseXor);
            public Tensor bitwise_not() => Unary(UnaryOp.BitwiseNot);

            public Tensor neg() => Unary(UnaryOp.Neg);
            public Tensor negative() => Unary(UnaryOp.Neg);
            public Tensor neg_() => UnaryInPlace(UnaryOp.Neg);
            public Tensor abs() => Unary(UnaryOp.Abs);
            public Tensor abs_() => UnaryInPlace(UnaryOp.Abs);
            public Tensor exp() => Unary(UnaryOp.Exp);
            public Tensor exp_() => UnaryInPlace(UnaryOp.Exp);
            public Tensor expm1() => Unary(UnaryOp.Expm1);
            public Tensor log() => Unary(UnaryOp.Log);
            public Tensor log_() => UnaryInPlace(UnaryOp.Log);
            public Tensor log1p() => Unary(UnaryOp.Log1p);
            public Tensor log1p_() => UnaryInPlace(UnaryOp.Log1p);
            public Tensor log2() => Unary(UnaryOp.Log2);
            public Tensor log10() => Unary(UnaryOp.Log10);
            public Tensor sqrt() => Unary(UnaryOp.Sqrt);
            public Tensor sqrt_() => UnaryInPlace(UnaryOp.Sqrt);
            public Tensor rsqrt() => Unary(UnaryOp.Rsqrt);
            public Tensor square() => Unary(UnaryOp.Square);
            public Tensor sigmoid() => Unary(UnaryOp.Sigmoid);
            public Tensor sigmoid_() => UnaryInPlace(UnaryOp.Sigmoid);
            public Tensor log_sigmoid() => Unary(UnaryOp.LogSigmoid);
            public Tensor relu() => Unary(UnaryOp.Relu);
            public Tensor relu_() => UnaryInPlace(UnaryOp.Relu);
            public Tensor tanh() => Unary(UnaryOp.Tanh);
            public Tensor sin() => Unary(UnaryOp.Sin);
            public Tensor cos() => Unary(UnaryOp.Cos);
            public Tensor sign() => Unary(UnaryOp.Sign);
            public Tensor floor() => Unary(UnaryOp.Floor);
            public Tensor ceil() => Unary(UnaryOp.Ceil);
            public Tensor trunc() => Unary(UnaryOp.Trunc);
            public Tensor reciprocal() => Unary(UnaryOp.Reciprocal);
            public Tensor isnan() => Unary(UnaryOp.IsNan);
            public Tensor isinf() => Unary(UnaryOp.IsInf);
            public Tensor isfinite() => Unary(UnaryOp.IsFinite);
            public Tensor round(long decimals = 0L) => Wrap(Native.shim_round(Handle, decimals));
            public Tensor softplus(double beta = 1, double threshold = 20) => Wrap(Native.shim_softplus(Handle, beta, threshold));
            public Tensor softmax(long dim, ScalarType? dtype = null) => Wrap(Native.shim_softmax(Handle, dim, dtype.HasValue ? (int)dtype.Value : -1));
            public Tensor log_softmax(long dim, ScalarType? dtype = null) => Wrap(Native.shim_log_softmax(Handle, dim, dtype.HasValue ? (int)dtype.Value : -1));
            public Tensor nan_to_num(double nan = 0d, double? posinf = null, double? neginf = null) =>
                Wrap(Native.shim_nan_to_num(Handle, nan, posinf.HasValue ? 1 : 0, posinf ?? 0, neginf.HasValue ? 1 : 0, neginf ?? 0));

            public Tensor clamp(Scalar? min = null, Scalar? max = null) =>
                Wrap(Native.shim_clamp(Handle, min is null ? 0 : 1, min?.Value ?? default, max is null ? 0 : 1, max?.Value ?? default));
            public Tensor clamp(Tensor? min = null, Tensor? max = null) =>
                Wrap(Native.shim_clamp_tensor(Handle, min?.Handle ?? IntPtr.Zero, max?.Handle ?? IntPtr.Zero));
            public Tensor clamp_(Scalar? min = null, Scalar? max = null)
            {
                Native.shim_clamp_(Handle, min is null ? 0 : 1, min?.Value ?? default, max is null ? 0 : 1, max?.Value ?? default);
                CheckForErrors();
                return this;
            }
            public Tensor clip(Scalar? min = null, Scalar? max = null) => clamp(min, max);
            public Tensor clamp_min(Scalar min) => clamp(min, null);
            public Tensor clamp_max(Scalar max) => clamp(null, max);
            public Tensor clamp_min_(Scalar min) => clamp_(min, null);
            public Tensor clamp_max_(Scalar max) => clamp_(null, max);

            public Tensor fill_(Scalar value) { Native.shim_fill_(Handle, value.Value); CheckForErrors(); return this; }
            public Tensor zero_() { Native.shim_zero_(Handle); CheckForErrors(); return this; }
            public Tensor copy_(Tensor source, bool nonBlocking = false) { Native.shim_copy_(Handle, source.Handle, nonBlocking ? 1 : 0); CheckForErrors(); return this; }

            /// <summary>torch.where(condition, this, y).</summary>
            public Tensor where(Tensor condition, Tensor y)
            {
                if (condition.dtype != ScalarType.Bool) throw new ArgumentException($"condition must be a Bool tensor, got {condition.dtype}", nameof(condition));
                return Wrap(Native.shim_where(condition.Handle, Handle, y.Handle));
            }

            /// <summary>torch.equal: same shape and values.</summary>
            public bool Equals(Tensor target)
            {
                int r = Native.shim_equal(Handle, target.Handle);
                CheckForErrors();
                return r != 0;
            }

            public bool allclose(Tensor target, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false)
            {
                int r = Native.shim_allclose(Handle, target.Handle, rtol, atol, equal_nan ? 1 : 0);
                CheckForErrors();
                return r != 0;
            }
#pragma warning restore CS1591
        }
    }
}
