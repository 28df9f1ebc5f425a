#!/usr/bin/env bash
# Packs SegLoss and consumes the package the way a user does: a fresh net10.0 console project restores it from
# a local feed (TorchSharp-cpu from nuget.org), opts in to the libstdc++ loader fix the package ships in
# buildTransitive/, compiles README's usage snippet as its Program.cs and runs it. Checks on the way:
#   - the package: README (src/SegLoss/PACKAGE.md, its snippet identical to README.md's, absolute links), LICENSE, lib/net8.0 and lib/net10.0 (dll + xml docs), a .snupkg, the nuspec's
#     readme, SourceLink repository url (on by default in packs), project url, release notes and the TorchSharp 0.107.0 and System.Numerics.Tensors dependencies (both frameworks), the
#     buildTransitive files (identical to build/), and no TorchSharp.dll of its own;
#   - the consumer's TorchSharp.dll is the real, strong-named TorchSharp 0.107.0 and SegLoss.dll (net8.0 and
#     net10.0) references exactly that identity;
#   - on x86-64 Linux whose libstdc++ lacks GLIBCXX_3.4.32, the output copy of libLibTorchSharp.so differs
#     from the NuGet cache's in exactly one byte, 0 -> 2 (VER_FLG_WEAK), and the cache copy is untouched;
#   - the snippet's printed values.
# Needs only bash, coreutils, sed, awk, grep, cmp/diff (diffutils) and the .NET SDK: no unzip (a fresh Debian 12
# has none) — the package is read from the folder NuGet extracts it to when the consumer restores it.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
fail() { echo "check-package: $*" >&2; exit 1; }

torchsharp_version=0.107.0
# Public key token of the real TorchSharp assembly (read once from ~/.nuget/packages/torchsharp/0.107.0/lib/
# net8.0/TorchSharp.dll with AssemblyName.GetAssemblyName). A look-alike TorchSharp.dll without the strong name fails.
torchsharp_token=67b0e5e1da516a1c

# The package is packed under a version of its own, <major.minor.patch>-check.<time>.<pid>, and that version's
# folder is removed from the global packages folder afterwards. A fixed version would be restored from the global
# packages folder if a previous run (or a real consumer) left one there, so the check could pass on a stale
# package; clearing such a folder instead would delete what other projects on the machine may use, and a private
# RestorePackagesPath would download TorchSharp-cpu's ~600 MB libtorch again on every run. The version's core comes
# from MinVer (git tags; 0.1.0 in a clone without tags) and the check's version is passed to MinVer as an override.
dotnet restore src/SegLoss/SegLoss.csproj -nologo >/dev/null || fail "dotnet restore src/SegLoss failed"
minver=$(dotnet msbuild src/SegLoss/SegLoss.csproj -nologo -t:MinVer -p:TargetFramework=net10.0 \
  -getProperty:MinVerMajor -getProperty:MinVerMinor -getProperty:MinVerPatch -getProperty:MinVerVersion 2>/dev/null) ||
  fail "MinVer did not compute a version for src/SegLoss"
