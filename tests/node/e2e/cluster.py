"""The node suite's handles on the real cluster: node.sh, kubectl, helm, BIND Pods, DNS queries
from the host to pod IPs on the test bed's bridge."""
import base64
import copy
import glob
import json
import os
import subprocess
import time

import dns.message
import dns.query
import dns.rdatatype
import yaml

REPO = os.environ.get("ZK_REPO", os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))
BUILD = os.environ.get("ZK_BUILD_DIR", os.path.join(REPO, "build"))
TIMEOUT = float(os.environ.get("ZK_E2E_TIMEOUT", "120"))


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def wait_for(fn, timeout=TIMEOUT, interval=0.5, desc="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 — retried until the deadline
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {desc} (last error: {last})")


def run(cmd, check=True, input=None, env=None, timeout=300):
    r = subprocess.run(cmd, input=input, capture_output=True, text=True, env=env, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


class Cluster:
    def __init__(self, dir):
        self.dir = dir
        self.node_sh = os.path.join(REPO, "tools/testbed/node.sh")
        self.env = {}
        self.helm_bin = run(["bash", os.path.join(REPO, "tools/helm/build.sh")]).stdout.split()[-1]

    def start(self):
        # Local PersistentVolumes: the BIND Pods, the managed Pod and the Bind9Instances' claims
        # (kept after their Pods and instances go: retention Retain) need more than the default 8.
        run([self.node_sh, "start", self.dir], timeout=600,
            env=dict(os.environ, ZK_NODE_PVS=os.environ.get("ZK_NODE_PVS", "16")))
        with open(os.path.join(self.dir, "env")) as f:
            self.env = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        log(f"node Ready after {self.env['ZK_NODE_READY_MS']} ms")

    def stop(self):
        run([self.node_sh, "stop", self.dir], check=False, timeout=300)

    def import_images(self, *archives):
        run([self.node_sh, "import", self.dir, *archives])

    def proc_env(self):
        return dict(os.environ, KUBECONFIG=self.env["KUBECONFIG"])

    def kubectl(self, *args, input=None, check=True, timeout=300):
        return run([self.env["ZK_KUBECTL"], *args], input=input, check=check, env=self.proc_env(),
                   timeout=timeout)

    def rollout(self, what, ns, timeout_s):
        """Waits for `kubectl rollout status`; on a timeout the error carries what the kubelet and
        the scheduler said (Node conditions, the namespace's last events)."""
        r = self.kubectl("rollout", "status", what, "-n", ns, f"--timeout={timeout_s}s", check=False,
                         timeout=timeout_s + 60)
        if r.returncode == 0:
            return r
        node = self.kubectl("get", "nodes", "-o", "jsonpath={range .items[*].status.conditions[*]}"
                            "{.type}={.status} {.message}{\"\\n\"}{end}", check=False).stdout
        events = self.kubectl("get", "events", "-n", ns, "--sort-by=.lastTimestamp", check=False).stdout
        raise AssertionError(f"rollout of {what} in {ns} not done after {timeout_s} s:\n{r.stdout[-400:]}"
                             f"{r.stderr}\nNode conditions:\n{node}\nlast events:\n"
                             + "\n".join(events.splitlines()[-20:]))

    def helm(self, *args, check=True):
        return run([self.helm_bin, *args], check=check, env=self.proc_env(), timeout=600)

    def apply(self, objs):
        text = yaml.safe_dump_all(objs) if isinstance(objs, list) else objs
        return self.kubectl("apply", "-f", "-", input=text)

    def get(self, kind, name, ns=None, check=True):
        args = ["get", kind, name, "-o", "json"] + (["-n", ns] if ns else [])
        r = self.kubectl(*args, check=check)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def list(self, kind, ns, selector=None):
        args = ["get", kind, "-n", ns, "-o", "json"] + (["-l", selector] if selector else [])
        return json.loads(self.kubectl(*args).stdout)["items"]

    def restricted_namespace(self, ns):
        self.apply([{"apiVersion": "v1", "kind": "Namespace",
                     "metadata": {"name": ns, "labels": {
                         "pod-security.kubernetes.io/enforce": "restricted",
                         "pod-security.kubernetes.io/enforce-version": "latest"}}}])

    def lease_holder(self, ns, name):
        lease = self.get("lease", name, ns, check=False)
        return (lease or {}).get("spec", {}).get("holderIdentity")

    def ready_pods(self, ns, selector):
        out = []
        for p in self.list("pods", ns, selector):
            if p["metadata"].get("deletionTimestamp"):
                continue
            conds = {c["type"]: c["status"] for c in p.get("status", {}).get("conditions", [])}
            if conds.get("Ready") == "True":
                out.append(p["metadata"]["name"])
        return out


# --- DNS from the host ---------------------------------------------------------------------

def query(ip, name, rdtype, port=53, timeout=2):
    q = dns.message.make_query(name, rdtype)
    return dns.query.udp(q, ip, port=port, timeout=timeout)


def answer(ip, name, rdtype):
    """The answer's RDATA texts, sorted; [] for NXDOMAIN/NODATA."""
    r = query(ip, name, rdtype)
    t = dns.rdatatype.from_text(rdtype)
    return sorted(rd.to_text() for rrset in r.answer if rrset.rdtype == t for rd in rrset)


def wait_answer(ip, name, rdtype, want, timeout=TIMEOUT):
    want = sorted(want)
    return wait_for(lambda: answer(ip, name, rdtype) == want, timeout=timeout,
                    desc=f"{name} {rdtype} = {want} at {ip}")


# --- BIND 9 as Pods --------------------------------------------------------------------------

EXAMPLE_NS = "dns-example"


def example_key():
    with open(os.path.join(REPO, "examples/cluster/10-tsig-secret.yaml")) as f:
        s = [d for d in yaml.safe_load_all(f) if d][0]["stringData"]
    return s["name"], s["algorithm"], s["secret"]


SEED_ZONE = """$TTL 300
@ SOA ns1.example.test. hostmaster.example.test. 1 3600 600 604800 300
@ NS ns1.example.test.
ns1 A 192.0.2.53
"""


def named_conf(zone_statement):
    name, algorithm, secret = example_key()
    return f"""options {{
  directory "/var/cache/bind";
  pid-file none;
  listen-on port 53 {{ any; }};
  listen-on-v6 {{ none; }};
  recursion no;
  dnssec-validation no;
  notify no;
}};
key "{name}" {{ algorithm {algorithm}; secret "{secret}"; }};
{zone_statement}
"""


def bind_statefulset(name, conf_name, init_containers=()):
    """A one-replica StatefulSet of zonekeeper-bind9 that passes Pod Security "restricted"."""
    restricted = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                  "capabilities": {"drop": ["ALL"]}}
    return {
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": EXAMPLE_NS},
        "spec": {
            "serviceName": name, "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
                                        "fsGroup": 65532, "seccompProfile": {"type": "RuntimeDefault"}},
                    "initContainers": [dict(c, securityContext=restricted) for c in init_containers],
                    "containers": [{
                        "name": "named", "image": "zonekeeper-bind9:dev", "imagePullPolicy": "IfNotPresent",
                        "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                  {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}],
                        "readinessProbe": {"tcpSocket": {"port": 53}, "periodSeconds": 1},
                        "securityContext": restricted,
                        "volumeMounts": [{"name": "conf", "mountPath": "/etc/bind"},
                                         {"name": "data", "mountPath": "/var/cache/bind"}],
                    }],
                    "volumes": [{"name": "conf", "configMap": {"name": conf_name}}],
                },
            },
            "volumeClaimTemplates": [{
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "100Mi"}}},
            }],
        },
    }


