"""End-to-end environment for zonekeeper: a real kube-apiserver + etcd (tools/testbed), real BIND 9
nameds on loopback (tools/named/start-named.sh), and `zonekeeper controller` run with the
zonekeeper ServiceAccount's own token. Plain classes and helpers, no pytest: conftest.py wires
them into fixtures, and benchmarks can import them as they are.

Everything listens on 127.0.0.1 only. Nothing here sleeps to assert: wait_for() polls a
condition with a generous timeout and says what it last saw when it gives up."""
from __future__ import annotations

import base64
import contextlib
import copy
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsigkeyring
import dns.update
import dns.xfr  # noqa: F401 - dns.query.xfr needs it loaded
import yaml

REPO = os.path.abspath(os.environ.get("ZK_REPO") or os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.path.abspath(os.environ.get("ZK_BUILD_DIR") or os.path.join(REPO, "build"))
ZK_BIN = os.path.join(BUILD_DIR, "zonekeeper")
GROUP = "dns.zonekeeper.io"
API_VERSION = f"{GROUP}/v1alpha1"
ZONE_ANNOTATION = "dns.zonekeeper.io/zone"
DNSENDPOINT_CRD = "dnsendpoints.externaldns.k8s.io"
# The sources' upstream CRDs the e2e suite installs (ControlPlane.apply_upstream_crds).
UPSTREAM_SOURCE_CRDS = ["ingressroutes.traefik.io", "ingressroutes.traefik.containo.us",
                        "gatewayclasses.gateway.networking.k8s.io", "gateways.gateway.networking.k8s.io",
                        "httproutes.gateway.networking.k8s.io"]
RECORD_KINDS = ["ARecord", "AAAARecord", "CNAMERecord", "TXTRecord", "MXRecord", "NSRecord",
                "SRVRecord", "CAARecord", "PTRRecord"]
PLURAL = {k: k.lower() + "s" for k in RECORD_KINDS}
PLURAL.update({"DNSZone": "dnszones", "DNSServer": "dnsservers", "Bind9Instance": "bind9instances",
               "Bind9Cluster": "bind9clusters", "Bind9GlobalCluster": "bind9globalclusters"})

# Generous: CI machines are slow and shared. Never an assertion on speed.
TIMEOUT = float(os.environ.get("ZK_E2E_TIMEOUT", "45"))


def log(msg):
    print(f"[e2e {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ----------------------------------------------------------------------------- polling

class WaitTimeout(AssertionError):
    pass


def wait_for(fn, timeout=TIMEOUT, interval=0.2, desc=None):
    """Calls fn() until it returns something truthy and returns that. Exceptions from fn count
    as "not yet". On timeout raises WaitTimeout naming desc and the last value or error."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            v = fn()
            if v:
                return v
            last = v
        except Exception as e:  # noqa: BLE001 - "not yet", reported on timeout
            last = e
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"timed out after {timeout:.0f} s waiting for "
                              f"{desc or getattr(fn, '__name__', 'condition')}; last: {last!r}")
        time.sleep(interval)


def env_file(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                out[k] = v
    return out


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, check=True, input=None, env=None, timeout=120):
    p = subprocess.run(cmd, input=input, capture_output=True, text=True, env=env, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


# ----------------------------------------------------------------------------- Kubernetes

class ControlPlane:
    """A tools/testbed control plane: started in DIR (stopped by stop()), or an existing one
    from an env file (ZK_KUBE_ENV), which is then left running."""

    def __init__(self, env_path=None, workdir=None):
        self.owned_dir = None
        if env_path is None:
            self.owned_dir = os.path.join(workdir or tempfile.mkdtemp(prefix="zk-e2e-kube-"), "bed")
            env = dict(os.environ, ZK_TESTBED_OWNER_PID=str(os.getpid()))
            log(f"starting control plane in {self.owned_dir}")
            run(["bash", os.path.join(REPO, "tools/testbed/controlplane.sh"), "start", self.owned_dir],
                env=env, timeout=900)
            env_path = os.path.join(self.owned_dir, "env")
        self.dir = os.path.dirname(env_path)
        self.env = env_file(env_path)
        self.kubeconfig = self.env["KUBECONFIG"]
        self.kubectl_bin = self.env["ZK_KUBECTL"]
        self.url = self.env["ZK_APISERVER_URL"]
        self.ca_file = self.env["ZK_CA_FILE"]

    def stop(self):
        if self.owned_dir:
            run(["bash", os.path.join(REPO, "tools/testbed/controlplane.sh"), "stop", self.owned_dir],
                check=False)

    def compact(self):
        """Compacts etcd at its current revision, as kube-apiserver's compactor does every 5 min
        in a real cluster (the test bed's never runs by itself: tools/testbed/controlplane.sh)."""
        run(["bash", os.path.join(REPO, "tools/testbed/controlplane.sh"), "compact", self.dir])

    # kubectl as the admin
    def kubectl(self, *args, input=None, check=True):
        return run([self.kubectl_bin, "--kubeconfig", self.kubeconfig, *args], input=input, check=check)

    def apply(self, objs):
        """kubectl apply of a list of object dicts (one request per object, in order)."""
        if isinstance(objs, dict):
            objs = [objs]
        doc = {"apiVersion": "v1", "kind": "List", "items": list(objs)}
        return self.kubectl("apply", "-f", "-", input=json.dumps(doc))

    def create(self, obj, check=True):
        return self.kubectl("create", "-f", "-", input=json.dumps(obj), check=check)

    def delete(self, kind, name, ns=None):
        args = ["delete", resource(kind), name, "--wait=false", "--ignore-not-found"]
        if ns:
            args += ["-n", ns]
        return self.kubectl(*args)

    def get(self, kind, name, ns=None):
        """The object as a dict, or None if it does not exist."""
        args = ["get", resource(kind), name, "-o", "json"]
        if ns:
            args += ["-n", ns]
        p = self.kubectl(*args, check=False)
        if p.returncode != 0:
            if "NotFound" in p.stderr or "not found" in p.stderr:
                return None
            raise AssertionError(f"kubectl get {kind} {name}: {p.stderr}")
        return json.loads(p.stdout)

    def list(self, what, ns=None):
        args = ["get", what, "-o", "json"]
        args += ["-n", ns] if ns else ["-A"]
        return json.loads(self.kubectl(*args).stdout)["items"]

    def patch(self, kind, name, ns, patch, ptype="merge"):
        """ns None: a cluster-scoped object."""
        where = ["-n", ns] if ns else []
        return self.kubectl("patch", resource(kind), name, *where, "--type", ptype, "-p", json.dumps(patch))

    def apply_deploy(self):
        """deploy/ for real: CRDs (ours and our superset of external-dns' DNSEndpoint CRD), RBAC,
        the admission policy (and the Deployment, whose pods never run here: the test bed has no
        kubelet)."""
        self.kubectl("apply", "-k", os.path.join(REPO, "deploy"))
        crds = [f"crd/{PLURAL[k]}.{GROUP}" for k in PLURAL] + [f"crd/{DNSENDPOINT_CRD}"]
        self.kubectl("wait", "--for", "condition=established", "--timeout=120s", *crds)

    def apply_upstream_crds(self, dir):
        """The upstream CRDs of the sources zonekeeper reads, as a cluster running Traefik and a
        Gateway API implementation has them: Traefik's (traefik.io, plus the legacy
        traefik.containo.us IngressRoute) and the Gateway API standard channel, fetched (cached)
        by tools/testbed/upstream-crds.sh into `dir`. Server-side apply: the HTTPRoute CRD is too
        big for client-side apply's last-applied annotation. external-dns' DNSEndpoint CRD is
        NOT applied: deploy/ brings our compatible superset of it (apply_deploy)."""
        run(["bash", os.path.join(REPO, "tools/testbed/upstream-crds.sh"), dir], timeout=900)
        files = [os.path.join(dir, f) for f in ("traefik.yaml", "traefik-containo-us.yaml", "gateway-api.yaml")]
        args = ["apply", "--server-side", "--force-conflicts", "--field-manager=zk-e2e"]
        for f in files:
            args += ["-f", f]
        self.kubectl(*args)
        self.kubectl("wait", "--for", "condition=established", "--timeout=120s",
                     *[f"crd/{c}" for c in UPSTREAM_SOURCE_CRDS])

    def patch_status(self, kind, name, ns, patch, ptype="merge"):
        """A write through the /status subresource (what an ingress or gateway controller does)."""
        args = ["patch", resource(kind), name, "--subresource=status", "--type", ptype, "-p", json.dumps(patch)]
        if ns:
            args[3:3] = ["-n", ns]
        return self.kubectl(*args)

    def events_about(self, kind, name, ns, reason=None, type=None):
        """events.k8s.io Events in `ns` regarding the object kind/name (optionally one reason/type),
        oldest first."""
        out = []
        for e in self.events(ns):
            reg = e.get("regarding") or {}
            if reg.get("kind") != kind or reg.get("name") != name:
                continue
            if reason is not None and e.get("reason") != reason:
                continue
            if type is not None and e.get("type") != type:
                continue
            out.append(e)
        return sorted(out, key=lambda e: e.get("eventTime") or e["metadata"].get("creationTimestamp") or "")

    def namespace(self, ns, secret_reader=True):
        objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}]
        if secret_reader:
            objs.append(secret_reader_binding(ns))
        self.apply(objs)

    def sa_token(self, sa="zonekeeper", ns="zonekeeper-system", duration="4h"):
        return self.kubectl("create", "token", sa, "-n", ns, f"--duration={duration}").stdout.strip()

    def ui_token(self, sa, clusterrole=None, ns="zonekeeper-system"):
        """A token of ServiceAccount `sa`, bound cluster-wide to `clusterrole` (deploy/rbac/
        ui-clusterroles.yaml) when given; without one it may do nothing of ours."""
        objs = [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa, "namespace": ns}}]
        if clusterrole:
            objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                         "metadata": {"name": f"{sa}-{clusterrole}"},
                         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                     "name": clusterrole},
                         "subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": ns}]})
        self.apply(objs)
        return self.sa_token(sa, ns)

    def sa_kubeconfig(self, path, sa="zonekeeper", ns="zonekeeper-system"):
        """A kubeconfig with only the ServiceAccount's token and the CA: nothing of the admin."""
        cfg = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "testbed", "cluster": {"server": self.url, "certificate-authority": self.ca_file}}],
            "users": [{"name": sa, "user": {"token": self.sa_token(sa, ns)}}],
            "contexts": [{"name": "sa", "context": {"cluster": "testbed", "user": sa}}],
            "current-context": "sa",
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump(cfg, f)
        return path

    def events(self, ns):
        return self.list("events.events.k8s.io", ns)