field() { printf '%s\n' "$minver" | sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p"; }
base_version="$(field MinVerMajor).$(field MinVerMinor).$(field MinVerPatch)"
minver_version=$(field MinVerVersion)
[[ "$base_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "MinVer gave no version for src/SegLoss: $minver"
version="$base_version-check.$(date -u +%Y%m%d%H%M%S).$$"
packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')
packages=${packages%/}
[ -n "$packages" ] || fail "cannot find the NuGet global packages folder"
extracted="$packages/segloss/$version"

tmp=$(mktemp -d)
cleanup() {
  rm -rf "$tmp" "$extracted"
  rmdir "$packages/segloss" 2>/dev/null || true # only when no other SegLoss version is cached
}
trap cleanup EXIT
feed="$tmp/feed"
app="$tmp/consumer"
mkdir -p "$feed" "$app"

# --artifacts-path keeps this build's bin/ and obj/ out of src/SegLoss, so the pack neither races with nor
# invalidates a build of the working tree that runs at the same time.
if ! dotnet pack src/SegLoss/SegLoss.csproj -c Release -o "$feed" --artifacts-path "$tmp/artifacts" -nologo \
    -p:MinVerVersionOverride="$version" >"$tmp/pack.log" 2>&1; then
  cat "$tmp/pack.log" >&2
  fail "dotnet pack failed"
fi
[ -f "$feed/SegLoss.$version.nupkg" ] || fail "dotnet pack made no SegLoss.$version.nupkg"
[ -f "$feed/SegLoss.$version.snupkg" ] || fail "dotnet pack made no symbols package (SegLoss.$version.snupkg)"

# README's usage snippet: the first ```csharp block after the consumer-check marker.
awk '/<!-- consumer-check: scripts\/check-package.sh compiles and runs the next block -->/ { marked = 1; next }
     marked == 1 && /^```csharp[[:space:]]*$/ { marked = 2; next }
     marked == 2 && /^```[[:space:]]*$/ { exit }
     marked == 2 { print }' README.md >"$app/Program.cs"
[ -s "$app/Program.cs" ] || fail "README.md has no \`\`\`csharp block after the consumer-check marker"

# The feed first, then the source this machine uses for everything else (nuget.org, as in
# ~/.nuget/NuGet/NuGet.Config); SegLoss may only come from the feed, so nuget.org is never asked for it.
cat >"$app/NuGet.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="segloss-check" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="segloss-check">
      <package pattern="SegLoss" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
EOF

# The consumer. SegLossLibStdCxxFix=true is the opt-in the package's buildTransitive target waits for: without
# it, on Debian 12 (libstdc++ up to GLIBCXX_3.4.30) the snippet dies at its first tensor (checked by hand:
# TypeInitializationException for TorchSharp.torch, "Failed to load native component LibTorchSharp", because
# the loader refuses libLibTorchSharp.so: "version `GLIBCXX_3.4.32' not found", as ldd shows).
# InvariantGlobalization: the printed numbers use '.' whatever the machine's locale. After the build, CheckTorchSharpIdentity inspects the output's assemblies.
cat >"$app/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <InvariantGlobalization>true</InvariantGlobalization>
    <SegLossLibStdCxxFix>true</SegLossLibStdCxxFix>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="SegLoss" Version="$version" />
    <PackageReference Include="TorchSharp-cpu" Version="$torchsharp_version" />
  </ItemGroup>

  <UsingTask TaskName="CheckTorchSharpIdentity" TaskFactory="RoslynCodeTaskFactory"
             AssemblyFile="\$(MSBuildToolsPath)/Microsoft.Build.Tasks.Core.dll">
    <ParameterGroup>
      <TorchSharp Required="true" />
      <Referrers ParameterType="Microsoft.Build.Framework.ITaskItem[]" Required="true" />
      <Token Required="true" />
      <Version Required="true" />
    </ParameterGroup>
    <Task>
      <Using Namespace="System.IO" />
      <Using Namespace="System.Linq" />
      <Using Namespace="System.Reflection" />
      <Code Type="Fragment" Language="cs"><![CDATA[
        Func<byte[], string> hex = b => b == null ? "" : string.Concat(b.Select(x => x.ToString("x2")));
        var torch = AssemblyName.GetAssemblyName(TorchSharp);
        if (torch.Name != "TorchSharp" || hex(torch.GetPublicKeyToken()) != Token || torch.Version.ToString() != Version)
            Log.LogError("check-package: " + TorchSharp + " is " + torch.FullName + ", not TorchSharp " + Version + " with public key token " + Token);
        foreach (var referrer in Referrers)
        {
            string path = referrer.GetMetadata("FullPath");
            // Assembly.Load(byte[]) loads into a load context of its own; only the metadata is read.
            var refs = Assembly.Load(File.ReadAllBytes(path)).GetReferencedAssemblies().Where(r => r.Name == "TorchSharp").ToArray();
            if (refs.Length != 1 || hex(refs[0].GetPublicKeyToken()) != Token || refs[0].Version.ToString() != Version)
                Log.LogError("check-package: " + path + " references " + string.Join("; ", refs.Select(r => r.FullName)) + ", not TorchSharp " + Version + " with public key token " + Token);
        }
        if (!Log.HasLoggedErrors)
            Log.LogMessage(MessageImportance.High, "check-package: identity OK: " + torch.FullName);
      ]]></Code>
    </Task>
  </UsingTask>
  <Target Name="CheckTorchSharpIdentity" AfterTargets="Build">
    <ItemGroup>
      <_SegLossReferrer Include="\$(OutDir)SegLoss.dll;\$(NuGetPackageRoot)segloss/$version/lib/net8.0/SegLoss.dll" />
    </ItemGroup>
    <CheckTorchSharpIdentity TorchSharp="\$(OutDir)TorchSharp.dll" Referrers="@(_SegLossReferrer)"
                             Token="$torchsharp_token" Version="$torchsharp_version.0" />
  </Target>
</Project>
EOF

if ! (cd "$app" && dotnet build -c Release -nologo) >"$tmp/build.log" 2>&1; then
  grep -E 'error|check-package' "$tmp/build.log" | awk '!seen[$0]++' >&2 || cat "$tmp/build.log" >&2
  fail "the consumer project (README's snippet against SegLoss $version) does not build"
fi
grep -q 'check-package: identity OK' "$tmp/build.log" || fail "the consumer build did not check TorchSharp's identity"

# The package, as NuGet extracted it for the consumer.
[ -d "$extracted" ] || fail "SegLoss $version was not restored into $extracted"
for f in README.md LICENSE segloss.nuspec lib/net8.0/SegLoss.dll lib/net8.0/SegLoss.xml lib/net10.0/SegLoss.dll \
         lib/net10.0/SegLoss.xml buildTransitive/SegLoss.targets buildTransitive/SegLoss.LibStdCxxFix.targets \
         buildTransitive/WeakenGlibcxxNeed.cs; do
  [ -f "$extracted/$f" ] || fail "the package lacks $f"
done
cmp -s "$extracted/buildTransitive/SegLoss.targets" build/package/SegLoss.targets || fail "buildTransitive/SegLoss.targets is not build/package/SegLoss.targets"
cmp -s "$extracted/buildTransitive/SegLoss.LibStdCxxFix.targets" build/SegLoss.LibStdCxxFix.targets || fail "buildTransitive/SegLoss.LibStdCxxFix.targets is not build/'s"
cmp -s "$extracted/buildTransitive/WeakenGlibcxxNeed.cs" build/WeakenGlibcxxNeed.cs || fail "buildTransitive/WeakenGlibcxxNeed.cs is not build/'s"
[ -z "$(find "$extracted" -iname 'TorchSharp.dll')" ] || fail "the package carries a TorchSharp.dll of its own"
nuspec="$extracted/segloss.nuspec"
grep -q '<readme>README.md</readme>' "$nuspec" || fail "the nuspec has no readme element"
grep -q '<repository type="git" url="https://' "$nuspec" || fail "the nuspec has no SourceLink repository url"
grep -q '<projectUrl>https://github.com/segloss/segloss</projectUrl>' "$nuspec" || fail "the nuspec has no projectUrl"
grep -q '<releaseNotes>.*CHANGELOG.md</releaseNotes>' "$nuspec" || fail "the nuspec's releaseNotes do not point at CHANGELOG.md"
cmp -s "$extracted/README.md" src/SegLoss/PACKAGE.md || fail "the package's README.md is not src/SegLoss/PACKAGE.md"
# The package page's snippet is README's, so the run above covers both.
awk '/^```csharp/ { on = 1; next } on && /^```/ { exit } on { print }' src/SegLoss/PACKAGE.md | cmp -s - "$app/Program.cs" ||
  fail "PACKAGE.md's C# snippet differs from README.md's (keep them identical)"
if grep -qE '\]\((\.|[A-Za-z0-9_/-]+\.(md|png|cs))' src/SegLoss/PACKAGE.md; then fail "PACKAGE.md has a relative link (the NuGet page needs absolute ones)"; fi
# Two dependencies per framework: TorchSharp (managed API only) and System.Numerics.Tensors (the analytic kernels'
# TensorPrimitives), at the versions Directory.Packages.props pins.
tensors_version=$(sed -n 's/.*PackageVersion Include="System.Numerics.Tensors" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
groups=$(grep -c '<group targetFramework=' "$nuspec" || true)
deps=$(grep -c "<dependency id=\"TorchSharp\" version=\"$torchsharp_version\"" "$nuspec" || true)
tensors=$(grep -c "<dependency id=\"System.Numerics.Tensors\" version=\"$tensors_version\"" "$nuspec" || true)
others=$(grep '<dependency ' "$nuspec" | grep -v "<dependency id=\"TorchSharp\" version=\"$torchsharp_version\"" |
  grep -vc "<dependency id=\"System.Numerics.Tensors\" version=\"$tensors_version\"" || true)
[ -n "$tensors_version" ] && [ "$groups" -eq 2 ] && [ "$deps" -eq 2 ] && [ "$tensors" -eq 2 ] && [ "$others" -eq 0 ] ||
  fail "the nuspec should depend on TorchSharp $torchsharp_version and System.Numerics.Tensors $tensors_version alone for net8.0 and net10.0: $(grep '<dependency ' "$nuspec" | tr -s ' ' | tr '\n' ' ')"

# The loader fix in the consumer's output: one byte, the GLIBCXX_3.4.32 need's vna_flags, 0 -> VER_FLG_WEAK.
if [ "$(uname -s)/$(uname -m)" = Linux/x86_64 ]; then
  original="$packages/torchsharp/$torchsharp_version/runtimes/linux-x64/native/libLibTorchSharp.so"
  copy="$app/bin/Release/net10.0/runtimes/linux-x64/native/libLibTorchSharp.so"
  [ -f "$copy" ] || fail "the consumer's output has no runtimes/linux-x64/native/libLibTorchSharp.so"
  libstdcxx=""
  for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /usr/lib64 /lib64 /usr/lib /lib; do
    if [ -f "$d/libstdc++.so.6" ]; then libstdcxx="$d/libstdc++.so.6"; break; fi
  done
  if [ -n "$libstdcxx" ] && ! grep -qaF 'GLIBCXX_3.4.32' "$libstdcxx"; then
    changes=$(cmp -l "$original" "$copy" | awk '{ print $2 " -> " $3 }' | tr '\n' ' ' || true)
    [ "$changes" = "0 -> 2 " ] || fail "libLibTorchSharp.so in the output should differ from $original in one byte, 0 -> 2 (octal), got: ${changes:-no difference}"
    fix="weakened GLIBCXX_3.4.32"
  else
    cmp -s "$original" "$copy" || fail "the system libstdc++ has GLIBCXX_3.4.32, yet the output's libLibTorchSharp.so was changed"
    fix="not needed here"
  fi
else
  fix="not applicable on $(uname -s)/$(uname -m)"
fi

# The snippet's output, to the printed precision.
if ! (cd "$app" && dotnet run -c Release --no-build) >"$tmp/run.out" 2>"$tmp/run.err"; then
  cat "$tmp/run.out" "$tmp/run.err" >&2
  fail "README's snippet failed when run"
fi
cat >"$tmp/expected.out" <<'EOF'
Dice + CE: 1.7795, gradient L1 norm 1.7646
Dice + torch.nn.CrossEntropyLoss: 1.7795
Dice, perfect prediction: 0.0000
Dice (no background) + 0.5 Focal: 0.9281
focal Tversky: 0.7365
deep supervision: 1.8453, weights 0.5714, 0.2857, 0.1429
EOF
if ! diff -u "$tmp/expected.out" "$tmp/run.out" >"$tmp/run.diff"; then
  cat "$tmp/run.diff" "$tmp/run.err" >&2
  fail "README's snippet printed other values than expected (diff above: - expected, + printed)"
fi

echo "check-package: SegLoss $minver_version OK (packed as $version; depends on TorchSharp $torchsharp_version and System.Numerics.Tensors $tensors_version;" \
  "consumer built and ran README's snippet against TorchSharp $torchsharp_version, token $torchsharp_token;" \
  "loader fix: $fix; $((SECONDS - started)) s)"
