using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SegLoss.Tests.Core
{
    /// <summary>
    /// The libstdc++ loader fix (build/SegLoss.LibStdCxxFix.targets, build/WeakenGlibcxxNeed.cs): TorchSharp 0.107's
    /// libLibTorchSharp.so needs GLIBCXX_3.4.32, which Debian 12's libstdc++ lacks; the build output's copy marks that
    /// one version need weak. These tests read the ELF files with a parser of their own, independent of the task's.
    /// On anything but x86-64 Linux they return at once (the fix does nothing there).
    /// </summary>
    public class NativeLoaderFixTests
    {
        private const string LibStdCxx = "libstdc++.so.6";
        private const string Version = "GLIBCXX_3.4.32";
        private const ushort VerFlgWeak = 0x2;

        private readonly ITestOutputHelper _output;

        public NativeLoaderFixTests(ITestOutputHelper output) => _output = output;

        private static bool LinuxX64 => RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.ProcessArchitecture == Architecture.X64;

        [Fact]
        public void TheLoadedLibtorchIs2_10()
        {
            _output.WriteLine($"libtorch {__version__}");
            __version__.Should().StartWith("2.10", "TorchSharp 0.107.0 binds libtorch 2.10");
            if (!LinuxX64) return;
            // __version__ is TorchSharp's own record of the libtorch it was built for; the mapped libtorch_cpu.so
            // shows what was loaded: the output's copy of libtorch-cpu-linux-x64 2.10.0's file (same length).
            string? loaded = MappedLibrary("libtorch_cpu.so");
            loaded.Should().NotBeNull("touching torch loads libtorch_cpu.so");
            loaded.Should().Be(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cpu.so"));
            string package = Path.Combine(PackageRoot(), "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native", "libtorch_cpu.so");
            new FileInfo(loaded!).Length.Should().Be(new FileInfo(package).Length, $"the loaded libtorch is {package}");
        }

        [Fact]
        public void TheOutputCopyDiffersFromTheNuGetOriginalOnlyInTheWeakFlagOfTheGlibcxx3_4_32Need()
        {
            if (!LinuxX64)
            {
                _output.WriteLine($"skipped: the fix only concerns linux-x64, this is {RuntimeInformation.RuntimeIdentifier}");
                return;
            }
            _ = __version__; // loads libLibTorchSharp.so, and with it the libstdc++ the loader resolves
            string copy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            string original = Path.Combine(PackageRoot(), "torchsharp", TorchSharpVersion(), "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            File.Exists(copy).Should().BeTrue($"the build copies {copy}");
            File.Exists(original).Should().BeTrue($"restore put TorchSharp in {original}");
            MappedLibrary("libLibTorchSharp.so").Should().Be(Path.GetFullPath(copy), "TorchSharp loads the output's copy");

            byte[] before = File.ReadAllBytes(original), after = File.ReadAllBytes(copy);
            after.Length.Should().Be(before.Length, "the fix edits two bytes in place and adds nothing");
            var differing = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();

            string libstdcxx = MappedLibrary(LibStdCxx) ?? throw new InvalidOperationException($"{LibStdCxx} is not mapped");
            if (Elf.DefinedVersions(File.ReadAllBytes(libstdcxx)).Contains(Version))
            {
                _output.WriteLine($"{libstdcxx} defines {Version}: the copy must be the original");
                differing.Should().BeEmpty($"{libstdcxx} defines {Version}, so the fix leaves the library as it is");
                return;
            }
            int flags = Elf.Needs(before).Single(n => n.File == LibStdCxx && n.Version == Version).FlagsOffset;
            differing.Should().NotBeEmpty($"{libstdcxx} lacks {Version}, so the output's copy must be edited");
            differing.Should().OnlyContain(i => i == flags || i == flags + 1, $"only vna_flags of the {Version} need (at {flags}) may change");
            BinaryPrimitives.ReadUInt16LittleEndian(before.AsSpan(flags)).Should().Be(0);
            BinaryPrimitives.ReadUInt16LittleEndian(after.AsSpan(flags)).Should().Be(VerFlgWeak);
            _output.WriteLine($"{libstdcxx} lacks {Version}; {copy}: vna_flags of the need at {flags}, 0 -> {VerFlgWeak}");
            Elf.Needs(after).Select(n => (n.File, n.Version)).Should().Equal(Elf.Needs(before).Select(n => (n.File, n.Version)));
        }

        /// <summary>
        /// Runs the task through MSBuild twice, as a consumer's build would: on a copy that is a hard link to a stand-in
        /// for the NuGet cache's file (edited; the cache's bytes stay), then again on that copy (no change, same
        /// timestamp) together with a copy whose GLIBCXX_3.4.32 need is renamed GLIBCXX_3.4.33 (refused, untouched,
        /// the build fails). SegLossLibStdCxxPath names this process's libc.so.6: the task reads only the version
        /// definitions of that file, and libc defines no GLIBCXX version, so the task acts as on Debian 12 whatever
        /// this machine's libstdc++ is.
        /// </summary>
        [Fact]
        public void TheTaskEditsOnceLeavesHardLinkedOriginalsAloneAndRefusesAnUnknownLibrary()
        {
            if (!LinuxX64)
            {
                _output.WriteLine($"skipped: the fix only concerns linux-x64, this is {RuntimeInformation.RuntimeIdentifier}");
                return;
            }
            string original = Path.Combine(PackageRoot(), "torchsharp", TorchSharpVersion(), "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            string libc = MappedLibrary("libc.so.6") ?? throw new InvalidOperationException("libc.so.6 is not mapped");
            string dir = Directory.CreateTempSubdirectory("segloss-weaken-").FullName;
            try
            {
                byte[] bytes = File.ReadAllBytes(original);
                var stamp = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
                string cache = Path.Combine(dir, "cache.so"), output = Path.Combine(dir, "output.so"), foreign = Path.Combine(dir, "foreign.so");
                File.WriteAllBytes(cache, bytes);
                File.SetLastWriteTimeUtc(cache, stamp);
                Run("ln", cache, output).code.Should().Be(0, "ln makes the output copy a hard link, as NuGet's copy may be");

                byte[] renamed = (byte[])bytes.Clone();
                int name = Elf.Needs(bytes).Single(n => n.File == LibStdCxx && n.Version == Version).NameOffset;
                Encoding.ASCII.GetString(renamed, name, Version.Length).Should().Be(Version);
                renamed[name + Version.Length - 1] = (byte)'3'; // GLIBCXX_3.4.33
                File.WriteAllBytes(foreign, renamed);

                string project = Path.Combine(dir, "weaken.proj");
                string targets = Path.Combine(RepoRoot(), "build", "SegLoss.LibStdCxxFix.targets");
                File.WriteAllText(project, $"""
                    <Project>
                      <Import Project="{targets}" />
                      <Target Name="First"><WeakenGlibcxxNeed Files="{output}" SystemLibStdCxx="$(SegLossLibStdCxxPath)" /></Target>
                      <Target Name="Second"><WeakenGlibcxxNeed Files="{output};{foreign}" SystemLibStdCxx="$(SegLossLibStdCxxPath)" /></Target>
                    </Project>
                    """);

                var first = MSBuild(project, "First", libc);
                first.code.Should().Be(0, first.log);
                first.log.Should().Contain($"marked the {Version} need of {output} weak");
                File.ReadAllBytes(cache).Should().Equal(bytes, "the hard-linked original keeps its bytes");
                byte[] edited = File.ReadAllBytes(output);
                int flags = Elf.Needs(bytes).Single(n => n.File == LibStdCxx && n.Version == Version).FlagsOffset;
                Enumerable.Range(0, bytes.Length).Where(i => bytes[i] != edited[i]).Should().Equal(flags);
                edited[flags].Should().Be((byte)VerFlgWeak);
                File.GetLastWriteTimeUtc(output).Should().Be(stamp, "the task keeps the timestamp so copies stay incremental");

                var second = MSBuild(project, "Second", libc);
                second.code.Should().NotBe(0, "a library with other version needs is refused, and the refusal fails the build");
                second.log.Should().Contain($"refusing to edit {foreign}").And.Contain("unexpected: [libstdc++.so.6:GLIBCXX_3.4.33]");
                second.log.Should().NotContain($"need of {output} weak", "the edited copy is already weak");
                File.ReadAllBytes(output).Should().Equal(edited, "a second run changes nothing");
                File.GetLastWriteTimeUtc(output).Should().Be(stamp);
                File.ReadAllBytes(foreign).Should().Equal(renamed, "a refused file is left as it is");
                File.ReadAllBytes(cache).Should().Equal(bytes);
                Directory.GetFiles(dir, "*.segloss-tmp").Should().BeEmpty();
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        private (int code, string log) MSBuild(string project, string target, string libc)
        {
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
            var watch = Stopwatch.StartNew();
            var result = Run(dotnet, "msbuild", project, $"-t:{target}", $"-p:SegLossLibStdCxxPath={libc}",
                "-nologo", "-noAutoResponse", "-nodeReuse:false", "-tl:off", "-v:n");
            _output.WriteLine($"dotnet msbuild -t:{target}: exit {result.code}, {watch.Elapsed.TotalSeconds:F1} s");
            return result;
        }

        private static (int code, string log) Run(string file, params string[] arguments)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in arguments) start.ArgumentList.Add(argument);
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout + stderr.Result);
        }

        /// <summary>
        /// The full path of the mapped file of library <paramref name="name"/> (maps name the file a soname link resolves
        /// to, e.g. libstdc++.so.6.0.30), or null.
        /// </summary>
        private static string? MappedLibrary(string name) =>
            File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length == 6 && fields[5].StartsWith('/'))
                .Select(fields => fields[5].Trim())
                .FirstOrDefault(path => Path.GetFileName(path) is string file && (file == name || file.StartsWith(name + ".", StringComparison.Ordinal)));

        private static string Metadata(string key) =>
            typeof(NativeLoaderFixTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"SegLoss.Tests.csproj sets no AssemblyMetadata {key}");

        private static string PackageRoot() => Metadata("SegLoss.NuGetPackageRoot");

        private static string RepoRoot() => Metadata("SegLoss.RepoRoot");

        private static string TorchSharpVersion()
        {
            var v = typeof(TorchSharp.torch).Assembly.GetName().Version!;
            return $"{v.Major}.{v.Minor}.{v.Build}";
        }

        /// <summary>The little ELF64 reading these tests need: version needs and version definitions.</summary>
        private static class Elf
        {
            public readonly record struct Need(string File, string Version, int FlagsOffset, int NameOffset);

            // Elf64_Verneed: vn_cnt @2, vn_file @4, vn_aux @8, vn_next @12. Elf64_Vernaux: vna_flags @4, vna_name @8, vna_next @12.
            public static List<Need> Needs(byte[] elf)
            {
                var (offset, count, strings) = Section(elf, 0x6ffffffe);
                var needs = new List<Need>();
                for (int i = 0, entry = offset; i < count; i++, entry += U32(elf, entry + 12))
                {
                    string file = Name(elf, strings + U32(elf, entry + 4));
                    for (int j = 0, aux = entry + U32(elf, entry + 8); j < U16(elf, entry + 2); j++, aux += U32(elf, aux + 12))
                        needs.Add(new Need(file, Name(elf, strings + U32(elf, aux + 8)), aux + 4, strings + U32(elf, aux + 8)));
                }
                return needs;
            }

            // Elf64_Verdef: vd_cnt @6, vd_aux @12, vd_next @16; the first Elf64_Verdaux (vda_name @0) names the version.
            public static HashSet<string> DefinedVersions(byte[] elf)
            {
                var (offset, count, strings) = Section(elf, 0x6ffffffd);
                var names = new HashSet<string>(StringComparer.Ordinal);
                for (int i = 0, entry = offset; i < count; i++, entry += U32(elf, entry + 16))
                    names.Add(Name(elf, strings + U32(elf, entry + U32(elf, entry + 12))));
                return names;
            }

            // Elf64_Ehdr: e_shoff @0x28, e_shentsize @0x3A, e_shnum @0x3C. Elf64_Shdr: sh_type @4, sh_offset @24,
            // sh_link @40 (the string table's section), sh_info @44 (the number of entries).
            private static (int offset, int count, int strings) Section(byte[] elf, uint type)
            {
                if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F' || elf[4] != 2 || elf[5] != 1)
                    throw new InvalidDataException("not a little-endian ELF64 file");
                int table = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28)));
                int size = U16(elf, 0x3A);
                for (int i = 0; i < U16(elf, 0x3C); i++)
                {
                    int header = table + i * size;
                    if (BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(header + 4)) != type) continue;
                    int link = table + U32(elf, header + 40) * size;
                    return (Offset(elf, header), U32(elf, header + 44), Offset(elf, link));
                }
                throw new InvalidDataException($"no section of type 0x{type:x}");
            }

            private static int Offset(byte[] elf, int header) => checked((int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(header + 24)));

            private static int U16(byte[] elf, int at) => BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(at));

            private static int U32(byte[] elf, int at) => checked((int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at)));

            private static string Name(byte[] elf, int at) => Encoding.ASCII.GetString(elf, at, Array.IndexOf(elf, (byte)0, at) - at);
        }
    }
}