def resource(kind):
    """kubectl resource name for a kind (fully qualified for ours)."""
    if kind in PLURAL:
        return f"{PLURAL[kind]}.{GROUP}"
    return kind


def condition(obj, ctype="Ready"):
    """(status, reason, message) of a condition, or (None, None, None) if absent."""
    for c in ((obj or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return c.get("status"), c.get("reason"), c.get("message")
    return None, None, None


def is_current(obj):
    """status describes the object's current generation (status and each condition)."""
    st = obj.get("status") or {}
    gen = obj["metadata"].get("generation")
    if st.get("observedGeneration") != gen:
        return False
    return all(c.get("observedGeneration", gen) == gen for c in st.get("conditions") or [])


# ----------------------------------------------------------------------------- object builders

def controller_binding(ns, cluster_role):
    """A RoleBinding of the controller's ServiceAccount to `cluster_role` in `ns` (same name)."""
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": cluster_role, "namespace": ns},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role},
            "subjects": [{"kind": "ServiceAccount", "name": "zonekeeper", "namespace": "zonekeeper-system"}]}


def secret_reader_binding(ns):
    return controller_binding(ns, "zonekeeper-tsig-secret-reader")


def deployer_binding(ns):
    """The RoleBinding that lets zonekeeper deploy managed BIND 9 servers in `ns` (docs/api.md RBAC)."""
    return controller_binding(ns, "zonekeeper-bind9-deployer")


def tsig_secret(name, ns, key):
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": name, "namespace": ns},
            "stringData": {"name": key.name, "algorithm": key.algorithm, "secret": key.secret}}


