"""Shared pieces of the controller benchmarks (bench/latency, bench/converge, bench/idle,
bench/ingress).

The environment is tests/e2e/zkenv.py, imported as it is: a real kube-apiserver + etcd
(tools/testbed), a loopback BIND 9 primary (tools/named) and `zonekeeper controller` run with
the zonekeeper ServiceAccount's token. What is added here is only what a benchmark needs on
top: a fast API client (persistent HTTPS connections with the admin token, no kubectl per
object), bulk creation, AXFR counting and percentiles. Everything talks to 127.0.0.1 only."""
from __future__ import annotations

import collections
import http.client
import json
import multiprocessing
import os
import queue
import socket
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(BENCH_DIR, "..", "tests", "e2e"))
import zkenv  # noqa: E402  (reused as it is; see tests/e2e/README.md)

import dns.exception  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rdtypes.ANY.TXT  # noqa: E402
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

class SoaPoller:
    """SOA serials of many zones on one loopback named, over one UDP socket: every query of a
    poll is sent at once and the answers are read as they come; an answer is parsed only when
    its bytes differ from the zone's last one. At 1,000 zones a TCP query per zone and poll
    (zkenv.serial) kept this process busy for 60 % of a core, next to the controller and the API
    server it measures on 2 cores."""

    def __init__(self, port, zones):
        assert len(zones) <= 0xFFFF, "a query id per zone"
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(("127.0.0.1", port))  # loopback only
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.wire, self.zone_of, self.last = {}, {}, {}
        for i, zone in enumerate(zones):
            q = dns.message.make_query(zone, "SOA")
            q.flags &= ~dns.flags.RD
            q.id = i
            self.wire[zone] = q.to_wire()
            self.zone_of[i] = zone

    def poll(self, zones, timeout=1.0):
        """{zone: serial} of the zones that answered NOERROR with their SOA within `timeout`
        (a zone missing is asked again at the next poll)."""
        want = set(zones)
        for zone in want:
            self.sock.send(self.wire[zone])
        out = {}
        deadline = time.monotonic() + timeout
        while want:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65535)
            except (socket.timeout, ConnectionRefusedError):
                break
            zone = self.zone_of.get(int.from_bytes(data[:2], "big"))
            if zone not in want:
                continue  # a late answer to an earlier poll
            want.discard(zone)
            last = self.last.get(zone)
            if last and last[0] == data:
                out[zone] = last[1]
                continue
            m = dns.message.from_wire(data)
            soa = [rrset for rrset in m.answer if rrset.rdtype == dns.rdatatype.SOA]
            if m.rcode() != dns.rcode.NOERROR or not soa:
                continue
            self.last[zone] = (data, soa[0][0].serial)
            out[zone] = soa[0][0].serial
        return out

    def close(self):
        self.sock.close()


class Api:
    """One persistent HTTPS connection to the apiserver as the admin (bearer token + the CA)."""

    def __init__(self, kube):
        u = urllib.parse.urlparse(kube.url)
        # Loopback, or the test bed node's bridge (tools/testbed/node.sh: 10.250.0.0/24, no route out).
        assert u.hostname.startswith(("127.", "10.250.0.")), "loopback or the test bed only"
        self.host, self.port = u.hostname, u.port
        self.token = kube.env["ZK_ADMIN_TOKEN"]
        self.ctx = ssl.create_default_context(cafile=kube.ca_file)
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=60)
        self.conn.connect()

    def request(self, method, path, body=None, content_type="application/json"):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = content_type
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


# Kinds outside our group that benchmarks create or watch: kind → (API prefix, plural).
OTHER_KINDS = {"Ingress": ("/apis/networking.k8s.io/v1", "ingresses"),
               "Event": ("/apis/events.k8s.io/v1", "events")}


def collection_path(kind, ns=None):
    prefix, plural = OTHER_KINDS.get(kind) or (f"/apis/{zkenv.GROUP}/v1alpha1", zkenv.PLURAL.get(kind))
    if ns:
        return f"{prefix}/namespaces/{ns}/{plural}"
    return f"{prefix}/{plural}"


def bulk_requests(kube, requests, connections=8):
    """Sends requests [(method, path, body, content_type, want_status)] over `connections`
    parallel persistent connections; any other status raises. Returns seconds."""
    q = queue.Queue()
    for r in requests:
        q.put(r)
    errors = []

    def worker():
        api = Api(kube)
        try:
            while not errors:
                try:
                    method, path, body, ctype, want = q.get_nowait()
                except queue.Empty:
                    return
                status, payload = api.request(method, path, body, ctype)
                if status != want:
                    raise AssertionError(f"{method} {path}: {status} {payload[:300]!r}")
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


