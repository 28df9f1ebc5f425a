#!/usr/bin/env bash
# Runs every test: installs libtorch-dev if missing, builds (the native shim only when its
# sources changed), runs the xunit suites of the solution and checks the NuGet package.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dotnet build SegLoss.sln -c Release -nologo -clp:ErrorsOnly
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test SegLoss.sln -c Release --no-build -nologo --logger "console;verbosity=minimal" "$@" 2>&1 | tee "$log" || status=$?
bash scripts/check-package.sh || status=1
# One closing line for the whole run, summed over the test assemblies.
passed=$(sed -n 's/.*Passed:[[:space:]]*\([0-9]*\).*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/.*Failed:[[:space:]]*\([0-9]*\),.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
echo "Total: $passed passed, $failed failed"
exit $status
