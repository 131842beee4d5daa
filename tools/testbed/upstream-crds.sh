#!/usr/bin/env bash
# Fetch the UPSTREAM CRDs of the sources zonekeeper reads (issue 6) from their
# Go modules at pinned versions, through the Go module proxy, and write them to
# DIR:
#
#   DIR/traefik.yaml       github.com/traefik/traefik/v3  docs/content/reference/dynamic-configuration/
#                          kubernetes-crd-definition-v1.yml (all 10 traefik.io/v1alpha1 CRDs)
#   DIR/traefik-containo-us.yaml
#                          DERIVED, not upstream: traefik.io's IngressRoute CRD with its group renamed
#                          to the legacy traefik.containo.us (Traefik v3 ships no containo.us CRDs and
#                          the Go proxy serves no github.com/traefik/traefik/v2)
#   DIR/gateway-api.yaml   sigs.k8s.io/gateway-api  config/crd/standard/*.yaml (standard channel, with
#                          its ValidatingAdmissionPolicy "safe-upgrades")
#   DIR/external-dns.yaml  sigs.k8s.io/external-dns  config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml
#   DIR/VERSIONS           one line per file: file, module, version, path in module, go.sum hash
#
# Prints one line per file fetched. Idempotent and cached by version:
#   ${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/upstream-crds/<versions>/
# `go` is needed only to fill that cache (once); it runs with a throw-away
# GOPATH/GOMODCACHE/GOCACHE inside the cache dir, removed afterwards, so no
# other Go cache or module is touched. Safe to run concurrently (flock).
#
# Env: GO (go binary; default /usr/local/go/bin/go if present, else go), ZK_CACHE_DIR,
#      ZK_UPSTREAM_CRDS_REFETCH=1 (ignore the cache and fetch again).
set -euo pipefail

# Pinned. The newer sigs.k8s.io/gateway-api v1.7.0 and sigs.k8s.io/external-dns v0.23.0 are served,
# but their go.mod says `go 1.27`, which `go mod download` refuses with go1.26 (GOTOOLCHAIN=local).
TRAEFIK_MODULE=github.com/traefik/traefik/v3
TRAEFIK_VERSION=v3.7.13
TRAEFIK_PATH=docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml
GATEWAY_MODULE=sigs.k8s.io/gateway-api
GATEWAY_VERSION=v1.6.3
GATEWAY_PATH=config/crd/standard
EXTDNS_MODULE=sigs.k8s.io/external-dns
EXTDNS_VERSION=v0.22.0
EXTDNS_PATH=config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml

prog=upstream-crds
log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }

