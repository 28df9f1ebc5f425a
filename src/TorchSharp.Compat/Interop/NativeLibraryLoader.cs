using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace TorchSharp.Interop
{
    /// <summary>
    /// Resolves the native shim from the folder of this assembly (or runtimes/&lt;rid&gt;/native under it),
    /// so applications and test hosts find it without LD_LIBRARY_PATH.
    /// </summary>
    internal static class NativeLibraryLoader
    {
        internal const string ShimName = "LibTorchSharpCompat";
        private static int _registered;

        internal static void EnsureRegistered()
        {
            if (System.Threading.Interlocked.Exchange(ref _registered, 1) == 1) return;
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
        }

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (libraryName != ShimName) return IntPtr.Zero;
            string fileName = "lib" + ShimName + ".so";
            string baseDir = Path.GetDirectoryName(assembly.Location) ?? AppContext.BaseDirectory;
            foreach (var dir in new[] { baseDir, AppContext.BaseDirectory, Path.Combine(baseDir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native") })
            {
                string candidate = Path.Combine(dir, fileName);
                if (File.Exists(candidate)) return NativeLibrary.Load(candidate);
            }
            return NativeLibrary.TryLoad(fileName, assembly, searchPath, out var handle) ? handle : IntPtr.Zero;
        }
    }
}
