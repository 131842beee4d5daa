#!/usr/bin/env bash
# A real single-node Kubernetes cluster for zonekeeper's tests and for people: the control
# plane of controlplane.sh plus kube-controller-manager, kube-scheduler, containerd + runc,
# kubelet and kube-proxy, on a bridge with no route out.
#
#   node.sh start DIR               start everything (building first if needed); waits for Node
#                                   Ready; writes DIR/env (controlplane.sh's keys + the node's)
#   node.sh stop DIR                stop everything and remove what start put on the host; idempotent
#   node.sh import DIR ARCHIVE...   load OCI archives into the node's containerd (k8s.io namespace)
#   node.sh status DIR              exit 0 if the node is up and Ready
#   node.sh run -- CMD ARGS...      start in a temp dir, run CMD with DIR/env exported, stop, clean
#                                   up; exits with CMD's exit code
#
# DIR/env adds: ZK_NODE_NAME ZK_NODE_IP ZK_NODE_BRIDGE ZK_POD_CIDR ZK_NODE_STORAGE_CLASS
# ZK_CONTAINERD_SOCKET (`ctr --address $ZK_CONTAINERD_SOCKET -n k8s.io ...`) ZK_NODE_READY_MS.
#
# The network: bridge zk-node0 with 10.250.0.1/24 (the node IP, the pods' gateway, the API
# server's address); pods get 10.250.0.10-250. IP forwarding stays off, so nothing from a pod
# is routed beyond the bridge; the `kubernetes` Service works through kube-proxy's DNAT to the
# API server on 10.250.0.1. One node per machine (the bridge and some kubelet paths are global).
#
# Knobs: ZK_NODE_TIMEOUT (seconds to wait for Node Ready, default 120), ZK_NODE_PVS (local
#        PersistentVolumes to create, default 8), ZK_TESTBED_OWNER_PID, ZK_TESTBED_KEEP,
#        ZK_CACHE_DIR, GO (see controlplane.sh and build.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
prog="testbed-node"
log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

node_name=zk-node
bridge=zk-node0
node_ip=10.250.0.1
pod_cidr=10.250.0.0/24
service_cidr=10.0.0.0/24 # controlplane.sh's --service-cluster-ip-range
pause_ref=registry.k8s.io/pause:3.10.1
busybox_ref=zonekeeper.test/busybox:1.35
timeout_s="${ZK_NODE_TIMEOUT:-120}"
cache_root="${ZK_CACHE_DIR:-$HOME/.cache/zonekeeper}/testbed"
host_lock=/run/zonekeeper-testbed-node.lock

abs_dir() {
  [[ -n "${1:-}" ]] || die "missing DIR"
  mkdir -p "$1"
  local d
  d="$(cd "$1" && pwd -P)"
  [[ "$d" =~ ^[A-Za-z0-9._/@+,:=-]+$ ]] || die "DIR '$d' must not contain spaces or shell metacharacters"
  printf '%s\n' "$d"
}

load_env() {
  set -a
  # shellcheck disable=SC1091
  . "$1/env"
  set +a
}

