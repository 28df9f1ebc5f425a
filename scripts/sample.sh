#!/usr/bin/env bash
# Runs the main sample: installs libtorch-dev if missing, builds and runs samples/Quickstart.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dotnet run --project samples/Quickstart -c Release -- "$@"
