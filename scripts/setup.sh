#!/usr/bin/env bash
# Installs what SegLoss needs beyond the .NET SDK, g++ and cmake: Debian's libtorch-dev.
# Idempotent: does nothing when libtorch's CMake package is already present or Torch_DIR is set.
set -euo pipefail

if [ -n "${Torch_DIR:-}" ]; then
  echo "setup: using libtorch from Torch_DIR=$Torch_DIR"
  exit 0
fi
if [ -f /usr/lib/x86_64-linux-gnu/cmake/Torch/TorchConfig.cmake ]; then
  exit 0
fi

echo "setup: installing libtorch-dev (Debian's libtorch 1.13) ..."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends libtorch-dev >/dev/null
echo "setup: libtorch-dev installed"