class BindPair:
    def __init__(self, cluster):
        self.c = cluster
        self.primary_ip = None
        self.secondary_ip = None

    def _pod_ip(self, app):
        self.c.rollout(f"statefulset/{app}", EXAMPLE_NS, 120)
        pod = self.c.get("pod", f"{app}-0", EXAMPLE_NS)
        return pod["status"]["podIP"]

    def start(self):
        self.c.restricted_namespace(EXAMPLE_NS)
        key_name = example_key()[0]
        primary_zone = f"""zone "example.test" {{ type primary; file "/var/cache/bind/example.test.db";
  update-policy {{ grant "{key_name}" zonesub ANY; }}; allow-transfer {{ key "{key_name}"; }};
  ixfr-from-differences yes; }};"""
        self.c.apply([{
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "bind-primary-conf", "namespace": EXAMPLE_NS},
            "data": {"named.conf": named_conf(primary_zone), "example.test.seed": SEED_ZONE},
        }, bind_statefulset("bind-primary", "bind-primary-conf", init_containers=[{
            # The zone file must be writable (dynamic updates, journal): copy the seed into the
            # PVC with named-compilezone, from the same image (it has no shell).
            "name": "seed", "image": "zonekeeper-bind9:dev", "imagePullPolicy": "IfNotPresent",
            "command": ["/usr/bin/named-checkzone", "-q", "-o", "/var/cache/bind/example.test.db",
                        "example.test", "/etc/bind/example.test.seed"],
            "volumeMounts": [{"name": "conf", "mountPath": "/etc/bind"},
                             {"name": "data", "mountPath": "/var/cache/bind"}],
        }])])
        self.primary_ip = self._pod_ip("bind-primary")
        secondary_zone = f"""zone "example.test" {{ type secondary; file "/var/cache/bind/example.test.sec.db";
  masterfile-format text; primaries {{ {self.primary_ip} key "{key_name}"; }};
  allow-notify {{ 10.250.0.0/24; }}; allow-transfer {{ key "{key_name}"; }}; }};"""
        self.c.apply([{
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "bind-secondary-conf", "namespace": EXAMPLE_NS},
            "data": {"named.conf": named_conf(secondary_zone)},
        }, bind_statefulset("bind-secondary", "bind-secondary-conf")])
        self.secondary_ip = self._pod_ip("bind-secondary")
        wait_answer(self.primary_ip, "example.test.", "SOA",
                    ["ns1.example.test. hostmaster.example.test. 1 3600 600 604800 300"])
        wait_answer(self.secondary_ip, "example.test.", "SOA",
                    ["ns1.example.test. hostmaster.example.test. 1 3600 600 604800 300"])
        log(f"BIND primary {self.primary_ip}, secondary {self.secondary_ip}")
        return self

    def example_objects(self):
        """examples/cluster/*.yaml with the DNSServers pointed at the BIND Pods."""
        out = []
        for path in sorted(glob.glob(os.path.join(REPO, "examples/cluster/*.yaml"))):
            with open(path) as f:
                for o in yaml.safe_load_all(f):
                    if not o:
                        continue
                    o = copy.deepcopy(o)
                    if o["kind"] == "DNSServer":
                        ip = self.primary_ip if o["spec"]["role"] == "Primary" else self.secondary_ip
                        o["spec"]["external"] = {"address": ip, "port": 53}
                    out.append(o)
        return out


def a_record(name, owner, address):
    return {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord",
            "metadata": {"name": name, "namespace": EXAMPLE_NS,
                         "labels": {"dns.example/zone": "example.test"}},
            "spec": {"name": owner, "ipv4Addresses": [address]}}


def b64(s):
    return base64.b64encode(s.encode()).decode()
