#!/usr/bin/env bash
# Installs the system packages the build needs, only those that are missing (Debian 12). Image
# codecs come from NuGet (SkiaSharp's self-contained libSkiaSharp.so), not from apt.
set -euo pipefail
# libopenblas0-openmp: Debian points libblas.so.3 (which libtorch links) at the reference BLAS until
# an optimized one is installed; OpenBLAS (OpenMP build, like libtorch) makes GEMM ~10x faster.
packages=(cmake g++ make libtorch-dev libopenblas0-openmp)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK (dotnet) is not on PATH; install it from Microsoft's packages first" >&2
  exit 1
fi
