// MSBuild task, compiled by RoslynCodeTaskFactory from SegLoss.LibStdCxxFix.targets (needs only the .NET SDK).
//
// Why: TorchSharp 0.107's libLibTorchSharp.so lists GLIBCXX_3.4.32 among the versions it needs from
// libstdc++.so.6, for one symbol (std::ios_base_library_init()) that it references but never binds:
// the library has no relocation against it. Debian 12, Ubuntu 22.04 and RHEL 9 ship a libstdc++ that
// stops at GLIBCXX_3.4.30, so the dynamic loader refuses the whole library. A version need flagged
// VER_FLG_WEAK is only reported, not enforced, so setting that one flag makes the library load while
// every other byte stays as TorchSharp shipped it.
//
// The task edits only the files it is given (the build or publish output's copies), writes through a
// temporary file and a rename so that a hard link into the NuGet cache is never written through, keeps
// the file's timestamp so incremental copies stay incremental, and refuses any file whose version needs
// are not exactly the ones of TorchSharp 0.107.0's build.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenGlibcxxNeed : Task
{
    const string Library = "libstdc++.so.6";
    const string Version = "GLIBCXX_3.4.32";
    const ushort VerFlgWeak = 0x2;
    const uint ShtGnuVerdef = 0x6ffffffd;
    const uint ShtGnuVerneed = 0x6ffffffe;

    // Every (file, version) need of libLibTorchSharp.so in TorchSharp 0.107.0 (readelf -V). A file with
    // any other set is not the one this edit was checked against, so the task refuses it.
    static readonly string[] ExpectedNeeds =
    {
        "ld-linux-x86-64.so.2:GLIBC_2.3", "libm.so.6:GLIBC_2.2.5", "libgcc_s.so.1:GCC_3.0",
        "libc.so.6:GLIBC_2.14", "libc.so.6:GLIBC_2.34", "libc.so.6:GLIBC_2.32", "libc.so.6:GLIBC_2.4",
        "libc.so.6:GLIBC_2.2.5",
        "libstdc++.so.6:GLIBCXX_3.4.30", "libstdc++.so.6:GLIBCXX_3.4.29", "libstdc++.so.6:CXXABI_1.3.13",
        "libstdc++.so.6:GLIBCXX_3.4.14", "libstdc++.so.6:GLIBCXX_3.4.26", "libstdc++.so.6:GLIBCXX_3.4.19",
        "libstdc++.so.6:CXXABI_1.3.1", "libstdc++.so.6:GLIBCXX_3.4.32", "libstdc++.so.6:GLIBCXX_3.4.18",
        "libstdc++.so.6:CXXABI_1.3.5", "libstdc++.so.6:GLIBCXX_3.4.22", "libstdc++.so.6:GLIBCXX_3.4.9",
        "libstdc++.so.6:CXXABI_1.3.3", "libstdc++.so.6:GLIBCXX_3.4.11", "libstdc++.so.6:GLIBCXX_3.4.15",
        "libstdc++.so.6:GLIBCXX_3.4.20", "libstdc++.so.6:GLIBCXX_3.4.21", "libstdc++.so.6:CXXABI_1.3.9",
        "libstdc++.so.6:CXXABI_1.3", "libstdc++.so.6:GLIBCXX_3.4",
    };

    /// <summary>The output copies of libLibTorchSharp.so to edit.</summary>
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The system's libstdc++.so.6; empty: the usual library folders are searched.</summary>
    public string SystemLibStdCxx { get; set; } = "";

    public override bool Execute()
    {
        string system = FindSystemLibStdCxx();
        if (system == null)
        {
            Log.LogMessage(MessageImportance.Normal, "SegLoss: no system libstdc++.so.6 found; libLibTorchSharp.so left as it is.");
            return true;
        }
        try
        {
            if (DefinedVersions(File.ReadAllBytes(system)).Contains(Version))
            {
                Log.LogMessage(MessageImportance.Normal, $"SegLoss: {system} defines {Version}; libLibTorchSharp.so left as it is.");
                return true;
            }
        }
        catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
        {
            Log.LogWarning($"SegLoss: cannot read the version definitions of {system} ({e.Message}); libLibTorchSharp.so left as it is.");
            return true;
        }
        foreach (ITaskItem item in Files)
        {
            string path = item.GetMetadata("FullPath");
            try { Weaken(path); }
            catch (InvalidDataException e) { Log.LogError($"SegLoss: refusing to edit {path}: {e.Message}"); }
            catch (IOException e) { Log.LogError($"SegLoss: cannot edit {path}: {e.Message}"); }
        }
        return !Log.HasLoggedErrors;
    }

    string FindSystemLibStdCxx()
    {
        if (SystemLibStdCxx.Length > 0) return File.Exists(SystemLibStdCxx) ? SystemLibStdCxx : null;
        string[] folders =
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
        };
        return folders.Select(f => Path.Combine(f, Library)).FirstOrDefault(File.Exists);
    }

    void Weaken(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        List<Need> needs = Needs(bytes);
        var actual = needs.Select(n => n.File + ":" + n.Version).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var expected = ExpectedNeeds.OrderBy(s => s, StringComparer.Ordinal).ToArray();
        if (!actual.SequenceEqual(expected))
        {
            string missing = string.Join(", ", expected.Except(actual));
            string extra = string.Join(", ", actual.Except(expected));
            throw new InvalidDataException(
                $"its version needs are not TorchSharp 0.107.0's (missing: [{missing}], unexpected: [{extra}]). " +
                "Turn the fix off (SegLossLibStdCxxFix=false) or update it for this TorchSharp release.");
        }
        Need target = needs.Single(n => n.File == Library && n.Version == Version);
        ushort flags = BitConverter.ToUInt16(bytes, target.FlagsOffset);
        if ((flags & VerFlgWeak) != 0)
        {
            Log.LogMessage(MessageImportance.Low, $"SegLoss: {path} already marks {Version} weak.");
            return;
        }
        // The edit goes into a copy (File.Copy keeps the file mode), which then replaces the original name.
        DateTime stamp = File.GetLastWriteTimeUtc(path);
        string temporary = path + ".segloss-tmp";
        File.Copy(path, temporary, overwrite: true);
        using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write))
        {
            stream.Position = target.FlagsOffset;
            stream.Write(BitConverter.GetBytes((ushort)(flags | VerFlgWeak)), 0, 2);
        }
        File.SetLastWriteTimeUtc(temporary, stamp);
        File.Delete(path); // unlinks this name only: a hard-linked original elsewhere keeps its bytes
        File.Move(temporary, path);
        Log.LogMessage(MessageImportance.High, $"SegLoss: marked the {Version} need of {path} weak (the system libstdc++ lacks it).");
    }

    readonly struct Need
    {
        public Need(string file, string version, int flagsOffset) { File = file; Version = version; FlagsOffset = flagsOffset; }
        public string File { get; }
        public string Version { get; }
        public int FlagsOffset { get; }
    }

    // Elf64_Verneed entries (vn_cnt, vn_file, vn_aux, vn_next at 2, 4, 8, 12) each chain Elf64_Vernaux
    // entries (vna_flags, vna_name, vna_next at 4, 8, 12); names index the section's linked string table.
    static List<Need> Needs(byte[] elf)
    {
        var section = Section(elf, ShtGnuVerneed) ?? throw new InvalidDataException("it has no .gnu.version_r section");
        var needs = new List<Need>();
        long entry = section.Offset;
        for (uint i = 0; i < section.Info; i++)
        {
            ushort count = U16(elf, entry + 2);
            string file = Name(elf, section.Strings, U32(elf, entry + 4));
            long aux = entry + U32(elf, entry + 8);
            for (int j = 0; j < count; j++)
            {
                needs.Add(new Need(file, Name(elf, section.Strings, U32(elf, aux + 8)), checked((int)(aux + 4))));
                aux += U32(elf, aux + 12);
            }
            entry += U32(elf, entry + 12);
        }
        return needs;
    }

    // Elf64_Verdef entries (vd_cnt, vd_aux, vd_next at 6, 12, 16); the first Elf64_Verdaux names the version.
    static HashSet<string> DefinedVersions(byte[] elf)
    {
        var section = Section(elf, ShtGnuVerdef) ?? throw new InvalidDataException("it has no .gnu.version_d section");
        var names = new HashSet<string>(StringComparer.Ordinal);
        long entry = section.Offset;
        for (uint i = 0; i < section.Info; i++)
        {
            names.Add(Name(elf, section.Strings, U32(elf, entry + U32(elf, entry + 12))));
            entry += U32(elf, entry + 16);
        }
        return names;
    }

    sealed class SectionInfo
    {
        public long Offset;
        public uint Info;
        public long Strings;
    }

    // Elf64_Ehdr: e_shoff at 0x28, e_shentsize 0x3A, e_shnum 0x3C. Elf64_Shdr: sh_type 4, sh_offset 24,
    // sh_link 40, sh_info 44 (for the version sections, the entry count).
    static SectionInfo Section(byte[] elf, uint type)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("it is not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("it is not a little-endian 64-bit ELF file");
        long table = (long)U64(elf, 0x28);
        ushort size = U16(elf, 0x3A), count = U16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            long header = table + (long)i * size;
            if (U32(elf, header + 4) != type) continue;
            long strings = table + (long)U32(elf, header + 40) * size;
            return new SectionInfo
            {
                Offset = (long)U64(elf, header + 24),
                Info = U32(elf, header + 44),
                Strings = (long)U64(elf, strings + 24),
            };
        }
        return null;
    }

    static string Name(byte[] elf, long strings, uint offset)
    {
        long start = strings + offset, end = start;
        while (end < elf.Length && elf[end] != 0) end++;
        if (end >= elf.Length) throw new InvalidDataException("a version name runs past the end of the file");
        return Encoding.ASCII.GetString(elf, checked((int)start), checked((int)(end - start)));
    }

    static ushort U16(byte[] b, long at) => BitConverter.ToUInt16(Slice(b, at, 2), 0);
    static uint U32(byte[] b, long at) => BitConverter.ToUInt32(Slice(b, at, 4), 0);
    static ulong U64(byte[] b, long at) => BitConverter.ToUInt64(Slice(b, at, 8), 0);

    static byte[] Slice(byte[] b, long at, int length)
    {
        if (at < 0 || at + length > b.Length) throw new InvalidDataException("a header points past the end of the file");
        var slice = new byte[length];
        Array.Copy(b, at, slice, 0, length);
        return slice;
    }
}
