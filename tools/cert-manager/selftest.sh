#!/usr/bin/env bash
# Self-test of the test bed's cert-manager controller (build.sh here) against a real
# kube-apiserver + etcd (tools/testbed/controlplane.sh):
#
#   build (cached) -> start a control plane in a temp dir -> kubectl apply crds.yaml ->
#   namespaces cert-manager and zk-cm-selftest -> run the controller in the background ->
#   ClusterIssuer selfsigned (SelfSigned) -> Certificate cert-manager/zk-selftest-ca (isCA,
#   from selfsigned) -> ClusterIssuer zk-selftest-ca (CA, secret zk-selftest-ca in
#   cert-manager) -> Certificate zk-cm-selftest/apps for *.apps.example.test and
#   apps.example.test (secret apps-tls) from zk-selftest-ca -> checks.
#
# Every wait shares one 120 s budget, counted from the controller's start (the control plane
# and the build have their own timeouts). Prints the seconds each step took. Whatever happens,
# the controller and the control plane are stopped and the temp dir is removed on exit
# (ZK_CM_SELFTEST_KEEP=1 keeps the dir, with controller.log and the control plane's logs). The
# controller also gets SIGTERM if this script is SIGKILLed (setpriv --pdeathsig), and the
# control plane's watchdog stops it then. Exit 0 only if every check passes; the last line is
# "selftest: N passed, M failed".
#
# Env: ZK_CACHE_DIR, GO (see build.sh), ZK_CM_SELFTEST_TIMEOUT (seconds, default 120),
#      ZK_CM_SELFTEST_KEEP=1, ZK_CM_SELFTEST_V (controller -v level, default 0).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cp="$here/../testbed/controlplane.sh"
budget="${ZK_CM_SELFTEST_TIMEOUT:-120}"
ns=zk-cm-selftest
passed=0
failed=0
ctrl_pid=""
work=""

log() { printf 'selftest: %s\n' "$*"; }
t_start() { t0="$EPOCHREALTIME"; }
t_end() { # STEP
  local now="$EPOCHREALTIME"
  printf 'selftest: %-52s %6.2f s\n' "$1" "$(bc <<<"$now - $t0")"
}
ok() { passed=$((passed + 1)); printf 'ok %d - %s\n' "$((passed + failed))" "$*"; }
bad() { failed=$((failed + 1)); printf 'not ok %d - %s\n' "$((passed + failed))" "$*"; }

diagnose() {
  [[ -n "$work" && -f "$work/env" ]] || return 0
  {
    echo "---- cert-manager objects ----"
    "$ZK_KUBECTL" get clusterissuers,certificates,certificaterequests -A -o wide 2>&1 || true
    "$ZK_KUBECTL" describe certificates -A 2>&1 | tail -n 40 || true
    echo "---- tail of controller.log ----"
    tail -n 40 "$work/controller.log" 2>/dev/null || true
  } >&2
}

die() {
  printf '\n!!!!!!!! SELFTEST FAILED: %s\n' "$*" >&2
  diagnose
  bad "$*"
  exit 1
}

