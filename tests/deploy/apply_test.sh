#!/usr/bin/env bash
# Applies deploy/, examples/cluster/ and examples/managed/ to a real kube-apiserver + etcd (tools/testbed) and
# proves what they promise:
#   - the CRDs are generated from deploy/crds/generate.py and kustomization.yaml lists every
#     manifest; `kubectl apply -k deploy/` succeeds, is idempotent, the CRDs become Established
#     with their short names and categories, and the Deployment's pods pass Pod Security
#     "restricted" in zonekeeper-system;
#   - the examples apply, and `kubectl get` shows them with the printer columns;
#   - schema validation (OpenAPI formats, patterns, ranges, enums, CEL rules) rejects bad
#     objects with the documented message, accepts the edge cases that are valid DNS, and
#     fills in defaults;
#   - the /status subresource: status is written only through it, spec only outside it;
#   - RBAC for the zonekeeper ServiceAccount, with its own token: what it can do, what it
#     cannot (can-i and real requests), what a RoleBinding to zonekeeper-bind9-deployer adds in
#     its namespace (deploying a Bind9Instance's objects, a Bind9Cluster's or a
#     Bind9GlobalCluster's Bind9Instances) and nowhere else, and the admission
#     policy that limits its record patches to the dns.zonekeeper.io/zone annotation.
# Prints one line per check and, last, "<n> passed, <m> failed"; exits 1 on any failure.
#
#   tests/deploy/apply_test.sh          # starts and stops its own control plane
#   ZK_TESTBED_KEEP=1 tests/deploy/apply_test.sh   # keep the temp dir (apiserver logs)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cp_sh="$root/tools/testbed/controlplane.sh"

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
bad() {
  failed=$((failed + 1))
  printf 'FAIL %s\n' "$1"
  if [[ -n "${2:-}" ]]; then printf '%s\n' "$2" | head -20 | sed 's/^/       /'; fi
}

# expect_ok DESC CMD...: CMD exits 0.
expect_ok() {
  local desc="$1" out
  shift
  if out="$("$@" 2>&1)"; then ok "$desc"; else bad "$desc" "$out"; fi
}
# expect_fail DESC FRAGMENT CMD...: CMD exits non-zero and its output contains FRAGMENT.
expect_fail() {
  local desc="$1" frag="$2" out
  shift 2
  if out="$("$@" 2>&1)"; then
    bad "$desc (unexpectedly succeeded)" "$out"
  elif [[ "$out" == *"$frag"* ]]; then
    ok "$desc"
  else
    bad "$desc (wrong error; wanted: $frag)" "$out"
  fi
}
# expect_eq DESC WANT GOT
expect_eq() {
  if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1" "want: $2"$'\n'"got:  $3"; fi
}
# expect_has DESC FRAGMENT TEXT
expect_has() {
  if [[ "$3" == *"$2"* ]]; then ok "$1"; else bad "$1" "wanted: $2"$'\n'"in:     $3"; fi
}

# ------------------------------------------------------------------ control plane

tmp="$(mktemp -d /tmp/zk-deploy-test.XXXXXX)"
bed="$tmp/bed"
summary_done=0
cleanup() {
  local rc=$?
  if [[ "$summary_done" == 0 ]]; then  # a command outside the checks failed (set -e)
    printf 'FAIL the test script stopped early (exit %s); see above\n' "$rc"
    echo "$passed passed, $((failed + 1)) failed"
  fi
  "$cp_sh" stop "$bed" >/dev/null 2>&1 || true
  if [[ "${ZK_TESTBED_KEEP:-}" == 1 ]]; then
    echo "kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
if ! ZK_TESTBED_OWNER_PID=$$ "$cp_sh" start "$bed" >"$tmp/start.log" 2>&1; then
  cat "$tmp/start.log" >&2
  exit 1
fi
set -a
# shellcheck disable=SC1091
. "$bed/env"
set +a
k() { "$ZK_KUBECTL" "$@"; }
cd "$root"

# ------------------------------------------------------------------ static checks

python=""
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then python="$p"; break; fi
done
if [[ -n "$python" ]]; then
  expect_ok "deploy/crds/*.yaml are what deploy/crds/generate.py writes" \
    "$python" deploy/crds/generate.py --check
else
  bad "deploy/crds/generate.py --check: no python3 with the yaml module (python3-yaml)"
fi

listed="$(sed -n 's/^  - \(.*\.yaml\)$/\1/p' deploy/kustomization.yaml | sort)"
# deploy/monitoring is its own kustomization (its PrometheusRule needs prometheus-operator), and
# so is deploy/sharding (the opt-in RBAC of --shards).
present="$(cd deploy && find . \( -path ./monitoring -o -path ./sharding \) -prune -o -name '*.yaml' ! -name kustomization.yaml -print |
  sed 's|^\./||' | sort)"
expect_eq "deploy/kustomization.yaml lists every manifest under deploy/" "$present" "$listed"
listed="$(sed -n 's/^  - \(.*\.yaml\)$/\1/p' deploy/monitoring/kustomization.yaml | sort)"
present="$(cd deploy/monitoring && grep -l '^apiVersion:' -- *.yaml | grep -v '^kustomization.yaml$' | sort)"
expect_eq "deploy/monitoring/kustomization.yaml lists its manifests" "$present" "$listed"

crds=(dnszones dnsservers bind9instances bind9clusters bind9globalclusters arecords aaaarecords cnamerecords txtrecords mxrecords
  nsrecords srvrecords caarecords ptrrecords naptrrecords dnamerecords sshfprecords tlsarecords
  svcbrecords httpsrecords)
# The kinds examples/cluster/ shows (the six newer ones are proven by tests/e2e/test_19).
records=(arecords aaaarecords cnamerecords txtrecords mxrecords nsrecords srvrecords caarecords
  ptrrecords)
newer_records=(naptrrecords dnamerecords sshfprecords tlsarecords svcbrecords httpsrecords)

# ------------------------------------------------------------------ deploy/

if out="$(k apply -k deploy/ 2>&1)"; then
  ok "kubectl apply -k deploy/"
  if [[ "$out" == *Warning* ]]; then bad "kubectl apply -k deploy/ printed no warnings" "$out"; else
    ok "kubectl apply -k deploy/ printed no warnings (no Pod Security or deprecation warning)"
  fi
else
  bad "kubectl apply -k deploy/" "$out"
  exit 1
fi

for c in "${crds[@]}"; do
  expect_ok "CRD $c.dns.zonekeeper.io becomes Established" \
    k wait --for condition=established --timeout=60s "crd/$c.dns.zonekeeper.io"
done

# Idempotence by resourceVersion: kubectl prints "configured" for some kinds (a PDB's
# int-or-string, a VAP's list) even when the server stores nothing new.
versions() {
  k get -k deploy/ -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}'
}
before="$(versions)"
expect_eq "every object of deploy/ is in the cluster" \
  "$(k kustomize deploy/ | grep -c '^kind:')" "$(grep -c '=[0-9]' <<<"$before" || true)"
expect_ok "a second kubectl apply -k deploy/ succeeds" k apply -k deploy/
expect_eq "... and stores nothing new (every resourceVersion unchanged)" "$before" "$(versions)"

# NAME SHORTNAMES APIVERSION NAMESPACED KIND VERBS CATEGORIES
resources="$(k api-resources --api-group=dns.zonekeeper.io -o wide --no-headers | awk '{print $1, $2, $3, $4, $5, $NF}' | sort)"
want_resources="$(cat <<'EOF'
aaaarecords aaaarec dns.zonekeeper.io/v1alpha1 true AAAARecord zonekeeper,dns
arecords arec dns.zonekeeper.io/v1alpha1 true ARecord zonekeeper,dns
bind9clusters b9c dns.zonekeeper.io/v1alpha1 true Bind9Cluster zonekeeper,dns
bind9globalclusters b9gc dns.zonekeeper.io/v1alpha1 false Bind9GlobalCluster zonekeeper,dns
bind9instances b9i dns.zonekeeper.io/v1alpha1 true Bind9Instance zonekeeper,dns
caarecords caarec dns.zonekeeper.io/v1alpha1 true CAARecord zonekeeper,dns
cnamerecords cnamerec dns.zonekeeper.io/v1alpha1 true CNAMERecord zonekeeper,dns
dnamerecords dnamerec dns.zonekeeper.io/v1alpha1 true DNAMERecord zonekeeper,dns
dnsservers dnssrv dns.zonekeeper.io/v1alpha1 true DNSServer zonekeeper,dns
dnszones dnsz dns.zonekeeper.io/v1alpha1 true DNSZone zonekeeper,dns
httpsrecords httpsrec dns.zonekeeper.io/v1alpha1 true HTTPSRecord zonekeeper,dns
mxrecords mxrec dns.zonekeeper.io/v1alpha1 true MXRecord zonekeeper,dns
naptrrecords naptrrec dns.zonekeeper.io/v1alpha1 true NAPTRRecord zonekeeper,dns
nsrecords nsrec dns.zonekeeper.io/v1alpha1 true NSRecord zonekeeper,dns
ptrrecords ptrrec dns.zonekeeper.io/v1alpha1 true PTRRecord zonekeeper,dns
srvrecords srvrec dns.zonekeeper.io/v1alpha1 true SRVRecord zonekeeper,dns
sshfprecords sshfprec dns.zonekeeper.io/v1alpha1 true SSHFPRecord zonekeeper,dns
svcbrecords svcbrec dns.zonekeeper.io/v1alpha1 true SVCBRecord zonekeeper,dns
tlsarecords tlsarec dns.zonekeeper.io/v1alpha1 true TLSARecord zonekeeper,dns
txtrecords txtrec dns.zonekeeper.io/v1alpha1 true TXTRecord zonekeeper,dns
EOF
)"
expect_eq "api-resources: 19 namespaced kinds and Bind9GlobalCluster (cluster-scoped) with short names and categories zonekeeper,dns" \
  "$want_resources" "$resources"

for c in "${crds[@]}"; do
  sub="$(k get crd "$c.dns.zonekeeper.io" -o jsonpath='{.spec.versions[0].subresources.status}')"
  expect_eq "CRD $c has the status subresource" "{}" "$sub"
done

dep="$(k get deployment zonekeeper -n zonekeeper-system -o json)"
# shellcheck disable=SC2016
got="$(jq -r '.spec as $s | $s.template.spec as $p | $p.containers[0] as $c | [
  $s.replicas, $p.serviceAccountName, $c.image, ($c.args | join(" ")),
  $c.livenessProbe.httpGet.path, $c.readinessProbe.httpGet.path,
  ($c.ports[] | select(.name == "http") | .containerPort),
  $c.securityContext.readOnlyRootFilesystem, $p.securityContext.runAsNonRoot,
  $c.securityContext.allowPrivilegeEscalation,
  ($c.resources.requests | has("cpu") and has("memory")),
  ($c.resources.limits | has("cpu") and has("memory"))] | map(tostring) | join(" ")' <<<"$dep")"
expect_eq "Deployment: 2 replicas, SA zonekeeper, zonekeeper:dev controller, probes, hardening, resources" \
  "2 zonekeeper zonekeeper:dev controller /healthz /readyz 8080 true true false true true" "$got"
