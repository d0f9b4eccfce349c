#!/usr/bin/env bash
# Issue 14, "a CLI that starts at once": the command-line binary loads no
# window library, and the window is one exec away. Checked on every test run
# (ctest cli_loads_no_window_library). Prints what is wrong and exits 1.
# Usage: scripts/check-cli-binary.sh BUILD/ui/ccfield
set -uo pipefail
cli="${1:?usage: check-cli-binary.sh PATH/TO/ccfield}"
window="$(dirname "$cli")/ccfield-window"
# SDL, OpenGL/EGL, Dear ImGui (and its stb), FriBidi, the display servers,
# libgps (the window's positions).
window_libs='libSDL2|libGL|libEGL|libOpenGL|imgui|libstb|libfribidi|libX11|libxcb|libwayland|libgps'
status=0
fail() { echo "check-cli-binary: $*"; status=1; }

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

[ -x "$cli" ] || { echo "check-cli-binary: no $cli"; exit 1; }
[ -x "$window" ] || fail "no window program beside the CLI: $window"

direct=$(needed "$cli")
[ -n "$direct" ] || fail "readelf found no NEEDED entries in $cli (is it an ELF file?)"
hits=$(echo "$direct" | grep -E "$window_libs")
[ -z "$hits" ] || fail "$cli needs window libraries directly: $(echo $hits)"
hits=$(ldd "$cli" | grep -E "$window_libs")
[ -z "$hits" ] || fail "$cli loads window libraries through others: $(echo "$hits" | awk '{print $1}' | xargs)"

# The same pattern does find them in the window program (the check can fail).
if [ -x "$window" ]; then
  needed "$window" | grep -q 'libSDL2' || fail "$window does not need libSDL2: the check looks for the wrong names"
fi

# The window is one exec away: `ccfield window --help` is the window's help,
# `ccfield --help` the command line's, and without a display `ccfield`
# prints the text overview.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$(env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$cli" --data "$dir/d" window --help 2>&1)
echo "$out" | grep -q "Opens the field app's window" || fail "ccfield window --help did not print the window's help: $out"
out=$("$cli" --data "$dir/d" --help 2>&1)
echo "$out" | grep -q "^Commands:" || fail "ccfield --help did not print the commands: $out"
out=$(env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$cli" --data "$dir/d" init 2>&1) || fail "ccfield init failed: $out"
out=$(env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$cli" --data "$dir/d" 2>&1)
echo "$out" | grep -q "Showing the text overview" || fail "ccfield without a display did not show the text overview: $out"
exit $status
