#!/usr/bin/env bash
# Build the real Kubernetes binaries pinned in tools/testbed/go.mod (kube-apiserver, etcd,
# kubectl; and for the node: kubelet, kube-controller-manager, kube-scheduler, kube-proxy) and
# the CNI plugins pinned in tools/testbed/cni/go.mod (bridge, host-local, loopback),
# from the Go module proxy, into cache directories keyed by version:
#
#   ${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/testbed/<k8s-version>-<etcd-version>/bin
#   ${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/testbed/cni-<plugins-version>/bin
#
# Idempotent: does nothing when every binary already exists. Safe to run
# concurrently (flock). Each binary is written under a temporary name and
# renamed, so an interrupted build never leaves a half-written binary.
# Progress goes to stderr; the last line on stdout is the bin directory.
#
# Env: GO (go binary; default /usr/local/go/bin/go if present, else go),
#      ZK_CACHE_DIR, ZK_TESTBED_REBUILD=1 (force a rebuild).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ -z "${GO:-}" ]]; then
  if [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; else GO=go; fi
fi

log() { printf 'testbed/build: %s\n' "$*" >&2; }

# Version of a module as required in go.mod (single-line or block form).
modver() {
  awk -v m="$1" '
    $1 == "require" { $1 = ""; $0 = $0 }
    $1 == m && $2 ~ /^v/ { print $2; exit }
  ' "$here/go.mod"
}

k8s_version="$(modver k8s.io/kubernetes)"
etcd_version="$(modver go.etcd.io/etcd/server/v3)"
if [[ -z "$k8s_version" || -z "$etcd_version" ]]; then
  log "cannot read k8s.io/kubernetes / go.etcd.io/etcd/server/v3 versions from $here/go.mod"
  exit 1
fi

cache_root="${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/testbed"
bin="$cache_root/${k8s_version}-${etcd_version}/bin"
tools=(kube-apiserver etcd kubectl kubelet kube-controller-manager kube-scheduler kube-proxy)
cni_version="$(awk '$1 == "github.com/containernetworking/plugins" { print $2; exit }' "$here/cni/go.mod")"
cni_bin="$cache_root/cni-${cni_version}/bin"
cni_plugins=(bridge host-local loopback)

all_built() {
  local t
  for t in "${tools[@]}"; do
    [[ -x "$bin/$t" ]] || return 1
  done
  for t in "${cni_plugins[@]}"; do
    [[ -x "$cni_bin/$t" ]] || return 1
  done
}

if [[ "${ZK_TESTBED_REBUILD:-0}" != 1 ]] && all_built; then
  echo "$bin"
  exit 0
fi

mkdir -p "$bin"
# One builder at a time per version; the others wait and then find the binaries.
exec 9>"$bin/../.build.lock"
flock 9

if [[ "${ZK_TESTBED_REBUILD:-0}" == 1 ]]; then
  rm -f "${tools[@]/#/$bin/}"
fi

# Version stamps as the Kubernetes release build sets them (hack/lib/version.sh),
# so that `kubectl version` and the apiserver's /version report the real release.
minor="${k8s_version#v*.}"
minor="${minor%%.*}"
major="${k8s_version#v}"
major="${major%%.*}"
vflags=""
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  vflags+=" -X ${pkg}.gitVersion=${k8s_version}"
  vflags+=" -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor}"
  vflags+=" -X ${pkg}.gitTreeState=clean"
done

declare -A pkgs=(
  [kube-apiserver]=k8s.io/kubernetes/cmd/kube-apiserver
  [kubectl]=k8s.io/kubernetes/cmd/kubectl
  [etcd]=zonekeeper.dev/testbed/cmd/etcd
  [kubelet]=k8s.io/kubernetes/cmd/kubelet
  [kube-controller-manager]=k8s.io/kubernetes/cmd/kube-controller-manager
  [kube-scheduler]=k8s.io/kubernetes/cmd/kube-scheduler
  [kube-proxy]=k8s.io/kubernetes/cmd/kube-proxy
)
declare -A cni_pkgs=(
  [bridge]=github.com/containernetworking/plugins/plugins/main/bridge
  [host-local]=github.com/containernetworking/plugins/plugins/ipam/host-local
  [loopback]=github.com/containernetworking/plugins/plugins/main/loopback
)

start=$SECONDS
for t in "${tools[@]}"; do
  if [[ -x "$bin/$t" ]]; then
    continue
  fi
  log "building $t (${pkgs[$t]}) for k8s $k8s_version / etcd $etcd_version ..."
  t0=$SECONDS
  tmp="$bin/.$t.tmp.$$"
  # shellcheck disable=SC2064
  trap "rm -f '$tmp'" EXIT
  (
    cd "$here"
    CGO_ENABLED=0 "$GO" build -mod=readonly -trimpath \
      -ldflags="-s -w${vflags}" -o "$tmp" "${pkgs[$t]}"
  )
  mv -f "$tmp" "$bin/$t"
  trap - EXIT
  log "built $t in $((SECONDS - t0)) s"
done
mkdir -p "$cni_bin"
for t in "${cni_plugins[@]}"; do
  [[ -x "$cni_bin/$t" ]] && continue
  log "building CNI plugin $t ($cni_version) ..."
  tmp="$cni_bin/.$t.tmp.$$"
  # shellcheck disable=SC2064
  trap "rm -f '$tmp'" EXIT
  (cd "$here/cni" && CGO_ENABLED=0 "$GO" build -mod=readonly -trimpath -ldflags="-s -w" \
    -o "$tmp" "${cni_pkgs[$t]}")
  mv -f "$tmp" "$cni_bin/$t"
  trap - EXIT
done
if (( SECONDS > start )); then
  log "build done in $((SECONDS - start)) s -> $bin"
fi

all_built
echo "$bin"