probe_port="$(jq -r '.spec.template.spec.containers[0] | [.livenessProbe.httpGet.port, .readinessProbe.httpGet.port] | join(" ")' <<<"$dep")"
expect_eq "Deployment: both probes use the named port http (8080)" "http http" "$probe_port"

# Pods never run here (no kubelet), but Pod Security admission is real: a Pod made from the
# Deployment's template must be admitted in zonekeeper-system (enforce: restricted), and the
# same Pod without the hardening must not be (so the first result means something).
pod="$(jq '{apiVersion: "v1", kind: "Pod",
  metadata: {name: "zonekeeper-template-check", namespace: "zonekeeper-system",
             labels: .spec.template.metadata.labels},
  spec: .spec.template.spec}' <<<"$dep")"
if out="$(k create --dry-run=server -f - <<<"$pod" 2>&1)"; then
  if [[ "$out" == *Warning* ]]; then bad "Deployment pod template passes Pod Security restricted" "$out"; else
    ok "Deployment pod template is admitted under Pod Security restricted (enforced in zonekeeper-system)"
  fi
else
  bad "Deployment pod template is admitted under Pod Security restricted" "$out"
fi
weak="$(jq 'del(.spec.securityContext) | del(.spec.containers[0].securityContext)' <<<"$pod")"
expect_fail "a pod without the hardening is refused in zonekeeper-system" \
  'violates PodSecurity "restricted:latest"' k create --dry-run=server -f - <<<"$weak"

# ------------------------------------------------------------------ examples/cluster/

expect_ok "kubectl apply -f examples/cluster/" k apply -f examples/cluster/
ns=dns-example

names="$(k get zonekeeper -n $ns -o name | sort | tr '\n' ' ')"
expect_eq "category zonekeeper lists the example's zone, servers and records" \
  "aaaarecord.dns.zonekeeper.io/www arecord.dns.zonekeeper.io/mail arecord.dns.zonekeeper.io/www caarecord.dns.zonekeeper.io/caa cnamerecord.dns.zonekeeper.io/api dnsserver.dns.zonekeeper.io/bind-primary dnsserver.dns.zonekeeper.io/bind-secondary dnszone.dns.zonekeeper.io/example-test mxrecord.dns.zonekeeper.io/mail nsrecord.dns.zonekeeper.io/lab-delegation ptrrecord.dns.zonekeeper.io/web-instances srvrecord.dns.zonekeeper.io/sip txtrecord.dns.zonekeeper.io/spf " \
  "$names"
expect_eq "category dns lists the same 13 objects" "13" "$(k get dns -n $ns -o name | wc -l | tr -d ' ')"
for r in "${records[@]}"; do
  all="$(k get "$r" -n $ns -o name | wc -l | tr -d ' ')"
  sel="$(k get "$r" -n $ns -l dns.example/zone=example.test -o name | wc -l | tr -d ' ')"
  if [[ "$all" -ge 1 && "$all" == "$sel" ]]; then ok "examples: $r exist and all match the zone's recordsFrom selector"; else
    bad "examples: $r exist and all match the zone's recordsFrom selector" "all=$all selected=$sel"
  fi
done
expect_eq "short name dnsz finds the example zone" "dnszone.dns.zonekeeper.io/example-test" \
  "$(k get dnsz -n $ns -o name)"

# ------------------------------------------------------------------ examples/managed/
# (served on a real node by tests/node/e2e; here: the schema takes them as they are)
expect_ok "kubectl apply -f examples/managed/" k apply -f examples/managed/
expect_eq "examples/managed: a Bind9Cluster, a DNSZone on it and a record" \
  "arecord.dns.zonekeeper.io/edge-www bind9cluster.dns.zonekeeper.io/edge dnszone.dns.zonekeeper.io/edge " \
  "$(k get arecords,bind9clusters,dnszones -n dns-edge -o name | sort | tr '\n' ' ')"
expect_ok "examples/managed: applied again, nothing to change" k apply -f examples/managed/
# Gone again: the checks below count what is bound and what exists.
expect_ok "examples/managed: deleted" k delete -f examples/managed/ --wait=false

header() { k get "$@" | head -1 | tr -s ' '; }
expect_eq "kubectl get dnszones: printer columns" "NAME ZONE RECORDS READY REASON AGE" "$(header dnszones -n $ns)"
expect_eq "kubectl get dnszones -o wide: printer columns" \
  "NAME ZONE RECORDS READY REASON PROPAGATED DRIFT AGE" "$(header dnszones -n $ns -o wide)"
expect_eq "kubectl get dnsservers: printer columns" "NAME ROLE ADDRESS PORT READY REASON AGE" \
  "$(header dnsservers -n $ns)"
expect_eq "kubectl get dnsservers -o wide: printer columns" \
  "NAME ROLE ADDRESS PORT READY REASON PRIMARY AGE" "$(header dnsservers -n $ns -o wide)"
# Bind9Instances live in a namespace of their own (dns-managed), where the RBAC checks below
# bind the deployer ClusterRole; nothing runs them here (no controller, no kubelet).
managed=dns-managed
expect_ok "(setup) admin creates namespace $managed" k create namespace $managed
expect_ok "a Primary and a Secondary Bind9Instance are created" k apply -n $managed -f - <<'B9I'
apiVersion: dns.zonekeeper.io/v1alpha1
kind: Bind9Instance
metadata: {name: primary}
spec: {role: Primary}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: Bind9Instance
metadata: {name: secondary}
spec: {role: Secondary, replicas: 3, primaryRef: {name: primary}, allowQuery: ["!192.0.2.66", 10.0.0.0/8, "2001:db8::/32", localnets]}
B9I
expect_eq "kubectl get bind9instances: printer columns" \
  "NAME ROLE REPLICAS READY-PODS ADDRESS READY REASON AGE" "$(header bind9instances -n $managed)"
expect_eq "short name b9i finds both instances" \
  "bind9instance.dns.zonekeeper.io/primary bind9instance.dns.zonekeeper.io/secondary" \
  "$(k get b9i -n $managed -o name | sort | tr '\n' ' ' | sed 's/ $//')"
expect_ok "a Bind9Cluster is created" k apply -n $managed -f - <<'B9C'
apiVersion: dns.zonekeeper.io/v1alpha1
kind: Bind9Cluster
metadata: {name: dns, labels: {dns.example/serves: example.test}}
spec: {}
B9C
expect_eq "kubectl get bind9clusters: printer columns" \
  "NAME SECONDARIES INSTANCES READY-INSTANCES READY REASON AGE" "$(header bind9clusters -n $managed)"
expect_eq "short name b9c finds the cluster" "bind9cluster.dns.zonekeeper.io/dns" \
  "$(k get b9c -n $managed -o name)"
expect_eq "category zonekeeper lists the instances and the cluster" "3" \
  "$(k get zonekeeper -n $managed -o name | wc -l | tr -d ' ')"
# A Bind9GlobalCluster is in no namespace; its instances would be made in $managed.
expect_ok "a Bind9GlobalCluster is created (no namespace)" k apply -f - <<B9GC
apiVersion: dns.zonekeeper.io/v1alpha1
kind: Bind9GlobalCluster
metadata: {name: shared, labels: {dns.example/serves: shared.test}}
spec: {namespace: $managed, allowedNamespaces: {matchLabels: {dns.example/zones: allowed}}}
B9GC
expect_eq "kubectl get bind9globalclusters: printer columns" \
  "NAME NAMESPACE SECONDARIES INSTANCES READY-INSTANCES READY REASON AGE" "$(header bind9globalclusters)"
expect_eq "short name b9gc finds the global cluster" "bind9globalcluster.dns.zonekeeper.io/shared" \
  "$(k get b9gc -o name)"
expect_eq "the Bind9GlobalCluster has no metadata.namespace" "" \
  "$(k get bind9globalcluster shared -o jsonpath='{.metadata.namespace}')"
declare -A data_col=([arecords]=ADDRESSES [aaaarecords]=ADDRESSES [cnamerecords]=TARGET
  [txtrecords]="" [mxrecords]="MAIL EXCHANGERS" [nsrecords]="NAME SERVERS"
  [srvrecords]=SERVICES [caarecords]=ENTRIES [ptrrecords]=TARGETS [naptrrecords]=""
  [dnamerecords]=TARGET [sshfprecords]="" [tlsarecords]="" [svcbrecords]="" [httpsrecords]="")