cleanup() {
  local rc=$? t="$EPOCHREALTIME"
  trap - EXIT INT TERM
  if [[ -n "$ctrl_pid" ]] && kill -0 "$ctrl_pid" 2>/dev/null; then
    kill -TERM "$ctrl_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$ctrl_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$ctrl_pid" 2>/dev/null; then
      log "controller did not exit on SIGTERM within 10 s; SIGKILL"
      kill -KILL "$ctrl_pid" 2>/dev/null || true
    fi
    wait "$ctrl_pid" 2>/dev/null || true
  fi
  if [[ -n "$work" ]]; then
    "$cp" stop "$work" >/dev/null 2>&1 || true
    if [[ "${ZK_CM_SELFTEST_KEEP:-0}" == 1 ]]; then
      log "kept $work"
    else
      rm -rf "$work"
    fi
  fi
  printf 'selftest: %-52s %6.2f s\n' "stop controller + control plane" "$(bc <<<"$EPOCHREALTIME - $t")"
  if ((rc != 0 && failed == 0)); then bad "aborted (exit code $rc)"; fi
  printf 'selftest: %d passed, %d failed\n' "$passed" "$failed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for c in openssl bc base64 date flock; do
  command -v "$c" >/dev/null 2>&1 || die "'$c' is required but not installed"
done

# ---------------------------------------------------------------- build
t_start
out="$("$here/build.sh")" || die "build.sh failed"
bin="$(tail -n1 <<<"$out")"
crds="$("$here/build.sh" --crds | tail -n1)"
[[ -x "$bin" && -s "$crds" ]] || die "build.sh gave no binary/crds ($bin, $crds)"
t_end "build.sh (controller + crds.yaml)"
version="$("$bin" --version)"
log "controller $bin ($version, $(du -m "$bin" | cut -f1) MB)"

# ---------------------------------------------------------------- control plane
t_start
work="$(mktemp -d "${TMPDIR:-/tmp}/zk-cm-selftest.XXXXXX")"
ZK_TESTBED_OWNER_PID=$$ ZK_TESTBED_WATCHDOG_RMDIR=1 "$cp" start "$work" >/dev/null 2>"$work/start.err" ||
  { cat "$work/start.err" >&2; die "controlplane.sh start failed"; }
set -a
# shellcheck disable=SC1091
. "$work/env"
set +a
K="$ZK_KUBECTL"
t_end "control plane start (etcd + kube-apiserver)"

# ---------------------------------------------------------------- CRDs, namespaces
t_start
"$K" apply -f "$crds" >"$work/crds.out" 2>&1 || { cat "$work/crds.out" >&2; die "kubectl apply -f crds.yaml failed"; }
"$K" wait --for=condition=Established --timeout=60s \
  crd/certificates.cert-manager.io crd/certificaterequests.cert-manager.io \
  crd/issuers.cert-manager.io crd/clusterissuers.cert-manager.io \
  crd/orders.acme.cert-manager.io crd/challenges.acme.cert-manager.io >/dev/null ||
  die "cert-manager CRDs not Established"
t_end "kubectl apply crds.yaml + Established"
ok "crds.yaml applies (plain kubectl apply) and its 6 CRDs are Established"

t_start
"$K" create namespace cert-manager >/dev/null
"$K" create namespace "$ns" >/dev/null
t_end "namespaces cert-manager, $ns"

# ---------------------------------------------------------------- controller
t_start
pdeath=()
if setpriv --help 2>&1 | grep -q -- --pdeathsig; then pdeath=(setpriv --pdeathsig TERM --); fi
"${pdeath[@]}" "$bin" --kubeconfig "$KUBECONFIG" --cluster-resource-namespace cert-manager \
  -v "${ZK_CM_SELFTEST_V:-0}" >"$work/controller.log" 2>&1 &
ctrl_pid=$!
deadline=$((SECONDS + budget))
t_end "controller started in the background (pid $ctrl_pid)"

# ready KIND/NAME [NAMESPACE]: wait until condition Ready is True, within the shared budget.
ready() {
  local obj="$1" nsarg=() st=""
  [[ -n "${2:-}" ]] && nsarg=(-n "$2")
  while :; do
    kill -0 "$ctrl_pid" 2>/dev/null || die "the controller exited (see controller.log below)"
    st="$("$K" get "${nsarg[@]}" "$obj" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)"
    [[ "$st" == True ]] && return 0
    ((SECONDS < deadline)) || die "$obj${2:+ in $2} not Ready=True within the ${budget} s budget (Ready=${st:-unset})"
    sleep 0.25
  done
}

t_start
"$K" apply -f - >/dev/null <<'EOF'
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: selfsigned
spec:
  selfSigned: {}
EOF
ready clusterissuer/selfsigned
t_end "ClusterIssuer selfsigned (SelfSigned) Ready"

t_start
"$K" apply -f - >/dev/null <<'EOF'
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: zk-selftest-ca
  namespace: cert-manager
spec:
  isCA: true
  commonName: zonekeeper selftest CA
  secretName: zk-selftest-ca
  duration: 87600h
  privateKey:
    algorithm: ECDSA
    size: 256
  issuerRef:
    name: selfsigned
    kind: ClusterIssuer
    group: cert-manager.io
EOF
ready certificate/zk-selftest-ca cert-manager
t_end "Certificate cert-manager/zk-selftest-ca (isCA) Ready"

t_start
"$K" apply -f - >/dev/null <<'EOF'
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: zk-selftest-ca
spec:
  ca:
    secretName: zk-selftest-ca
EOF
ready clusterissuer/zk-selftest-ca
t_end "ClusterIssuer zk-selftest-ca (CA) Ready"

t_start
"$K" apply -f - >/dev/null <<EOF
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: apps
  namespace: $ns
spec:
  secretName: apps-tls
  dnsNames:
    - "*.apps.example.test"
    - apps.example.test
  issuerRef:
    name: zk-selftest-ca
    kind: ClusterIssuer
    group: cert-manager.io
EOF
ready certificate/apps "$ns"
t_end "Certificate $ns/apps Ready"
ok "Certificate $ns/apps (from CA ClusterIssuer zk-selftest-ca) is Ready=True within ${budget} s"

# ---------------------------------------------------------------- checks
t_start
crt="$work/tls.crt"
ca="$work/ca.crt"
# shellcheck disable=SC2016
keys="$("$K" -n "$ns" get secret apps-tls -o go-template='{{range $k, $v := .data}}{{$k}} {{end}}')" ||
  die "cannot read Secret $ns/apps-tls"
"$K" -n "$ns" get secret apps-tls -o jsonpath='{.data.tls\.crt}' | base64 -d >"$crt"
key_len="$("$K" -n "$ns" get secret apps-tls -o jsonpath='{.data.tls\.key}' | base64 -d | wc -c)"
if [[ " $keys " == *" tls.crt "* && " $keys " == *" tls.key "* ]] && [[ -s "$crt" ]] && ((key_len > 0)); then
  ok "Secret $ns/apps-tls has tls.crt and tls.key (keys: $keys)"
else
  bad "Secret $ns/apps-tls lacks tls.crt/tls.key (keys: $keys, tls.key $key_len bytes)"
fi

not_after="$("$K" -n "$ns" get certificate apps -o jsonpath='{.status.notAfter}')"
enddate="$(openssl x509 -in "$crt" -noout -enddate 2>/dev/null | sed -n 's/^notAfter=//p')"
enddate_iso="$(date -u -d "$enddate" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || true)"
if [[ -n "$not_after" && "$enddate_iso" == "$not_after" ]]; then
  ok "openssl x509 -enddate of tls.crt ($enddate) equals status.notAfter ($not_after)"
else
  bad "openssl x509 -enddate of tls.crt ('$enddate' = '$enddate_iso') != status.notAfter ('$not_after')"
fi

san="$(openssl x509 -in "$crt" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d ' ')"
if [[ "$san" == "DNS:*.apps.example.test,DNS:apps.example.test" ]]; then
  ok "tls.crt subjectAltName is $san"
else
  bad "tls.crt subjectAltName is '$san', want DNS:*.apps.example.test,DNS:apps.example.test"
fi

"$K" -n cert-manager get secret zk-selftest-ca -o jsonpath='{.data.tls\.crt}' | base64 -d >"$ca"
if openssl verify -CAfile "$ca" "$crt" >/dev/null 2>&1; then
  ok "tls.crt verifies against the CA in cert-manager/zk-selftest-ca"
else
  bad "tls.crt does not verify against the CA in cert-manager/zk-selftest-ca: $(openssl verify -CAfile "$ca" "$crt" 2>&1 | tail -n1)"
fi

approved="$("$K" -n "$ns" get certificaterequests -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Approved")].status}{end}')"
if [[ "$approved" == True ]]; then
  ok "the CertificateRequest of $ns/apps was approved by certificaterequests-approver"
else
  bad "CertificateRequests in $ns: Approved='$approved', want exactly one True"
fi

if kill -0 "$ctrl_pid" 2>/dev/null; then
  ok "controller still running after issuing"
else
  bad "controller is no longer running"
fi
t_end "checks"

((failed == 0)) || { diagnose; exit 1; }
