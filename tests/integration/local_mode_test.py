"""`zonekeeper local` as a user runs it: a folder of manifests served by the BIND 9 named that
zonekeeper starts, checked with dnspython (an independent client): edits, deleted and new files,
a broken file, a restart, the hosts file and the HTTP endpoints."""
import fcntl
import json
import os
import random
import signal
import subprocess
import time
import urllib.error
import urllib.request

import metrics_catalog as mc  # tests/support (on the path: tests/integration/CMakeLists.txt)
import dns.message
import dns.query
import dns.rcode
import pytest

ZK = os.environ["ZK_BIN"]
LOCK_DIR = "/tmp/zk-loopback-ports"


def free_port():
    """A loopback port below the ephemeral range, unused, locked like tests/support does."""
    os.makedirs(LOCK_DIR, exist_ok=True)
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        low = int(f.read().split()[0])
    used = set()
    for table in ("tcp", "udp", "tcp6", "udp6"):
        try:
            with open(f"/proc/net/{table}") as f:
                for line in f.readlines()[1:]:
                    used.add(int(line.split()[1].split(":")[1], 16))
        except OSError:
            pass
    for _ in range(500):
        p = random.randint(max(1025, low - 12000), low - 1)
        if p in used:
            continue
        fd = open(f"{LOCK_DIR}/{p}.lock", "w")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fd.close()
            continue
        return p, fd
    raise RuntimeError("no free port")


def zone_yaml(zone, name=None):
    return f"""apiVersion: dns.zonekeeper.io/v1alpha1
kind: DNSZone
metadata:
  name: {name or zone.replace('.', '-')}
spec:
  zoneName: {zone}
  recordsFrom:
    - selector:
        matchLabels:
          zone: {zone}
"""


def a_yaml(name, zone, host, *addrs):
    return f"""apiVersion: dns.zonekeeper.io/v1alpha1
kind: ARecord
metadata:
  name: {name}
  labels: {{zone: {zone}}}
spec:
  name: {host}
  ipv4Addresses: [{", ".join(addrs)}]
"""