def dns_server(name, ns, port, role="Primary", secret=None, primary=None, labels=None, timeout=2):
    spec = {"role": role, "external": {"address": "127.0.0.1", "port": port}, "timeoutSeconds": timeout}
    if secret:
        spec["tsigKeySecretRef"] = {"name": secret}
    if primary:
        spec["primaryServerRef"] = {"name": primary}
    return {"apiVersion": API_VERSION, "kind": "DNSServer",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}}, "spec": spec}


def dns_zone(name, ns, zone, servers, select, drift="Remediate", ns_glue="127.0.0.1", extra=None):
    """A DNSZone whose apex NS is the one the test named's zone file has (ns1 + glue), so the
    zone's own data is declared; records chosen by matchLabels `select`."""
    spec = {"zoneName": zone, "ttl": 300,
            "nameServers": [{"name": "ns1", "ipv4Address": ns_glue}],
            "recordsFrom": [{"selector": {"matchLabels": select}}],
            "servers": {"refs": [{"name": s} for s in servers]},
            "driftPolicy": drift}
    spec.update(extra or {})
    return {"apiVersion": API_VERSION, "kind": "DNSZone", "metadata": {"name": name, "namespace": ns}, "spec": spec}


DATA_FIELD = {"ARecord": "ipv4Addresses", "AAAARecord": "ipv6Addresses", "CNAMERecord": "target",
              "TXTRecord": "texts", "MXRecord": "mailExchangers", "NSRecord": "nameServers",
              "SRVRecord": "services", "CAARecord": "entries", "PTRRecord": "targets",
              "NAPTRRecord": "rules", "DNAMERecord": "target", "SSHFPRecord": "fingerprints",
              "TLSARecord": "associations", "SVCBRecord": "bindings", "HTTPSRecord": "bindings"}