if (($# != 1)) || [[ -z "$1" || "$1" == -* ]]; then
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
fi
out_dir="$1"

versions="traefik-${TRAEFIK_VERSION}_gateway-api-${GATEWAY_VERSION}_external-dns-${EXTDNS_VERSION}"
cache_root="${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/upstream-crds"
cache="$cache_root/$versions"
files=(traefik.yaml traefik-containo-us.yaml gateway-api.yaml external-dns.yaml VERSIONS)

cached() {
  local f
  for f in "${files[@]}"; do [[ -s "$cache/$f" ]] || return 1; done
}

fetch() {
  if [[ -z "${GO:-}" ]]; then
    if [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; else GO=go; fi
  fi
  command -v "$GO" >/dev/null 2>&1 ||
    die "'$GO' (the go command) not found: it is needed once to fetch the CRDs from the Go module proxy (set GO=/path/to/go)"

  local work="$cache_root/.fetch.$$"
  # The module cache is read-only by design; make it writable before removing it.
  # shellcheck disable=SC2064
  trap "chmod -R u+w '$work' 2>/dev/null; rm -rf '$work'" EXIT
  rm -rf "$work"
  mkdir -p "$work/out" "$work/go/tmp"
  export GOPATH="$work/go/path" GOMODCACHE="$work/go/modcache" GOCACHE="$work/go/cache"
  export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off GO111MODULE=on GOTMPDIR="$work/go/tmp"

  # download MODULE VERSION: prints "DIR SUM" of the extracted module.
  download() {
    local json dir sum err
    json="$(cd "$work/go/tmp" && "$GO" mod download -json "$1@$2" 2>&1)" || true
    dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
    sum="$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
    if [[ -z "$dir" || ! -d "$dir" ]]; then
      err="$(sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
      die "go mod download $1@$2 failed: ${err:-$json}"
    fi
    printf '%s %s\n' "$dir" "$sum"
  }

  local t0=$SECONDS d s f n r
  local -a gw_files
  {
    echo "# Upstream CRDs, fetched by tools/testbed/upstream-crds.sh from the Go module proxy."
    echo "# file module version path-in-module go.sum-hash"
  } >"$work/out/VERSIONS"

  log "go mod download $TRAEFIK_MODULE@$TRAEFIK_VERSION ..."
  r="$(download "$TRAEFIK_MODULE" "$TRAEFIK_VERSION")"
  read -r d s <<<"$r"
  [[ -s "$d/$TRAEFIK_PATH" ]] || die "$TRAEFIK_MODULE@$TRAEFIK_VERSION has no $TRAEFIK_PATH"
  {
    echo "# $TRAEFIK_MODULE@$TRAEFIK_VERSION $TRAEFIK_PATH"
    cat "$d/$TRAEFIK_PATH"
  } >"$work/out/traefik.yaml"
  echo "traefik.yaml $TRAEFIK_MODULE $TRAEFIK_VERSION $TRAEFIK_PATH $s" >>"$work/out/VERSIONS"
  f="$d/docs/content/reference/dynamic-configuration/traefik.io_ingressroutes.yaml"
  [[ -s "$f" ]] || die "$TRAEFIK_MODULE@$TRAEFIK_VERSION has no ${f#"$d"/}"
  if ! grep -q '^  name: ingressroutes\.traefik\.io$' "$f" || ! grep -q '^  group: traefik\.io$' "$f"; then
    die "${f#"$d"/}: unexpected layout, cannot derive the traefik.containo.us CRD"
  fi
  {
    echo "# DERIVED, not upstream: $TRAEFIK_MODULE@$TRAEFIK_VERSION ${f#"$d"/}"
    echo "# with the group renamed from traefik.io to the legacy traefik.containo.us (Traefik v2)."
    sed -e 's/^  name: ingressroutes\.traefik\.io$/  name: ingressroutes.traefik.containo.us/' \
      -e 's/^  group: traefik\.io$/  group: traefik.containo.us/' "$f"
  } >"$work/out/traefik-containo-us.yaml"
  echo "traefik-containo-us.yaml $TRAEFIK_MODULE $TRAEFIK_VERSION ${f#"$d"/}(group-renamed) $s" >>"$work/out/VERSIONS"

  log "go mod download $GATEWAY_MODULE@$GATEWAY_VERSION ..."
  r="$(download "$GATEWAY_MODULE" "$GATEWAY_VERSION")"
  read -r d s <<<"$r"
  mapfile -t gw_files < <(cd "$d/$GATEWAY_PATH" && LC_ALL=C ls -- *.yaml)
  ((${#gw_files[@]} > 0)) || die "$GATEWAY_MODULE@$GATEWAY_VERSION has no $GATEWAY_PATH/*.yaml"
  {
    echo "# $GATEWAY_MODULE@$GATEWAY_VERSION $GATEWAY_PATH/*.yaml"
    for f in "${gw_files[@]}"; do
      echo "---"
      echo "# $GATEWAY_PATH/$f"
      cat "$d/$GATEWAY_PATH/$f"
    done
  } >"$work/out/gateway-api.yaml"
  echo "gateway-api.yaml $GATEWAY_MODULE $GATEWAY_VERSION $GATEWAY_PATH/*.yaml $s" >>"$work/out/VERSIONS"

  log "go mod download $EXTDNS_MODULE@$EXTDNS_VERSION ..."
  r="$(download "$EXTDNS_MODULE" "$EXTDNS_VERSION")"
  read -r d s <<<"$r"
  [[ -s "$d/$EXTDNS_PATH" ]] || die "$EXTDNS_MODULE@$EXTDNS_VERSION has no $EXTDNS_PATH"
  {
    echo "# $EXTDNS_MODULE@$EXTDNS_VERSION $EXTDNS_PATH"
    cat "$d/$EXTDNS_PATH"
  } >"$work/out/external-dns.yaml"
  echo "external-dns.yaml $EXTDNS_MODULE $EXTDNS_VERSION $EXTDNS_PATH $s" >>"$work/out/VERSIONS"

  for f in traefik.yaml traefik-containo-us.yaml gateway-api.yaml external-dns.yaml; do
    n="$(grep -c '^kind: CustomResourceDefinition$' "$work/out/$f" || true)"
    ((n > 0)) || die "$f: no CustomResourceDefinition in it"
  done

  rm -rf "$cache.old"
  [[ -e "$cache" ]] && mv "$cache" "$cache.old"
  mv "$work/out" "$cache"
  rm -rf "$cache.old"
  log "fetched in $((SECONDS - t0)) s -> $cache"
}

mkdir -p "$cache_root"
if [[ "${ZK_UPSTREAM_CRDS_REFETCH:-0}" == 1 ]] || ! cached; then
  exec 9>"$cache_root/.lock"
  flock 9
  if [[ "${ZK_UPSTREAM_CRDS_REFETCH:-0}" == 1 ]] || ! cached; then
    (fetch)
  fi
  exec 9>&-
fi
cached || die "cache $cache is incomplete"

mkdir -p "$out_dir"
for f in "${files[@]}"; do
  cp -f "$cache/$f" "$out_dir/.$f.tmp.$$"
  mv -f "$out_dir/.$f.tmp.$$" "$out_dir/$f"
done

# What was fetched: file, CRDs in it, module@version and path.
while read -r f mod ver path _; do
  [[ "$f" == \#* || -z "$f" ]] && continue
  crds="$(sed -n '/^kind: CustomResourceDefinition$/,/^spec:/s/^  name: //p' "$out_dir/$f" | paste -sd, -)"
  printf '%s/%s\t%s@%s %s\t%s\n' "$out_dir" "$f" "$mod" "$ver" "$path" "$crds"
done <"$out_dir/VERSIONS"
