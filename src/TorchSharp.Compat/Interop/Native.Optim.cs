using System;
using System.Runtime.InteropServices;

namespace TorchSharp.Interop
{
    internal static partial class Native
    {
        [DllImport(Lib)] internal static extern void shim_adam_step(IntPtr param, IntPtr grad, IntPtr expAvg, IntPtr expAvgSq, IntPtr maxExpAvgSq, long step, double lr, double beta1, double beta2, double eps, double weightDecay, int maximize, int decoupled);
        [DllImport(Lib)] internal static extern void shim_sgd_step(IntPtr param, IntPtr grad, IntPtr momentumBuffer, int first, double lr, double momentum, double dampening, double weightDecay, int nesterov, int maximize);
    }
}