class Local:
    def __init__(self, folder, state, extra=()):
        self.folder, self.state = folder, state
        self.port, self._lock = free_port()
        self.log = open(os.path.join(state + ".log"), "a+")
        self.proc = subprocess.Popen(
            [ZK, "local", "--manifests", folder, "--state-dir", state,
             "--listen", f"127.0.0.1:{self.port}", *extra],
            stdout=self.log, stderr=subprocess.STDOUT, text=True)

    def output(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def query(self, name, rtype="A"):
        q = dns.message.make_query(name, rtype)
        r = dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.5)
        return r

    def answer(self, name, rtype="A"):
        """(rcode, sorted answers as text); ('down', []) when named does not answer."""
        try:
            r = self.query(name, rtype)
        except Exception:  # noqa: BLE001 - timeouts while named starts
            return ("down", [])
        out = []
        for rrset in r.answer:
            out += [rd.to_text() for rd in rrset]
        return (dns.rcode.to_text(r.rcode()), sorted(out))

    def wait(self, name, rtype, want, timeout=20.0):
        deadline = time.monotonic() + timeout
        got = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"zonekeeper exited ({self.proc.returncode}):\n{self.output()}")
            got = self.answer(name, rtype)
            if got == want:
                return time.monotonic()
            time.sleep(0.01)
        raise AssertionError(f"{name} {rtype}: want {want}, got {got}\n{self.output()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        self._lock.close()
        return self.proc.returncode


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "manifests"
    d.mkdir()
    return d


def write(path, text):
    # As an editor that saves in place would: one open/write/close.
    with open(path, "w") as f:
        f.write(text)


def test_serve_edit_delete_add_and_broken_files(folder, tmp_path):
    write(folder / "zone.yaml", zone_yaml("local.test"))
    write(folder / "www.yaml", a_yaml("www", "local.test", "www", "192.0.2.1"))
    write(folder / "api.yaml", a_yaml("api", "local.test", "api", "192.0.2.7"))
    z = Local(str(folder), str(tmp_path / "state"))
    try:
        z.wait("www.local.test", "A", ("NOERROR", ["192.0.2.1"]))
        z.wait("api.local.test", "A", ("NOERROR", ["192.0.2.7"]))

        # An edit is served (well within a second; the benchmark measures it precisely).
        write(folder / "www.yaml", a_yaml("www", "local.test", "www", "192.0.2.2", "192.0.2.3"))
        t0 = time.monotonic()
        t1 = z.wait("www.local.test", "A", ("NOERROR", ["192.0.2.2", "192.0.2.3"]), timeout=5)
        assert t1 - t0 < 2.0

        # A deleted file: its record is gone.
        os.unlink(folder / "www.yaml")
        z.wait("www.local.test", "A", ("NXDOMAIN", []), timeout=5)
        assert z.answer("api.local.test") == ("NOERROR", ["192.0.2.7"])

        # A new zone: served, and the old one keeps answering meanwhile.
        write(folder / "other.yaml",
              zone_yaml("other.test") + "---\n" + a_yaml("host", "other.test", "host", "192.0.2.9"))
        z.wait("host.other.test", "A", ("NOERROR", ["192.0.2.9"]), timeout=10)
        assert z.answer("api.local.test") == ("NOERROR", ["192.0.2.7"])

        # A broken file: reported with file:line; a good document beside it is served.
        write(folder / "bad.yaml",
              a_yaml("good", "local.test", "good", "192.0.2.20") +
              "---\napiVersion: dns.zonekeeper.io/v1alpha1\nkind: ARecord\nmetadata: {name: [x\n")
        z.wait("good.local.test", "A", ("NOERROR", ["192.0.2.20"]), timeout=5)
        deadline = time.monotonic() + 5
        while "bad.yaml:" not in z.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        out = z.output()
        line = [l for l in out.splitlines() if "bad.yaml:" in l]
        assert line, out
        assert f"{folder}/bad.yaml:" in line[0]
        num = int(line[0].split("bad.yaml:")[1].split(":")[0])
        assert 11 <= num <= 14, line[0]
        assert z.answer("api.local.test") == ("NOERROR", ["192.0.2.7"])

        # An invalid spec: the record is not served, the reason is logged with where it is.
        write(folder / "invalid.yaml", a_yaml("broken", "local.test", "broken", "192.0.2.300"))
        deadline = time.monotonic() + 5
        while "invalid.yaml:1" not in z.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "InvalidSpec" in z.output()
        assert z.answer("broken.local.test")[0] == "NXDOMAIN"

        # Removing the zone's file: the zone is no longer served; the other zone still is.
        os.unlink(folder / "other.yaml")
        z.wait("host.other.test", "A", ("REFUSED", []), timeout=10)
        assert z.answer("api.local.test") == ("NOERROR", ["192.0.2.7"])
    finally:
        assert z.stop() == 0


def test_records_of_a_zone_that_turns_invalid_are_zone_not_ready(folder, tmp_path):
    """A DNSZone edited into an invalid spec is no longer served, and the records it served say
    so — ZoneNotReady, naming the zone's InvalidSpec — instead of keeping a stale "served"."""
    write(folder / "zone.yaml", zone_yaml("inv.test", name="inv-test"))
    write(folder / "a.yaml", a_yaml("a", "inv.test", "a", "192.0.2.1"))
    z = Local(str(folder), str(tmp_path / "state"))
    try:
        z.wait("a.inv.test", "A", ("NOERROR", ["192.0.2.1"]))
        write(folder / "zone.yaml", zone_yaml("inv.test", name="inv-test").replace(
            "zoneName: inv.test", "zoneName: inv..test"))
        deadline = time.monotonic() + 10
        lines = []
        while time.monotonic() < deadline and not lines:
            lines = [l for l in z.output().splitlines()
                     if "ZoneNotReady" in l and "a.inv.test" in l and "InvalidSpec" in l]
            time.sleep(0.05)
        assert lines, z.output()
        # (Local mode's named serves valid zones only: it refuses inv.test meanwhile.)
        z.wait("a.inv.test", "A", ("REFUSED", []), timeout=10)
        # Valid again: served again.
        write(folder / "zone.yaml", zone_yaml("inv.test", name="inv-test"))
        z.wait("a.inv.test", "A", ("NOERROR", ["192.0.2.1"]), timeout=10)
    finally:
        assert z.stop() == 0


def test_restart_converges(folder, tmp_path):
    state = str(tmp_path / "state")
    write(folder / "zone.yaml", zone_yaml("restart.test"))
    write(folder / "a.yaml", a_yaml("a", "restart.test", "a", "192.0.2.1"))
    write(folder / "b.yaml", a_yaml("b", "restart.test", "b", "192.0.2.2"))
    z = Local(str(folder), state)
    try:
        z.wait("a.restart.test", "A", ("NOERROR", ["192.0.2.1"]))
        z.wait("b.restart.test", "A", ("NOERROR", ["192.0.2.2"]))
    finally:
        assert z.stop() == 0
    # named is gone with it.
    assert z.answer("a.restart.test")[0] == "down"

    # Meanwhile: one file deleted, one edited.
    os.unlink(folder / "b.yaml")
    write(folder / "a.yaml", a_yaml("a", "restart.test", "a", "192.0.2.5"))
    z = Local(str(folder), state)
    try:
        z.wait("a.restart.test", "A", ("NOERROR", ["192.0.2.5"]))
        z.wait("b.restart.test", "A", ("NXDOMAIN", []), timeout=10)
    finally:
        assert z.stop() == 0


def test_hosts_file_and_http(folder, tmp_path):
    hosts = tmp_path / "hosts"
    before = b"127.0.0.1\tlocalhost\n# a comment  with  spaces\n"
    after = b"10.0.0.1 after.example\n"
    # A block already there (e.g. from an earlier run), text around it.
    hosts.write_bytes(before + b"# BEGIN zonekeeper\n192.0.2.99 stale.test\n# END zonekeeper\n"
                      + after)
    os.chmod(hosts, 0o640)
    write(folder / "zone.yaml", zone_yaml("hosts.test"))
    write(folder / "r.yaml", a_yaml("www", "hosts.test", "www", "192.0.2.11", "192.0.2.10") +
          "---\n" + a_yaml("db", "hosts.test", "db", "192.0.2.30") + """---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: AAAARecord
metadata: {name: www, labels: {zone: hosts.test}}
spec: {name: www, ipv6Addresses: ["2001:db8::1"]}
---
apiVersion: dns.zonekeeper.io/v1alpha1
kind: TXTRecord
metadata: {name: t, labels: {zone: hosts.test}}
spec: {name: www, texts: [not in hosts]}
""")
    http_port, http_lock = free_port()
    z = Local(str(folder), str(tmp_path / "state"),
              ["--hosts-file", str(hosts), "--http", f"127.0.0.1:{http_port}"])
    want = (b"# BEGIN zonekeeper (managed by `zonekeeper local --hosts-file`; edits here are "
            b"replaced)\n192.0.2.30 db.hosts.test\n192.0.2.10 www.hosts.test\n"
            b"192.0.2.11 www.hosts.test\n2001:db8::1 www.hosts.test\n# END zonekeeper\n")
    try:
        z.wait("www.hosts.test", "AAAA", ("NOERROR", ["2001:db8::1"]))

        def wait_hosts(block):
            deadline = time.monotonic() + 5
            while hosts.read_bytes() != before + block + after and time.monotonic() < deadline:
                time.sleep(0.02)
            assert hosts.read_bytes() == before + block + after

        wait_hosts(want)
        assert os.stat(hosts).st_mode & 0o7777 == 0o640
        inode = os.stat(hosts).st_ino
        assert sorted(os.listdir(tmp_path)) == sorted(["hosts", "manifests", "state", "state.log"])

        # Unchanged data: the file is not rewritten (same inode: no rename happened).
        write(folder / "unrelated.yaml", a_yaml("t2", "nothing.test", "x", "192.0.2.77"))
        time.sleep(0.5)
        assert os.stat(hosts).st_ino == inode

        # A changed record: a new block, atomically (a new inode), the rest byte-identical.
        write(folder / "r.yaml", a_yaml("db", "hosts.test", "db", "192.0.2.31"))
        wait_hosts(b"# BEGIN zonekeeper (managed by `zonekeeper local --hosts-file`; edits here "
                   b"are replaced)\n192.0.2.31 db.hosts.test\n# END zonekeeper\n")
        assert os.stat(hosts).st_ino != inode
        assert os.stat(hosts).st_mode & 0o7777 == 0o640

        health = urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz", timeout=5)
        assert health.status == 200
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics",
                                         timeout=5).read().decode()
        assert "zonekeeper_zones 1" in metrics
        # docs/metrics.md's catalog, promtool-clean; what moves in local mode has moved.
        mc.check_with_promtool(metrics)
        mc.assert_matches_catalog(metrics)
        totals = mc.totals(metrics)
        still = [f for f, row in mc.catalog().items()
                 if row["moves"] and "L" in row["modes"] and not totals.get(f)]
        assert not still, f"never moved in local mode: {still}"
        assert 'zonekeeper_records{kind="ARecord",state="Served",zone=' in metrics
        assert 'zonekeeper_watched_objects{kind="DNSZone"} 1' in metrics
        doc = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{http_port}/api/v1/status",
                                                timeout=5).read())
        assert doc["mode"] == "local" and doc["leader"] is True and doc["ready"] is True, doc
        assert [(z["zone"], z["ready"]["status"]) for z in doc["zones"]] == [("hosts.test.", "True")], doc
        assert doc["zones"][0]["servers"][0]["serial"] is not None, doc["zones"][0]
        assert doc["reconciles"]["errorsInWindow"] == 0, doc["reconciles"]
        check = json.loads(urllib.request.urlopen(
            f"http://127.0.0.1:{http_port}/api/v1/test-dns?hostname=db.hosts.test", timeout=5).read())
        assert check["agree"] is True and check["expected"]["values"] == ["192.0.2.31"], check
        assert check["expected"]["sources"] == [{"kind": "ARecord", "namespace": "default", "name": "db"}], check
        assert [(s["rcode"], s["values"]) for s in check["servers"]] == [("NOERROR", ["192.0.2.31"])], check
        # The web UI and its API in local mode: no API server, no token; record writes are the
        # folder's (501); resync works; the event stream carries the log's JSON lines.
        base = f"http://127.0.0.1:{http_port}"
        page = urllib.request.urlopen(f"{base}/ui", timeout=5)
        assert page.status == 200 and "/ui/app.js" in page.read().decode()
        rows = json.loads(urllib.request.urlopen(f"{base}/api/v1/records", timeout=5).read())["records"]
        db = [r for r in rows if r["name"] == "db.hosts.test." and r["type"] == "A"]
        assert len(db) == 1 and db[0]["values"] == ["192.0.2.31"] and db[0]["reason"] == "Served", rows
        assert db[0]["source"] == {"kind": "ARecord", "namespace": "default", "name": "db"}, db
        resync = urllib.request.Request(f"{base}/api/v1/resync", data=b"{}", method="POST")
        assert json.loads(urllib.request.urlopen(resync, timeout=5).read()) == {"queued": 1}
        create = urllib.request.Request(f"{base}/api/v1/records", method="POST", data=json.dumps(
            {"kind": "ARecord", "metadata": {"name": "x", "namespace": "default"}, "spec": {}}).encode())
        try:
            urllib.request.urlopen(create, timeout=5)
            raise AssertionError("a record create in local mode was accepted")
        except urllib.error.HTTPError as e:
            assert e.code == 501 and "edit them there" in json.loads(e.read())["error"]
        with urllib.request.urlopen(f"{base}/api/v1/events?backlog=1000", timeout=5) as stream:
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            seen = ""
            while "resync every zone from the UI" not in seen:
                line = stream.readline().decode()
                assert line, "the stream ended"
                seen += line
            events = [json.loads(l[len("data: "):]) for l in seen.splitlines() if l.startswith("data: ")]
            assert any(e.get("action") == "resync" and e.get("user") == "(local)" for e in events), events
    finally:
        assert z.stop() == 0
        http_lock.close()


def test_bad_flags(tmp_path):
    p = subprocess.run([ZK, "local", "--manifests", str(tmp_path / "missing")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert "not a folder" in p.stderr
    p = subprocess.run([ZK, "local", "--manifests", str(tmp_path), "--listen", "nonsense:x"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert "--listen" in p.stderr
