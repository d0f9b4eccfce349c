#!/usr/bin/env bash
# Long fuzzing by hand with clang's libFuzzer (docs/fuzzing.md). CI runs the
# same targets with our small g++ driver instead (ctest -R fuzz_).
#
# Usage: scripts/fuzz.sh [TARGET|all] [SECONDS]     (default: all, 120 s per target)
#   TARGET: json_text protocol site_import forms sync_service photo
# Builds build-fuzz/ (clang++, -fsanitize=fuzzer,address,undefined; only the
# fuzz targets and the libraries they need), then runs libFuzzer on one core
# at low priority with the checked-in corpus and dictionary. New inputs
# libFuzzer finds go to build-fuzz/corpus/TARGET (not checked in); a crash is
# written to build-fuzz/crash-* and the run stops with its stack.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-all}"
seconds="${2:-120}"
targets=(json_text protocol site_import forms sync_service photo)

# libFuzzer ships with clang in Debian 12 (libclang-rt-14-dev, pulled in by
# the clang package). Not in scripts/install-deps.sh: CI does not need it.
need=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "fuzz.sh: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi

san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS="$san" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCCFIELD_LIBFUZZER=ON -DCCFIELD_BUILD_BENCH=OFF >/dev/null
if [ "$target" = all ]; then
  run=("${targets[@]}")
else
  run=("$target")
fi
cmake --build build-fuzz -j 2 --target "${run[@]/#/fuzz_}"

# The checked-in seeds each target starts from (as in tests/fuzz/CMakeLists.txt).
seeds_of() {
  case "$1" in
    json_text) echo json_text protocol sync_service site_import forms ;;
    protocol) echo protocol sync_service ;;
    sync_service) echo sync_service protocol ;;
    *) echo "$1" ;;
  esac
}

for t in "${run[@]}"; do
  out="build-fuzz/corpus/$t"
  mkdir -p "$out"
  dirs=()
  for s in $(seeds_of "$t"); do dirs+=("tests/fuzz/corpus/$s"); done
  echo "== fuzz_$t for ${seconds}s"
  # -max_len: large enough for a small sync request; the seeds set the shapes.
  log="build-fuzz/fuzz_$t.log"
  status=0
  nice -n 19 "build-fuzz/tests/fuzz/fuzz_$t" "$out" "${dirs[@]}" \
    -dict=tests/fuzz/ccfield.dict -max_total_time="$seconds" -max_len=65536 \
    -artifact_prefix=build-fuzz/crash-"$t"- -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|stat::new_units_added" "$log" || true
  if [ "$status" -ne 0 ]; then
    grep -E "ERROR|SUMMARY|Test unit written|fuzz check failed|^    #[0-9]+ " "$log" | head -40 || true
    echo "fuzz_$t: CRASH (exit $status); full log $log, input in build-fuzz/crash-$t-*"
    exit 1
  fi
done