# launch NAME DIR CMD...: run CMD detached in its own session, logs in DIR/NAME.log, pid in
# DIR/NAME.pid.
launch() {
  local name="$1" dir="$2"
  shift 2
  printf '\n===== %s starting at %s =====\n' "$name" "$(date -u +%FT%TZ)" >>"$dir/$name.log"
  setsid "$@" </dev/null >>"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

# stop_pid NAME DIR [GRACE]: SIGTERM, SIGKILL after GRACE seconds (default 10).
stop_pid() {
  local name="$1" dir="$2" grace="${3:-10}" pid i
  [[ -f "$dir/$name.pid" ]] || return 0
  pid="$(cat "$dir/$name.pid")"
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$dir"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/$name.pid"
}

# ---------------------------------------------------------------- certificates

# cert DIR NAME SUBJECT [EXTENSIONS]: a P-256 key and a certificate signed by the test bed CA.
cert() {
  local pki="$1/pki" name="$2" subj="$3" ext="${4:-extendedKeyUsage=clientAuth}"
  [[ -s "$pki/$name.crt" ]] && return 0
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -keyout "$pki/$name.key" -out "$pki/$name.csr" -subj "$subj" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n%s\n' \
    "$ext" >"$pki/$name.ext"
  openssl x509 -req -sha256 -days 3650 -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}

# kubeconfig DIR NAME: DIR/node/NAME.kubeconfig authenticating with DIR/pki/NAME.{crt,key}.
kubeconfig() {
  local dir="$1" name="$2"
  cat >"$dir/node/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: testbed
  cluster: {server: "https://$node_ip:$ZK_APISERVER_PORT", certificate-authority: "$dir/pki/ca.crt"}
users:
- name: $name
  user: {client-certificate: "$dir/pki/$name.crt", client-key: "$dir/pki/$name.key"}
contexts:
- name: testbed
  context: {cluster: testbed, user: $name}
current-context: testbed
EOF
}

# ---------------------------------------------------------------- images

# The sandbox (pause) and busybox images, built once per input hash with tools/oci.
build_images() {
  local key out root
  key="$( (cat "$here/pause.c"; cat "$repo/tools/oci/oci_archive.py"; busybox | head -1) | sha256sum | cut -c1-16)"
  out="$cache_root/images/node-$key"
  if [[ ! -s "$out/pause.tar" || ! -s "$out/busybox.tar" ]]; then
    mkdir -p "$out"
    root="$(mktemp -d)"
    mkdir -p "$root/pause" "$root/busybox"/{bin,etc,tmp,root,data}
    cc=$(command -v gcc || command -v gcc-12)
    "$cc" -Os -static -o "$root/pause/pause" "$here/pause.c"
    SOURCE_DATE_EPOCH=0 python3 "$repo/tools/oci/oci_archive.py" --name "$pause_ref" \
      --rootfs "$root/pause" --out "$out/pause.tar.tmp" --entrypoint /pause --user 65535:65535 >/dev/null
    install -m755 "$(command -v busybox)" "$root/busybox/bin/busybox"
    local a
    for a in $(busybox --list); do [[ $a == busybox ]] || ln -s busybox "$root/busybox/bin/$a"; done
    chmod 1777 "$root/busybox/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/busybox/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/busybox/etc/group"
    SOURCE_DATE_EPOCH=0 python3 "$repo/tools/oci/oci_archive.py" --name "$busybox_ref" \
      --rootfs "$root/busybox" --out "$out/busybox.tar.tmp" --cmd /bin/sh >/dev/null
    mv -f "$out/pause.tar.tmp" "$out/pause.tar"
    mv -f "$out/busybox.tar.tmp" "$out/busybox.tar"
    rm -rf "$root"
  fi
  echo "$out"
}

ctr_cmd() { echo "ctr --address $1/containerd/containerd.sock --namespace k8s.io"; }

cmd_import() {
  local dir f ctr
  dir="$(abs_dir "$1")"
  shift
  ctr="$(ctr_cmd "$dir")"
  for f in "$@"; do
    [[ -s "$f" ]] || die "import: $f is not a file"
    $ctr images import "$f" >/dev/null || die "import of $f failed"
  done
}

# ---------------------------------------------------------------- configuration files

write_configs() {
  local dir="$1"
  mkdir -p "$dir/node" "$dir/containerd" "$dir/cni/net.d" "$dir/kubelet" "$dir/pv"
  : >"$dir/node/resolv.conf" # pods resolve nothing outside: there is nothing to reach
  cat >"$dir/containerd/config.toml" <<EOF
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
[grpc]
  address = "$dir/containerd/containerd.sock"
[ttrpc]
  address = "$dir/containerd/containerd.sock.ttrpc"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause_ref"
  disable_apparmor = true
  # This machine's root lacks CAP_SYS_RESOURCE: runc cannot write a negative oom_score_adj.
  restrict_oom_score_adj = true
  enable_selinux = false
  netns_mounts_under_state_dir = true
  enable_unprivileged_ports = true
  enable_unprivileged_icmp = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "$(command -v runc)"
        Root = "$dir/containerd/runc"
  # No registry is reachable from here, and nothing may try: any pull (an image that was not
  # imported) goes to a closed port on loopback and fails at once.
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
    endpoint = ["http://127.0.0.1:9"]
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."*"]
    endpoint = ["http://127.0.0.1:9"]
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$dir/cni/net.d"
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/containerd/opt"
EOF
  cat >"$dir/cni/net.d/10-zk-node.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "zk-node",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "isDefaultGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$pod_cidr", "rangeStart": "10.250.0.10",
                     "rangeEnd": "10.250.0.250", "gateway": "$node_ip"}]],
        "dataDir": "$dir/cni/ipam"
      }
    },
    {"type": "loopback"}
  ]
}
EOF
  cat >"$dir/node/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false          # Kubernetes 1.35 refuses cgroup v1 hosts unless this is false
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
address: $node_ip
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 0
tlsCertFile: $dir/pki/kubelet-serving.crt
tlsPrivateKeyFile: $dir/pki/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $dir/pki/ca.crt}
authorization:
  mode: Webhook
