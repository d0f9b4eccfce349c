#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine, then runs the app.
# With no arguments: the app's window (the demo data set loads on first start;
# without a display it prints the text overview). Any arguments go to ccfield,
# e.g. scripts/run-app.sh search inondation, or scripts/run-app.sh window --renderer software
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
exec build/ui/ccfield "$@"