# One object of each newer kind, so kubectl has rows to print headers for.
expect_ok "one object of each of the six newer record kinds is created" k apply -n $ns -f - <<'KINDS'
apiVersion: dns.zonekeeper.io/v1alpha1
kind: NAPTRRecord
metadata: {name: columns}
spec: {name: "@", rules: [{order: 100, preference: 10, flags: S, services: "SIP+D2U", replacement: _sip._udp}]}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: DNAMERecord
metadata: {name: columns}
spec: {name: old, target: new.example.org.}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: SSHFPRecord
metadata: {name: columns}
spec: {name: host, fingerprints: [{algorithm: 4, type: 2, fingerprint: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: TLSARecord
metadata: {name: columns}
spec: {name: _443._tcp.www, associations: [{usage: 3, selector: 1, matchingType: 1, data: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: SVCBRecord
metadata: {name: columns}
spec: {name: _dns.resolver, bindings: [{priority: 1, target: dns, params: "alpn=dot"}]}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: HTTPSRecord
metadata: {name: columns}
spec: {name: www, bindings: [{priority: 1, target: ".", params: "alpn=h2,h3"}]}
KINDS
for r in "${records[@]}" "${newer_records[@]}"; do
  d="${data_col[$r]}"
  expect_eq "kubectl get $r: printer columns" "NAME FQDN ${d:+$d }READY REASON AGE" "$(header "$r" -n $ns)"
done
expect_eq "kubectl get txtrecords -o wide: printer columns" \
  "NAME FQDN TEXTS READY REASON ZONE NAME OWNER AGE" "$(header txtrecords -n $ns -o wide)"
k annotate arecords www -n $ns dns.zonekeeper.io/owner=team-web --overwrite >/dev/null
expect_has "kubectl get arecords -o wide shows the dns.zonekeeper.io/owner annotation" "team-web" \
  "$(k get arecords www -n $ns -o wide --no-headers | tr -s ' ')"
k annotate arecords www -n $ns dns.zonekeeper.io/owner- >/dev/null
row="$(k get dnszones -n $ns --no-headers | tr -s ' ')"
expect_has "kubectl get dnszones shows example-test / example.test" "example-test example.test" "$row"
row="$(k get dnsservers -n $ns --no-headers | tr -s ' ' | sort)"
expect_has "kubectl get dnsservers shows the defaulted port 53 of the secondary" \
  "bind-secondary Secondary 192.0.2.54 53" "$row"
row="$(k get arecords www -n $ns --no-headers | tr -s ' ')"
expect_has "kubectl get arecords shows the addresses" '["192.0.2.10","192.0.2.11"]' "$row"
row="$(k get mxrecords mail -n $ns --no-headers | tr -s ' ')"
expect_has "kubectl get mxrecords shows the mail exchangers" '[{"exchange":"mail","preference":10}]' "$row"

# ------------------------------------------------------------------ defaults

defaults="$(k create --dry-run=server -o json -f - <<'EOF' | jq -c '.spec'
apiVersion: dns.zonekeeper.io/v1alpha1
kind: DNSZone
metadata: {name: defaults, namespace: dns-example}
spec:
  zoneName: defaults.test
  soaRecord: {primaryNs: ns1, adminEmail: hostmaster@defaults.test}
EOF
)"
expect_eq "DNSZone defaults: ttl 300, driftPolicy Remediate, SOA timers 3600/600/604800/300" \
  '{"driftPolicy":"Remediate","soaRecord":{"adminEmail":"hostmaster@defaults.test","expire":604800,"negativeTtl":300,"primaryNs":"ns1","refresh":3600,"retry":600},"ttl":300,"zoneName":"defaults.test"}' \
  "$defaults"
defaults="$(k get dnsserver bind-secondary -n $ns -o jsonpath='{.spec.external.port} {.spec.timeoutSeconds}')"
expect_eq "DNSServer defaults: port 53, timeoutSeconds 5" "53 5" "$defaults"
defaults="$(k get caarecord caa -n $ns -o jsonpath='{.spec.entries[0].flags}')"
expect_eq "CAARecord defaults: flags 0" "0" "$defaults"
defaults="$(k get bind9instance primary -n $managed -o json | jq -c '.spec')"
expect_eq "Bind9Instance defaults: replicas 1, IfNotPresent, port 53, storage 1Gi kept, allowQuery any" \
  '{"allowQuery":["any"],"imagePullPolicy":"IfNotPresent","logQueries":false,"port":53,"replicas":1,"role":"Primary","storage":{"deleteOnRemove":false,"size":"1Gi"}}' \
  "$defaults"
defaults="$(k get bind9cluster dns -n $managed -o json | jq -c '.spec')"
expect_eq "Bind9Cluster defaults: Bind9Instance's settings, primary and secondaries storage 1Gi kept, one Secondary of one Pod" \
  '{"allowQuery":["any"],"imagePullPolicy":"IfNotPresent","logQueries":false,"port":53,"primary":{"storage":{"deleteOnRemove":false,"size":"1Gi"}},"secondaries":{"instances":1,"replicas":1,"storage":{"deleteOnRemove":false,"size":"1Gi"}}}' \
  "$defaults"
defaults="$(k get bind9globalcluster shared -o json | jq -c '.spec')"
expect_eq "Bind9GlobalCluster defaults: Bind9Cluster's, besides its namespace and allowedNamespaces" \
  '{"allowQuery":["any"],"allowedNamespaces":{"matchLabels":{"dns.example/zones":"allowed"}},"imagePullPolicy":"IfNotPresent","logQueries":false,"namespace":"dns-managed","port":53,"primary":{"storage":{"deleteOnRemove":false,"size":"1Gi"}},"secondaries":{"instances":1,"replicas":1,"storage":{"deleteOnRemove":false,"size":"1Gi"}}}' \
  "$defaults"

# ------------------------------------------------------------------ schema validation

A='apiVersion: dns.zonekeeper.io/v1alpha1'
M='metadata: {name: bad, namespace: dns-example}'
# reject DESC FRAGMENT YAML-after-apiVersion: a real create (not a dry run) must fail.
reject() { expect_fail "rejected: $1" "$2" k create -f - <<<"$A"$'\n'"$M"$'\n'"$3"; }
# accept DESC YAML: valid DNS that the schema must not refuse (server-side dry run).
accept() { expect_ok "accepted: $1" k create --dry-run=server -f - <<<"$A"$'\n'"$M"$'\n'"$2"; }

reject "ARecord with a bad IPv4 address" \
  'spec.ipv4Addresses[0] in body must be of type ipv4: "192.0.2.300"' \
  'kind: ARecord
spec: {name: www, ipv4Addresses: [192.0.2.300]}'
reject "ARecord with a leading zero (octal-ambiguous)" \
  "spec.ipv4Addresses[0] in body should match '^(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*)){3}\$'" \
  'kind: ARecord
spec: {name: www, ipv4Addresses: [192.0.2.010]}'
reject "ARecord with an IPv6 address" 'must be of type ipv4' \
  'kind: ARecord
spec: {name: www, ipv4Addresses: ["2001:db8::1"]}'
reject "ARecord with empty ipv4Addresses" 'spec.ipv4Addresses in body should have at least 1 items' \
  'kind: ARecord
spec: {name: www, ipv4Addresses: []}'
reject "ARecord with a duplicate address" 'spec.ipv4Addresses[1]: Duplicate value: "192.0.2.1"' \
  'kind: ARecord
spec: {name: www, ipv4Addresses: [192.0.2.1, 192.0.2.1]}'
reject "ARecord with TTL -1" 'spec.ttl in body should be greater than or equal to 0' \
  'kind: ARecord
spec: {name: www, ttl: -1, ipv4Addresses: [192.0.2.1]}'
reject "ARecord with TTL 2^31" 'spec.ttl in body should be less than or equal to 2147483647' \
  'kind: ARecord
spec: {name: www, ttl: 2147483648, ipv4Addresses: [192.0.2.1]}'
reject "ARecord without name" 'spec.name: Required value' \
  'kind: ARecord
spec: {ipv4Addresses: [192.0.2.1]}'
reject "ARecord with an underscore in the owner (not a host name)" 'spec.name in body should match' \
  'kind: ARecord
spec: {name: _www, ipv4Addresses: [192.0.2.1]}'
reject "record without spec" 'spec: Required value' \
  'kind: TXTRecord'
reject "a misspelt field (strict field validation)" 'unknown field "spec.ipv4Adresses"' \
  'kind: ARecord
spec: {name: www, ipv4Adresses: [192.0.2.1]}'
reject "AAAARecord with a bad IPv6 address" 'spec.ipv6Addresses[0] in body must be of type ipv6: "2001:db8::g"' \
  'kind: AAAARecord
spec: {name: www, ipv6Addresses: ["2001:db8::g"]}'
reject "TXTRecord with a label starting with a hyphen" 'spec.name in body should match' \
  'kind: TXTRecord
spec: {name: -txt, texts: [x]}'
reject "TXTRecord with a 64-character label" 'spec.name in body should match' \
  "kind: TXTRecord
spec: {name: $(printf 'a%.0s' {1..64}), texts: [x]}"
reject "TXTRecord with a space in the name" 'spec.name in body should match' \
  'kind: TXTRecord
spec: {name: "my host", texts: [x]}'
reject "CNAMERecord at the apex" 'spec.name: Invalid value: a CNAME cannot be at the zone apex ("@")' \
  'kind: CNAMERecord
spec: {name: "@", target: www}'
reject "CNAMERecord without target" 'spec.target: Required value' \
  'kind: CNAMERecord
spec: {name: api}'
reject "MXRecord with preference 65536" \
  'spec.mailExchangers[0].preference in body should be less than or equal to 65535' \
  'kind: MXRecord
spec: {name: "@", mailExchangers: [{preference: 65536, exchange: mail}]}'
reject "MXRecord: a null MX beside another exchanger" \
  'a null MX (exchange ".") must be the only mail exchanger and have preference 0' \
  'kind: MXRecord
spec: {name: "@", mailExchangers: [{preference: 0, exchange: .}, {preference: 10, exchange: mail}]}'
reject "MXRecord with an underscore in the exchange" 'spec.mailExchangers[0].exchange in body should match' \
  'kind: MXRecord
spec: {name: "@", mailExchangers: [{preference: 10, exchange: _mail}]}'
reject "NSRecord at the apex" 'apex NS records come from the DNSZone' \
  'kind: NSRecord
spec: {name: "@", nameServers: [ns1.example.net.]}'
reject "SRVRecord with port 70000" 'spec.services[0].port in body should be less than or equal to 65535' \
  'kind: SRVRecord
spec: {name: _sip._tcp, services: [{priority: 10, weight: 5, port: 70000, target: sip}]}'
reject "SRVRecord with a name that is not _service._proto" 'spec.name in body should match' \
  'kind: SRVRecord
spec: {name: sip, services: [{priority: 10, weight: 5, port: 5060, target: sip}]}'
reject "SRVRecord without weight" 'spec.services[0].weight: Required value' \
  'kind: SRVRecord
spec: {name: _sip._tcp, services: [{priority: 10, port: 5060, target: sip}]}'
reject "CAARecord tag with a hyphen" \
  "spec.entries[0].tag in body should match '^[A-Za-z0-9]{1,15}\$'" \
  'kind: CAARecord
spec: {name: "@", entries: [{tag: issue-wild, value: letsencrypt.org}]}'
reject "CAARecord flags 256" 'spec.entries[0].flags in body should be less than or equal to 255' \
  'kind: CAARecord
spec: {name: "@", entries: [{flags: 256, tag: issue, value: letsencrypt.org}]}'
reject "PTRRecord with no targets" 'spec.targets in body should have at least 1 items' \
  'kind: PTRRecord
spec: {name: "10", targets: []}'
reject "NAPTRRecord with both regexp and replacement" 'regexp and replacement exclude each other' \
  'kind: NAPTRRecord
spec: {name: "@", rules: [{order: 1, preference: 1, regexp: "!a!b!", replacement: sip}]}'
reject "NAPTRRecord flags with a symbol" "spec.rules[0].flags in body should match" \
  'kind: NAPTRRecord
spec: {name: "@", rules: [{order: 1, preference: 1, flags: "S!"}]}'
reject "TLSARecord data that is not hex" "spec.associations[0].data in body should match" \
  'kind: TLSARecord
spec: {name: _443._tcp, associations: [{usage: 3, selector: 1, matchingType: 1, data: xyz}]}'
reject "TLSARecord outside _port._proto" "spec.name in body should match" \
  'kind: TLSARecord
spec: {name: www, associations: [{usage: 3, selector: 1, matchingType: 1, data: ab}]}'
reject "SSHFPRecord algorithm 256" 'spec.fingerprints[0].algorithm in body should be less than or equal to 255' \
  'kind: SSHFPRecord
spec: {name: host, fingerprints: [{algorithm: 256, type: 2, fingerprint: ab}]}'
reject "HTTPSRecord without target" 'spec.bindings[0].target: Required value' \
  'kind: HTTPSRecord
spec: {name: www, bindings: [{priority: 1}]}'
accept "NAPTRRecord with defaults (replacement .)" 'kind: NAPTRRecord
spec: {name: "@", rules: [{order: 100, preference: 10, flags: U, services: "E2U+sip", regexp: "!^.*$!sip:x@example.test!"}]}'
accept "DNAMERecord" 'kind: DNAMERecord
spec: {name: old, target: new.example.org.}'
accept "SVCBRecord with params" 'kind: SVCBRecord
spec: {name: _dns.resolver, bindings: [{priority: 1, target: dns, params: "alpn=dot port=853"}]}'

reject "Secondary DNSServer without primaryServerRef" \
  'spec.primaryServerRef: Invalid value: primaryServerRef is required when role is Secondary' \
  'kind: DNSServer
spec: {role: Secondary, external: {address: 192.0.2.54}}'
reject "Primary DNSServer with primaryServerRef" 'primaryServerRef is only allowed when role is Secondary' \
  'kind: DNSServer
spec: {role: Primary, external: {address: 192.0.2.53}, tsigKeySecretRef: {name: k}, primaryServerRef: {name: p}}'
reject "Primary DNSServer without tsigKeySecretRef" 'tsigKeySecretRef is required when role is Primary' \
  'kind: DNSServer
spec: {role: Primary, external: {address: 192.0.2.53}}'
reject "Secondary DNSServer that is its own primary" 'a Secondary cannot be its own primary' \
  'kind: DNSServer
spec: {role: Secondary, external: {address: 192.0.2.54}, primaryServerRef: {name: bad}}'
reject "DNSServer without external" 'exactly one of external or managed must be set' \
  'kind: DNSServer
spec: {role: Secondary, primaryServerRef: {name: p}}'
reject "DNSServer with an unknown role (enum)" 'spec.role: Unsupported value: "Master": supported values: "Primary", "Secondary"' \
  'kind: DNSServer
spec: {role: Master, external: {address: 192.0.2.53}, tsigKeySecretRef: {name: k}}'
reject "DNSServer with a bad address" 'address must be an IPv4 or IPv6 address or a host name' \
  'kind: DNSServer
spec: {role: Secondary, external: {address: 192.0.2.300}, primaryServerRef: {name: p}}'
reject "Technitium DNSServer as a Secondary" 'a Technitium server is a Primary' \
  'kind: DNSServer
spec: {role: Secondary, primaryServerRef: {name: p}, external: {address: 192.0.2.53, technitium: {url: "http://192.0.2.53:5380", credentialsSecretRef: {name: api}}}}'
reject "Technitium DNSServer with a TSIG key" 'tsigKeySecretRef is not used with external.technitium' \
  'kind: DNSServer
spec: {role: Primary, tsigKeySecretRef: {name: k}, external: {address: 192.0.2.53, technitium: {url: "http://192.0.2.53:5380", credentialsSecretRef: {name: api}}}}'
reject "Technitium DNSServer without credentials" 'spec.external.technitium.credentialsSecretRef: Required value' \
  'kind: DNSServer
spec: {role: Primary, external: {address: 192.0.2.53, technitium: {url: "http://192.0.2.53:5380"}}}'
reject "Technitium DNSServer with credentials in the URL" 'spec.external.technitium.url in body should match' \
  'kind: DNSServer
spec: {role: Primary, external: {address: 192.0.2.53, technitium: {url: "http://admin:pw@192.0.2.53:5380", credentialsSecretRef: {name: api}}}}'
reject "Technitium DNSServer with a rate over 1000" 'spec.external.technitium.requestsPerSecond in body should be less than or equal to 1000' \
  'kind: DNSServer
spec: {role: Primary, external: {address: 192.0.2.53, technitium: {url: "https://dns.example.test", credentialsSecretRef: {name: api}, requestsPerSecond: 1001}}}'
reject "DNSServer with port 0" 'spec.external.port in body should be greater than or equal to 1' \
  'kind: DNSServer
spec: {role: Secondary, external: {address: 192.0.2.54, port: 0}, primaryServerRef: {name: p}}'
reject "DNSServer with port 65536" 'spec.external.port in body should be less than or equal to 65535' \
  'kind: DNSServer
spec: {role: Secondary, external: {address: 192.0.2.54, port: 65536}, primaryServerRef: {name: p}}'

reject "Primary Bind9Instance with replicas 2" \
  'spec.replicas: Invalid value: a Primary is one Pod (RFC 2136 needs one writer); scale reads with a Secondary instance' \
  'kind: Bind9Instance
spec: {role: Primary, replicas: 2}'
reject "Secondary Bind9Instance without primaryRef" \
  'spec.primaryRef: Invalid value: primaryRef is required when role is Secondary' \
  'kind: Bind9Instance
spec: {role: Secondary, replicas: 2}'
reject "Primary Bind9Instance with primaryRef" 'primaryRef is only allowed when role is Secondary' \
  'kind: Bind9Instance
spec: {role: Primary, primaryRef: {name: p}}'
reject "Secondary Bind9Instance that is its own primary" 'a Secondary cannot be its own primary' \
  'kind: Bind9Instance
spec: {role: Secondary, primaryRef: {name: bad}}'
reject "Bind9Instance with 17 replicas" 'spec.replicas in body should be less than or equal to 16' \
  'kind: Bind9Instance
spec: {role: Secondary, replicas: 17, primaryRef: {name: p}}'
reject "Bind9Instance allowQuery that would inject into named.conf" \
  'spec.allowQuery[1]: Invalid value: "any; }; include \"/etc/passwd\"": must be any, none, localhost, localnets, an IP address or address/prefix with no bit set beyond the prefix, optionally after one "!"' \
  'kind: Bind9Instance
spec: {role: Primary, allowQuery: [localhost, "any; }; include \"/etc/passwd\""]}'
reject "Bind9Instance allowQuery with bits beyond the prefix (named refuses 10.0.0.1/8)" \
  'spec.allowQuery[0]: Invalid value: "10.0.0.1/8": must be' \
  'kind: Bind9Instance
spec: {role: Primary, allowQuery: [10.0.0.1/8]}'
reject "Bind9Instance storage size that is not a quantity" 'spec.storage.size in body should match' \
  'kind: Bind9Instance
spec: {role: Primary, storage: {size: 1GB}}'
reject "Bind9Instance resource quantity that is not one" 'spec.resources.requests.cpu in body should match' \
  'kind: Bind9Instance
spec: {role: Primary, resources: {requests: {cpu: lots}}}'
expect_fail "rejected: a Bind9Instance whose name cannot name a Service (starts with a digit)" \
  'the name must be a DNS label of at most 52 characters that starts with a letter' \
  k create -n $ns -f - <<<"$A"$'\n''metadata: {name: 9bad}
kind: Bind9Instance
spec: {role: Primary}'
reject "Bind9Instance on port 953" "port 953 is named's control channel inside the Pod (rndc)" \
  'kind: Bind9Instance
spec: {role: Primary, port: 953}'
reject "Bind9Instance on port 5300" "port 5300 is the agent's NOTIFY listener inside the Pod" \
  'kind: Bind9Instance
spec: {role: Secondary, primaryRef: {name: p}, port: 5300}'
accept "Bind9Instance on port 5353" 'kind: Bind9Instance
spec: {role: Primary, port: 5353}'

reject "Bind9Cluster on port 953" "port 953 is named's control channel inside the Pod (rndc)" \
  'kind: Bind9Cluster
spec: {port: 953}'
reject "Bind9Cluster on port 5300" "port 5300 is the agent's NOTIFY listener inside the Pod" \
  'kind: Bind9Cluster
spec: {port: 5300}'
reject "Bind9Cluster with 17 Secondary instances" 'spec.secondaries.instances in body should be less than or equal to 16' \
  'kind: Bind9Cluster
spec: {secondaries: {instances: 17}}'
reject "Bind9Cluster with Secondaries of 0 Pods" 'spec.secondaries.replicas in body should be greater than or equal to 1' \
  'kind: Bind9Cluster
spec: {secondaries: {replicas: 0}}'
reject "Bind9Cluster secondaries storage size that is not a quantity" 'spec.secondaries.storage.size in body should match' \
  'kind: Bind9Cluster
spec: {secondaries: {storage: {size: 1GB}}}'
reject "Bind9Cluster primary storage size of zero" 'size must be more than zero' \
  'kind: Bind9Cluster
spec: {primary: {storage: {size: 0Gi}}}'
reject "Bind9Cluster primary resource quantity that is not one" 'spec.primary.resources.requests.cpu in body should match' \
  'kind: Bind9Cluster
spec: {primary: {resources: {requests: {cpu: lots}}}}'
reject "Bind9Cluster allowQuery that would inject into named.conf" \
  'spec.allowQuery[0]: Invalid value: "any; }; include \"/etc/passwd\"": must be any, none' \
  'kind: Bind9Cluster
spec: {allowQuery: ["any; }; include \"/etc/passwd\""]}'
expect_fail "rejected: a Bind9Cluster whose name is too long for <name>-secondary-15 (40 characters)" \
  'the name must be a DNS label of at most 39 characters that starts with a letter' \
  k create -n $ns -f - <<<"$A"$'\n''metadata: {name: a234567890123456789012345678901234567890}
kind: Bind9Cluster
spec: {}'
expect_fail "rejected: a Bind9Cluster whose name starts with a digit" \
  'the name must be a DNS label of at most 39 characters that starts with a letter' \
  k create -n $ns -f - <<<"$A"$'\n''metadata: {name: 9bad}
kind: Bind9Cluster
spec: {}'
accept "Bind9Cluster of 39 characters, a Primary alone (instances 0), Secondaries of 16 Pods" \
  'kind: Bind9Cluster
metadata: {name: a23456789012345678901234567890123456789}
spec: {secondaries: {instances: 0, replicas: 16}}'
expect_fail "rejected: changing a Bind9Cluster's secondaries storage size (immutable)" \
  'storage.size and storage.storageClassName are immutable' \
  k patch bind9cluster dns -n $managed --type=merge -p '{"spec":{"secondaries":{"storage":{"size":"2Gi"}}}}'
expect_fail "rejected: setting a Bind9Cluster's primary storageClassName (immutable)" \
  'storage.size and storage.storageClassName are immutable' \
  k patch bind9cluster dns -n $managed --type=merge -p '{"spec":{"primary":{"storage":{"storageClassName":"fast"}}}}'
expect_ok "a Bind9Cluster's secondaries.instances and deleteOnRemove may change" \
  k patch bind9cluster dns -n $managed --type=merge -p '{"spec":{"secondaries":{"instances":3,"storage":{"deleteOnRemove":true}}}}'
reject "Bind9Cluster allowedNamespaces: In without values" 'values must be non-empty for In and NotIn' \
  'kind: Bind9Cluster
spec: {allowedNamespaces: {matchExpressions: [{key: team, operator: In}]}}'
accept "Bind9Cluster and Bind9Instance admitting other namespaces" 'kind: Bind9Cluster
spec: {allowedNamespaces: {matchExpressions: [{key: team, operator: Exists}]}}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: Bind9Instance
metadata: {name: bad-instance, namespace: dns-example}
spec: {role: Primary, allowedNamespaces: {}}'

# A Bind9GlobalCluster: cluster-scoped, so created without a namespace.
G='kind: Bind9GlobalCluster
metadata: {name: bad}'
reject_global() { expect_fail "rejected: $1" "$2" k create -f - <<<"$A"$'\n'"$G"$'\n'"$3"; }
reject_global "Bind9GlobalCluster without namespace" 'spec.namespace: Required value' \
  'spec: {allowedNamespaces: {}}'
reject_global "Bind9GlobalCluster without allowedNamespaces" 'spec.allowedNamespaces: Required value' \
  "spec: {namespace: $managed}"
reject_global "Bind9GlobalCluster whose namespace is not a namespace name" 'spec.namespace in body should match' \
  'spec: {namespace: Shared_DNS, allowedNamespaces: {}}'
reject_global "Bind9GlobalCluster whose namespace is longer than 63" 'spec.namespace: Too long' \
  "spec: {namespace: a$(printf '1%.0s' {1..63}), allowedNamespaces: {}}"
reject_global "Bind9GlobalCluster allowedNamespaces: Exists with values" 'values must be non-empty for In and NotIn, and empty for Exists' \
  "spec: {namespace: $managed, allowedNamespaces: {matchExpressions: [{key: team, operator: Exists, values: [a]}]}}"
reject_global "Bind9GlobalCluster on port 953 (Bind9Cluster's checks)" "port 953 is named's control channel inside the Pod (rndc)" \
  "spec: {namespace: $managed, allowedNamespaces: {}, port: 953}"
expect_fail "rejected: a Bind9GlobalCluster whose name is too long for <name>-secondary-15 (40 characters)" \
  'the name must be a DNS label of at most 39 characters that starts with a letter' \
  k create -f - <<<"$A"$'\n''metadata: {name: a234567890123456789012345678901234567890}
kind: Bind9GlobalCluster
spec: {namespace: dns, allowedNamespaces: {}}'
expect_ok "accepted: Bind9GlobalCluster of 39 characters admitting every namespace ({}), namespace of 63" \
  k create --dry-run=server -f - <<<"$A"$'\n''metadata: {name: a23456789012345678901234567890123456789}
kind: Bind9GlobalCluster
spec: {namespace: '"a$(printf '1%.0s' {1..62})"', allowedNamespaces: {}}'
expect_fail "rejected: changing a Bind9GlobalCluster's namespace (immutable)" \
  'namespace is immutable: create another global cluster' \
  k patch bind9globalcluster shared --type=merge -p '{"spec":{"namespace":"elsewhere"}}'
expect_fail "rejected: removing a Bind9GlobalCluster's allowedNamespaces" 'spec.allowedNamespaces: Required value' \
  k patch bind9globalcluster shared --type=json -p '[{"op":"remove","path":"/spec/allowedNamespaces"}]'
expect_fail "rejected: changing a Bind9GlobalCluster's primary storage size (immutable)" \
  'storage.size and storage.storageClassName are immutable (a StatefulSet'"'"'s volumeClaimTemplates cannot change): create another global cluster' \
  k patch bind9globalcluster shared --type=merge -p '{"spec":{"primary":{"storage":{"size":"2Gi"}}}}'
expect_ok "a Bind9GlobalCluster's allowedNamespaces and secondaries.instances may change" \
  k patch bind9globalcluster shared --type=merge -p '{"spec":{"allowedNamespaces":{"matchExpressions":[{"key":"dns.example/zones","operator":"In","values":["allowed","shared"]}]},"secondaries":{"instances":2}}}'
expect_eq "no rejected Bind9GlobalCluster was stored" "bind9globalcluster.dns.zonekeeper.io/shared" \
  "$(k get bind9globalclusters -o name)"

reject "DNSZone without zoneName" 'spec.zoneName: Required value' \
  'kind: DNSZone
spec: {ttl: 300}'
reject "DNSZone with an unknown driftPolicy (enum)" \
  'spec.driftPolicy: Unsupported value: "Ignore": supported values: "Remediate", "Report"' \
  'kind: DNSZone
spec: {zoneName: bad.test, driftPolicy: Ignore}'
reject "DNSZone with glue for a name outside the zone" \
  'nameServers: ipv4Address/ipv6Address are glue and are allowed only for a name inside zoneName' \
  'kind: DNSZone
spec: {zoneName: bad.test, nameServers: [{name: ns1.example.net., ipv4Address: 192.0.2.1}]}'
reject "DNSZone with a bad glue IPv6 address" 'spec.nameServers[0].ipv6Address in body must be of type ipv6' \
  'kind: DNSZone
spec: {zoneName: bad.test, nameServers: [{name: ns1, ipv6Address: "192.0.2.1"}]}'
reject "DNSZone with two name servers of the same name" 'spec.nameServers[1]: Duplicate value: {"name":"ns1"}' \
  'kind: DNSZone
spec: {zoneName: bad.test, nameServers: [{name: ns1}, {name: ns1}]}'
reject "DNSZone SOA without adminEmail" 'spec.soaRecord.adminEmail: Required value' \
  'kind: DNSZone
spec: {zoneName: bad.test, soaRecord: {primaryNs: ns1}}'
reject "DNSZone SOA adminEmail that is not an e-mail address" 'spec.soaRecord.adminEmail in body should match' \
  'kind: DNSZone
spec: {zoneName: bad.test, soaRecord: {primaryNs: ns1, adminEmail: hostmaster.bad.test}}'
reject "DNSZone SOA refresh 0" 'spec.soaRecord.refresh in body should be greater than or equal to 1' \
  'kind: DNSZone
spec: {zoneName: bad.test, soaRecord: {primaryNs: ns1, adminEmail: h@bad.test, refresh: 0}}'
reject "DNSZone selector: In without values" 'values must be non-empty for In and NotIn' \
  'kind: DNSZone
spec: {zoneName: bad.test, recordsFrom: [{selector: {matchExpressions: [{key: zone, operator: In}]}}]}'
reject "DNSZone selector: unknown operator (enum)" 'Unsupported value: "Equals"' \
  'kind: DNSZone
spec: {zoneName: bad.test, recordsFrom: [{selector: {matchExpressions: [{key: zone, operator: Equals, values: [a]}]}}]}'
reject "DNSZone servers with neither refs nor selector" 'servers needs refs or selector' \
  'kind: DNSZone
spec: {zoneName: bad.test, servers: {}}'
reject "DNSZone servers with a namespace only (still needs refs or selector)" 'servers needs refs or selector' \
  'kind: DNSZone
spec: {zoneName: bad.test, servers: {namespace: dns}}'
reject "DNSZone servers.namespace that is not a namespace name" 'spec.servers.namespace in body should match' \
  'kind: DNSZone
spec: {zoneName: bad.test, servers: {namespace: -dns, selector: {}}}'
reject "DNSServer allowedNamespaces: an unknown operator (enum)" 'Unsupported value: "Equals"' \
  'kind: DNSServer
spec: {role: Primary, external: {address: 192.0.2.53}, tsigKeySecretRef: {name: t}, allowedNamespaces: {matchExpressions: [{key: team, operator: Equals, values: [a]}]}}'
expect_fail "rejected: changing a DNSZone's zoneName (immutable)" 'zoneName is immutable' \
  k patch dnszone example-test -n $ns --type=merge -p '{"spec":{"zoneName":"other.test"}}'
stored="$(k get zonekeeper -n $ns -o name)"
if [[ -n "$stored" && "$stored" != */bad* ]]; then ok "no rejected object was stored"; else
  bad "no rejected object was stored" "$stored"
fi

accept "wildcard owner, TTL 0" 'kind: ARecord
spec: {name: "*.apps", ttl: 0, ipv4Addresses: [192.0.2.1, 0.0.0.0]}'
accept "apex owner, TTL 2147483647" 'kind: AAAARecord
spec: {name: "@", ttl: 2147483647, ipv6Addresses: ["2001:db8::1", "::1"]}'
accept "absolute owner name with a trailing dot" 'kind: ARecord
spec: {name: www.example.test., ipv4Addresses: [192.0.2.1]}'
accept "underscore TXT name (_dmarc), empty and long texts" "kind: TXTRecord
spec: {name: _dmarc, texts: ['v=DMARC1; p=reject', '', '$(printf 'x%.0s' {1..600})']}"
accept "CNAME with underscores in owner and target (DKIM delegation)" 'kind: CNAMERecord
spec: {name: s1._domainkey, target: s1._domainkey.u1.wl.sendgrid.net.}'
accept "CNAME to the apex" 'kind: CNAMERecord
spec: {name: www, target: "@"}'
accept "null MX (RFC 7505)" 'kind: MXRecord
spec: {name: "@", mailExchangers: [{preference: 0, exchange: .}]}'
accept "SRV with target \".\" and port 0, nested service name" 'kind: SRVRecord
spec: {name: _ldap._tcp.dc._msdcs, services: [{priority: 0, weight: 0, port: 0, target: .}]}'
accept "CAA with the critical flag" 'kind: CAARecord
spec: {name: "@", entries: [{flags: 128, tag: tbs, value: unknown}]}'
accept "PTR in a reverse zone" 'kind: PTRRecord
spec: {name: "10", targets: [www.example.test.]}'
accept "DNSServer with an IPv6 address and port 5353, no TSIG key" 'kind: DNSServer
spec: {role: Secondary, external: {address: "2001:db8::54", port: 5353}, primaryServerRef: {name: bind-primary}}'
accept "Technitium DNSServer (no TSIG key)" 'kind: DNSServer
spec: {role: Primary, external: {address: 192.0.2.53, technitium: {url: "https://technitium.dns.svc:53443/", credentialsSecretRef: {name: technitium-api}, requestsPerSecond: 0, createZones: true}}}'
accept "DNSServer addressed by host name" 'kind: DNSServer
spec: {role: Primary, external: {address: bind.dns.svc.cluster.local.}, tsigKeySecretRef: {name: bind-tsig}}'
accept "DNSServers admitting the DNSZones of other namespaces (a Primary by labels, a Secondary all)" 'kind: DNSServer
spec: {role: Primary, external: {address: 192.0.2.53}, tsigKeySecretRef: {name: bind-tsig}, allowedNamespaces: {matchLabels: {dns.example/zones: allowed}}}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: DNSServer
metadata: {name: bad-secondary, namespace: dns-example}
spec: {role: Secondary, external: {address: 192.0.2.54}, primaryServerRef: {name: bad}, allowedNamespaces: {}}'
accept "DNSZone using the DNSServers of another namespace (namespace of 63 characters)" "kind: DNSZone
spec: {zoneName: team.test, servers: {namespace: a$(printf '1%.0s' {1..62}), selector: {matchLabels: {dns.example/serves: team.test}}}}"
accept "DNSZone: case-insensitive in-zone glue, apex name server, selector expressions" 'kind: DNSZone
spec:
  zoneName: Bad.Test.
  nameServers: [{name: NS1.bad.test., ipv4Address: 192.0.2.1}, {name: bad.test., ipv6Address: "2001:db8::1"}, {name: ns.example.net.}]
  recordsFrom: [{selector: {matchExpressions: [{key: zone, operator: Exists}, {key: tier, operator: In, values: [a, b]}]}}, {selector: {}}]
  servers: {refs: [{name: bind-primary}], selector: {matchLabels: {dns.example/serves: example.test}}}
  driftPolicy: Report'

# ------------------------------------------------------------------ status subresource

now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
zone_status="$(cat <<EOF
{"status": {"observedGeneration": 1, "recordCount": 10, "lastSyncTime": "$now",
  "conditions": [
    {"type": "Ready", "status": "True", "reason": "AllReady", "message": "10 of 10 records served", "observedGeneration": 1, "lastTransitionTime": "$now"},
    {"type": "Propagated", "status": "True", "reason": "InSync", "message": "secondaries serve serial 7", "observedGeneration": 1, "lastTransitionTime": "$now"}],
  "records": [{"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord", "name": "www", "namespace": "dns-example", "fqdn": "www.example.test."}],
  "servers": [{"name": "bind-primary", "role": "Primary", "serial": 4294967295, "ready": true},
              {"name": "bind-secondary", "role": "Secondary", "serial": 4294967295, "ready": true}]}}
EOF
)"
expect_ok "admin patches DNSZone status through /status" \
  k patch dnszone example-test -n $ns --subresource=status --type=merge -p "$zone_status"
got="$(k get dnszone example-test -n $ns -o jsonpath='{.status.recordCount} {.status.conditions[?(@.type=="Ready")].reason} {.status.servers[1].serial} {.status.records[0].fqdn}')"
expect_eq "DNSZone status reads back" "10 AllReady 4294967295 www.example.test." "$got"
row="$(k get dnszone example-test -n $ns --no-headers -o wide | tr -s ' ')"
expect_has "printer columns show the status" "example-test example.test 10 True AllReady True Remediate" "$row"
gen_before="$(k get dnszone example-test -n $ns -o jsonpath='{.metadata.generation}')"
expect_ok "a /status patch that also changes spec is accepted" \
  k patch dnszone example-test -n $ns --subresource=status --type=merge \
  -p '{"spec": {"ttl": 999}, "status": {"recordCount": 11}}'
got="$(k get dnszone example-test -n $ns -o jsonpath='{.spec.ttl} {.status.recordCount} {.metadata.generation}')"
expect_eq "... its spec part is ignored, its status part applied, generation unchanged" \
  "300 11 $gen_before" "$got"
expect_ok "a patch of the main resource that changes status is accepted" \
  k patch dnszone example-test -n $ns --type=merge -p '{"status": {"recordCount": 99}}'
got="$(k get dnszone example-test -n $ns -o jsonpath='{.status.recordCount} {.metadata.generation}')"
expect_eq "... and its status part is ignored" "11 $gen_before" "$got"
expect_fail "status is validated too: condition status Maybe" 'Unsupported value: "Maybe"' \
  k patch dnszone example-test -n $ns --subresource=status --type=merge \
  -p "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Maybe\",\"reason\":\"X\",\"message\":\"\",\"lastTransitionTime\":\"$now\"}]}}"
expect_fail "status is validated too: condition without lastTransitionTime" \
  'status.conditions[0].lastTransitionTime: Required value' \
  k patch dnszone example-test -n $ns --subresource=status --type=merge \
  -p '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"AllReady","message":""}]}}'
expect_fail "status is validated too: serial above 2^32-1" \
  'status.servers[0].serial: Invalid value: 4294967296: servers[0].serial in body should be less than or equal to 4294967295' \
  k patch dnszone example-test -n $ns --subresource=status --type=merge \
  -p '{"status":{"servers":[{"name":"bind-primary","serial":4294967296}]}}'

record_status="$(cat <<EOF
{"status": {"observedGeneration": 1, "zone": "example.test.", "fqdn": "www.example.test.",
  "recordHash": "sha256:0123abcd", "lastUpdated": "$now",
  "conditions": [{"type": "Ready", "status": "True", "reason": "Served", "message": "", "observedGeneration": 1, "lastTransitionTime": "$now"}]}}
EOF
)"
expect_ok "admin patches ARecord status through /status" \
  k patch arecord www -n $ns --subresource=status --type=merge -p "$record_status"
row="$(k get arecord www -n $ns --no-headers -o wide | tr -s ' ')"
expect_has "ARecord printer columns show fqdn, Ready, reason and zone" \
  'www www.example.test. ["192.0.2.10","192.0.2.11"] True Served example.test. www' "$row"
expect_ok "admin patches DNSServer status through /status" \
  k patch dnsserver bind-primary -n $ns --subresource=status --type=merge \
  -p "{\"status\":{\"zones\":[\"example.test.\"],\"lastContactTime\":\"$now\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"TsigAuthFailed\",\"message\":\"BADSIG\",\"lastTransitionTime\":\"$now\"}]}}"
row="$(k get dnsserver bind-primary -n $ns --no-headers | tr -s ' ')"
expect_has "DNSServer printer columns show Ready False TsigAuthFailed" \
  "bind-primary Primary 192.0.2.53 53 False TsigAuthFailed" "$row"
# A Bind9Instance: Ready plus one Pod-N condition per Pod (up to 16 Pods: 24 conditions).
b9i_status="$(jq -nc --arg now "$now" '{status: {observedGeneration: 1, replicas: 3, readyReplicas: 2,
  serviceAddress: "10.96.0.53", dnsServers: ["secondary-0", "secondary-1", "secondary-2"],
  conditions: ([{type: "Ready", status: "False", reason: "PartiallyReady", message: "2/3 pods are ready", lastTransitionTime: $now}]
    + [range(3) | {type: "Pod-\(.)", status: (if . < 2 then "True" else "False" end),
                   reason: (if . < 2 then "Ready" else "Unschedulable" end),
                   message: "Pod secondary-\(.)", lastTransitionTime: $now}])}}')"
expect_ok "admin patches Bind9Instance status (Ready and Pod-0..Pod-2) through /status" \
  k patch bind9instance secondary -n $managed --subresource=status --type=merge -p "$b9i_status"
row="$(k get bind9instance secondary -n $managed --no-headers | tr -s ' ')"
expect_has "Bind9Instance printer columns show role, replicas, ready Pods, address and Ready" \
  "secondary Secondary 3 2 10.96.0.53 False PartiallyReady" "$row"
many="$(jq -nc --arg now "$now" '{status: {conditions: [range(25) | {type: "Pod-\(.)", status: "True", reason: "Ready", message: "", lastTransitionTime: $now}]}}')"
expect_fail "Bind9Instance status: at most 24 conditions" 'status.conditions: Too many: 25: must have at most 24 items' \
  k patch bind9instance secondary -n $managed --subresource=status --type=merge -p "$many"
# A Bind9Cluster: Ready plus one Bind9Instance-N condition per instance (the Primary first).
b9c_status="$(jq -nc --arg now "$now" '{status: {observedGeneration: 2, instanceCount: 4, readyInstances: 3,
  instances: ["dns-primary", "dns-secondary-0", "dns-secondary-1", "dns-secondary-2"],
  conditions: ([{type: "Ready", status: "False", reason: "PartiallyReady", message: "3/4 instances are ready", lastTransitionTime: $now}]
    + [range(4) | {type: "Bind9Instance-\(.)", status: (if . < 3 then "True" else "False" end),
                   reason: (if . < 3 then "Ready" else "Missing" end),
                   message: "Instance \(.)", lastTransitionTime: $now}])}}')"