containerRuntimeEndpoint: unix://$dir/containerd/containerd.sock
podLogsDir: $dir/kubelet/pod-logs
clusterDomain: cluster.local
resolvConf: $dir/node/resolv.conf
# Absolute floors, not percentages: the node shares the host's disk with the build, and 1 % of
# a large, nearly full disk (the CI machine) is gigabytes — DiskPressure then taints the node
# and the kubelet refuses every new Pod while the disk still has room for them.
evictionHard: {memory.available: 100Mi, nodefs.available: 128Mi, imagefs.available: 128Mi, nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
volumePluginDir: $dir/kubelet/volume-plugins
registerNode: true
EOF
}

# ---------------------------------------------------------------- host state

# Paths outside DIR that kubelet, containerd and libcni hard-code. Whatever of them did not
# exist before start is removed by stop; DIR/host-created lists them.
host_paths=(/var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /run/containerd /etc/cni)

record_host_paths() {
  local dir="$1" p
  : >"$dir/host-created"
  for p in "${host_paths[@]}"; do [[ -e $p ]] || echo "$p" >>"$dir/host-created"; done
}

setup_network() {
  local dir="$1"
  if ip link show "$bridge" >/dev/null 2>&1; then
    die "bridge $bridge exists: another test bed node runs on this machine (or a crashed one: node.sh stop DIR)"
  fi
  ip link add "$bridge" type bridge
  ip addr add "$node_ip/24" dev "$bridge"
  ip link set "$bridge" up
  echo "$bridge" >"$dir/host-bridge"
  # Nothing from the pods leaves the bridge, whatever ip_forward is set to by others.
  iptables -w -N ZK-TESTBED-NODE 2>/dev/null || true
  iptables -w -F ZK-TESTBED-NODE
  iptables -w -A ZK-TESTBED-NODE -i "$bridge" ! -o "$bridge" -j DROP
  iptables -w -C FORWARD -j ZK-TESTBED-NODE 2>/dev/null || iptables -w -I FORWARD -j ZK-TESTBED-NODE
}

teardown_network() {
  ip link del "$bridge" 2>/dev/null || true
  iptables -w -D FORWARD -j ZK-TESTBED-NODE 2>/dev/null || true
  iptables -w -F ZK-TESTBED-NODE 2>/dev/null || true
  iptables -w -X ZK-TESTBED-NODE 2>/dev/null || true
}

