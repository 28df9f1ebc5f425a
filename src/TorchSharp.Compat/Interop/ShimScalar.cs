using System.Runtime.InteropServices;

namespace TorchSharp.Interop
{
    /// <summary>A scalar passed by value to the shim; mirrors <c>ShimScalar</c> in native/shim.h.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ShimScalar
    {
        public long I;
        public double D;
        public int Kind; // 0 double, 1 int64, 2 bool

        public static ShimScalar FromDouble(double d) => new ShimScalar { D = d, I = 0, Kind = 0 };
        public static ShimScalar FromLong(long l) => new ShimScalar { I = l, D = l, Kind = 1 };
        public static ShimScalar FromBool(bool b) => new ShimScalar { I = b ? 1 : 0, D = b ? 1 : 0, Kind = 2 };
    }
}