def record(kind, name, ns, owner, data, labels, ttl=None):
    spec = {"name": owner, DATA_FIELD[kind]: data}
    if ttl is not None:
        spec["ttl"] = ttl
    return {"apiVersion": API_VERSION, "kind": kind,
            "metadata": {"name": name, "namespace": ns, "labels": labels}, "spec": spec}


# ----------------------------------------------------------------------------- DNS

class TsigKey:
    def __init__(self, name, algorithm, secret):
        self.name, self.algorithm, self.secret = name, algorithm, secret

    @classmethod
    def from_file(cls, path):
        text = open(path).read()
        name = re.search(r'key\s+"([^"]+)"', text).group(1)
        alg = re.search(r"algorithm\s+([A-Za-z0-9-]+);", text).group(1)
        secret = re.search(r'secret\s+"([^"]+)"', text).group(1)
        return cls(name, alg, secret)

    def keyring(self):
        return dns.tsigkeyring.from_text({self.name: (self.algorithm, self.secret)})


class Answer:
    def __init__(self, msg, rdtype):
        self.msg = msg
        self.rcode = dns.rcode.to_text(msg.rcode())
        self.aa = bool(msg.flags & dns.flags.AA)
        self.rrs = sorted(rd.to_text() for rrset in msg.answer if rrset.rdtype == rdtype for rd in rrset)
        self.ttls = sorted({rrset.ttl for rrset in msg.answer if rrset.rdtype == rdtype})
        self.authority = sorted(rd.to_text() for rrset in msg.authority if rrset.rdtype == dns.rdatatype.NS
                                for rd in rrset)

    def __repr__(self):
        return f"<{self.rcode} aa={self.aa} {self.rrs} auth={self.authority}>"


def query(port, name, rdtype, host="127.0.0.1", timeout=3):
    """An authoritative query over TCP (no recursion asked) against 127.0.0.1:port."""
    assert host.startswith("127."), "test traffic goes to loopback only"
    rdtype = dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
    q = dns.message.make_query(name, rdtype)
    q.flags &= ~dns.flags.RD
    return Answer(dns.query.tcp(q, host, port=port, timeout=timeout), rdtype)


