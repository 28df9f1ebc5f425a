using TorchSharp.Interop;

namespace TorchSharp
{
    public static partial class torch
    {
        public partial class Tensor
        {
#pragma warning disable CS1591 // operators are element-wise and mirror TorchSharp's
            public static Tensor operator +(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Add);
            public static Tensor operator +(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Add);
            public static Tensor operator +(Scalar left, Tensor right) => ScalarBinary(left.Value, right, BinaryOp.Add);
            public static Tensor operator +(Tensor left, int right) => left.Binary(ShimScalar.FromLong(right), BinaryOp.Add);
            public static Tensor operator +(int left, Tensor right) => ScalarBinary(ShimScalar.FromLong(left), right, BinaryOp.Add);
            public static Tensor operator +(Tensor left, long right) => left.Binary(ShimScalar.FromLong(right), BinaryOp.Add);
            public static Tensor operator +(long left, Tensor right) => ScalarBinary(ShimScalar.FromLong(left), right, BinaryOp.Add);
            public static Tensor operator +(Tensor left, float right) => left.Binary(ShimScalar.FromDouble(right), BinaryOp.Add);
            public static Tensor operator +(float left, Tensor right) => ScalarBinary(ShimScalar.FromDouble(left), right, BinaryOp.Add);
            public static Tensor operator +(Tensor left, double right) => left.Binary(ShimScalar.FromDouble(right), BinaryOp.Add);
            public static Tensor operator +(double left, Tensor right) => ScalarBinary(ShimScalar.FromDouble(left), right, BinaryOp.Add);
            public static Tensor operator -(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Sub);
            public static Tensor operator -(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Sub);
            public static Tensor operator -(Scalar left, Tensor right) => ScalarBinary(left.Value, right, BinaryOp.Sub);
            public static Tensor operator -(Tensor left, int right) => left.Binary(ShimScalar.FromLong(right), BinaryOp.Sub);
            public static Tensor operator -(int left, Tensor right) => ScalarBinary(ShimScalar.FromLong(left), right, BinaryOp.Sub);
            public static Tensor operator -(Tensor left, long right) => left.Binary(ShimScalar.FromLong(right), BinaryOp.Sub);
            public static Tensor operator -(long left, Tensor right) => ScalarBinary(ShimScalar.FromLong(left), right, BinaryOp.Sub);
            public static Tensor operator -(Tensor left, float right) => left.Binary(ShimScalar.FromDouble(right), BinaryOp.Sub);
            public static Tensor operator -(float left, Tensor right) => ScalarBinary(ShimScalar.FromDouble(left), right, BinaryOp.Sub);
            public static Tensor operator -(Tensor left, double right) => left.Binary(ShimScalar.FromDouble(right), BinaryOp.Sub);
            public static Tensor operator -(double left, Tensor right) => ScalarBinary(ShimScalar.FromDouble(left), right, BinaryOp.Sub);
            public static Tensor operator *(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Mul);
            public static Tensor operator *(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Mul);
            public static Tensor operator *(Scalar left, Tensor right) => ScalarBinary(left.Value, right, BinaryOp.Mul);
            public static Tensor operator *(Tensor left, int right) => left.Binary(ShimScalar.FromLong(right), BinaryOp.Mul);
            public static Tensor operator *(int left, Tensor right) => ScalarBinary(ShimScalar.FromLong(left), right, BinaryOp.Mul);
            public static Tensor operator *(Tensor left, long right) => left.Binary(ShimScalar.FromLong(right), BinaryOp.Mul);
            public static Tensor operator *(long left, Tensor right) => ScalarBinary(ShimScalar.FromLong(left), right, BinaryOp.Mul);
            public static Tensor operator *(Tensor left, float right) => left.Binary(ShimScalar.FromDouble(right), BinaryOp.Mul);
            public static Tensor operator *(float left, Tensor right) => ScalarBinary(ShimScalar.FromDouble(left), right, BinaryOp.Mul);
            public static Tensor operator *(Tensor left, double right) => left.Binary(ShimScalar.FromDouble(right), BinaryOp.Mul);
            public static Tensor operator *(double left, Tensor right) => ScalarBinary(ShimScalar.FromDouble(left), right, BinaryOp.Mul);
            public static Tensor operator /(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Div);
            public static Tensor operator /(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Div);
            public static Tensor operator /(Scalar left, Tensor right) => ScalarBinary(left.Value, right, BinaryOp.Div);
            public static Tensor operator /(Tensor left, int right) => left.Binary(ShimScalar.FromLong(right), BinaryOp.Div);
            public static Tensor operator /(int left, Tensor right) => ScalarBinary(ShimScalar.FromLong(left), right, BinaryOp.Div);
            public static Tensor operator /(Tensor left, long right) => left.Binary(ShimScalar.FromLong(right), BinaryOp.Div);
            public static Tensor operator /(long left, Tensor right) => ScalarBinary(ShimScalar.FromLong(left), right, BinaryOp.Div);
            public static Tensor operator /(Tensor left, float right) => left.Binary(ShimScalar.FromDouble(right), BinaryOp.Div);
            public static Tensor operator /(float left, Tensor right) => ScalarBinary(ShimScalar.FromDouble(left), right, BinaryOp.Div);
            public static Tensor operator /(Tensor left, double right) => left.Binary(ShimScalar.FromDouble(right), BinaryOp.Div);
            public static Tensor operator /(double left, Tensor right) => ScalarBinary(ShimScalar.FromDouble(left), right, BinaryOp.Div);
            public static Tensor operator %(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Remainder);
            public static Tensor operator %(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Remainder);
            public static Tensor operator %(Tensor left, int right) => left.Binary(ShimScalar.FromLong(right), BinaryOp.Remainder);
            public static Tensor operator %(Tensor left, long right) => left.Binary(ShimScalar.FromLong(right), BinaryOp.Remainder);
            public static Tensor operator %(Tensor left, float right) => left.Binary(ShimScalar.FromDouble(right), BinaryOp.Remainder);
            public static Tensor operator %(Tensor left, double right) => left.Binary(ShimScalar.FromDouble(right), BinaryOp.Remainder);
            public static Tensor operator -(Tensor tensor) => tensor.Unary(UnaryOp.Neg);
            public static Tensor operator ==(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Eq);
            public static Tensor operator ==(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Eq);
            public static Tensor operator ==(Scalar left, Tensor right) => ScalarBinary(left.Value, right, BinaryOp.Eq);
            public static Tensor operator !=(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Ne);
            public static Tensor operator !=(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Ne);
            public static Tensor operator !=(Scalar left, Tensor right) => ScalarBinary(left.Value, right, BinaryOp.Ne);
            public static Tensor operator <(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Lt);
            public static Tensor operator <(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Lt);
            public static Tensor operator <(Scalar left, Tensor right) => ScalarBinary(left.Value, right, BinaryOp.Lt);
            public static Tensor operator <=(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Le);
            public static Tensor operator <=(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Le);
            public static Tensor operator <=(Scalar left, Tensor right) => ScalarBinary(left.Value, right, BinaryOp.Le);
            public static Tensor operator >(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Gt);
            public static Tensor operator >(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Gt);
            public static Tensor operator >(Scalar left, Tensor right) => ScalarBinary(left.Value, right, BinaryOp.Gt);
            public static Tensor operator >=(Tensor left, Tensor right) => left.Binary(right, BinaryOp.Ge);
            public static Tensor operator >=(Tensor left, Scalar right) => left.Binary(right.Value, BinaryOp.Ge);
            public static Tensor operator >=(Scalar left, Tensor right) => ScalarBinary(left.Value, right, BinaryOp.Ge);
            public static Tensor operator &(Tensor left, Tensor right) => left.Binary(right, BinaryOp.BitwiseAnd);
            public static Tensor operator |(Tensor left, Tensor right) => left.Binary(right, BinaryOp.BitwiseOr);
            public static Tensor operator ^(Tensor left, Tensor right) => left.Binary(right, BinaryOp.BitwiseXor);
            public static Tensor operator ~(Tensor tensor) => tensor.Unary(UnaryOp.BitwiseNot);
#pragma warning restore CS1591
        }
    }
}