expect_ok "admin patches Bind9Cluster status (Ready and Bind9Instance-0..3) through /status" \
  k patch bind9cluster dns -n $managed --subresource=status --type=merge -p "$b9c_status"
row="$(k get bind9cluster dns -n $managed --no-headers | tr -s ' ')"
expect_has "Bind9Cluster printer columns show secondaries, instances, ready instances and Ready" \
  "dns 3 4 3 False PartiallyReady" "$row"
expect_eq "Bind9Cluster status.instances is a set" '["dns-primary","dns-secondary-0","dns-secondary-1","dns-secondary-2"]' \
  "$(k get bind9cluster dns -n $managed -o json | jq -c '.status.instances')"
many="$(jq -nc --arg now "$now" '{status: {conditions: [range(25) | {type: "Bind9Instance-\(.)", status: "True", reason: "Ready", message: "", lastTransitionTime: $now}]}}')"
expect_fail "Bind9Cluster status: at most 24 conditions" 'status.conditions: Too many: 25: must have at most 24 items' \
  k patch bind9cluster dns -n $managed --subresource=status --type=merge -p "$many"
expect_fail "Bind9Cluster status: instances is a set (no duplicate)" 'Duplicate value' \
  k patch bind9cluster dns -n $managed --subresource=status --type=merge -p '{"status":{"instances":["dns-primary","dns-primary"]}}'
