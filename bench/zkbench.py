"""Shared pieces of the controller benchmarks (bench/latency, bench/converge, bench/idle).

The environment is tests/e2e/zkenv.py, imported as it is: a real kube-apiserver + etcd
(tools/testbed), a loopback BIND 9 primary (tools/named) and `zonekeeper controller` run with
the zonekeeper ServiceAccount's token. What is added here is only what a benchmark needs on
top: a fast API client (persistent HTTPS connections with the admin token, no kubectl per
object), bulk creation, AXFR counting and percentiles. Everything talks to 127.0.0.1 only."""
from __future__ import annotations

import http.client
import json
import os
import queue
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(BENCH_DIR, "..", "tests", "e2e"))
import zkenv  # noqa: E402  (reused as it is; see tests/e2e/README.md)

import dns.name  # noqa: E402
import dns.query  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.update  # noqa: E402
import dns.zone  # noqa: E402

NS = "zk-bench"
V = zkenv.API_VERSION


def say(msg):
    """Human lines go to stderr: the last stdout line is the JSON object."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


zkenv.log = lambda msg: say(msg)  # the fixture's own progress lines, to stderr too


def percentile(xs, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


# ----------------------------------------------------------------------------- API client

class Api:
    """One persistent HTTPS connection to the apiserver as the admin (bearer token + the CA)."""

    def __init__(self, kube):
        u = urllib.parse.urlparse(kube.url)
        assert u.hostname.startswith("127."), "loopback only"
        self.host, self.port = u.hostname, u.port
        self.token = kube.env["ZK_ADMIN_TOKEN"]
        self.ctx = ssl.create_default_context(cafile=kube.ca_file)
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=60)
        self.conn.connect()

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self._connect()
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                payload = r.read()
                return r.status, payload
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def create(self, obj):
        """POST the object; returns the created object. Raises on anything but 201."""
        status, payload = self.request("POST", collection_path(obj["kind"], obj["metadata"]["namespace"]), obj)
        if status != 201:
            raise AssertionError(f"create {obj['kind']} {obj['metadata']['name']}: {status} {payload[:300]!r}")
        return json.loads(payload)

    def list(self, kind, ns=None, limit=500):
        """Every object of a kind (paginated LIST, as kubectl and informers do; limit=0: one
        page). The list's resourceVersion is kept in last_list_rv (for a watch from there)."""
        items, cont = [], None
        while True:
            q = {"limit": str(limit)} if limit else {}
            if cont:
                q["continue"] = cont
            status, payload = self.request("GET", collection_path(kind, ns) + "?" + urllib.parse.urlencode(q))
            if status != 200:
                raise AssertionError(f"list {kind}: {status} {payload[:300]!r}")
            doc = json.loads(payload)
            items += doc["items"]
            cont = doc["metadata"].get("continue")
            if not cont:
                self.last_list_rv = doc["metadata"]["resourceVersion"]
                return items

    def watch(self, kind, ns, rv, timeout_s=600):
        """Yields the events (dicts) of a WATCH from resourceVersion rv, on its own connection,
        until the server ends it (timeout_s) or the caller stops iterating."""
        q = urllib.parse.urlencode({"watch": "1", "resourceVersion": rv, "timeoutSeconds": str(timeout_s)})
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=timeout_s + 30)
        try:
            conn.request("GET", collection_path(kind, ns) + "?" + q,
                         headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"})
            r = conn.getresponse()
            if r.status != 200:
                raise AssertionError(f"watch {kind}: {r.status} {r.read()[:300]!r}")
            while True:
                line = r.readline()
                if not line:
                    return
                if line.strip():
                    yield json.loads(line)
        finally:
            conn.close()

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


def collection_path(kind, ns=None):
    plural = zkenv.PLURAL[kind]
    if ns:
        return f"/apis/{zkenv.GROUP}/v1alpha1/namespaces/{ns}/{plural}"
    return f"/apis/{zkenv.GROUP}/v1alpha1/{plural}"


def bulk_create(kube, objs, connections=8):
    """Creates objs over `connections` parallel persistent connections. Returns seconds."""
    q = queue.Queue()
    for o in objs:
        q.put(o)
    errors = []

    def worker():
        api = Api(kube)
        try:
            while not errors:
                try:
                    o = q.get_nowait()
                except queue.Empty:
                    return
                api.create(o)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            api.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.monotonic() - t0


# ----------------------------------------------------------------------------- objects

def zone_name(i):
    return f"z{i}.bench.test"


def floor_zone_name(i):
    return f"f{i}.bench.test"


def host(j):
    return f"h{j:05d}"


def address(j):
    return f"10.{(j >> 16) & 255}.{(j >> 8) & 255}.{j & 255}"


def a_record(name, owner, ip, label):
    return zkenv.record("ARecord", name, NS, owner, [ip], {"bench-zone": label})


def zone_records(zones, records):
    """{zone index: [(host, ip), ...]}: records spread evenly over the zones, names unique."""
    out = {i: [] for i in range(zones)}
    for j in range(records):
        out[j % zones].append((host(j), address(j)))
    return out


# ----------------------------------------------------------------------------- environment

class Bench:
    """Control plane (a fresh one, or $ZK_KUBE_ENV's), one loopback named primary for `zones`,
    namespace zk-bench with the TSIG Secret and DNSServer `primary`, and a controller (not
    started). Use as a context manager: everything it started is stopped on exit."""

    def __init__(self, zones, drift_interval=60, log_level="info", keep=False):
        self.workdir = tempfile.mkdtemp(prefix="zk-bench-")
        self.zones = zones
        self.drift_interval = drift_interval
        self.log_level = log_level
        self.keep = keep or os.environ.get("ZK_BENCH_KEEP") == "1"
        self.kube = self.named = self.controller = None

    def __enter__(self):
        try:
            t0 = time.monotonic()
            self.kube = zkenv.ControlPlane(env_path=os.environ.get("ZK_KUBE_ENV"), workdir=self.workdir)
            self.kube.apply_deploy()
            self.named = zkenv.Named(os.path.join(self.workdir, "named"), self.zones).start()
            self.kube.namespace(NS)
            self.kube.apply([zkenv.tsig_secret("tsig", NS, self.named.key),
                             zkenv.dns_server("primary", NS, self.named.port, secret="tsig")])
            self.controller = zkenv.Controller(self.kube, os.path.join(self.workdir, "controller"),
                                               identity="bench", drift_interval=self.drift_interval,
                                               log_level=self.log_level)
            say(f"environment up in {time.monotonic() - t0:.1f} s (workdir {self.workdir})")
            return self
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def __exit__(self, *exc):
        if self.controller:
            try:
                self.controller.stop()
            except AssertionError as e:
                say(str(e))
        if self.named:
            self.named.stop()
        if self.kube:
            self.kube.stop()
        if self.keep:
            say(f"kept {self.workdir} (controller log: {self.controller and self.controller.log_path})")
        else:
            zkenv.rmtree(self.workdir)
        return False

    # -- DNS

    def keyring_args(self):
        k = self.named.key
        return dict(keyring=k.keyring(), keyname=k.name, keyalgorithm=dns.name.from_text(k.algorithm))

    def axfr_a(self, zone):
        """{relative host: sorted addresses} of the zone's A records below the apex (AXFR+TSIG)."""
        z = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", zone, port=self.named.port, timeout=10,
                                            relativize=True, **self.keyring_args()))
        out = {}
        for name, rds in z.iterate_rdatasets(dns.rdatatype.A):
            n = name.to_text()
            if n not in ("@", "ns1"):
                out[n] = sorted(r.to_text() for r in rds)
        return out

    def update_batch(self, zone, recs, ttl=300):
        """One TSIG-signed UPDATE adding recs [(host, ip)] to zone (built, not sent)."""
        u = dns.update.UpdateMessage(zone, **self.keyring_args())
        for h, ip in recs:
            u.add(h, ttl, "A", ip)
        return u

    def send_tcp(self, msg):
        r = dns.query.tcp(msg, "127.0.0.1", port=self.named.port, timeout=30)
        if r.rcode() != 0:
            raise AssertionError(f"UPDATE refused: {dns.rcode.to_text(r.rcode())}")
        return r

    # -- controller

    def cpu_seconds(self):
        """utime+stime of the controller process (/proc/PID/stat), in seconds."""
        with open(f"/proc/{self.controller.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_ready_leader(self, timeout=90):
        c = self.controller
        zkenv.wait_for(lambda: c.alive_or_raise() and c.http("/readyz")[0] == 200, timeout, 0.05,
                       desc="controller /readyz 200")
        c.wait_leader(timeout)

    def metrics_summary(self):
        c = self.controller
        m = c.metrics()

        def total(fam):
            return sum(v for _, v in m.get(fam, {}).get("samples", []))
        return {k: total(k) for k in ("zonekeeper_dns_updates_total", "zonekeeper_dns_update_errors_total",
                                      "zonekeeper_dns_changes_total", "zonekeeper_status_writes_total",
                                      "zonekeeper_status_write_errors_total", "zonekeeper_events_total",
                                      "zonekeeper_reconciles_total", "zonekeeper_drift_checks_total",
                                      "zonekeeper_drift_found_total", "zonekeeper_queue_retries_total")}


def ready(obj):
    st, _, _ = zkenv.condition(obj)
    return st == "True" and zkenv.is_current(obj)


def emit(result):
    """The benchmark's one JSON object, as the last stdout line."""
    sys.stdout.flush()
    print(json.dumps(result), flush=True)


def cpu_pressure():
    try:
        with open("/proc/pressure/cpu") as f:
            return f.readline().strip()
    except OSError:
        return "n/a"
