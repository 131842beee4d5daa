#!/usr/bin/env bash
# Self-test of the real Kubernetes test bed (controlplane.sh). Builds the
# binaries first if needed (see build.sh). Fails loudly on the first broken
# check; the last line is "selftest: N passed, 0 failed".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cp="$here/controlplane.sh"
passed=0

say() { printf '\n== %s\n' "$*" >&2; }
ok() { passed=$((passed + 1)); printf 'ok %d - %s\n' "$passed" "$*"; }
fail() {
  printf '\n!!!!!!!! SELFTEST FAILED: %s\n' "$*" >&2
  if [[ -n "${work:-}" && -f "$work/kube-apiserver.log" ]]; then
    printf -- '---- tail of kube-apiserver.log ----\n' >&2
    tail -n 30 "$work/kube-apiserver.log" >&2 || true
  fi
  printf 'selftest: %d passed, 1 failed\n' "$passed"
  exit 1
}

# Build up front so that the time it takes is not charged to the timeouts below.
"$here/build.sh" >/dev/null

work="$(mktemp -d "${TMPDIR:-/tmp}/zk-selftest.XXXXXX")"
cleanup() {
  "$cp" stop "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- run mode
say "run: kubectl get ns && auth can-i"
# shellcheck disable=SC2016 # expanded by the inner sh, from the exported env
out="$("$cp" run -- sh -c '$ZK_KUBECTL get ns && $ZK_KUBECTL auth can-i "*" "*"' 2>"$work/run.err")" ||
  { cat "$work/run.err" >&2; fail "controlplane.sh run -- kubectl get ns && auth can-i"; }
grep -q '^default ' <<<"$out" || fail "namespace 'default' not listed: $out"
grep -q '^kube-system ' <<<"$out" || fail "namespace 'kube-system' not listed: $out"
[[ "$(tail -n1 <<<"$out")" == yes ]] || fail "admin cannot do '*' '*': $out"
ok "run: get ns lists default and kube-system; admin can-i '*' '*' = yes"

say "run: exit code propagates, nothing left behind"
rc=0
# shellcheck disable=SC2016
"$cp" run -- sh -c 'echo "$ZK_TESTBED_DIR" >"$1"; exit 3' sh "$work/run.dir" 2>/dev/null || rc=$?
((rc == 3)) || fail "run did not propagate exit code 3 (got $rc)"
rundir="$(cat "$work/run.dir")"
[[ ! -e "$rundir" ]] || fail "run left its directory $rundir behind"
if pgrep -f -- "$rundir/" >/dev/null 2>&1; then fail "run left processes behind: $(pgrep -af -- "$rundir/")"; fi
ok "run: exit code 3 propagated; temp dir removed; no processes left"

# ---------------------------------------------------------------- start
say "start $work"
"$cp" start "$work" >/dev/null
set -a
# shellcheck disable=SC1091
. "$work/env"
set +a
for v in KUBECONFIG ZK_APISERVER_URL ZK_ETCD_URL ZK_ADMIN_TOKEN ZK_KUBECTL ZK_APISERVER_PID ZK_ETCD_PID; do
  [[ -n "${!v:-}" ]] || fail "env lacks $v"
done
[[ "$ZK_APISERVER_URL" == https://127.0.0.1:* && "$ZK_ETCD_URL" == http://127.0.0.1:* ]] ||
  fail "not on loopback: $ZK_APISERVER_URL $ZK_ETCD_URL"
K="$ZK_KUBECTL"
[[ "$(curl -sS --cacert "$ZK_CA_FILE" "$ZK_APISERVER_URL/readyz")" == ok ]] ||
  fail "serving certificate not verified by the CA in $ZK_CA_FILE"
ok "start: env complete, loopback only, serving cert verifies against the test bed CA"

pid_before="$ZK_APISERVER_PID"
"$cp" start "$work" >/dev/null 2>&1 || fail "second start failed"
grep -q "^ZK_APISERVER_PID=$pid_before\$" "$work/env" || fail "second start restarted the apiserver"
ok "start is idempotent (second start leaves the running test bed alone)"

code="$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$ZK_CA_FILE" \
  -H "Authorization: Bearer not-$ZK_ADMIN_TOKEN" "$ZK_APISERVER_URL/api/v1/namespaces")"
[[ "$code" == 401 ]] || fail "bad token gave HTTP $code, want 401"
[[ "$("$K" auth can-i list secrets --as=system:serviceaccount:default:nobody 2>/dev/null || true)" == no ]] ||
  fail "RBAC let an unbound service account list secrets"
ok "token auth rejects a bad token (401); RBAC denies an unbound service account"

# ---------------------------------------------------------------- CRD
say "CRD: apply, establish, create, list, schema validation"
cat >"$work/crd.yaml" <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: records.selftest.zonekeeper.dev
spec:
  group: selftest.zonekeeper.dev
  scope: Namespaced
  names: {plural: records, singular: record, kind: Record}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [name, ttl]
            properties:
              name: {type: string}
              ttl: {type: integer, minimum: 0}
          status:
            type: object
            properties:
              serial: {type: integer}
EOF
"$K" apply -f "$work/crd.yaml" >/dev/null || fail "kubectl apply CRD"
"$K" wait --for=condition=Established --timeout=60s crd/records.selftest.zonekeeper.dev >/dev/null ||
  fail "CRD not established"
printf 'apiVersion: selftest.zonekeeper.dev/v1\nkind: Record\nmetadata: {name: www}\nspec: {name: www.example., ttl: 300}\n' |
  "$K" apply --server-side -f - >/dev/null || fail "server-side apply of a Record"
out="$("$K" get records -o name)" || fail "kubectl get records"
[[ "$out" == record.selftest.zonekeeper.dev/www ]] || fail "unexpected records list: $out"
if printf 'apiVersion: selftest.zonekeeper.dev/v1\nkind: Record\nmetadata: {name: bad}\nspec: {name: x, ttl: "soon"}\n' |
  "$K" apply -f - >/dev/null 2>&1; then
  fail "CRD schema validation accepted ttl: \"soon\""
fi
ok "CRD applied and established; Record created by server-side apply and listed; schema validation rejects a bad Record"

# ---------------------------------------------------------------- compaction
say "compact: etcd forgets old revisions; the apiserver answers 410 Expired"
"$K" create configmap old --from-literal=a=1 >/dev/null
old_rv="$("$K" get configmap old -o jsonpath='{.metadata.resourceVersion}')"
for i in 1 2 3; do "$K" create configmap "new-$i" --from-literal=a="$i" >/dev/null; done
rev="$("$cp" compact "$work" 2>/dev/null)" || fail "controlplane.sh compact"
if ! [[ "$rev" =~ ^[0-9]+$ ]] || ((rev <= old_rv)); then
  fail "compact printed '$rev', want a revision > $old_rv"
fi
resp="$(curl -sS -X POST "$ZK_ETCD_URL/v3/kv/range" -d "{\"key\":\"AA==\",\"revision\":\"$old_rv\"}")"
[[ "$resp" == *"required revision has been compacted"* ]] || fail "etcd still serves revision $old_rv: $resp"
"$cp" compact "$work" >/dev/null 2>&1 || fail "compact twice"
ok "compact: etcd compacted at $rev (> old rv $old_rv); a read at $old_rv is refused; compact is repeatable"

# The apiserver's watch-cache snapshots learn of the compaction from
# compact_rev_key within their 15 s poll period.
expired=0
for ((i = 0; i < 40; i++)); do
  if out="$("$K" get --raw "/api/v1/configmaps?resourceVersion=$old_rv&resourceVersionMatch=Exact" 2>&1)"; then
    sleep 1
    continue
  fi
  if [[ "$out" == *Expired* || "$out" == *"too old"* ]]; then
    expired=1
    break
  fi
  fail "unexpected error from list at a compacted resourceVersion: $out"
done
((expired == 1)) || fail "list at compacted resourceVersion=$old_rv still served after 40 s: $out"
ok "list at compacted resourceVersion=$old_rv (Exact) -> 410 Expired"

# ---------------------------------------------------------------- restart
say "restart-apiserver: same port, new process, data kept; old watch rv -> 410"
"$cp" restart-apiserver "$work" 2>/dev/null || fail "controlplane.sh restart-apiserver"
new_pid="$(sed -n 's/^ZK_APISERVER_PID=//p' "$work/env")"
[[ "$new_pid" != "$pid_before" ]] || fail "apiserver PID unchanged after restart"
grep -q "^ZK_APISERVER_URL=$ZK_APISERVER_URL\$" "$work/env" || fail "apiserver URL changed after restart"
out="$("$K" get records -o name)" || fail "kubectl after restart"
[[ "$out" == record.selftest.zonekeeper.dev/www ]] || fail "Record lost across the restart: $out"
out="$(timeout 60 "$K" get --raw "/api/v1/configmaps?watch=1&resourceVersion=$old_rv&timeoutSeconds=5" 2>&1 || true)"
[[ "$out" == *'"code":410'* && "$out" == *"too old resource version"* ]] ||
  fail "watch from compacted resourceVersion=$old_rv did not give 410 too old resource version: $out"
ok "restart-apiserver: new pid $new_pid on the same URL, Record kept; watch?resourceVersion=$old_rv -> 410 too old resource version"

# ---------------------------------------------------------------- stop
say "stop"
"$cp" stop "$work" 2>/dev/null
for p in "$new_pid" "$ZK_ETCD_PID"; do
  if [[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null || true)" == *"$work/"* ]]; then
    fail "process $p still running after stop"
  fi
done
"$cp" stop "$work" 2>/dev/null || fail "second stop failed"
ok "stop: both processes gone; stop is idempotent"

# ---------------------------------------------------------------- no watch cache
say "run with --watch-cache=false: compaction alone makes an old watch rv 410"
# shellcheck disable=SC2016
out="$(ZK_APISERVER_EXTRA_ARGS=--watch-cache=false "$cp" run -- sh -c '
  set -e
  $ZK_KUBECTL create configmap old --from-literal=a=1 >/dev/null
  rv=$($ZK_KUBECTL get configmap old -o jsonpath="{.metadata.resourceVersion}")
  $ZK_KUBECTL create configmap new --from-literal=a=1 >/dev/null
  "$1" compact "$ZK_TESTBED_DIR" >/dev/null 2>&1
  timeout 60 $ZK_KUBECTL get --raw "/api/v1/configmaps?watch=1&resourceVersion=$rv&timeoutSeconds=5"
' sh "$cp" 2>&1)" || fail "run with --watch-cache=false: $out"
[[ "$out" == *'"code":410'* ]] || fail "watch at compacted rv with --watch-cache=false did not give 410: $out"
ok "with --watch-cache=false, a watch at a compacted resourceVersion -> 410 Expired right after compact"

printf 'selftest: %d passed, 0 failed\n' "$passed"
