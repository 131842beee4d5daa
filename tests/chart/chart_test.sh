#!/usr/bin/env bash
# charts/zonekeeper against helm (tools/helm, built from the Go proxy) and a real
# kube-apiserver + etcd (tools/testbed/controlplane.sh):
#   - `helm lint --strict` passes; the chart's crds/ are byte copies of deploy/crds;
#   - values.schema.json refuses bad values with a message that names the key;
#   - every value reaches the controller's flags (rendered args) and the Lease Role follows
#     leaderElection.leaseName;
#   - `helm template` output (defaults, and every optional object on) is accepted by the real
#     API server with `kubectl apply --dry-run=server`, in a namespace that enforces Pod
#     Security "restricted", with no warning;
#   - prometheusRule / grafanaDashboard render deploy/monitoring's rules and dashboard unchanged;
#   - kustomize (deploy/) renders the same objects as the chart's defaults
#     (compare_kustomize.py says what "same" means).
# Prints one line per check and "<n> passed, <m> failed" last; exits 1 on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
chart="$root/charts/zonekeeper"

passed=0 failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
bad() {
  failed=$((failed + 1))
  printf 'FAIL %s\n' "$1"
  [[ -z "${2:-}" ]] || printf '%s\n' "$2" | head -20 | sed 's/^/       /'
}
check() {
  local desc="$1" out
  shift
  if out="$("$@" 2>&1)"; then ok "$desc"; else bad "$desc" "$out"; fi
}
# refuses DESC WANT-IN-MESSAGE helm-args...: helm template fails and says WANT.
refuses() {
  local desc="$1" want="$2" out
  shift 2
  if out="$("$helm" template zk "$chart" -n zonekeeper-system "$@" 2>&1)"; then
    bad "$desc" "accepted"
  elif [[ "$out" == *"$want"* ]]; then
    ok "$desc"
  else
    bad "$desc" "$out"
  fi
}

helm="$("$root/tools/helm/build.sh" | tail -n1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"; [[ -z "${cp_dir:-}" ]] || "$root/tools/testbed/controlplane.sh" stop "$cp_dir" >/dev/null 2>&1; rm -rf "${cp_dir:-/nonexistent}"' EXIT