# A Bind9GlobalCluster: Bind9Cluster's status, written through its own /status.
expect_ok "admin patches Bind9GlobalCluster status (Ready and Bind9Instance-0..3) through /status" \
  k patch bind9globalcluster shared --subresource=status --type=merge -p "${b9c_status//dns-/shared-}"
row="$(k get bind9globalcluster shared --no-headers | tr -s ' ')"
expect_has "Bind9GlobalCluster printer columns show namespace, secondaries, instances, ready instances and Ready" \
  "shared $managed 2 4 3 False PartiallyReady" "$row"
expect_eq "Bind9GlobalCluster status.instances" '["shared-primary","shared-secondary-0","shared-secondary-1","shared-secondary-2"]' \
  "$(k get bind9globalcluster shared -o json | jq -c '.status.instances')"
expect_fail "Bind9GlobalCluster status: at most 24 conditions" 'status.conditions: Too many: 25: must have at most 24 items' \
  k patch bind9globalcluster shared --subresource=status --type=merge -p "$many"
expect_eq "Bind9GlobalCluster: a status patch does not reach the spec" "$managed" \
  "$(k get bind9globalcluster shared -o jsonpath='{.spec.namespace}')"

# ------------------------------------------------------------------ RBAC

token="$(k create token zonekeeper -n zonekeeper-system --duration=10m)"
if [[ -n "$token" ]]; then ok "kubectl create token zonekeeper -n zonekeeper-system"; else bad "create token"; fi
# The controller's identity only: no kubeconfig, so nothing of the admin's leaks in.
sa() {
  "$ZK_KUBECTL" --kubeconfig=/dev/null --server="$ZK_APISERVER_URL" \
    --certificate-authority="$ZK_CA_FILE" --token="$token" "$@"
}
expect_eq "the token authenticates as the zonekeeper ServiceAccount" \
  "system:serviceaccount:zonekeeper-system:zonekeeper" \
  "$(sa auth whoami -o jsonpath='{.status.userInfo.username}')"

