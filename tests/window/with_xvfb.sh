#!/usr/bin/env bash
# Runs a command under a private Xvfb and returns the command's exit code.
#   tests/window/with_xvfb.sh COMMAND [ARGS...]
# Xvfb picks a free display itself (-displayfd), so parallel runs (ctest -j)
# never collide, and a random cookie keeps other local users off the display.
# The command gets DISPLAY and XAUTHORITY; Xvfb is stopped when it ends.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
if ! command -v Xvfb >/dev/null || ! command -v xauth >/dev/null; then
  echo "$0: Xvfb and xauth are needed (scripts/install-deps.sh)" >&2
  exit 2
fi

# doctest_discover_tests lists the test cases through this wrapper at build
# time; listing draws nothing, so it needs no server (and no Xvfb to build).
for arg in "$@"; do
  case "$arg" in
    --list-test-cases | --list-test-suites) exec "$@" ;;
  esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccfield-xvfb.XXXXXX")
xvfb_pid=""
cleanup() {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# The server loads every cookie in its -auth file whatever the display number
# in the entry, so the cookie can be set before the display is known.
cookie=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
touch "$tmp/server.auth" "$tmp/client.auth"
xauth -q -f "$tmp/server.auth" add :0 . "$cookie"

# Xvfb writes the display number to fd 3 once it accepts connections. A FIFO
# lets `read` wait for exactly that, and see EOF if Xvfb dies first.
mkfifo "$tmp/displayfd"
# -noreset: without it the server resets whenever its last client leaves,
# and a test that closes one window and opens the next can connect mid-reset
# and fail.
Xvfb -displayfd 3 -auth "$tmp/server.auth" -nolisten tcp -noreset -screen 0 1280x1024x24 -dpi 96 \
  3>"$tmp/displayfd" 2>"$tmp/xvfb.log" &
xvfb_pid=$!
display=""
read -r -t 30 display <"$tmp/displayfd" || true
if [ -z "$display" ]; then
  echo "$0: Xvfb did not start:" >&2
  cat "$tmp/xvfb.log" >&2
  exit 2
fi

xauth -q -f "$tmp/client.auth" add ":$display" . "$cookie"
export DISPLAY=":$display" XAUTHORITY="$tmp/client.auth"
# X11 only: when the X connection fails SDL would otherwise quietly fall back
# to Wayland, KMSDRM or its offscreen driver, and a test could pass on those.
export SDL_VIDEODRIVER=x11
unset WAYLAND_DISPLAY

set +e
"$@"
rc=$?
set -e
exit "$rc"
