#!/usr/bin/env bash
# Build promtool (github.com/prometheus/prometheus/cmd/promtool, pinned in tools/promtool/go.mod)
# from the Go module proxy into a cache keyed by its version, once:
#
#   ${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/promtool/<version>/promtool
#
# Idempotent and safe to run concurrently (flock). The last line on stdout is the binary.
# Env: GO (go binary), ZK_CACHE_DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${GO:-}" ]]; then
  if [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; else GO=go; fi
fi
module=github.com/prometheus/prometheus
version="$(awk -v m="$module" '$1 == "require" && $2 == m { print $3; exit } $1 == m && $2 ~ /^v/ { print $2; exit }' "$here/go.mod")"
[[ -n "$version" ]] || { echo "promtool/build: no $module version in go.mod" >&2; exit 1; }
out="${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/promtool/$version"
if [[ ! -x "$out/promtool" ]]; then
  mkdir -p "$out"
  exec 9>"$out/.build.lock"
  flock 9
  if [[ ! -x "$out/promtool" ]]; then
    echo "promtool/build: building promtool $version ..." >&2
    t0=$SECONDS
    (cd "$here" && CGO_ENABLED=0 "$GO" build -mod=readonly -trimpath -ldflags="-s -w" \
      -o "$out/.promtool.tmp.$$" "$module/cmd/promtool")
    mv -f "$out/.promtool.tmp.$$" "$out/promtool"
    echo "promtool/build: built in $((SECONDS - t0)) s" >&2
  fi
fi
echo "$out/promtool"
