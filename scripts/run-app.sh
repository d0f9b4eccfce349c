#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine, then runs the app.
# With no arguments: the home overview (the demo data set loads on first start).
# Any arguments go to ccfield, e.g. scripts/run-app.sh search inondation
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
exec build/ui/ccfield "$@"
