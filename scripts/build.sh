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
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