can() {  # can DESC ARGS...: `auth can-i ARGS` says yes
  local desc="$1" out
  shift
  out="$(sa auth can-i "$@" 2>&1 || true)"
  expect_eq "can: $desc" "yes" "$out"
}
cannot() {
  local desc="$1" out
  shift
  out="$(sa auth can-i "$@" 2>&1 || true)"
  expect_eq "cannot: $desc" "no" "$out"
}
can "list dnszones in all namespaces" list dnszones.dns.zonekeeper.io --all-namespaces
can "watch every record kind in all namespaces" watch ptrrecords.dns.zonekeeper.io --all-namespaces
can "get dnsservers" get dnsservers.dns.zonekeeper.io -n $ns
can "patch dnszones/status" patch dnszones.dns.zonekeeper.io --subresource=status -n $ns
can "update arecords/status" update arecords.dns.zonekeeper.io --subresource=status -n $ns
can "patch dnsservers/status" patch dnsservers.dns.zonekeeper.io --subresource=status -n $ns
can "patch records (for the zone annotation)" patch caarecords.dns.zonekeeper.io -n $ns
can "get the example's TSIG Secret" get secrets/bind-tsig -n $ns
can "watch Secrets in the example namespace (bound there)" watch secrets -n $ns
can "create events.k8s.io Events in any namespace" create events.events.k8s.io -n $ns
can "patch events.k8s.io Events" patch events.events.k8s.io -n default
can "create Leases in zonekeeper-system" create leases.coordination.k8s.io -n zonekeeper-system
can "get its Lease" get leases.coordination.k8s.io/zonekeeper-controller -n zonekeeper-system
can "update its Lease" update leases.coordination.k8s.io/zonekeeper-controller -n zonekeeper-system
can "update the dry-run Lease (--dry-run contends for that one)" update leases.coordination.k8s.io/zonekeeper-controller-dry-run -n zonekeeper-system
cannot "delete dnszones" delete dnszones.dns.zonekeeper.io -n $ns
cannot "create dnszones" create dnszones.dns.zonekeeper.io -n $ns
cannot "update dnszones (spec)" update dnszones.dns.zonekeeper.io -n $ns
cannot "patch dnszones (spec)" patch dnszones.dns.zonekeeper.io -n $ns
cannot "update record specs" update arecords.dns.zonekeeper.io -n $ns
cannot "delete records" delete txtrecords.dns.zonekeeper.io -n $ns
cannot "patch dnsservers (spec)" patch dnsservers.dns.zonekeeper.io -n $ns
cannot "list Secrets in all namespaces" list secrets --all-namespaces
cannot "get Secrets in default" get secrets -n default
cannot "list Secrets in kube-system" list secrets -n kube-system
cannot "list Secrets in its own namespace" list secrets -n zonekeeper-system
cannot "update Secrets where it may read them" update secrets/bind-tsig -n $ns
cannot "create pods" create pods -n zonekeeper-system
cannot "create core v1 events" create events -n $ns
# The sources of shared zones (issue 6): read only; DNSEndpoint's /status written.
can "watch Ingresses in all namespaces" watch ingresses.networking.k8s.io --all-namespaces
can "list Namespaces (HTTPRoute allowedRoutes selectors)" list namespaces --all-namespaces
can "watch DNSEndpoints in all namespaces" watch dnsendpoints.externaldns.k8s.io --all-namespaces
can "patch dnsendpoints/status" patch dnsendpoints.externaldns.k8s.io --subresource=status -n $ns
can "update dnsendpoints/status" update dnsendpoints.externaldns.k8s.io --subresource=status -n $ns
cannot "patch Ingresses" patch ingresses.networking.k8s.io -n $ns
cannot "update Ingress status (the ingress controller's)" update ingresses.networking.k8s.io --subresource=status -n $ns
cannot "patch DNSEndpoints (spec)" patch dnsendpoints.externaldns.k8s.io -n $ns
cannot "create DNSEndpoints" create dnsendpoints.externaldns.k8s.io -n $ns
cannot "delete DNSEndpoints" delete dnsendpoints.externaldns.k8s.io -n $ns
cannot "delete Namespaces" delete namespaces --all-namespaces
# Traefik and Gateway API CRDs are not installed here, so `kubectl auth can-i` cannot map
# their resource names: ask the API server directly (SelfSubjectAccessReview).
review() {  # review DESC WANT VERB GROUP RESOURCE [SUBRESOURCE]
  local desc="$1" want="$2" got
  got="$(sa create --validate=false -o jsonpath='{.status.allowed}' -f - 2>&1 <<EOF
{"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
 "spec": {"resourceAttributes": {"verb": "$3", "group": "$4", "resource": "$5", "subresource": "${6:-}"}}}
EOF
)" || true
  expect_eq "$desc" "$want" "${got:-false}"
}
for g in traefik.io traefik.containo.us; do
  review "can: watch IngressRoutes ($g) in all namespaces" true watch "$g" ingressroutes
  review "cannot: update IngressRoutes ($g)" false update "$g" ingressroutes
