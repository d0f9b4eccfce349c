#!/usr/bin/env bash
# Installs the Debian 12 packages ccfield needs, skipping those already there.
# Runs apt-get as root (directly, or through sudo when not root).
set -euo pipefail

PACKAGES=(
  # build (ccache: scripts/build.sh reuses objects across fresh clones, as CI builds them)
  cmake ninja-build g++ pkg-config ccache
  # core
  libsqlite3-dev nlohmann-json3-dev
  # photos (media/: decode, shrink and re-encode JPEG/PNG, read EXIF)
  libexif-dev libjpeg62-turbo-dev libpng-dev
  # sync client and server
  libcurl4-openssl-dev zlib1g-dev libcpp-httplib-dev libsodium-dev ca-certificates
  # command-line parsing (ccfield, ccfield-server and its admin commands)
  libcli11-dev
  # zstd request and response bodies (issue 14: sync/src/body_codec.cpp, bench/compression_bench.cpp)
  libzstd-dev
  # brotli: bench/sync_bench.cpp decodes the server's brotli answers and computes
  # issue 14's reference (the records at brotli -q11) with libbrotlienc
  libbrotli-dev
  # whether the link is metered (photo sync on paid mobile data): NetworkManager's
  # Metered property over the system D-Bus (platform/src/network_info_dbus.cpp)
  libdbus-1-dev
  # UI: Dear ImGui 1.86 (+ stb) on SDL2, bidi shaping, fonts (DejaVu: Latin,
  # Cyrillic, Georgian, Armenian, Arabic; Noto: Ethiopic). ImGui's OpenGL3
  # backend loads libGL.so.1 at run time; Mesa's DRI drivers give llvmpipe
  # where there is no GPU (and under Xvfb).
  libimgui-dev libstb-dev libsdl2-dev libfribidi-dev fonts-dejavu-core fonts-noto-core
  libgl1 libgl1-mesa-dri
  # deployment front (deploy/nginx, scripts/front.sh): holds slow and idle
  # client connections in its event loop so that they never pin a server worker.
  # The tests and the attack bench start their own nginx on loopback.
  nginx-light
  # offline maps (issue 13): the demo basemap is rendered at build time with
  # FreeType labels in DejaVu Sans (maps/tools/demo_basemap.cpp)
  libfreetype-dev
  # positions (issue 13): gpsd's client library (platform/src/location_gpsd.cpp);
  # gpsd itself, and gpsfake (in gpsd-clients) for the tests and the bench
  libgps-dev
  gpsd gpsd-clients
  # tests (dbus-daemon: a private bus for tests/platform/network_info_test.cpp)
  doctest-dev dbus-daemon
  # tests/ui_text/plural_test.cpp: ICU's CLDR plural rules, the reference for ui/text/plural.cpp
  libicu-dev
  # window and UI tests: a private X server per test (tests/window/with_xvfb.sh)
  xvfb xauth
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "Installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Debian starts the system nginx (default site on port 80) as soon as it is
# installed. The tests and the bench run their own nginx (own prefix, see
# scripts/front.sh), so on a build or test machine that daemon would only be
# an unexpected open port: stop it and keep it from starting at boot. A
# production host enables it on purpose once the ccfield site is configured
# (docs/deploy.md). A host that already ran nginx is left alone: this runs only
# in the run that installed the package.
if printf '%s\n' "${missing[@]}" | grep -qx 'nginx-light'; then
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
  else
    $SUDO service nginx stop >/dev/null 2>&1 || true
    $SUDO update-rc.d nginx disable >/dev/null 2>&1 || true
  fi
fi
