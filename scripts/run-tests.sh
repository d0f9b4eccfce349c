#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine, then builds and runs all
# tests. Usage: scripts/run-tests.sh [--sanitize]   (ASan + UBSan build)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh "$@"
dir=build
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  # The convergence fuzz is 10x slower under ASan; half its seeds still
  # exercise every code path for memory errors (the normal build runs all 300).
  export CCFIELD_FUZZ_SEEDS="${CCFIELD_FUZZ_SEEDS:-150}"
fi
ctest --test-dir "$dir" --output-on-failure -j 2
