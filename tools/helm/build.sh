#!/usr/bin/env bash
# Build helm (helm.sh/helm/v4, pinned in tools/helm/go.mod) from the Go module proxy into a
# cache keyed by its version, once:
#
#   ${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/helm/<version>/helm
#
# Idempotent and safe to run concurrently (flock). The last line on stdout is the binary.
# Env: GO (go binary), ZK_CACHE_DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${GO:-}" ]]; then
  if [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; else GO=go; fi
fi
version="$(awk '$1 == "helm.sh/helm/v4" && $2 ~ /^v/ { print $2; exit }' "$here/go.mod")"
[[ -n "$version" ]] || { echo "helm/build: no helm.sh/helm/v4 version in go.mod" >&2; exit 1; }
out="${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/helm/$version"
if [[ ! -x "$out/helm" ]]; then
  mkdir -p "$out"
  exec 9>"$out/.build.lock"
  flock 9
  if [[ ! -x "$out/helm" ]]; then
    echo "helm/build: building helm $version ..." >&2
    t0=$SECONDS
    (cd "$here" && CGO_ENABLED=0 "$GO" build -mod=readonly -trimpath \
      -ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$version" \
      -o "$out/.helm.tmp.$$" helm.sh/helm/v4/cmd/helm)
    mv -f "$out/.helm.tmp.$$" "$out/helm"
    echo "helm/build: built in $((SECONDS - t0)) s" >&2
  fi
fi
echo "$out/helm"
