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
fi
ctest --test-dir "$dir" --output-on-failure -j 2
