#!/usr/bin/env bash
# A real Kubernetes control plane (etcd + kube-apiserver, no kubelet, no
# controller-manager) on loopback, for zonekeeper's tests and for people.
#
#   controlplane.sh start DIR              start (building first if needed); writes DIR/env, DIR/kubeconfig
#   controlplane.sh stop DIR               stop both (SIGTERM, then SIGKILL); idempotent
#   controlplane.sh restart-apiserver DIR  restart only kube-apiserver, same flags and port
#   controlplane.sh pki DIR                create DIR/pki (CA, serving and service-account keys) only
#   controlplane.sh compact DIR            compact etcd at its current revision; prints the revision
#   controlplane.sh status DIR             exit 0 if both run and /readyz answers ok
#   controlplane.sh run -- CMD ARGS...     start in a temp dir, run CMD with DIR/env exported, stop, clean up;
#                                          exits with CMD's exit code
#
# DIR/env holds plain KEY=VALUE lines (no quoting, no spaces; `set -a; . DIR/env; set +a`):
#   KUBECONFIG ZK_APISERVER_URL ZK_APISERVER_ADDRESS ZK_ETCD_URL ZK_ADMIN_TOKEN ZK_KUBECTL ZK_CA_FILE ZK_TESTBED_DIR
#   ZK_TESTBED_BIN ZK_APISERVER_PORT ZK_ETCD_PORT ZK_ETCD_PEER_PORT ZK_APISERVER_PID ZK_ETCD_PID
#   ZK_K8S_VERSION ZK_ETCD_VERSION
#
# Knobs (environment):
#   ZK_TESTBED_TIMEOUT        seconds to wait for etcd health and apiserver /readyz (default 120)
#   ZK_TESTBED_STOP_GRACE     seconds between SIGTERM and SIGKILL on stop (default 10)
#   ZK_APISERVER_EXTRA_ARGS   extra kube-apiserver flags, split on spaces (e.g. "--watch-cache=false");
#                             kept for restart-apiserver
#   ZK_APISERVER_V            kube-apiserver log verbosity (default 1)
#   ZK_APISERVER_AUTHORIZATION_MODE  --authorization-mode (default RBAC; node.sh: Node,RBAC)
#   ZK_APISERVER_ADDRESS      address kube-apiserver binds, advertises and is reached at (default
#                             127.0.0.1; node.sh uses its bridge address, so Pods reach it too)
#   ZK_TESTBED_KEEP=1         `run`: keep the temp dir (logs) after stopping
#   ZK_TESTBED_OWNER_PID      `start`: stop the test bed when this process exits, even if it is
#                             SIGKILLed (a watchdog polls it every second); `run` sets it itself
#   ZK_CACHE_DIR, GO          see build.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prog="testbed"

log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is required but not installed"
  done
}

timeout_s="${ZK_TESTBED_TIMEOUT:-120}"
addr="${ZK_APISERVER_ADDRESS:-127.0.0.1}"
grace_s="${ZK_TESTBED_STOP_GRACE:-10}"

# ---------------------------------------------------------------- helpers

# Absolute, physical path of DIR (created). Only characters that need no
# quoting are allowed, so DIR/env stays plain KEY=VALUE.
abs_dir() {
  [[ -n "${1:-}" ]] || die "missing DIR"
  mkdir -p "$1"
  local d
  d="$(cd "$1" && pwd -P)"
  [[ "$d" =~ ^[A-Za-z0-9._/@+,:=-]+$ ]] || die "DIR '$d' must not contain spaces or shell metacharacters"
  printf '%s\n' "$d"
}