done
for r in gateways httproutes grpcroutes tlsroutes; do
  review "can: watch $r.gateway.networking.k8s.io in all namespaces" true watch gateway.networking.k8s.io "$r"
  review "cannot: patch $r.gateway.networking.k8s.io/status" false patch gateway.networking.k8s.io "$r" status
done
review "cannot: list GatewayClasses" false list gateway.networking.k8s.io gatewayclasses
cannot "update Leases in default" update leases.coordination.k8s.io -n default
cannot "create Leases in default" create leases.coordination.k8s.io -n default
cannot "update another Lease in zonekeeper-system" update leases.coordination.k8s.io/other -n zonekeeper-system
cannot "delete its Lease" delete leases.coordination.k8s.io/zonekeeper-controller -n zonekeeper-system
cannot "do anything to anything" '*' '*' --all-namespaces
# Bind9Instance: read it and write its status everywhere; read what it deploys everywhere;
# write that only where zonekeeper-bind9-deployer is bound (below).
can "list bind9instances in all namespaces" list bind9instances.dns.zonekeeper.io --all-namespaces
can "watch bind9instances in all namespaces" watch bind9instances.dns.zonekeeper.io --all-namespaces
can "get bind9instances" get bind9instances.dns.zonekeeper.io -n $managed
can "patch bind9instances/status" patch bind9instances.dns.zonekeeper.io --subresource=status -n $managed
can "update bind9instances/status" update bind9instances.dns.zonekeeper.io --subresource=status -n $managed
for r in pods statefulsets.apps services configmaps; do
  can "list $r in all namespaces" list "$r" --all-namespaces
  can "watch $r in all namespaces" watch "$r" --all-namespaces
  can "get $r" get "$r" -n $managed
done
cannot "patch bind9instances (spec)" patch bind9instances.dns.zonekeeper.io -n $managed
cannot "create bind9instances" create bind9instances.dns.zonekeeper.io -n $managed
cannot "delete bind9instances" delete bind9instances.dns.zonekeeper.io -n $managed
# Bind9Cluster: read it and write its status everywhere; its Bind9Instances are written only
# where zonekeeper-bind9-deployer is bound (below), the cluster's spec never.
can "list bind9clusters in all namespaces" list bind9clusters.dns.zonekeeper.io --all-namespaces
can "watch bind9clusters in all namespaces" watch bind9clusters.dns.zonekeeper.io --all-namespaces
can "get bind9clusters" get bind9clusters.dns.zonekeeper.io -n $managed
can "patch bind9clusters/status" patch bind9clusters.dns.zonekeeper.io --subresource=status -n $managed
can "update bind9clusters/status" update bind9clusters.dns.zonekeeper.io --subresource=status -n $managed
cannot "patch bind9clusters (spec)" patch bind9clusters.dns.zonekeeper.io -n $managed
cannot "create bind9clusters" create bind9clusters.dns.zonekeeper.io -n $managed
cannot "delete bind9clusters" delete bind9clusters.dns.zonekeeper.io -n $managed
cannot "update bind9instances in all namespaces" update bind9instances.dns.zonekeeper.io --all-namespaces
# Bind9GlobalCluster (cluster-scoped: asked without a namespace): the same; its Bind9Instances
# are written in its spec.namespace only where the deployer is bound.
can "list bind9globalclusters" list bind9globalclusters.dns.zonekeeper.io --all-namespaces
can "watch bind9globalclusters" watch bind9globalclusters.dns.zonekeeper.io --all-namespaces
can "get bind9globalclusters" get bind9globalclusters.dns.zonekeeper.io --all-namespaces
can "patch bind9globalclusters/status" patch bind9globalclusters.dns.zonekeeper.io --subresource=status --all-namespaces
can "update bind9globalclusters/status" update bind9globalclusters.dns.zonekeeper.io --subresource=status --all-namespaces
cannot "patch bind9globalclusters (spec)" patch bind9globalclusters.dns.zonekeeper.io --all-namespaces
cannot "create bind9globalclusters" create bind9globalclusters.dns.zonekeeper.io --all-namespaces
cannot "delete bind9globalclusters" delete bind9globalclusters.dns.zonekeeper.io --all-namespaces
expect_ok "as zonekeeper: list the Bind9GlobalClusters" sa get bind9globalclusters
expect_fail "as zonekeeper: change a Bind9GlobalCluster's spec is forbidden" 'forbidden' \
  sa patch bind9globalcluster shared --type=merge -p '{"spec":{"secondaries":{"instances":3}}}'
expect_eq "zonekeeper-bind9-deployer is bound nowhere by default" "" \
  "$(k get clusterrolebindings,rolebindings -A -o json | jq -r '.items[] | select(.roleRef.name == "zonekeeper-bind9-deployer") | .metadata.name')"
for n in $managed $ns default; do
  cannot "create statefulsets in $n (no deployer binding)" create statefulsets.apps -n "$n"
  cannot "create secrets in $n (no deployer binding)" create secrets -n "$n"
  cannot "create dnsservers in $n (no deployer binding)" create dnsservers.dns.zonekeeper.io -n "$n"
  cannot "patch services in $n (no deployer binding)" patch services -n "$n"
  cannot "delete configmaps in $n (no deployer binding)" delete configmaps -n "$n"
done
cannot "patch statefulsets in all namespaces" patch statefulsets.apps --all-namespaces
cannot "get Secrets in $managed (no binding)" get secrets -n $managed

# Real requests with the token.
got="$(sa get dnszones --all-namespaces -o name 2>&1 || true)"
expect_eq "as zonekeeper: list dnszones in all namespaces" "dnszone.dns.zonekeeper.io/example-test" "$got"
got="$(sa get arecords,ptrrecords --all-namespaces -o name 2>&1 | wc -l | tr -d ' ')"
expect_eq "as zonekeeper: list records in all namespaces" "3" "$got"
expect_ok "as zonekeeper: patch dnszones/status" \
  sa patch dnszone example-test -n $ns --subresource=status --type=merge -p '{"status":{"recordCount":10}}'
expect_eq "... and the status changed" "10" \
  "$(k get dnszone example-test -n $ns -o jsonpath='{.status.recordCount}')"
expect_fail "as zonekeeper: patch a DNSZone's spec is forbidden" 'forbidden' \
  sa patch dnszone example-test -n $ns --type=merge -p '{"spec":{"ttl":60}}'
expect_fail "as zonekeeper: delete a DNSZone is forbidden" 'forbidden' \
  sa delete dnszone example-test -n $ns
got="$(sa get secret bind-tsig -n $ns -o jsonpath='{.data.secret}' 2>&1 | base64 -d 2>/dev/null || true)"
expect_eq "as zonekeeper: read the example's TSIG Secret" "Tk9ULUEtUkVBTC1LRVktZXhhbXBsZS1vbmx5LTAwMDA=" "$got"
expect_eq "... whose (fake) key is base64 of 32 octets" "NOT-A-REAL-KEY-example-only-0000" \
  "$(base64 -d <<<"$got")"
expect_ok "(setup) admin creates a Secret in default" k create secret generic not-for-zonekeeper -n default --from-literal=x=y
expect_fail "as zonekeeper: get a Secret in default is forbidden" 'forbidden' \
  sa get secret not-for-zonekeeper -n default
expect_fail "as zonekeeper: list Secrets in all namespaces is forbidden" 'forbidden' \
  sa get secrets --all-namespaces
uid="$(k get dnszone example-test -n $ns -o jsonpath='{.metadata.uid}')"
event="$(cat <<EOF
{"apiVersion": "events.k8s.io/v1", "kind": "Event",
 "metadata": {"name": "example-test.zk-apply-test", "namespace": "$ns"},
 "eventTime": "$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)", "type": "Normal", "reason": "Served",
 "action": "Reconcile", "note": "example.test served",
 "reportingController": "zonekeeper.dev/controller", "reportingInstance": "zonekeeper-0",
 "regarding": {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "DNSZone",
               "namespace": "$ns", "name": "example-test", "uid": "$uid"}}
