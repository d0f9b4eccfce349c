#!/usr/bin/env bash
# Configures and builds ccfield. Usage: scripts/build.sh [--sanitize]
#   default       build/       (Release: what packagers build; warnings are errors here)
#   --sanitize    build-asan/  (AddressSanitizer + UBSan, no benchmarks)
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
flags=(-DCMAKE_BUILD_TYPE=Release -DCCFIELD_WERROR=ON)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCCFIELD_SANITIZE=ON -DCCFIELD_BUILD_BENCH=OFF -DCCFIELD_WERROR=ON)
fi
# A compiler cache (installed by install-deps.sh): a build of a fresh clone
# (CI clones anew each time) reuses the objects of earlier builds of the same
# sources, wherever they were checked out.
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  flags+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