# N free TCP ports on 127.0.0.1, space separated.
free_ports() {
  local n="$1"
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$n" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
    return
  fi
  local ports=() p
  while ((${#ports[@]} < n)); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && [[ " ${ports[*]} " != *" $p "* ]]; then
      ports+=("$p")
    fi
  done
  echo "${ports[*]}"
}

# True if PID is alive and its command line mentions MATCH (guards against
# signalling a recycled PID that is not ours).
is_ours() {
  local pid="$1" match="$2" cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$match"* ]]
}

# Stop the process recorded in PIDFILE: SIGTERM, then SIGKILL after the grace period.
stop_pidfile() {
  local name="$1" pidfile="$2" match="$3" pid i
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if is_ours "$pid" "$match"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace_s * 10; i++)); do
      is_ours "$pid" "$match" || break
      sleep 0.1
    done
    if is_ours "$pid" "$match"; then
      log "$name (pid $pid) did not stop within ${grace_s}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        is_ours "$pid" "$match" || break
        sleep 0.1
      done
    fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

# launch NAME PIDFILE LOGFILE CMD ARGS... : start CMD in its own session,
# detached from our stdin/stdout, and record its PID in PIDFILE.
launch() {
  local name="$1" pidfile="$2" logfile="$3" i
  shift 3
  rm -f "$pidfile"
  printf '\n===== %s starting at %s =====\n' "$name" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$logfile"
  # shellcheck disable=SC2016 # expanded by the inner bash
  local wrapper='echo "$$" >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"'
  if command -v setsid >/dev/null 2>&1; then
    setsid bash -c "$wrapper" "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 &
  else
    bash -c "$wrapper" "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 &
  fi
  for ((i = 0; i < 100; i++)); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.05
  done
  die "$name did not start (no pid file)"
}

log_tail() {
  local f
  for f in "$@"; do
    [[ -f "$f" ]] || continue
    printf '%s: ---- last lines of %s ----\n' "$prog" "$f" >&2
    tail -n 40 "$f" >&2 || true
  done
}

etcd_healthy() {
  local out
  out="$(curl -sS --max-time 2 "http://127.0.0.1:$1/health" 2>/dev/null)" || return 1
  [[ "$out" == *'"health":"true"'* ]]
}

apiserver_ready() { # DIR PORT
  local out
  out="$(curl -sS --max-time 3 --cacert "$1/pki/ca.crt" \
    "https://$addr:$2/readyz" 2>/dev/null)" || return 1
  [[ "$out" == ok ]]
}

# wait_for NAME PIDFILE MATCH LOG OFFSET CHECK ARGS... : poll CHECK until it
# succeeds. Returns 0 on success, 2 if the process died because its port was
# taken (caller retries on other ports), 1 on any other failure or timeout.
wait_for() {
  local name="$1" pidfile="$2" match="$3" logfile="$4" offset="$5" deadline pid
  shift 5
  deadline=$((SECONDS + timeout_s))
  pid="$(cat "$pidfile")"
  while ((SECONDS < deadline)); do
    if "$@"; then
      return 0
    fi
    if ! is_ours "$pid" "$match"; then
      if tail -c "+$((offset + 1))" "$logfile" | grep -q 'address already in use'; then
        log "$name: port already in use, retrying on other ports"
        return 2
      fi
      log "$name exited during startup"
      return 1
    fi
    sleep 0.25
  done
  log "$name not ready after ${timeout_s}s"
  return 1
}

filesize() { stat -c %s "$1" 2>/dev/null || echo 0; }

load_env() {
  local dir="$1"
  [[ -f "$dir/env" ]] || die "$dir/env not found: is the test bed started in $dir?"
  set -a
  # shellcheck disable=SC1091
  . "$dir/env"
  set +a
  addr="${ZK_APISERVER_ADDRESS:-127.0.0.1}"
}

# ---------------------------------------------------------------- PKI

gen_pki() {
  local dir="$1" pki="$1/pki"
  mkdir -p "$pki"
  chmod 700 "$pki"
  if [[ ! -s "$pki/ca.crt" || ! -s "$pki/ca.key" ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
      -keyout "$pki/ca.key" -out "$pki/ca.crt" -subj "/CN=zonekeeper-testbed-ca" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    rm -f "$pki/apiserver.crt"
  fi
  if [[ ! -s "$pki/apiserver.crt" || ! -s "$pki/apiserver.key" ]]; then
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
      -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" -subj "/CN=kube-apiserver" 2>/dev/null
    cat >"$pki/apiserver.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:$addr,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
EOF
    openssl x509 -req -sha256 -days 3650 -in "$pki/apiserver.csr" \
      -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
      -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
    rm -f "$pki/apiserver.csr"
  fi
  if [[ ! -s "$pki/sa.key" || ! -s "$pki/sa.pub" ]]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/sa.key" 2>/dev/null
    openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  fi
  if [[ ! -s "$dir/tokens.csv" ]]; then
    local token
    token="$(openssl rand -hex 32)"
    # token,user,uid,"group1,group2"
    (umask 077 && printf '%s,admin,admin,system:masters\n' "$token" >"$dir/tokens.csv")
  fi
}

admin_token() { cut -d, -f1 <"$1/tokens.csv" | head -n1; }

# ---------------------------------------------------------------- commands

start_etcd() { # DIR BIN PORT PEER_PORT
  local dir="$1" bin="$2" port="$3" peer="$4"
  launch etcd "$dir/etcd.pid" "$dir/etcd.log" "$bin/etcd" \
    --name=zk-testbed \
    --data-dir="$dir/etcd-data" \
    --listen-client-urls="http://127.0.0.1:$port" \
    --advertise-client-urls="http://127.0.0.1:$port" \
    --listen-peer-urls="http://127.0.0.1:$peer" \
    --initial-advertise-peer-urls="http://127.0.0.1:$peer" \
    --initial-cluster="zk-testbed=http://127.0.0.1:$peer" \
    --initial-cluster-state=new \
    --enable-grpc-gateway=true \
    --auto-compaction-retention=0 \
    --unsafe-no-fsync=true \
    --log-level=warn
}

write_apiserver_args() { # DIR ETCD_PORT API_PORT
  local dir="$1" etcd_port="$2" port="$3" a extra=()
  local args=(
    --bind-address="$addr"
    --secure-port="$port"
    --advertise-address="$addr"
    --endpoint-reconciler-type=none
    --service-cluster-ip-range=10.0.0.0/24
    --etcd-servers="http://127.0.0.1:$etcd_port"
    # Not 0: with 0 the apiserver runs no compactor at all and never learns
    # about compactions (its watch-cache snapshots would keep serving
    # compacted revisions). With a year it never compacts by itself but
    # watches compact_rev_key, which `compact` updates.
    --etcd-compaction-interval=8760h
    --cert-dir="$dir/pki"
    --tls-cert-file="$dir/pki/apiserver.crt"
    --tls-private-key-file="$dir/pki/apiserver.key"
    --client-ca-file="$dir/pki/ca.crt"
    --token-auth-file="$dir/tokens.csv"
    --authorization-mode="${ZK_APISERVER_AUTHORIZATION_MODE:-RBAC}"
    --service-account-key-file="$dir/pki/sa.pub"
    --service-account-signing-key-file="$dir/pki/sa.key"
    --service-account-issuer=https://kubernetes.default.svc.cluster.local
    --profiling=false
    --v="${ZK_APISERVER_V:-1}"
  )
  if [[ -n "${ZK_APISERVER_EXTRA_ARGS:-}" ]]; then
    read -r -a extra <<<"$ZK_APISERVER_EXTRA_ARGS"
    args+=("${extra[@]}")
  fi
  : >"$dir/kube-apiserver.args.tmp"
  for a in "${args[@]}"; do printf '%s\n' "$a" >>"$dir/kube-apiserver.args.tmp"; done
  mv -f "$dir/kube-apiserver.args.tmp" "$dir/kube-apiserver.args"
}

start_apiserver() { # DIR BIN
  local dir="$1" bin="$2" args=()
  mapfile -t args <"$dir/kube-apiserver.args"
  launch kube-apiserver "$dir/kube-apiserver.pid" "$dir/kube-apiserver.log" "$bin/kube-apiserver" "${args[@]}"
}

write_kubeconfig() { # DIR PORT
  local dir="$1" port="$2" ca token
  ca="$(base64 -w0 <"$dir/pki/ca.crt")"
  token="$(admin_token "$dir")"
  (umask 077 && cat >"$dir/kubeconfig.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: zonekeeper-testbed
  cluster:
    server: https://$addr:$port
    certificate-authority-data: $ca
users:
- name: admin
  user:
    token: $token
contexts:
- name: zonekeeper-testbed
  context:
    cluster: zonekeeper-testbed
    user: admin
    namespace: default
current-context: zonekeeper-testbed
EOF
  )
  mv -f "$dir/kubeconfig.tmp" "$dir/kubeconfig"
}

write_env() { # DIR BIN API_PORT ETCD_PORT PEER_PORT
  local dir="$1" bin="$2" port="$3" etcd_port="$4" peer="$5" k8s etcdv
  k8s="$(basename "$(dirname "$bin")")"
  etcdv="${k8s##*-}"
  k8s="${k8s%-*}"
  (umask 077 && cat >"$dir/env.tmp" <<EOF
KUBECONFIG=$dir/kubeconfig
ZK_APISERVER_URL=https://$addr:$port
ZK_APISERVER_ADDRESS=$addr
ZK_ETCD_URL=http://127.0.0.1:$etcd_port
ZK_ADMIN_TOKEN=$(admin_token "$dir")
ZK_KUBECTL=$bin/kubectl
ZK_CA_FILE=$dir/pki/ca.crt
ZK_TESTBED_DIR=$dir
ZK_TESTBED_BIN=$bin
ZK_APISERVER_PORT=$port
ZK_ETCD_PORT=$etcd_port
ZK_ETCD_PEER_PORT=$peer
ZK_APISERVER_PID=$(cat "$dir/kube-apiserver.pid")
ZK_ETCD_PID=$(cat "$dir/etcd.pid")
ZK_K8S_VERSION=$k8s
ZK_ETCD_VERSION=$etcdv
EOF
  )
  mv -f "$dir/env.tmp" "$dir/env"
}

# With ZK_TESTBED_OWNER_PID set (a test process; `run` sets it to itself), a
# small watchdog stops the test bed once that process is gone, even if it was
# SIGKILLed and never called stop. With ZK_TESTBED_WATCHDOG_RMDIR=1 it also
# removes DIR then.
start_watchdog() { # DIR
  local dir="$1" owner="${ZK_TESTBED_OWNER_PID:-}"
  [[ -n "$owner" ]] || return 0
  if ! [[ "$owner" =~ ^[0-9]+$ ]] || ! kill -0 "$owner" 2>/dev/null; then
    die "ZK_TESTBED_OWNER_PID=$owner is not a live process"
  fi
  # shellcheck disable=SC2016 # expanded by the watchdog's bash
  local script='
    owner=$1 dir=$2 self=$3 rmdir=$4
    while kill -0 "$owner" 2>/dev/null; do
      [[ "$(cat "$dir/watchdog.pid" 2>/dev/null)" == "$$" ]] || exit 0
      sleep 1
    done
    rm -f "$dir/watchdog.pid"
    echo "owner $owner is gone; stopping the test bed"
    "$self" stop "$dir"
    if [[ "$rmdir" == 1 ]]; then rm -rf "$dir"; fi'
  launch watchdog "$dir/watchdog.pid" "$dir/watchdog.log" \
    bash -c "$script" zk-testbed-watchdog "$owner" "$dir" "$here/controlplane.sh" "${ZK_TESTBED_WATCHDOG_RMDIR:-0}"
}

cmd_status() {
  local dir
  dir="$(abs_dir "$1")"
  [[ -f "$dir/env" ]] || return 1
  (
    load_env "$dir"
    is_ours "$(cat "$dir/etcd.pid" 2>/dev/null)" "$dir/" &&
      is_ours "$(cat "$dir/kube-apiserver.pid" 2>/dev/null)" "$dir/" &&
      etcd_healthy "$ZK_ETCD_PORT" &&
      apiserver_ready "$dir" "$ZK_APISERVER_PORT"
  )
}

cmd_stop() {
  local dir="$1"
  [[ -d "$dir" ]] || return 0
  dir="$(cd "$dir" && pwd -P)"
  stop_pidfile watchdog "$dir/watchdog.pid" "$dir" 2>/dev/null
  stop_pidfile kube-apiserver "$dir/kube-apiserver.pid" "$dir/"
  stop_pidfile etcd "$dir/etcd.pid" "$dir/"
}

cmd_start() {
  local dir bin ports etcd_port peer port attempt rc off
  need curl openssl
  dir="$(abs_dir "$1")"
  if cmd_status "$dir"; then
    log "already running in $dir"
    cat "$dir/env"
    return 0
  fi
  cmd_stop "$dir" # leftovers of a half-started or crashed test bed
  rm -f "$dir/env"

  bin="$("$here/build.sh" | tail -n1)"
  [[ -x "$bin/kube-apiserver" && -x "$bin/etcd" && -x "$bin/kubectl" ]] || die "build.sh did not produce binaries in '$bin'"
  gen_pki "$dir"
  start_watchdog "$dir"

  # From here on, any failure stops whatever was started.
  # (cmd_run calls cmd_start in a subshell, so this trap never replaces its own.)
  _started_ok=0
  # shellcheck disable=SC2064
  trap "if ((_started_ok == 0)); then log_tail '$dir/etcd.log' '$dir/kube-apiserver.log'; cmd_stop '$dir'; fi" EXIT

  rc=2
  for attempt in 1 2 3; do
    read -r etcd_port peer port <<<"$(free_ports 3)"
    off="$(filesize "$dir/etcd.log")"
    start_etcd "$dir" "$bin" "$etcd_port" "$peer"
    rc=0
    wait_for etcd "$dir/etcd.pid" "$dir/" "$dir/etcd.log" "$off" etcd_healthy "$etcd_port" || rc=$?
    ((rc == 0)) && break
    cmd_stop "$dir"
    ((rc == 2)) || break
  done
  ((rc == 0)) || die "etcd did not start (logs: $dir/etcd.log)"
  log "etcd up at http://127.0.0.1:$etcd_port (pid $(cat "$dir/etcd.pid"))"

  rc=2
  for attempt in 1 2 3; do
    if ((attempt > 1)); then
      port="$(free_ports 1)"
    fi
    write_apiserver_args "$dir" "$etcd_port" "$port"
    off="$(filesize "$dir/kube-apiserver.log")"
    start_apiserver "$dir" "$bin"
    rc=0
    wait_for kube-apiserver "$dir/kube-apiserver.pid" "$dir/" "$dir/kube-apiserver.log" "$off" \
      apiserver_ready "$dir" "$port" || rc=$?
    ((rc == 0)) && break
    stop_pidfile kube-apiserver "$dir/kube-apiserver.pid" "$dir/"
    ((rc == 2)) || break
  done
  ((rc == 0)) || die "kube-apiserver did not become ready (logs: $dir/kube-apiserver.log)"
  log "kube-apiserver ready at https://$addr:$port (pid $(cat "$dir/kube-apiserver.pid"))"

  write_kubeconfig "$dir" "$port"
  write_env "$dir" "$bin" "$port" "$etcd_port" "$peer"
  _started_ok=1
  trap - EXIT
  cat "$dir/env"
}

cmd_restart_apiserver() {
  local dir off rc=0
  need curl
  dir="$(abs_dir "$1")"
  load_env "$dir"
  [[ -f "$dir/kube-apiserver.args" ]] || die "$dir/kube-apiserver.args missing"
  stop_pidfile kube-apiserver "$dir/kube-apiserver.pid" "$dir/"
  off="$(filesize "$dir/kube-apiserver.log")"
  start_apiserver "$dir" "$ZK_TESTBED_BIN"
  wait_for kube-apiserver "$dir/kube-apiserver.pid" "$dir/" "$dir/kube-apiserver.log" "$off" \
    apiserver_ready "$dir" "$ZK_APISERVER_PORT" || rc=$?
  if ((rc != 0)); then
    log_tail "$dir/kube-apiserver.log"
    stop_pidfile kube-apiserver "$dir/kube-apiserver.pid" "$dir/"
    die "kube-apiserver did not come back on port $ZK_APISERVER_PORT"
  fi
  write_env "$dir" "$ZK_TESTBED_BIN" "$ZK_APISERVER_PORT" "$ZK_ETCD_PORT" "$ZK_ETCD_PEER_PORT"
  log "kube-apiserver restarted (pid $(cat "$dir/kube-apiserver.pid"))"
}

# Compact etcd at its current revision, the way kube-apiserver's own compactor
# does: record the compaction revision under compact_rev_key (which the
# apiserver watches, so its storage layer and watch-cache snapshots learn of
# the compaction), then compact physically. With R the etcd revision when
# called, the compaction revision is C = R+1 (the compact_rev_key write
# itself): every resourceVersion older than R is then too old, while R, the
# newest one a client can hold, still works for a watch. Prints C.
etcd_header_rev() { sed -n 's/.*"header":{[^}]*"revision":"\([0-9][0-9]*\)".*/\1/p' <<<"$1"; }

cmd_compact() {
  local dir resp rev crev put_rev
  need curl base64
  dir="$(abs_dir "$1")"
  load_env "$dir"
  resp="$(curl -fsS --max-time 10 -X POST "$ZK_ETCD_URL/v3/kv/range" -d '{"key":"AA=="}')" ||
    die "etcd range failed"
  rev="$(etcd_header_rev "$resp")"
  [[ -n "$rev" ]] || die "cannot read etcd revision from: $resp"
  crev=$((rev + 1))
  resp="$(curl -fsS --max-time 10 -X POST "$ZK_ETCD_URL/v3/kv/put" \
    -d "{\"key\":\"$(printf 'compact_rev_key' | base64 -w0)\",\"value\":\"$(printf '%s' "$crev" | base64 -w0)\"}")" ||
    die "etcd put compact_rev_key failed"
  put_rev="$(etcd_header_rev "$resp")"
  if [[ -z "$put_rev" ]] || ((put_rev < crev)); then die "unexpected etcd put answer: $resp"; fi
  resp="$(curl -sS --max-time 60 -X POST "$ZK_ETCD_URL/v3/kv/compaction" \
    -d "{\"revision\":\"$crev\",\"physical\":true}")" || die "etcd compaction request failed"
  if [[ "$resp" == *'"error"'* || "$resp" == *'"code"'* ]] && [[ "$resp" != *"compacted"* ]]; then
    die "etcd compaction failed: $resp"
  fi
  log "etcd compacted at revision $crev"
  echo "$crev"
}

cmd_run() {
  [[ "${1:-}" == -- ]] && shift
  (($# > 0)) || usage
  local dir rc=0
  dir="$(mktemp -d "${TMPDIR:-/tmp}/zk-testbed.XXXXXX")"
  # shellcheck disable=SC2064
  trap "cmd_stop '$dir'; if [[ '${ZK_TESTBED_KEEP:-0}' == 1 ]]; then log 'kept $dir'; else rm -rf '$dir'; fi" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  (ZK_TESTBED_OWNER_PID=$$ ZK_TESTBED_WATCHDOG_RMDIR=1 cmd_start "$dir") >/dev/null
  set -a
  # shellcheck disable=SC1091
  . "$dir/env"
  set +a
  "$@" || rc=$?
  exit "$rc"
}

# ---------------------------------------------------------------- main

case "${1:-}" in
  start) (($# == 2)) || usage; cmd_start "$2" ;;
  stop) (($# == 2)) || usage; cmd_stop "$2" ;;
  restart-apiserver) (($# == 2)) || usage; cmd_restart_apiserver "$2" ;;
  pki) (($# == 2)) || usage; need openssl; gen_pki "$(abs_dir "$2")" ;;
  compact) (($# == 2)) || usage; cmd_compact "$2" ;;
  status)
    (($# == 2)) || usage
    if cmd_status "$2"; then echo running; else echo "not running"; exit 1; fi
    ;;
  run) shift; cmd_run "$@" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