def serial(port, zone):
    a = query(port, zone, "SOA")
    if a.rcode != "NOERROR" or not a.rrs:
        raise AssertionError(f"no SOA for {zone} at port {port}: {a}")
    return int(a.rrs[0].split()[2])


def wait_answer(port, name, rdtype, want, timeout=TIMEOUT):
    """Waits until the server answers NOERROR with exactly the records `want` (sorted texts)."""
    want = sorted(want)

    def ok():
        a = query(port, name, rdtype)
        return a if a.rcode == "NOERROR" and a.rrs == want else None
    ok.__name__ = f"{name} {rdtype} == {want} at port {port}"
    return wait_for(ok, timeout)


def wait_rcode(port, name, rdtype, rcode, timeout=TIMEOUT):
    """Waits for NXDOMAIN, or NODATA (rcode NOERROR with no records of the type)."""
    def ok():
        a = query(port, name, rdtype)
        return a if a.rcode == rcode and not a.rrs else None
    ok.__name__ = f"{name} {rdtype} -> {rcode} (no data) at port {port}"
    return wait_for(ok, timeout)


def nsupdate(port, zone, key, adds=(), deletes=()):
    """A TSIG-signed UPDATE by hand (the 'someone else edits the zone' of drift tests).
    adds: (name, ttl, type, rdata...); deletes: (name, type)."""
    u = dns.update.UpdateMessage(zone, keyring=key.keyring(), keyname=key.name,
                                 keyalgorithm=dns.name.from_text(key.algorithm))
    for name, rtype in deletes:
        u.delete(name, rtype)
    for name, ttl, rtype, *rdata in adds:
        u.add(name, ttl, rtype, *rdata)
    r = dns.query.tcp(u, "127.0.0.1", port=port, timeout=5)
    if r.rcode() != dns.rcode.NOERROR:
        raise AssertionError(f"nsupdate {zone}: {dns.rcode.to_text(r.rcode())}")


def axfr(port, zone, key):
    """The zone as the server holds it, by TSIG-signed AXFR over TCP:
    {(owner, TYPE): (ttl, ((rdata text, rdata wire hex), ...) sorted)}; owners absolute and
    lowercase. Two snapshots compare equal only if every RRset is byte-identical (rdata and TTL)."""
    out = {}
    msgs = dns.query.xfr("127.0.0.1", zone, port=port, keyring=key.keyring(), keyname=key.name,
                         keyalgorithm=dns.name.from_text(key.algorithm), relativize=False, lifetime=10)
    seen_soa = 0
    for m in msgs:
        for rrset in m.answer:
            if rrset.rdtype == dns.rdatatype.SOA:
                seen_soa += 1
                if seen_soa > 1:  # the closing SOA of the transfer
                    continue
            k = (rrset.name.to_text().lower(), dns.rdatatype.to_text(rrset.rdtype))
            rds = [(rd.to_text(), rd.to_wire().hex()) for rd in rrset]
            if k in out:
                ttl, prev = out[k]
                rds += list(prev)
            out[k] = (rrset.ttl, tuple(sorted(rds)))
    return out


def registry_text(owner, resource):
    """The external-dns TXT registry record (new format) as dig shows it: quoted."""
    return f'"heritage=external-dns,external-dns/owner={owner},external-dns/resource={resource}"'


def notify(port, zone):
    m = dns.message.make_query(zone, dns.rdatatype.SOA)
    m.set_opcode(dns.opcode.NOTIFY)
    m.flags |= dns.flags.AA
    m.flags &= ~dns.flags.RD
    return dns.query.udp(m, "127.0.0.1", port=port, timeout=3)


# ----------------------------------------------------------------------------- named