EOF
)"
expect_ok "as zonekeeper: create an events.k8s.io Event about the DNSZone" sa create -f - <<<"$event"
# kubectl patch would GET first; the controller's event recorder sends the merge patch alone,
# and the ServiceAccount may not read Events. So: the controller's exact request, with curl.
sa_patch() {  # sa_patch PATH JSON: merge patch as zonekeeper; prints the HTTP status
  curl -sS -o "$tmp/patch.out" -w '%{http_code}' --cacert "$ZK_CA_FILE" -X PATCH \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/merge-patch+json' \
    --data-binary "$2" "$ZK_APISERVER_URL$1"
}
code="$(sa_patch "/apis/events.k8s.io/v1/namespaces/$ns/events/example-test.zk-apply-test" \
  "{\"series\":{\"count\":2,\"lastObservedTime\":\"$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)\"}}")"
expect_eq "as zonekeeper: merge-patch the Event (aggregation), HTTP 200" "200" "$code"
expect_eq "... and its series count is 2" "2" \
  "$(k get events.events.k8s.io example-test.zk-apply-test -n $ns -o jsonpath='{.series.count}')"
code="$(sa_patch "/apis/dns.zonekeeper.io/v1alpha1/namespaces/$ns/txtrecords/spf/status" \
  '{"status":{"fqdn":"example.test."}}')"
expect_eq "as zonekeeper: merge-patch a record's /status without reading it first, HTTP 200" "200" "$code"
lease() {
  cat <<EOF
{"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
 "metadata": {"name": "$1", "namespace": "$2"},
 "spec": {"holderIdentity": "zonekeeper-0", "leaseDurationSeconds": 15}}
EOF
}
expect_ok "as zonekeeper: create Lease zonekeeper-controller in zonekeeper-system" \
  sa create -f - <<<"$(lease zonekeeper-controller zonekeeper-system)"
expect_ok "as zonekeeper: update (PUT) its Lease" \
  sa replace -f - <<<"$(lease zonekeeper-controller zonekeeper-system | jq '.spec.holderIdentity = "zonekeeper-1"')"
expect_eq "... and the holder changed" "zonekeeper-1" \
  "$(k get lease zonekeeper-controller -n zonekeeper-system -o jsonpath='{.spec.holderIdentity}')"
expect_fail "as zonekeeper: create a Lease in default is forbidden" 'forbidden' \
  sa create -f - <<<"$(lease zonekeeper-controller default)"
expect_ok "(setup) admin creates another Lease in zonekeeper-system" \
  k create -f - <<<"$(lease other zonekeeper-system)"
expect_fail "as zonekeeper: update another Lease in zonekeeper-system is forbidden" 'forbidden' \
  sa replace -f - <<<"$(lease other zonekeeper-system)"
expect_fail "as zonekeeper: create a Pod is forbidden" 'forbidden' \
  sa run zk-pod -n zonekeeper-system --image=zonekeeper:dev --restart=Never

# Records: the annotation yes, anything else no (RBAC allows patch; the admission policy
# narrows it).
expect_ok "as zonekeeper: set the dns.zonekeeper.io/zone annotation on a record" \
  sa patch arecord www -n $ns --type=merge -p '{"metadata":{"annotations":{"dns.zonekeeper.io/zone":"example.test."}}}'
expect_eq "... and it is there" "example.test." \
  "$(k get arecord www -n $ns -o jsonpath='{.metadata.annotations.dns\.zonekeeper\.io/zone}')"
expect_ok "as zonekeeper: remove the annotation again" \
  sa patch arecord www -n $ns --type=json -p '[{"op":"remove","path":"/metadata/annotations/dns.zonekeeper.io~1zone"}]'
expect_fail "as zonekeeper: patch a record's spec is denied by the admission policy" \
  'zonekeeper may change only the dns.zonekeeper.io/zone annotation of a record, not its spec' \
  sa patch arecord www -n $ns --type=merge -p '{"spec":{"ipv4Addresses":["203.0.113.66"]}}'
expect_fail "as zonekeeper: change a record's labels is denied (it would move the record between zones)" \
  'not its labels' \
  sa patch txtrecord spf -n $ns --type=merge -p '{"metadata":{"labels":{"dns.example/zone":"other.test"}}}'
expect_fail "as zonekeeper: set another annotation on a record is denied" 'not other annotations' \
  sa patch srvrecord sip -n $ns --type=merge -p '{"metadata":{"annotations":{"example/x":"y"}}}'
expect_fail "as zonekeeper: add a finalizer to a record is denied" 'not its finalizers' \
  sa patch ptrrecord web-instances -n $ns --type=merge -p '{"metadata":{"finalizers":["example/x"]}}'
expect_fail "as zonekeeper: replace (PUT) a record is forbidden by RBAC" 'forbidden' \
  sa replace -f - <<<"$(k get arecord mail -n $ns -o json | jq 'del(.metadata.managedFields)')"
expect_ok "as zonekeeper: patch a record's status" \
  sa patch cnamerecord api -n $ns --subresource=status --type=merge \
  -p "{\"status\":{\"fqdn\":\"api.example.test.\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"Conflict\",\"message\":\"CNAME beside other data\",\"lastTransitionTime\":\"$now\"}]}}"
expect_eq "record spec unchanged after all that" '["192.0.2.10","192.0.2.11"]' \
  "$(k get arecord www -n $ns -o jsonpath='{.spec.ipv4Addresses}')"
expect_ok "the admission policy does not bind other users: admin patches a record's spec" \
  k patch arecord mail -n $ns --type=merge -p '{"spec":{"ttl":1800}}'

# Deploying a Bind9Instance: forbidden until a RoleBinding to zonekeeper-bind9-deployer exists
# in the namespace, then allowed there and only there.
statefulset() {
  cat <<EOF
{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "primary", "namespace": "$1"},
 "spec": {"serviceName": "primary-pods", "replicas": 1,
          "selector": {"matchLabels": {"app.kubernetes.io/instance": "primary"}},
          "template": {"metadata": {"labels": {"app.kubernetes.io/instance": "primary"}},
                       "spec": {"containers": [{"name": "named", "image": "bind9:test"}]}}}}
EOF
}
keys_secret() {
  cat <<EOF
{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "primary-keys", "namespace": "$1"},
 "stringData": {"name": "zonekeeper-primary", "algorithm": "hmac-sha256", "secret": "c2VjcmV0"}}
EOF
}
expect_fail "as zonekeeper: create a StatefulSet without the deployer binding is forbidden" 'forbidden' \
  sa create -f - <<<"$(statefulset $managed)"
expect_fail "as zonekeeper: create a Secret without the deployer binding is forbidden" 'forbidden' \
  sa create -f - <<<"$(keys_secret $managed)"
expect_ok "(setup) admin binds zonekeeper-bind9-deployer in $managed" \
  k create rolebinding zonekeeper-bind9-deployer -n $managed \
  --clusterrole=zonekeeper-bind9-deployer --serviceaccount=zonekeeper-system:zonekeeper
for v in create get patch update delete; do
  can "$v statefulsets in $managed (deployer bound)" "$v" statefulsets.apps -n $managed
  can "$v services in $managed (deployer bound)" "$v" services -n $managed
  can "$v configmaps in $managed (deployer bound)" "$v" configmaps -n $managed
  can "$v dnsservers in $managed (deployer bound)" "$v" dnsservers.dns.zonekeeper.io -n $managed
done
for v in create get patch; do
  can "$v secrets in $managed (deployer bound)" "$v" secrets -n $managed
done
cannot "list secrets in $managed (the deployer does not list them)" list secrets -n $managed
cannot "update secrets in $managed (keys are never rewritten)" update secrets -n $managed
cannot "delete secrets in $managed" delete secrets -n $managed
cannot "create pods in $managed (the StatefulSet controller does)" create pods -n $managed
cannot "create persistentvolumeclaims in $managed" create persistentvolumeclaims -n $managed
cannot "create statefulsets in $ns (bound only in $managed)" create statefulsets.apps -n $ns
cannot "create secrets in $ns (bound only in $managed)" create secrets -n $ns
for v in create get patch update delete; do
  can "$v bind9instances in $managed (deployer bound: a Bind9Cluster's instances)" "$v" bind9instances.dns.zonekeeper.io -n $managed
done
cannot "create bind9instances in $ns (bound only in $managed)" create bind9instances.dns.zonekeeper.io -n $ns
cannot "patch bind9clusters (spec) in $managed, deployer or not" patch bind9clusters.dns.zonekeeper.io -n $managed
cannot "create bind9clusters in $managed, deployer or not" create bind9clusters.dns.zonekeeper.io -n $managed
cannot "patch bind9globalclusters (spec), deployer or not" patch bind9globalclusters.dns.zonekeeper.io --all-namespaces
expect_ok "as zonekeeper: create the StatefulSet in $managed" sa create -f - <<<"$(statefulset $managed)"
expect_ok "as zonekeeper: create the keys Secret in $managed" sa create -f - <<<"$(keys_secret $managed)"
expect_eq "... and read it back" "zonekeeper-primary" \
  "$(sa get secret primary-keys -n $managed -o jsonpath='{.data.name}' | base64 -d)"
expect_ok "as zonekeeper: server-side apply creates a ConfigMap in $managed" \
  sa apply --server-side --field-manager=zonekeeper -f - <<<"{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",
    \"metadata\": {\"name\": \"primary-config\", \"namespace\": \"$managed\"}, \"data\": {\"named.conf\": \"options {};\"}}"
expect_fail "as zonekeeper: create a StatefulSet in $ns is still forbidden" 'forbidden' \
  sa create -f - <<<"$(statefulset $ns)"
expect_fail "as zonekeeper: create a Secret in $ns is still forbidden" 'forbidden' \
  sa create -f - <<<"$(keys_secret $ns)"
expect_ok "as zonekeeper: delete the StatefulSet in $managed" sa delete statefulset primary -n $managed
expect_ok "as zonekeeper: server-side apply creates a Bind9Cluster's Primary Bind9Instance in $managed" \
  sa apply --server-side --field-manager=zonekeeper -f - <<<"{\"apiVersion\": \"dns.zonekeeper.io/v1alpha1\",
    \"kind\": \"Bind9Instance\", \"metadata\": {\"name\": \"dns-primary\", \"namespace\": \"$managed\"},
    \"spec\": {\"role\": \"Primary\"}}"
expect_ok "as zonekeeper: delete that Bind9Instance in $managed" sa delete bind9instance dns-primary -n $managed
expect_fail "as zonekeeper: create a Bind9Instance in $ns is still forbidden" 'forbidden' \
  sa create -f - <<<"{\"apiVersion\": \"dns.zonekeeper.io/v1alpha1\", \"kind\": \"Bind9Instance\",
    \"metadata\": {\"name\": \"dns-primary\", \"namespace\": \"$ns\"}, \"spec\": {\"role\": \"Primary\"}}"

summary_done=1
echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
