#!/usr/bin/env bash
# The layering of docs/architecture.md, checked on every test run: folders are
# layers and no #include runs the wrong way. Prints each offending line and
# exits 1 when there is one. Usage: scripts/check-layers.sh [SOURCE_DIR]
set -uo pipefail
root="${1:-$(dirname "$0")/..}"
cd "$root" || exit 2
status=0

# forbid DIRS... -- PATTERN REASON: no file under DIRS may include PATTERN (extended regex).
forbid() {
  local dirs=() pattern reason
  while [ "$1" != "--" ]; do dirs+=("$1"); shift; done
  shift
  pattern="$1"
  reason="$2"
  local hits
  hits=$(grep -rnE --include='*.cpp' --include='*.h' "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "${dirs[@]}" 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "layering: $reason"
    echo "$hits" | sed 's/^/  /'
    status=1
  fi
}

gui='SDL|imgui|GL/|backends/'
net='curl/|httplib'
# core: the domain and the device store. Knows no window, no network, no sync, no server.
forbid core -- "$gui|$net|ccfield/sync/|ccfield/server/|app/|views/|cli/" "core/ includes a window, network, sync, server or UI header"
# media: the photo codec (libjpeg, libpng, libexif). Uses core's Status only: no window, network, sync, server or UI.
forbid media -- "$gui|$net|ccfield/sync/|ccfield/server/|app/|views/|cli/" "media/ includes a window, network, sync, server or UI header"
# maps: offline basemaps (MBTiles through core's SQLite wrapper, tiles decoded with media). No window, network, sync, server or UI.
forbid maps -- "$gui|$net|sqlite3.h|ccfield/sync/|ccfield/server/|app/|views/|cli/" "maps/ includes a window, network, sync, server or UI header"
# platform (apart from its SDL window) sits below everything.
forbid platform/include platform/src -- "$gui|$net|ccfield/core/|ccfield/sync/|ccfield/server/" "platform/ includes a layer above it"
# sync's protocol and merge are shared by client and server: no transport, no window.
forbid sync/include/ccfield/sync/protocol.h sync/include/ccfield/sync/merge.h sync/src/protocol.cpp sync/src/merge.cpp sync/src/text_merge.cpp -- \
  "$gui|$net|ccfield/server/|ccfield/core/store.h|ccfield/sync/client.h|ccfield/sync/transport.h" "sync's protocol/merge includes a transport, the device store, the server or a window"
forbid sync -- "$gui|ccfield/server/|app/|views/|cli/" "sync/ includes the server or the UI"
# The server never includes the device's client code or store.
forbid server -- "$gui|curl/|ccfield/sync/client.h|ccfield/sync/transport.h|ccfield/core/store.h|app/|views/|cli/" "server/ includes device code (client, transport, device store) or a window"
# Views draw; they do not talk to the database or the network.
forbid ui/views -- "sqlite3.h|$net|ccfield/core/sqlite_db.h|ccfield/sync/transport.h|ccfield/server/" "a view includes SQLite, the network or the server"
forbid ui -- "httplib|ccfield/server/" "ui/ includes the server or an HTTP server library"
# The command line loads no window library (issue 14): not the window's app, views, text layer (FriBidi) or driver.
forbid ui/cli -- "$gui|fribidi|app/|views/|text/|driver/|ccfield/platform/app_window.h" "ui/cli includes the window's layers (the CLI loads no window library)"

if [ $status -eq 0 ]; then echo "layering: ok"; fi
exit $status
