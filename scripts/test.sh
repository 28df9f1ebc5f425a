#!/usr/bin/env bash
# Runs every test: installs libtorch-dev if missing, builds (the native shim only when its
# sources changed) and runs the xunit suites of the solution.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dotnet build SegLoss.sln -c Release -nologo -clp:ErrorsOnly
dotnet test SegLoss.sln -c Release --no-build -nologo --logger "console;verbosity=minimal" "$@"