check "helm lint --strict" "$helm" lint --strict "$chart"
crd_same=1
for f in "$root"/deploy/crds/*.yaml; do
  cmp -s "$f" "$chart/crds/$(basename "$f")" || crd_same=0
done
[[ $(ls "$chart"/crds/*.yaml | wc -l) == $(ls "$root"/deploy/crds/*.yaml | wc -l) ]] || crd_same=0
if ((crd_same)); then ok "charts/zonekeeper/crds are byte copies of deploy/crds"; else
  bad "charts/zonekeeper/crds are byte copies of deploy/crds" "cp deploy/crds/*.yaml charts/zonekeeper/crds/"
fi

# --- the schema -------------------------------------------------------------------------
refuses "schema: policy must be one of three" "'/policy'" --set policy=everything
refuses "schema: unknown keys are refused (a typo is not ignored)" "replica" --set replica=3
refuses "schema: a zone's server is NAMESPACE/DNSSERVER" "'/zones/0/server'" \
  --set-json 'zones=[{"name":"a.test","server":"primary"}]'
refuses "schema: workers 1-64" "'/workers'" --set workers=0
refuses "schema: sources are the four kinds" "'/sources/0'" --set-json 'sources=["service"]'
refuses "schema: leaderElection.shards 0-1024" "'/leaderElection/shards'" --set leaderElection.shards=2000
refuses "schema: logLevel" "'/logLevel'" --set logLevel=verbose
refuses "schema: image.tag may not be empty" "'/image/tag'" --set image.tag=
refuses "schema: bind9.image may not be empty" "'/bind9/image'" --set bind9.image=

# `helm upgrade --reuse-values` from a release made before a value existed renders without it.
if out="$("$helm" template zk "$chart" --set bind9=null 2>&1)" && [[ "$out" != *"--agent-image"* ]]; then
  ok "a release without the bind9 values (helm upgrade --reuse-values) still renders"
else
  bad "a release without the bind9 values (helm upgrade --reuse-values) still renders" "$out"
fi

# --- values → flags -----------------------------------------------------------------------
"$helm" template zk "$chart" -n dns-system --set name=zk2 --set leaderElection.leaseName=zk2-lease \
  --set leaderElection.shards=4 \
  --set-json 'zones=[{"name":"apps.example.com","server":"dns/primary"}]' \
  --set-json 'sources=["ingress","httproute"]' --set policy=upsert-only --set txtOwnerId=blue \
  --set-json 'domainFilters=["example.com"]' --set logFormat=text --set logLevel=debug \
  --set sourceNamespace=apps --set-string 'labelFilter=env in (prod\,staging)' \
  --set-string 'annotationFilter=team=dns' \
  --set dryRun=true --set workers=8 --set driftInterval=30 --set uiAnonymousRead=true \
  --set image.repository=registry.test/zk --set bind9.image=registry.test/zk-bind9:1.2.3 \
  --set image.tag=1.2.3 >"$work/custom.yaml"
args="$(python3 - "$work/custom.yaml" <<'EOF'
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "Deployment":
        c = d["spec"]["template"]["spec"]["containers"][0]
        print(c["image"]); print(" ".join(c["args"]))
    if d and d["kind"] == "Role" and d["metadata"]["name"].endswith("-sharding"):
        print("sharding-role:" + ",".join(d["rules"][0]["verbs"]))
    if d and d["kind"] == "Role" and d["metadata"]["name"].endswith("-leader-election"):
        print("lease:" + ",".join(d["rules"][1]["resourceNames"]))
    if d and d["kind"] == "ClusterRole":
        print("clusterrole:" + d["metadata"]["name"])
        for r in d["rules"]:
            for res in r["resources"]:
                if res.startswith("bind9"):
                    print(f"bind9-rule:{d['metadata']['name']}:{res}:" + ",".join(r["verbs"]))
EOF
)"
want_args="controller --zone=apps.example.com=dns/primary --source=ingress --source=httproute --policy=upsert-only --txt-owner-id=blue --domain-filter=example.com --namespace=apps --label-filter=env in (prod,staging) --annotation-filter=team=dns --dry-run --lease-name=zk2-lease --shards=4 --drift-interval=30 --workers=8 --log-format=text --log-level=debug --ui-anonymous-read --bind9-image=registry.test/zk-bind9:1.2.3 --agent-image=registry.test/zk:1.2.3"
if [[ "$args" == *"registry.test/zk:1.2.3"* && "$args" == *"$want_args"* ]]; then
  ok "values reach the image and the controller's flags"
else
  bad "values reach the image and the controller's flags" "$args"
fi
if [[ "$args" == *"sharding-role:get,list,update,delete"* ]]; then ok "leaderElection.shards renders the sharding Role"; else
  bad "leaderElection.shards renders the sharding Role" "$args"
fi
if [[ "$args" == *"lease:zk2-lease,zk2-lease-dry-run"* ]]; then ok "the Lease Role allows leaderElection.leaseName"; else
  bad "the Lease Role allows leaderElection.leaseName" "$args"
fi
roles="$(grep '^clusterrole:' <<<"$args" | sort | tr '\n' ' ')"
want_roles="clusterrole:zk2-bind9-deployer clusterrole:zk2-certificate-keeper clusterrole:zk2-certificate-reader clusterrole:zk2-controller clusterrole:zk2-tsig-secret-reader clusterrole:zk2-ui-operator clusterrole:zk2-ui-viewer "
if [[ "$roles" == "$want_roles" ]]; then ok "the ClusterRoles are named from name (<name>-bind9-deployer too)"; else
  bad "the ClusterRoles are named from name (<name>-bind9-deployer too)" "want: $want_roles"$'\n'"got:  $roles"
fi
rules="$(grep '^bind9-rule:' <<<"$args" | LC_ALL=C sort | tr '\n' ' ')"
want_rules="bind9-rule:zk2-bind9-deployer:bind9instances:create,get,patch,update,delete bind9-rule:zk2-controller:bind9clusters/status:get,patch,update bind9-rule:zk2-controller:bind9clusters:get,list,watch bind9-rule:zk2-controller:bind9globalclusters/status:get,patch,update bind9-rule:zk2-controller:bind9globalclusters:get,list,watch bind9-rule:zk2-controller:bind9instances/status:get,patch,update bind9-rule:zk2-controller:bind9instances:get,list,watch bind9-rule:zk2-ui-operator:bind9clusters:get,list,watch bind9-rule:zk2-ui-operator:bind9globalclusters:get,list,watch bind9-rule:zk2-ui-operator:bind9instances:get,list,watch bind9-rule:zk2-ui-viewer:bind9clusters:get,list,watch bind9-rule:zk2-ui-viewer:bind9globalclusters:get,list,watch bind9-rule:zk2-ui-viewer:bind9instances:get,list,watch "
if [[ "$rules" == "$want_rules" ]]; then ok "Bind9Instance/Bind9Cluster/Bind9GlobalCluster rights: controller reads them and writes their status, the deployer writes a cluster's Bind9Instances, the UI roles only read"; else
  bad "Bind9Instance/Bind9Cluster/Bind9GlobalCluster rights" "want: $want_rules"$'\n'"got:  $rules"
fi

# cert-manager (issue 17): nothing by default; watch reads cluster-wide; wildcard writes in one namespace.
if out="$("$helm" template zk "$chart" 2>&1)" && [[ "$out" != *-certificate\ * && "$out" != *-certificates* &&
      "$out" != *"kind: ClusterRoleBinding"*certificate* && "$out" != *"kind: RoleBinding"*certificate* ]]; then
  ok "by default cert-manager gets no flag and no binding (its ClusterRoles grant nothing unbound)"
else
  bad "by default cert-manager gets no flag and no binding" "$(grep -n certificate <<<"$out")"
fi
"$helm" template zk "$chart" -n dns-system --set-json 'zones=[{"name":"apps.example.com","server":"dns/primary"}]' \
  --set-json 'certificates={"wildcard":[{"zone":"apps.example.com","issuer":"ClusterIssuer/letsencrypt"}],"namespace":"tls","expiryWarningDays":21}' \
  >"$work/certs.yaml"
certs="$(python3 - "$work/certs.yaml" <<'EOF2'
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if not d: continue
    if d["kind"] == "Deployment":
        print(" ".join(a for a in d["spec"]["template"]["spec"]["containers"][0]["args"] if "certificate" in a))
    if "certificate" in d["metadata"]["name"]:
        where = d["metadata"].get("namespace", "-")
        rules = ";".join(",".join(r["verbs"]) for r in d.get("rules", []))
        print(f'{d["kind"]}:{where}:{d["metadata"]["name"]}:{rules}')
EOF2
)"
certs="$(LC_ALL=C sort <<<"$certs")"
want_certs="--watch-certificates --wildcard-certificate=apps.example.com=ClusterIssuer/letsencrypt --certificate-namespace=tls --certificate-expiry-warning-days=21
ClusterRole:-:zonekeeper-certificate-keeper:create,get,patch,delete
ClusterRole:-:zonekeeper-certificate-reader:get,list,watch
ClusterRoleBinding:-:zonekeeper-certificate-reader:
RoleBinding:tls:zonekeeper-certificate-keeper:"
if [[ "$certs" == "$want_certs" ]]; then ok "certificates.wildcard: its flags, the reader bound cluster-wide, the keeper only in its namespace"; else
  bad "certificates.wildcard renders" "want: $want_certs"$'\n'"got:  $certs"
fi
refuses "schema: a wildcard issuer is KIND/NAME" "'/certificates/wildcard/0/issuer'" \
  --set-json 'certificates={"wildcard":[{"zone":"a.test","issuer":"letsencrypt"}]}'

# --- the real API server --------------------------------------------------------------------
cp_dir="$(mktemp -d)"
"$root/tools/testbed/controlplane.sh" start "$cp_dir" >/dev/null
set -a
. "$cp_dir/env"
set +a
kc() { "$ZK_KUBECTL" "$@"; }
kc apply -f "$root/deploy/namespace.yaml" >/dev/null
"$helm" template zonekeeper "$chart" -n zonekeeper-system --include-crds >"$work/defaults.yaml"
kc apply -f "$chart/crds/" >/dev/null
kc wait --for=condition=Established crd --all --timeout=60s >/dev/null
check "helm template (defaults) applies with --dry-run=server, no warning" bash -c \
  "out=\$('$ZK_KUBECTL' apply --dry-run=server -f '$work/defaults.yaml' 2>&1) || { echo \"\$out\"; exit 1; }
   if grep -qi warning <<<\"\$out\"; then echo \"\$out\"; exit 1; fi"
"$helm" template zonekeeper "$chart" -n zonekeeper-system --set serviceMonitor.enabled=false \
  --set-json 'zones=[{"name":"apps.example.com","server":"dns/primary"}]' --set replicas=1 \
  --set podDisruptionBudget.minAvailable=0 --set leaderElection.enabled=false >"$work/variant.yaml"
check "a variant (one replica, no leader election, a shared zone) applies with --dry-run=server" \
  kc apply --dry-run=server -f "$work/variant.yaml"
kc create namespace monitoring-crd-less >/dev/null
out="$("$helm" template zonekeeper "$chart" -n zonekeeper-system --set serviceMonitor.enabled=true |
  kc apply --dry-run=server -f - 2>&1 || true)"
if [[ "$out" == *'no matches for kind "ServiceMonitor"'* ]]; then
  ok "serviceMonitor.enabled renders a ServiceMonitor (the API server has no prometheus-operator CRD)"
else
  bad "serviceMonitor.enabled renders a ServiceMonitor" "$out"
fi

# --- monitoring: the PrometheusRule and the dashboard ConfigMap carry deploy/monitoring -------
"$helm" template zonekeeper "$chart" -n zonekeeper-system --set prometheusRule.enabled=true \
  --set grafanaDashboard.enabled=true --set-json 'prometheusRule.labels={"release":"kps"}' \
  >"$work/monitoring.yaml"
check "prometheusRule/grafanaDashboard render deploy/monitoring's rules and dashboard unchanged" \
  python3 "$here/compare_monitoring.py" "$work/monitoring.yaml" "$root/deploy/monitoring"
check "the dashboard ConfigMap applies with --dry-run=server" \
  kc apply --dry-run=server -f "$work/monitoring-cm.yaml"

# --- kustomize and the chart agree --------------------------------------------------------
kc kustomize "$root/deploy" >"$work/kustomize.yaml"
check "kustomize (deploy/) renders the same objects as the chart's defaults" \
  python3 "$here/compare_kustomize.py" "$work/kustomize.yaml" "$work/defaults.yaml"

printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