class Named:
    """One loopback named from tools/named/start-named.sh: a primary for `zones`, or (primary=
    another Named) a secondary that transfers them from it. Restarts keep the ports.
    dnssec_policies: its named.conf includes the agent's DNSSEC policies file, as a managed
    Primary's does."""

    def __init__(self, dir, zones, primary=None, key_name="zonekeeper-key", algorithm="hmac-sha256",
                 dnssec_policies=False):
        self.dir = dir
        self.zones = list(zones)
        self.primary = primary
        self.key_name, self.algorithm = key_name, algorithm
        self.dnssec_policies = dnssec_policies
        self.port = None
        self.control_port = None
        self.env = None
        self.watchdog = None

    @property
    def role(self):
        return "Secondary" if self.primary else "Primary"

    def start(self):
        env = dict(os.environ, ZK_TSIG_KEY_NAME=self.key_name, ZK_TSIG_ALGORITHM=self.algorithm)
        if self.primary:
            env["ZK_NAMED_PRIMARY"] = f"127.0.0.1:{self.primary.port}"
            env["ZK_TSIG_KEY_FILE"] = self.primary.env["ZK_TSIG_KEY_FILE"]
        if self.port:
            env["ZK_NAMED_PORT"] = str(self.port)
            env["ZK_NAMED_CONTROL_PORT"] = str(self.control_port)
        if self.dnssec_policies:
            env["ZK_NAMED_DNSSEC_POLICIES"] = "1"
        env.setdefault("ZK_NAMED_START_TIMEOUT", "30")
        run(["bash", os.path.join(REPO, "tools/named/start-named.sh"), self.dir, *self.zones], env=env)
        self.env = env_file(os.path.join(self.dir, "env"))
        self.port = int(self.env["ZK_DNS_SERVER"].rsplit(":", 1)[1])
        self.control_port = int(self.env["ZK_NAMED_CONTROL_PORT"])
        self.key = TsigKey.from_file(self.env["ZK_TSIG_KEY_FILE"])
        log(f"named {self.role.lower()} {self.dir} on 127.0.0.1:{self.port}")
        if self.watchdog is None:
            # named runs in its own session (start-named.sh): stop it when this process dies,
            # even by SIGKILL (a ctest timeout), like the test bed's ZK_TESTBED_OWNER_PID.
            self.watchdog = subprocess.Popen(
                ["bash", "-c", 'while kill -0 "$0" 2>/dev/null; do sleep 1; done; exec bash "$1" "$2"',
                 str(os.getpid()), os.path.join(REPO, "tools/named/stop-named.sh"), self.dir],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
        return self

    def running(self):
        return os.path.exists(os.path.join(self.dir, "env"))

    def stop(self):
        if self.running():
            run(["bash", os.path.join(REPO, "tools/named/stop-named.sh"), self.dir], check=False)

    def restart(self):
        self.stop()
        self.start()

    def wipe_zone(self, zone, serial=1):
        """While stopped: the zone's file back to SOA + NS + glue (as start-named.sh writes it),
        journal gone: the server 'lost its zone contents' and comes back with an old serial."""
        assert not self.running() and not self.primary
        for f in glob.glob(os.path.join(self.dir, f"{zone}.db*")):
            os.unlink(f)
        with open(os.path.join(self.dir, f"{zone}.db"), "w") as f:
            f.write(f"$ORIGIN {zone}.\n$TTL 300\n"
                    f"@\tIN\tSOA\tns1.{zone}. hostmaster.{zone}. {serial} 3600 600 86400 300\n"
                    f"@\tIN\tNS\tns1.{zone}.\nns1\tIN\tA\t127.0.0.1\n")

    def rndc(self, *args):
        return run(["rndc", "-k", self.env["ZK_RNDC_KEY_FILE"], "-s", "127.0.0.1", "-p",
                    str(self.control_port), *args])

    def log_tail(self, n=40):
        try:
            with open(os.path.join(self.dir, "named.log"), errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


# ----------------------------------------------------------------------------- controller

class Controller:
    """`zonekeeper controller` as the zonekeeper ServiceAccount (its own token only), on a free
    loopback port, logs to a file. start/stop(SIGTERM)/restart keep identity and port."""

    running_logs: list = []   # log files of running controllers, shown when a test fails

    def __init__(self, kube, workdir, identity="e2e-a", drift_interval=2, leader_election=True, extra=(),
                 log_level="debug"):
        self.kube = kube
        self.log_level = log_level
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.identity = identity
        self.drift_interval = drift_interval
        self.leader_election = leader_election
        self.extra = list(extra)
        self.port = free_port()
        self.kubeconfig = kube.sa_kubeconfig(os.path.join(workdir, f"{identity}.kubeconfig"))
        self.log_path = os.path.join(workdir, f"controller-{identity}.log")
        self.proc = None
        self.starts = 0
        self.api_token = None  # the bearer token http() sends to /api/v1 paths

    def argv(self):
        a = [ZK_BIN, "controller", "--kubeconfig", self.kubeconfig, "--listen", f"127.0.0.1:{self.port}",
             "--drift-interval", str(self.drift_interval), "--identity", self.identity,
             "--log-format", "json", "--log-level", self.log_level]
        if not self.leader_election:
            a.append("--no-leader-election")
        return a + self.extra

    def start(self, wait_ready=True, wait_leader=False):
        assert self.proc is None or self.proc.poll() is not None
        self.starts += 1
        logf = open(self.log_path, "a")
        logf.write(f"---- e2e: start #{self.starts}: {' '.join(self.argv())}\n")
        logf.flush()
        # Only what the controller needs: no admin KUBECONFIG leaks into its environment.
        env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG",) and not k.startswith("ZK_")}
        self.proc = subprocess.Popen(self.argv(), stdout=logf, stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        logf.close()
        if self.log_path not in Controller.running_logs:
            Controller.running_logs.append(self.log_path)
        log(f"controller {self.identity} pid {self.proc.pid} on 127.0.0.1:{self.port}")
        if wait_ready:
            wait_for(lambda: self.alive_or_raise() and self.http("/readyz")[0] == 200, desc=f"{self.identity} /readyz 200")
        if wait_leader:
            self.wait_leader()
        return self

    def alive_or_raise(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"controller {self.identity} exited with {self.proc.returncode}:\n{self.log_tail()}")
        return True

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.alive():
            return None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise AssertionError(f"controller {self.identity} ignored SIGTERM for {timeout} s")
        finally:
            if self.log_path in Controller.running_logs:
                Controller.running_logs.remove(self.log_path)
        log(f"controller {self.identity} stopped ({rc})")
        return rc

    def restart(self, **kw):
        self.stop()
        return self.start(**kw)

    def http(self, path, timeout=3, token=None, method="GET", body=None):
        """(status, body text, Content-Type). /api/v1 paths carry `token` (default: the
        session's UI viewer token, set by conftest) as a bearer token."""
        if token is None and path.startswith("/api/"):
            token = self.api_token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers,
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read().decode("utf-8", "replace"), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace"), e.headers.get("Content-Type", "")

    def metrics(self):
        status, body, _ = self.http("/metrics")
        assert status == 200, f"/metrics {status}"
        return parse_prometheus(body)

    def metric(self, family, **labels):
        """Sum of the samples of a family whose labels include `labels` (0 if none). A family
        the scrape does not declare at all raises: a renamed metric must not read as 0."""
        fams = self.metrics()
        assert family in fams, f"/metrics declares no family {family}"
        return sum(v for lb, v in fams[family].get("samples", [])
                   if all(lb.get(k) == str(w) for k, w in labels.items()))

    def is_leader(self):
        return self.metric("zonekeeper_leader") == 1

    def wait_leader(self, timeout=90):
        return wait_for(lambda: self.alive_or_raise() and self.is_leader(), timeout, desc=f"{self.identity} leads")

    def log_tail(self, n=60):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def log_records(self):
        """The JSON log lines of this controller (every start), as dicts; other lines skipped."""
        out = []
        try:
            with open(self.log_path, errors="replace") as f:
                for line in f:
                    if line.startswith("{"):
                        try:
                            out.append(json.loads(line))
                        except ValueError:
                            pass
        except OSError:
            pass
        return out


def controller_flags():
    """The flags `zonekeeper controller --help` lists (e.g. to know whether this build has the
    issue 6 sources: --zone)."""
    p = run([ZK_BIN, "controller", "--help"], check=False)
    return set(re.findall(r"(--[a-z][a-z0-9-]*)", p.stdout))


def _die_with_parent():
    """In the child before exec: SIGTERM when the test process dies (Linux PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except OSError:
        pass


@contextlib.contextmanager
def catalog_agent(named, log_path):
    """`zonekeeper bind9-agent` beside a started Named (its keys, its control channel), polling
    the catalog every second (a loopback named sends it no NOTIFY), logging to `log_path`. A
    context: on leaving it, stops the agent and asserts it exits 0 on SIGTERM."""
    with open(log_path, "a") as logf:
        agent = subprocess.Popen(
            [ZK_BIN, "bind9-agent", "--directory", named.dir,
             "--server", f"127.0.0.1:{named.port}", "--control", f"127.0.0.1:{named.control_port}",
             "--tsig-key-file", named.env["ZK_TSIG_KEY_FILE"],
             "--rndc-key-file", named.env["ZK_RNDC_KEY_FILE"],
             "--notify-port", "0", "--poll-seconds", "1", "--log-format", "text"],
            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent)
    try:
        yield agent
    finally:
        agent.terminate()
        rc = agent.wait(30)
        assert rc == 0, f"the agent exited with {rc} on SIGTERM"


# ----------------------------------------------------------------------------- Prometheus text

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$')
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)')


def parse_prometheus(text):
    """Prometheus text format 0.0.4, strictly: {family: {type, help, samples: [(labels, value)]}}.
    Raises ValueError on a line that is not a comment, TYPE/HELP or a well-formed sample."""
    fams = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("TYPE", "HELP"):
                f = fams.setdefault(parts[2], {"type": None, "help": None, "samples": []})
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3] not in ("counter", "gauge", "histogram", "summary", "untyped"):
                        raise ValueError(f"line {n}: bad TYPE: {line}")
                    f["type"] = parts[3]
                else:
                    f["help"] = parts[3] if len(parts) == 4 else ""
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise ValueError(f"line {n}: not a sample: {line!r}")
        name, labeltext, value = m.group(1), m.group(3) or "", m.group(4)
        labels = {}
        pos = 0
        while pos < len(labeltext):
            lm = _LABEL.match(labeltext, pos)
            if not lm:
                raise ValueError(f"line {n}: bad labels: {line!r}")
            labels[lm.group(1)] = lm.group(2)
            pos = lm.end()
        v = float(value)  # ValueError for garbage; accepts NaN/+Inf as the format does
        fam = name
        for suffix in ("_bucket", "_sum", "_count"):
            base = name[: -len(suffix)]
            if name.endswith(suffix) and base in fams and fams[base]["type"] in ("histogram", "summary"):
                fam = base
        fams.setdefault(fam, {"type": None, "help": None, "samples": []})["samples"].append((labels, v))
    return fams


# ----------------------------------------------------------------------------- examples

def example_objects(primary, secondary):
    """examples/cluster/*.yaml as objects, with the DNSServers pointed at the loopback nameds and
    the TSIG Secret holding the primary's real key. Everything else exactly as committed."""
    objs = []
    for path in sorted(glob.glob(os.path.join(REPO, "examples/cluster/*.yaml"))):
        with open(path) as f:
            objs += [o for o in yaml.safe_load_all(f) if o]
    out = []
    for o in objs:
        o = copy.deepcopy(o)
        if o["kind"] == "DNSServer":
            target = primary if o["spec"]["role"] == "Primary" else secondary
            assert o["spec"]["external"]["address"] in ("192.0.2.53", "192.0.2.54")
            o["spec"]["external"] = {"address": "127.0.0.1", "port": target.port}
        elif o["kind"] == "Secret":
            o["stringData"] = {"name": primary.key.name, "algorithm": primary.key.algorithm,
                               "secret": primary.key.secret}
        out.append(o)
    return out


def b64(s):
    return base64.b64encode(s.encode()).decode()


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)
