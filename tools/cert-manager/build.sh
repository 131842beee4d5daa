#!/usr/bin/env bash
# Build the test bed's cert-manager controller (main.go here, on the packages of
# github.com/cert-manager/cert-manager pinned in tools/cert-manager/go.mod) from the Go module
# proxy, and extract that release's CRDs, once, into a cache keyed by the cert-manager version:
#
#   ${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/cert-manager/<version>/cert-manager-controller
#   ${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/cert-manager/<version>/crds.yaml
#
#   build.sh          build if needed; the last stdout line is the controller binary
#   build.sh --crds   build if needed; the last stdout line is crds.yaml
#   build.sh --dir    build if needed; the last stdout line is the cache directory
#
# crds.yaml: the six CRDs of deploy/crds/ in the module (certificates, certificaterequests,
# issuers, clusterissuers, orders, challenges), concatenated in a fixed order, each under a
# comment naming its source; plain controller-gen output with no Helm templating (checked:
# the build fails if a `{{` ever appears), so `$ZK_KUBECTL apply -f crds.yaml` (client-side, as
# tested by selftest.sh; --server-side works too) installs them on a plain API server.
#
# Idempotent and safe to run concurrently (flock). The binary is rebuilt when main.go, go.mod
# or go.sum change (their sha256 is kept in .inputs.sha256 beside it). `go` is needed only to
# fill the cache; it runs with a throw-away GOPATH/GOMODCACHE/GOCACHE/GOTMPDIR inside the cache
# dir, removed afterwards (a cold build needs ~3 GB there for ~4 minutes), so no other Go
# cache is touched.
#
# Env: GO (go binary; default /usr/local/go/bin/go if present, else go), ZK_CACHE_DIR,
#      ZK_CERT_MANAGER_REBUILD=1 (rebuild the binary and crds.yaml even if cached).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prog=cert-manager/build
log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }

what=bin
case "${1:-}" in
  "") ;;
  --crds) what=crds ;;
  --dir) what=dir ;;
  *)
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
(($# <= 1)) || die "too many arguments"

module=github.com/cert-manager/cert-manager
version="$(awk -v m="$module" '
  $1 == "require" && $2 == m { print $3; exit }
  $1 == m && $2 ~ /^v/ { print $2; exit }' "$here/go.mod")"
[[ -n "$version" ]] || die "no $module version in $here/go.mod"
# Fixed order: the cert-manager.io kinds, then the ACME ones.
crd_files=(
  cert-manager.io_certificates.yaml
  cert-manager.io_certificaterequests.yaml
  cert-manager.io_issuers.yaml
  cert-manager.io_clusterissuers.yaml
  acme.cert-manager.io_orders.yaml
  acme.cert-manager.io_challenges.yaml
)

out="${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/cert-manager/$version"
bin="$out/cert-manager-controller"
crds="$out/crds.yaml"
inputs="$(cd "$here" && cat main.go go.mod go.sum | sha256sum | cut -d' ' -f1)"

bin_ok() { [[ -x "$bin" && "$(cat "$out/.inputs.sha256" 2>/dev/null)" == "$inputs" ]]; }
crds_ok() { [[ -s "$crds" ]]; }

build() {
  if [[ -z "${GO:-}" ]]; then
    if [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; else GO=go; fi
  fi
  command -v "$GO" >/dev/null 2>&1 ||
    die "'$GO' (the go command) not found: it is needed once to build from the Go module proxy (set GO=/path/to/go)"
  local work="$out/.work.$$" t0=$SECONDS dir err
  # The module cache is read-only by design; make it writable before removing it.
  # shellcheck disable=SC2064
  trap "chmod -R u+w '$work/modcache' 2>/dev/null; rm -rf '$work'" EXIT
  rm -rf "$work"
  mkdir -p "$work/tmp"
  export GOPATH="$work/path" GOMODCACHE="$work/modcache" GOCACHE="$work/cache" GOTMPDIR="$work/tmp"
  export GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local GOWORK=off GO111MODULE=on

  if [[ "${ZK_CERT_MANAGER_REBUILD:-0}" == 1 ]] || ! crds_ok; then
    log "go mod download $module@$version ..."
    dir="$(cd "$here" && "$GO" mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" || true
    if [[ -z "$dir" || ! -d "$dir/deploy/crds" ]]; then
      err="$(cd "$here" && "$GO" mod download "$module" 2>&1)" || true
      die "go mod download $module@$version failed: ${err:-no deploy/crds in the module}"
    fi
    local f n names
    {
      echo "# cert-manager CRDs, from the Go module $module@$version, deploy/crds/*.yaml,"
      echo "# concatenated unchanged by tools/cert-manager/build.sh (no Helm templating in them)."
      for f in "${crd_files[@]}"; do
        [[ -s "$dir/deploy/crds/$f" ]] || die "$module@$version has no deploy/crds/$f"
        if grep -q '{{' "$dir/deploy/crds/$f"; then
          die "deploy/crds/$f contains Helm templating ({{ ... }}); it must be rendered before use"
        fi
        n="$(grep -c '^kind: CustomResourceDefinition$' "$dir/deploy/crds/$f" || true)"
        [[ "$n" == 1 ]] || die "deploy/crds/$f: expected 1 CustomResourceDefinition, found $n"
        echo "---"
        echo "# deploy/crds/$f"
        sed -e '1{/^---$/d}' "$dir/deploy/crds/$f"
      done
    } >"$out/.crds.yaml.tmp.$$"
    names="$(sed -n '/^kind: CustomResourceDefinition$/,/^spec:/s/^  name: //p' "$out/.crds.yaml.tmp.$$" | paste -sd, -)"
    mv -f "$out/.crds.yaml.tmp.$$" "$crds"
    log "wrote $crds ($names)"
  fi

  if [[ "${ZK_CERT_MANAGER_REBUILD:-0}" == 1 ]] || ! bin_ok; then
    log "building cert-manager-controller ($module $version) ..."
    local tb=$SECONDS
    (cd "$here" && CGO_ENABLED=0 "$GO" build -trimpath \
      -ldflags="-s -w -X $module/pkg/util.AppVersion=$version" \
      -o "$out/.cert-manager-controller.tmp.$$" .)
    mv -f "$out/.cert-manager-controller.tmp.$$" "$bin"
    echo "$inputs" >"$out/.inputs.sha256"
    log "built in $((SECONDS - tb)) s: $bin ($(du -m "$bin" | cut -f1) MB)"
  fi
  local tc=$SECONDS
  chmod -R u+w "$work/modcache" 2>/dev/null || true
  rm -rf "$work"
  trap - EXIT
  log "removed the throw-away Go caches in $((SECONDS - tc)) s; done in $((SECONDS - t0)) s -> $out"
}

if [[ "${ZK_CERT_MANAGER_REBUILD:-0}" == 1 ]] || ! bin_ok || ! crds_ok; then
  mkdir -p "$out"
  exec 9>"$out/.build.lock"
  flock 9
  if [[ "${ZK_CERT_MANAGER_REBUILD:-0}" == 1 ]] || ! bin_ok || ! crds_ok; then
    (build)
  fi
  exec 9>&-
fi
bin_ok || die "$bin is missing or stale after building"
crds_ok || die "$crds is missing after building"

case "$what" in
  bin) echo "$bin" ;;
  crds) echo "$crds" ;;
  dir) echo "$out" ;;
esac
