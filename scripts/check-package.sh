#!/usr/bin/env bash
# Packs SegLoss and checks the package: README, LICENSE, XML docs and the library for both target
# frameworks, a symbols package, SourceLink repository metadata, and a dependency on TorchSharp —
# never on the compat binding's assembly.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet pack src/SegLoss/SegLoss.csproj -c Release -o "$out" -nologo -clp:ErrorsOnly -p:EnableSourceLink=true >/dev/null
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/SegLoss/SegLoss.csproj | head -n1)
pkg="$out/SegLoss.$version.nupkg"
fail() { echo "check-package: $1" >&2; exit 1; }
[ -f "$pkg" ] || fail "missing $pkg"
[ -f "$out/SegLoss.$version.snupkg" ] || fail "missing symbols package"
files=$(unzip -Z1 "$pkg")
for f in README.md LICENSE SegLoss.nuspec lib/net8.0/SegLoss.dll lib/net8.0/SegLoss.xml lib/net10.0/SegLoss.dll lib/net10.0/SegLoss.xml; do
  grep -qx "$f" <<<"$files" || fail "package lacks $f"
done
if grep -q 'TorchSharp.dll' <<<"$files"; then fail "package contains the binding's TorchSharp.dll"; fi
nuspec=$(unzip -p "$pkg" SegLoss.nuspec)
grep -q '<dependency id="TorchSharp" version="' <<<"$nuspec" || fail "nuspec has no TorchSharp dependency"
grep -q '<repository type="git" url="' <<<"$nuspec" || fail "nuspec has no SourceLink repository url"
grep -q '<readme>README.md</readme>' <<<"$nuspec" || fail "nuspec has no readme"
echo "check-package: SegLoss.$version.nupkg OK (depends on TorchSharp $(sed -n 's:.*<dependency id="TorchSharp" version="\([^"]*\)".*:\1:p' <<<"$nuspec" | head -n1))"