# ---------------------------------------------------------------- commands

node_ready() {
  [[ "$("$ZK_KUBECTL" get node "$node_name" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

cmd_status() {
  local dir
  dir="$(abs_dir "$1")"
  [[ -f "$dir/env" ]] || return 1
  (load_env "$dir" && "$here/controlplane.sh" status "$dir" && node_ready)
}

cmd_start() {
  local dir t0 bin images i
  dir="$(abs_dir "$1")"
  [[ $(id -u) == 0 ]] || die "the node needs root (bridge, mounts, containerd)"
  local c
  for c in containerd runc ctr iptables ip openssl busybox; do
    command -v "$c" >/dev/null || die "'$c' is missing: bash scripts/install-deps.sh"
  done
  if cmd_status "$dir"; then
    log "already running in $dir"
    cat "$dir/env"
    return 0
  fi
  t0=$(date +%s%N)
  exec 8>"$host_lock"
  flock -n 8 || die "another test bed node is starting or running on this machine ($host_lock)"
  bin="$("$here/build.sh" | tail -n1)"
  CNI_BIN="$(dirname "$bin")/../cni-$(awk '$1 == "github.com/containernetworking/plugins" { print $2; exit }' "$here/cni/go.mod")/bin"
  CNI_BIN="$(cd "$CNI_BIN" && pwd -P)"
  images="$(build_images)"
  # Any failure from here on stops what was started and removes what was put on the host.
  trap 'rc=$?; if ((rc != 0)); then log "start failed; stopping"; cmd_stop "'"$dir"'"; fi' EXIT

  record_host_paths "$dir"
  setup_network "$dir"
  write_configs "$dir"

  # containerd first: it takes a moment, the control plane starts meanwhile.
  launch containerd "$dir" containerd --config "$dir/containerd/config.toml"

  # Certificates first (the API server reads its kubelet client certificate at start), all
  # signed by the control plane's CA.
  ZK_APISERVER_ADDRESS=$node_ip "$here/controlplane.sh" pki "$dir"
  cert "$dir" apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  cert "$dir" kubelet "/O=system:nodes/CN=system:node:$node_name"
  cert "$dir" kubelet-serving "/CN=$node_name" \
    "extendedKeyUsage=serverAuth
subjectAltName=IP:$node_ip,DNS:$node_name"
  cert "$dir" kube-controller-manager "/CN=system:kube-controller-manager"
  cert "$dir" kube-scheduler "/CN=system:kube-scheduler"
  cert "$dir" kube-proxy "/CN=system:kube-proxy"

  # The control plane on the bridge address, with node authorization.
  ZK_APISERVER_ADDRESS=$node_ip ZK_APISERVER_AUTHORIZATION_MODE=Node,RBAC ZK_APISERVER_EXTRA_ARGS="\
--enable-admission-plugins=NodeRestriction --endpoint-reconciler-type=lease \
--kubelet-client-certificate=$dir/pki/apiserver-kubelet-client.crt \
--kubelet-client-key=$dir/pki/apiserver-kubelet-client.key \
--kubelet-certificate-authority=$dir/pki/ca.crt \
--kubelet-preferred-address-types=InternalIP" \
    "$here/controlplane.sh" start "$dir" >/dev/null || die "control plane did not start"
  load_env "$dir"
  for i in kubelet kube-controller-manager kube-scheduler kube-proxy; do kubeconfig "$dir" "$i"; done

  for ((i = 0; i < 100; i++)); do
    $(ctr_cmd "$dir") version >/dev/null 2>&1 && break
    sleep 0.1
  done
  cmd_import "$dir" "$images/pause.tar" "$images/busybox.tar"

  launch kube-controller-manager "$dir" "$bin/kube-controller-manager" \
    --kubeconfig="$dir/node/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false \
    --controllers='*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller' \
    --service-account-private-key-file="$dir/pki/sa.key" --root-ca-file="$dir/pki/ca.crt" \
    --use-service-account-credentials=true --cluster-name=zk-testbed \
    --flex-volume-plugin-dir="$dir/kcm-flex" --v=1
  launch kube-scheduler "$dir" "$bin/kube-scheduler" \
    --kubeconfig="$dir/node/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false --v=1
  launch kubelet "$dir" "$bin/kubelet" --config="$dir/node/kubelet.yaml" \
    --kubeconfig="$dir/node/kubelet.kubeconfig" --root-dir="$dir/kubelet/root" \
    --cert-dir="$dir/kubelet/pki" --hostname-override="$node_name" --node-ip="$node_ip" --v=1
  launch kube-proxy "$dir" "$bin/kube-proxy" --kubeconfig="$dir/node/kube-proxy.kubeconfig" \
    --hostname-override="$node_name" --proxy-mode=iptables --cluster-cidr="$pod_cidr" \
    --bind-address="$node_ip" --healthz-bind-address=127.0.0.1:10256 \
    --metrics-bind-address=127.0.0.1:10249 --conntrack-max-per-core=0 --v=1

  local deadline=$((SECONDS + timeout_s))
  until node_ready; do
    ((SECONDS < deadline)) || { tail -20 "$dir/kubelet.log" >&2; die "Node $node_name not Ready after ${timeout_s}s"; }
    sleep 0.2
  done
  local ready_ms=$((($(date +%s%N) - t0) / 1000000))
  # kube-proxy has programmed the kubernetes Service (Pods reach the API server through it).
  until iptables -w -t nat -S KUBE-SERVICES 2>/dev/null | grep -q -- "-d ${service_cidr%.*/*}.1/32"; do
    ((SECONDS < deadline)) || { tail -20 "$dir/kube-proxy.log" >&2; die "kube-proxy did not program the kubernetes Service"; }
    sleep 0.2
  done
  for i in containerd kubelet kube-proxy kube-controller-manager kube-scheduler; do
    kill -0 "$(cat "$dir/$i.pid")" 2>/dev/null || { tail -20 "$dir/$i.log" >&2; die "$i exited"; }
  done

  # Storage: a default no-provisioner StorageClass and local PVs under DIR/pv.
  local pvs="" n=${ZK_NODE_PVS:-8}
  for ((i = 0; i < n; i++)); do
    mkdir -p "$dir/pv/pv$i"
    chmod 1777 "$dir/pv/pv$i" # any Pod user may write its claim (no provisioner sets owners)
    pvs+="---
apiVersion: v1
kind: PersistentVolume
metadata: {name: zk-node-pv$i, labels: {zonekeeper.test/node-pv: \"true\"}}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: local
  local: {path: $dir/pv/pv$i}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [$node_name]}]
"
  done
  "$ZK_KUBECTL" apply -f - >/dev/null <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
$pvs
EOF
  # The default ServiceAccount (made by kube-controller-manager) before anyone creates Pods.
  until "$ZK_KUBECTL" get serviceaccount default -n default >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "no default ServiceAccount after ${timeout_s}s"
    sleep 0.2
  done
  trap - EXIT
  cat >>"$dir/env" <<EOF
ZK_NODE_NAME=$node_name
ZK_NODE_IP=$node_ip
ZK_NODE_BRIDGE=$bridge
ZK_POD_CIDR=$pod_cidr
ZK_NODE_STORAGE_CLASS=local
ZK_CONTAINERD_SOCKET=$dir/containerd/containerd.sock
ZK_NODE_READY_MS=$ready_ms
EOF
  log "node $node_name Ready ${ready_ms} ms after start (API server https://$node_ip:$ZK_APISERVER_PORT)"
  cat "$dir/env"
}

cmd_stop() {
  local dir p
  [[ -d "${1:-}" ]] || return 0
  dir="$(cd "$1" && pwd -P)"
  if [[ -f "$dir/env" ]]; then
    load_env "$dir"
    # Let the kubelet tear the pods down (volumes unmounted, CNI DEL) while it still runs.
    if [[ -f "$dir/kubelet.pid" ]] && kill -0 "$(cat "$dir/kubelet.pid")" 2>/dev/null; then
      timeout 60 "$ZK_KUBECTL" delete pods --all -A --grace-period=1 --wait=true >/dev/null 2>&1 || true
    fi
  fi
  stop_pid kube-scheduler "$dir"
  stop_pid kube-controller-manager "$dir"
  stop_pid kubelet "$dir"
  stop_pid kube-proxy "$dir"
  if [[ -S "$dir/containerd/containerd.sock" ]]; then
    local ctr t
    ctr="$(ctr_cmd "$dir")"
    for t in $($ctr tasks ls -q 2>/dev/null); do $ctr tasks kill -s KILL "$t" >/dev/null 2>&1 || true; done
    for t in $($ctr containers ls -q 2>/dev/null); do
      $ctr tasks rm -f "$t" >/dev/null 2>&1 || true
      $ctr containers rm "$t" >/dev/null 2>&1 || true
    done
  fi
  stop_pid containerd "$dir"
  # Shims left behind by a killed containerd.
  pkill -KILL -f "containerd-shim-runc-v2 -namespace k8s.io -address $dir/" 2>/dev/null || true
  # kube-proxy's chains (KUBE-*), then our own.
  if [[ -n "${ZK_TESTBED_BIN:-}" && -x "$ZK_TESTBED_BIN/kube-proxy" ]]; then
    "$ZK_TESTBED_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  fi
  # The kubelet's own chains (KUBE-FIREWALL, KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT) outlive
  # it: drop every KUBE- chain and rule (one node per machine, so they are all ours).
  local t rules
  for t in iptables ip6tables; do
    rules="$("$t-save" 2>/dev/null)" || continue
    grep -q -- 'KUBE-' <<<"$rules" && grep -v -- 'KUBE-' <<<"$rules" | "$t-restore" 2>/dev/null || true
  done
  "$here/controlplane.sh" stop "$dir" >/dev/null 2>&1 || true
  # Mounts under DIR (pod volumes, sandbox shm, netns, overlay snapshots), deepest first.
  grep -oE " $dir/[^ ]+" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  if [[ -f "$dir/host-bridge" ]]; then
    teardown_network
    rm -f "$dir/host-bridge" "$host_lock"
  fi
  if [[ -f "$dir/host-created" ]]; then
    while read -r p; do
      [[ -n $p ]] || continue
      grep -qE " $p/" /proc/mounts && { log "$p still has mounts; left in place"; continue; }
      rm -rf "$p"
    done <"$dir/host-created"
    rm -f "$dir/host-created"
  fi
  rm -f "$dir/env"
}

cmd_run() {
  [[ "${1:-}" == -- ]] && shift
  [[ $# -gt 0 ]] || die "run: missing command"
  local dir rc=0
  dir="$(mktemp -d /tmp/zk-node.XXXXXX)"
  ZK_TESTBED_OWNER_PID=$$ cmd_start "$dir" >/dev/null || { cmd_stop "$dir"; rm -rf "$dir"; exit 1; }
  (load_env "$dir" && "$@") || rc=$?
  cmd_stop "$dir"
  if [[ "${ZK_TESTBED_KEEP:-0}" == 1 ]]; then log "kept $dir"; else rm -rf "$dir"; fi
  exit "$rc"
}

case "${1:-}" in
start) cmd_start "${2:-}" ;;
stop) cmd_stop "${2:-}" ;;
status) cmd_status "${2:-}" ;;
import)
  shift
  d="${1:-}"
  shift || true
  cmd_import "$d" "$@"
  ;;
run)
  shift
  cmd_run "$@"
  ;;
*)
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
  ;;
esac
