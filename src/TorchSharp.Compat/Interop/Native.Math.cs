using System;
using System.Runtime.InteropServices;

namespace TorchSharp.Interop
{
    /// <summary>Operation codes of shim_binary*; must match native/tensor_math.cpp.</summary>
    internal enum BinaryOp
    {
        Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, Remainder = 5, Maximum = 6, Minimum = 7,
        Eq = 8, Ne = 9, Lt = 10, Le = 11, Gt = 12, Ge = 13, LogicalAnd = 14, LogicalOr = 15,
        LogicalXor = 16, BitwiseAnd = 17, BitwiseOr = 18, BitwiseXor = 19, DivTrunc = 20, DivFloor = 21,
        Matmul = 22, Mm = 23, Bmm = 24, Atan2 = 25,
    }

    /// <summary>Operation codes of shim_unary*; must match native/tensor_math.cpp.</summary>
    internal enum UnaryOp
    {
        Neg = 0, Abs = 1, Exp = 2, Log = 3, Log1p = 4, Log2 = 5, Sqrt = 6, Rsqrt = 7, Square = 8,
        Sigmoid = 9, LogSigmoid = 10, Relu = 11, Tanh = 12, Sign = 13, Floor = 14, Ceil = 15,
        Reciprocal = 16, LogicalNot = 17, BitwiseNot = 18, IsNan = 19, IsInf = 20, Expm1 = 21,
        Sin = 22, Cos = 23, Trunc = 24, Log10 = 25, IsFinite = 26,
    }

    internal static partial class Native
    {
        [DllImport(Lib)] internal static extern IntPtr shim_binary(IntPtr a, IntPtr b, int op);
        [DllImport(Lib)] internal static extern IntPtr shim_binary_scalar(IntPtr a, ShimScalar s, int op);
        [DllImport(Lib)] internal static extern void shim_binary_(IntPtr a, IntPtr b, int op);
        [DllImport(Lib)] internal static extern void shim_binary_scalar_(IntPtr a, ShimScalar s, int op);
        [DllImport(Lib)] internal static extern IntPtr shim_scalar_binary(ShimScalar s, IntPtr b, int op);
        [DllImport(Lib)] internal static extern IntPtr shim_add_alpha(IntPtr a, IntPtr b, ShimScalar alpha);
        [DllImport(Lib)] internal static extern void shim_add_alpha_(IntPtr a, IntPtr b, ShimScalar alpha);
        [DllImport(Lib)] internal static extern IntPtr shim_addcmul(IntPtr t, IntPtr a, IntPtr b, ShimScalar v);
        [DllImport(Lib)] internal static extern void shim_addcmul_(IntPtr t, IntPtr a, IntPtr b, ShimScalar v);
        [DllImport(Lib)] internal static extern void shim_addcdiv_(IntPtr t, IntPtr a, IntPtr b, ShimScalar v);
        [DllImport(Lib)] internal static extern IntPtr shim_lerp(IntPtr t, IntPtr end, IntPtr weight);
        [DllImport(Lib)] internal static extern IntPtr shim_unary(IntPtr t, int op);
        [DllImport(Lib)] internal static extern void shim_unary_(IntPtr t, int op);
        [DllImport(Lib)] internal static extern IntPtr shim_round(IntPtr t, long decimals);
        [DllImport(Lib)] internal static extern IntPtr shim_softplus(IntPtr t, double beta, double threshold);
        [DllImport(Lib)] internal static extern IntPtr shim_softmax(IntPtr t, long dim, int dtype);
        [DllImport(Lib)] internal static extern IntPtr shim_log_softmax(IntPtr t, long dim, int dtype);
        [DllImport(Lib)] internal static extern IntPtr shim_nan_to_num(IntPtr t, double nan, int hasPos, double pos, int hasNeg, double neg);
        [DllImport(Lib)] internal static extern IntPtr shim_clamp(IntPtr t, int hasMin, ShimScalar min, int hasMax, ShimScalar max);
        [DllImport(Lib)] internal static extern void shim_clamp_(IntPtr t, int hasMin, ShimScalar min, int hasMax, ShimScalar max);
        [DllImport(Lib)] internal static extern IntPtr shim_clamp_tensor(IntPtr t, IntPtr min, IntPtr max);
        [DllImport(Lib)] internal static extern void shim_fill_(IntPtr t, ShimScalar v);
        [DllImport(Lib)] internal static extern void shim_zero_(IntPtr t);
        [DllImport(Lib)] internal static extern void shim_copy_(IntPtr t, IntPtr src, int nonBlocking);
        [DllImport(Lib)] internal static extern IntPtr shim_where(IntPtr cond, IntPtr x, IntPtr y);
        [DllImport(Lib)] internal static extern int shim_equal(IntPtr a, IntPtr b);
        [DllImport(Lib)] internal static extern int shim_allclose(IntPtr a, IntPtr b, double rtol, double atol, int equalNan);
    }
}