def bulk_create(kube, objs, connections=8):
    """Creates objs over `connections` parallel persistent connections. Returns seconds."""
    return bulk_requests(kube, [("POST", collection_path(o["kind"], o["metadata"]["namespace"]), o,
                                 "application/json", 201) for o in objs], connections)


MERGE_PATCH = "application/merge-patch+json"


FLOOR_ANNOTATION = "bench.zonekeeper.io/floor"


def floor_written(obj, mark):
    """Both of status_floor(mark)'s writes show on obj."""
    ann = (obj["metadata"].get("annotations") or {}).get(FLOOR_ANNOTATION)
    return ann == mark and str((obj.get("status") or {}).get("recordHash", "")).startswith(mark)


def status_floor(kube, kind, ns, names, connections=8, mark="floor"):
    """The floor of writing statuses: per object one bare merge PATCH of /status (the fields
    the controller sets, a Ready condition included) and one of metadata.annotations — the two
    writes zonekeeper makes per record — over `connections` persistent connections (as many as
    the controller's status writers). Every PATCH changes the stored object (a no-op PATCH skips
    etcd and would flatter the floor); `mark` tells one pass's writes from another's. Complete,
    as for the controller's writes, when this process's watch (wait_watch) has seen every object
    carry both: the client runs in a child process, as the controller does, so the watch and the
    writers do not share one interpreter. Returns (seconds, number of PATCHes)."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    base = collection_path(kind, ns)
    reqs = []
    for i, n in enumerate(names):
        ready = {"type": "Ready", "status": "True", "observedGeneration": 1, "lastTransitionTime": now,
                 "reason": "Served", "message": f"served at {n}.floor.bench. by 1 primary"}
        reqs.append(("PATCH", f"{base}/{n}/status",
                     {"status": {"conditions": [ready], "observedGeneration": 1, "zone": "floor.bench.",
                                 "fqdn": f"{n}.floor.bench.", "recordHash": f"{mark}{i:08x}",
                                 "lastUpdated": now}}, MERGE_PATCH, 200))
        reqs.append(("PATCH", f"{base}/{n}",
                     {"metadata": {"annotations": {FLOOR_ANNOTATION: mark}}}, MERGE_PATCH, 200))
    wanted = set(names)
    t0 = time.monotonic()
    client = multiprocessing.get_context("fork").Process(target=bulk_requests, args=(kube, reqs, connections))
    client.start()
    try:
        seconds = wait_watch(kube, kind, ns, lambda o: o["metadata"]["name"] in wanted and floor_written(o, mark),
                             lambda counts, n: counts[True] == len(wanted), t0, max(900, len(reqs) * 0.015),
                             "every floor PATCH seen by the watch")
    finally:
        client.join()
    if client.exitcode != 0:
        raise AssertionError(f"the status floor's client failed (exit code {client.exitcode})")
    return seconds, len(reqs)


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
    started); with replicas > 1, that many controllers with `--shards shards` (default 4 per
    replica) dividing the zones (docs/sharding.md). Use as a context manager: everything it
    started is stopped on exit."""

    def __init__(self, zones, drift_interval=60, log_level="info", keep=False, extra=(), replicas=1, shards=0):
        self.workdir = tempfile.mkdtemp(prefix="zk-bench-")
        self.zones = zones
        self.extra = list(extra)  # further `zonekeeper controller` arguments
        self.replicas = replicas
        self.shards = shards or (4 * replicas if replicas > 1 else 0)
        self.controllers = []
        self.drift_interval = drift_interval
        self.log_level = log_level
        self.keep = keep or os.environ.get("ZK_BENCH_KEEP") == "1"
        self.kube = self.named = self.controller = None

    def __enter__(self):
        try:
            t0 = time.monotonic()
            self.kube = zkenv.ControlPlane(env_path=os.environ.get("ZK_KUBE_ENV"), workdir=self.workdir)
            self.kube.apply_deploy()
            if self.shards:  # sharding's opt-in RBAC (docs/sharding.md)
                self.kube.kubectl("apply", "-k", os.path.join(zkenv.REPO, "deploy/sharding"))
            self.named = zkenv.Named(os.path.join(self.workdir, "named"), self.zones).start()
            self.kube.namespace(NS)
            self.kube.apply([zkenv.tsig_secret("tsig", NS, self.named.key),
                             zkenv.dns_server("primary", NS, self.named.port, secret="tsig")])
            shard_flags = ["--shards", str(self.shards)] if self.shards else []
            self.controllers = [
                zkenv.Controller(self.kube, os.path.join(self.workdir, "controller"),
                                 identity="bench" if i == 0 else f"bench-{i}", drift_interval=self.drift_interval,
                                 log_level=self.log_level, extra=self.extra + shard_flags)
                for i in range(self.replicas)]
            self.controller = self.controllers[0]
            say(f"environment up in {time.monotonic() - t0:.1f} s (workdir {self.workdir})")
            return self
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def __exit__(self, *exc):
        for c in self.controllers:
            try:
                c.stop()
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

    def axfr(self, zone, rdtypes=("A",)):
        """{(relative name, type): sorted data} of the zone's RRsets of those types below the apex,
        the ns1 glue left out (AXFR+TSIG). A TXT record's data is its strings joined, decoded."""
        z = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", zone, port=self.named.port, timeout=10,
                                            relativize=True, **self.keyring_args()))
        out = {}
        for t in rdtypes:
            rdtype = dns.rdatatype.from_text(t)
            for name, rds in z.iterate_rdatasets(rdtype):
                n = name.to_text()
                if n in ("@", "ns1"):
                    continue
                out[(n, t)] = sorted(b"".join(r.strings).decode() if rdtype == dns.rdatatype.TXT
                                     else r.to_text() for r in rds)
        return out

    def axfr_a(self, zone):
        """{relative host: sorted addresses} of the zone's A records below the apex (AXFR+TSIG)."""
        return {n: v for (n, _), v in self.axfr(zone).items()}

    def update_message(self, zone, rrs, ttl=300):
        """One TSIG-signed UPDATE adding rrs [(relative name, type, data)] to zone (built, not
        sent). TXT data is one string, as it is (not zone-file text)."""
        u = dns.update.UpdateMessage(zone, **self.keyring_args())
        for name, t, data in rrs:
            if t == "TXT":
                u.add(name, ttl, dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, [data.encode()]))
            else:
                u.add(name, ttl, t, data)
        return u

    def update_messages(self, zone, groups, ttl=300):
        """TSIG-signed UPDATEs adding groups [[(name, type, data), ...], ...] to zone, as few as
        fit in a DNS message over TCP (64 KiB; a group is never split): a zone's change set.
        One message when it fits; else the groups per message estimated from a sample's wire
        size, made 10 % smaller until every message fits (100,000 A records: 1 build)."""
        def build(size):
            return [self.update_message(zone, [rr for g in groups[k:k + size] for rr in g], ttl)
                    for k in range(0, len(groups), size)]

        def fits(m):
            try:
                return bool(m.to_wire())
            except dns.exception.TooBig:
                return False

        sample = groups[:200]
        one = self.update_message(zone, [rr for g in sample for rr in g], ttl)
        if len(groups) <= len(sample) and fits(one):
            return [one]
        if fits(one):  # 200 groups fit: scale to 60,000 octets (headroom below 65,535)
            size = max(1, len(sample) * 60000 // len(one.to_wire()))
        else:
            size = len(sample) // 2
        while True:
            msgs = build(size)
            if all(fits(m) for m in msgs) or size == 1:
                return msgs
            size = max(1, size * 9 // 10)

    def send_tcp(self, msg, sock=None):
        r = dns.query.tcp(msg, "127.0.0.1", port=self.named.port, timeout=30, sock=sock)
        if r.rcode() != 0:
            raise AssertionError(f"UPDATE refused: {dns.rcode.to_text(r.rcode())}")
        return r

    def send_all_tcp(self, msgs):
        """Sends msgs in order on one TCP connection (as the controller does per server)."""
        with socket.create_connection(("127.0.0.1", self.named.port), timeout=30) as sock:
            for m in msgs:
                self.send_tcp(m, sock=sock)

    def measure_floor(self, resource, count, updates, expected, fetch):
        """The floor of a cold start, what the controller's work costs done directly:
        `kubectl get RESOURCE -A -o json` of the `count` objects (timed including the process;
        the count is checked), then updates {zone: [UPDATE messages]}, prebuilt, sent on one TCP
        connection per zone (timed); each zone's fetch(zone) must then equal expected[zone].
        Returns (kubectl_s, update_s)."""
        t0 = time.monotonic()
        p = self.kube.kubectl("get", resource, "-A", "-o", "json")
        kubectl_s = time.monotonic() - t0
        listed = len(json.loads(p.stdout)["items"])
        if listed != count:
            raise AssertionError(f"kubectl listed {listed} {resource}, expected {count}")
        t0 = time.monotonic()
        for msgs in updates.values():
            self.send_all_tcp(msgs)
        update_s = time.monotonic() - t0
        for zone in updates:
            got = fetch(zone)
            if got != expected[zone]:
                raise AssertionError(f"floor zone {zone}: {len(got)} RRsets, expected {len(expected[zone])}")
        n = sum(len(m) for m in updates.values())
        say(f"floor: kubectl get {listed} {resource} {kubectl_s:.2f} s + {n} UPDATEs (TCP, TSIG) "
            f"{update_s:.2f} s = {kubectl_s + update_s:.2f} s")
        return kubectl_s, update_s

    def converge(self, expected, fetch, poll=0.2, timeout=600):
        """Starts the controller cold; returns (seconds until every zone's fetch(zone) equals
        expected[zone], t0 on the monotonic clock). Zones are polled every ~poll s: the SOA serial
        (named bumps it on every applied UPDATE; SoaPoller, all zones at once over UDP), and fetch
        only when it moved since the last fetch; a finished zone is not polled again; data that
        is not expected fails at once."""
        pending = dict(expected)
        progress, fetched_at = {}, {}
        poller = SoaPoller(self.named.port, list(expected))
        t0 = time.monotonic()
        for c in self.controllers:
            c.start(wait_ready=False)
        last_say = t0
        while pending:
            for c in self.controllers:
                c.alive_or_raise()
            serials = poller.poll(pending)
            for zone in list(pending):
                if zone not in serials:
                    progress[zone] = "no SOA answer"
                    continue
                try:
                    serial = serials[zone]
                    if fetched_at.get(zone) == serial:
                        continue
                    t_f = time.monotonic()
                    got = fetch(zone)
                    fetched_at[zone] = serial
                    if os.environ.get("ZK_BENCH_TRACE"):
                        say(f"  trace: {zone} serial {serial} at {t_f - t0:.3f} s: {len(got)} RRsets, "
                            f"fetched in {time.monotonic() - t_f:.3f} s")
                except Exception as e:  # noqa: BLE001 - a transfer during heavy updates may fail
                    progress[zone] = f"AXFR error {e!r}"
                    continue
                progress[zone] = len(got)
                if got == pending[zone]:
                    del pending[zone]
                elif len(got) > len(pending[zone]) or any(got.get(k, v) != v for k, v in pending[zone].items()):
                    wrong = [(k, v, pending[zone].get(k)) for k, v in got.items() if pending[zone].get(k) != v]
                    raise AssertionError(f"{zone} serves something else than declared: {len(got)} RRsets, "
                                         f"e.g. (key, served, expected) {wrong[:3]}")
            now = time.monotonic()
            if not pending:
                poller.close()
                return now - t0, t0
            if now - t0 > timeout:
                raise AssertionError(f"not converged after {timeout} s: {progress}; metrics {self.metrics_summary()}")
            if now - last_say > 5:
                last_say = now
                served = sum(len(expected[z]) if z not in pending else progress.get(z, 0) if
                             isinstance(progress.get(z), int) else 0 for z in expected)
                say(f"  {now - t0:.1f} s: {served}/{sum(len(v) for v in expected.values())} RRsets served")
            time.sleep(poll)

    # -- controller

    def cpu_seconds(self):
        """utime+stime of the controller processes (/proc/PID/stat), in seconds, summed."""
        total = 0.0
        for c in self.controllers:
            with open(f"/proc/{c.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def rss_and_fds(self):
        """The controllers' resident sets (bytes, VmRSS) and open file descriptors, summed."""
        rss = fds = 0
        for c in self.controllers:
            pid = c.proc.pid
            with open(f"/proc/{pid}/status") as f:
                rss += next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
            fds += len(os.listdir(f"/proc/{pid}/fd"))
        return rss, fds

    def heap_bytes(self, state="in_use"):
        """The controllers' heap in use (zonekeeper_heap_bytes{state="in_use"}, bytes), summed: the
        live data within the resident set; state="free": what the allocator holds freed."""
        return sum(v for c in self.controllers
                   for lb, v in c.metrics().get("zonekeeper_heap_bytes", {}).get("samples", [])
                   if lb.get("state") == state)

    def wait_ready_leader(self, timeout=90):
        c = self.controller
        zkenv.wait_for(lambda: c.alive_or_raise() and c.http("/readyz")[0] == 200, timeout, 0.05,
                       desc="controller /readyz 200")
        c.wait_leader(timeout)

    def metrics_summary(self):
        """Totals over every series of the counters the benches report; dns_updates and
        dns_update_errors: zonekeeper_dns_operations_total{operation="update"} that succeeded
        and that failed."""
        ms = [c.metrics() for c in self.controllers]

        def total(fam, keep=lambda labels: True):
            return sum(v for m in ms for lb, v in m.get(fam, {}).get("samples", []) if keep(lb))
        out = {k: total(k) for k in ("zonekeeper_dns_changes_total", "zonekeeper_status_writes_total",
                                     "zonekeeper_status_write_errors_total", "zonekeeper_events_total",
                                     "zonekeeper_reconciles_total", "zonekeeper_drift_checks_total",
                                     "zonekeeper_drift_found_total", "zonekeeper_queue_retries_total")}
        ops = "zonekeeper_dns_operations_total"
        out["dns_updates"] = total(ops, lambda lb: lb.get("operation") == "update"
                                   and lb.get("result") == "success")
        out["dns_update_errors"] = total(ops, lambda lb: lb.get("operation") == "update"
                                         and lb.get("result") != "success")
        return out


def wait_watch(kube, kind, ns, value, done, t0, timeout, desc, stall_s=None):
    """Seconds from t0 until done(counts, size) holds, where counts is a Counter of value(obj)
    over the kind's objects in ns and size their number: one LIST, then a WATCH from its
    resourceVersion (repeated LISTs of thousands of objects would load the apiserver and this
    machine far more than the controller's own writes do). Raises after `timeout` s from t0,
    or (stall_s) when no object changed for stall_s seconds."""
    api = Api(kube)
    try:
        state = {o["metadata"]["name"]: value(o) for o in api.list(kind, ns, limit=0)}
        counts = collections.Counter(state.values())
        rv = api.last_list_rv

        def put(name, v):
            old = state.pop(name, _ABSENT)
            if old is not _ABSENT:
                counts[old] -= 1
                if not counts[old]:
                    del counts[old]
            if v is not _ABSENT:
                state[name] = v
                counts[v] += 1
        last_change = time.monotonic()
        while not done(counts, len(state)):
            now = time.monotonic()
            left = timeout - (now - t0)
            stalled = stall_s is not None and now - last_change >= stall_s
            if left <= 0 or stalled:
                why = f"nothing changed for {now - last_change:.0f} s" if stalled else f"not reached after {timeout} s"
                raise AssertionError(f"{desc}: {why} ({len(state)} objects, "
                                     f"most common values {counts.most_common(3)})")
            quiet_left = stall_s - (now - last_change) if stall_s is not None else left
            for ev in api.watch(kind, ns, rv, timeout_s=max(1, int(min(left, quiet_left)))):
                last_change = time.monotonic()
                o = ev["object"]
                if ev["type"] == "ERROR":
                    raise AssertionError(f"watch error: {o}")
                rv = o["metadata"].get("resourceVersion", rv)
                if ev["type"] == "DELETED":
                    put(o["metadata"]["name"], _ABSENT)
                elif ev["type"] in ("ADDED", "MODIFIED"):
                    put(o["metadata"]["name"], value(o))
                if done(counts, len(state)):
                    break
        return time.monotonic() - t0
    finally:
        api.close()


_ABSENT = object()


def wait_settled(b, timeout=600):
    """Until the controller's queue is empty and no status was written for 2 s."""
    deadline = time.monotonic() + timeout
    last, still_since = None, time.monotonic()
    while time.monotonic() < deadline:
        m = b.metrics_summary()
        writes = m["zonekeeper_status_writes_total"]
        depth = b.controller.metric("zonekeeper_queue_depth")
        if writes != last or depth > 0:
            last, still_since = writes, time.monotonic()
        elif time.monotonic() - still_since >= 2:
            return
        time.sleep(0.5)
    raise AssertionError(f"statuses did not settle in {timeout} s")


def ready(obj):
    st, _, _ = zkenv.condition(obj)
    return st == "True" and zkenv.is_current(obj)


def ready_and_annotated(obj):
    """Ready=True for the current generation and the zone annotation equal to status.zone: the
    record's status complete (both of zonekeeper's writes landed)."""
    ann = (obj["metadata"].get("annotations") or {}).get(zkenv.ZONE_ANNOTATION)
    return ready(obj) and bool(ann) and ann == (obj.get("status") or {}).get("zone")


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
