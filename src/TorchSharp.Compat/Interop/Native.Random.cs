using System;
using System.Runtime.InteropServices;

namespace TorchSharp.Interop
{
    internal static partial class Native
    {
        [DllImport(Lib)] internal static extern IntPtr shim_randperm(long n, int dtype, int devType, int devIndex, int requiresGrad);
    }
}
