#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 and runs each for a bounded time on its seed
# corpus (fuzz/corpus/<name>/). A crash fails the run and leaves the input in fuzz/artifacts/.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-30}
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DZK_FUZZ=ON -DZK_BUILD_TESTS=OFF >/dev/null
targets=$(cd fuzz && ls ./*_fuzz.cc | sed 's|^\./||; s|\.cc$||')
# shellcheck disable=SC2086
ninja -C build-fuzz -j"${ZK_JOBS:-2}" $targets
mkdir -p fuzz/artifacts
for t in $targets; do
  corpus=fuzz/corpus/${t%_fuzz}
  work=$(mktemp -d)
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s (seeds: $corpus)"
  if ! "build-fuzz/fuzz/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix=fuzz/artifacts/ -print_final_stats=1 "$work" "$corpus" >"$work.log" 2>&1; then
    tail -40 "$work.log"
    echo "fuzz: $t FAILED (input saved in fuzz/artifacts/)"
    exit 1
  fi
  grep -E "stat::number_of_executed_units" "$work.log" | sed "s/^/fuzz: $t /"
  rm -rf "$work" "$work.log"
done
