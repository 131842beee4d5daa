"""/healthz, /readyz and /metrics of a running controller (leader election on, caches synced)."""
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.parse

import yaml

import zkenv
from zkenv import record

sys.path.insert(0, os.path.join(zkenv.REPO, "tests", "support"))
import metrics_catalog as mc  # noqa: E402

def test_healthz_readyz(controller):
    status, _, _ = controller.http("/healthz")
    assert status == 200
    status, _, _ = controller.http("/readyz")
    assert status == 200


def test_metrics_pass_promtool_and_match_the_catalog(controller):
    status, body, ctype = controller.http("/metrics")
    assert status == 200
    assert ctype.startswith("text/plain"), ctype
    zkenv.parse_prometheus(body)  # raises on any malformed line
    mc.check_with_promtool(body)
    mc.assert_matches_catalog(body)
    fams = zkenv.parse_prometheus(body)
    # One controller, leader election on: it leads, and its informers are synced.
    assert [v for _, v in fams["zonekeeper_leader"]["samples"]] == [1.0]
    synced = fams["zonekeeper_informers_synced"]["samples"]
    assert synced and all(v == 1.0 for _, v in synced), synced
    assert [v for _, v in fams["zonekeeper_build_info"]["samples"]] == [1.0]


MOVES_NS = "e2e-metrics"


def test_catalog_series_move_when_a_record_is_served(zk, kube, controller, primary, tmp_path):
    """Every family docs/metrics.md marks *moves* changes when a new zone and record are
    applied and served, and a CNAME at the same name is refused (a Warning Event); the per-zone
    and per-kind gauges say what is there."""
    zk.setup_ns(MOVES_NS)
    before = mc.totals(controller.http("/metrics")[1])
    label = {"zone": "metrics"}
    kube.apply([zkenv.dns_zone("metrics", MOVES_NS, "metrics.test", ["primary"], label, drift="Report"),
                record("ARecord", "www", MOVES_NS, "www", ["192.0.2.80"], label)])
    zk.wait_cond("ARecord", "www", MOVES_NS, "True", "Served")
    zkenv.wait_answer(primary.port, "www.metrics.test.", "A", ["192.0.2.80"])
    zk.wait_cond("DNSZone", "metrics", MOVES_NS, "True", "AllReady")
    kube.apply([record("CNAMERecord", "www-alias", MOVES_NS, "www", "elsewhere.example.", label)])
    zk.wait_cond("CNAMERecord", "www-alias", MOVES_NS, "False", "Conflict")

    def moved():
        text = controller.http("/metrics")[1]
        after = mc.totals(text)
        still = [f for f, row in mc.catalog().items()
                 if row["moves"] and "C" in row["modes"] and after.get(f, 0) <= before.get(f, 0)]
        return text if not still else None
    try:
        text = zkenv.wait_for(moved, timeout=15, desc="every *moves* family moved")
    except zkenv.WaitTimeout:
        after = mc.totals(controller.http("/metrics")[1])
        raise AssertionError("did not move: " + ", ".join(
            f for f, row in mc.catalog().items()
            if row["moves"] and "C" in row["modes"] and after.get(f, 0) <= before.get(f, 0)))
    fams = zkenv.parse_prometheus(text)

    def sample(family, **labels):
        return sum(v for lb, v in fams[family]["samples"]
                   if all(lb.get(k) == w for k, w in labels.items()))
    assert sample("zonekeeper_records", zone=f"{MOVES_NS}/metrics", kind="ARecord", state="Served") == 1
    assert sample("zonekeeper_records", zone=f"{MOVES_NS}/metrics", kind="CNAMERecord",
                  state="Conflict") == 1
    assert sample("zonekeeper_events_total", reason="Conflict") >= 1
    assert sample("zonekeeper_watched_objects", kind="ARecord") >= 1
    assert sample("zonekeeper_watched_objects", kind="DNSZone") >= 1
    assert sample("zonekeeper_dns_operations_total", server=f"{MOVES_NS}/primary", operation="update",
                  result="success") >= 1
    assert sample("zonekeeper_kube_requests_total", verb="PATCH") >= 1
    assert sample("zonekeeper_kube_requests_total", verb="WATCH", code="200") >= 1
    assert sample("process_resident_memory_bytes") > 1e6

    # /api/v1/status: the same zone as the DNSZone's status says, with the primary's serial.
    status, body, ctype = controller.http("/api/v1/status")
    assert status == 200 and ctype.startswith("application/json"), (status, ctype)
    doc = json.loads(body)
    assert doc["mode"] == "cluster" and doc["leader"] is True and doc["ready"] is True, doc
    assert doc["identity"] == controller.identity
    mine = [z for z in doc["zones"] if (z["namespace"], z["name"]) == (MOVES_NS, "metrics")]
    assert len(mine) == 1, doc["zones"]
    z = mine[0]
    assert z["zone"] == "metrics.test." and z["recordCount"] == 1 and z["recordObjectsServed"] == 1, z
    zone_obj = kube.get("DNSZone", "metrics", MOVES_NS)
    ready = [c for c in zone_obj["status"]["conditions"] if c["type"] == "Ready"][0]
    assert (z["ready"]["status"], z["ready"]["reason"]) == (ready["status"], ready["reason"]), (z, ready)
    served_serial = zkenv.query(primary.port, "metrics.test.", "SOA").rrs[0].split()[2]
    assert [(s["name"], s["role"], str(s["serial"])) for s in z["servers"]] == \
        [("primary", "Primary", served_serial)], z["servers"]
    assert doc["reconciles"]["total"] >= 1 and doc["reconciles"]["last"]["at"], doc["reconciles"]
    assert doc["zoneCount"] == len(doc["zones"]) and doc["queue"]["depth"] >= 0

    # /api/v1/test-dns: what should be served, from which object, and what the primary answers.
    def test_dns(query):
        status, body, ctype = controller.http("/api/v1/test-dns?" + query)
        assert ctype.startswith("application/json"), ctype
        return status, json.loads(body)
    status, doc = test_dns("hostname=www.metrics.test&type=A")
    assert status == 200, doc
    assert doc["zone"] == "metrics.test." and doc["zoneSource"] == f"DNSZone {MOVES_NS}/metrics", doc
    assert doc["expected"]["values"] == ["192.0.2.80"], doc
    assert doc["expected"]["sources"] == [{"kind": "ARecord", "namespace": MOVES_NS, "name": "www"}], doc
    assert [(s["server"], s["rcode"], s["values"], s["agrees"]) for s in doc["servers"]] == \
        [(f"{MOVES_NS}/primary", "NOERROR", ["192.0.2.80"], True)], doc
    assert doc["agree"] is True
    # Data written around zonekeeper (driftPolicy Report keeps it): the servers disagree.
    zkenv.nsupdate(primary.port, "metrics.test", primary.key, adds=[("rogue.metrics.test.", 60, "A", "192.0.2.99")])
    status, doc = test_dns("hostname=rogue.metrics.test.")
    assert status == 200 and doc["expected"]["values"] == [] and doc["agree"] is False, doc
    assert doc["servers"][0]["values"] == ["192.0.2.99"] and doc["servers"][0]["ttl"] == 60, doc
    # Bad input: 400 with a JSON error.
    status, doc = test_dns("hostname=www.elsewhere.invalid")
    assert status == 400 and "in no zone zonekeeper manages" in doc["error"], doc
    status, doc = test_dns("hostname=a..b")
    assert status == 400 and doc["error"].startswith("hostname: "), doc
    status, doc = test_dns("type=A")
    assert status == 400 and "hostname is required" in doc["error"], doc

    # /api/v1/export: the zone as a zone document that `zonekeeper import` takes as it is; against
    # the primary it changes nothing (the rogue record is at a name the document does not hold).
    status, body, ctype = controller.http("/api/v1/export?zone=metrics.test")
    assert status == 200 and ctype.startswith("application/yaml"), (status, ctype, body)
    doc = yaml.safe_load(body)
    records = [(r["name"], r["type"], r["values"]) for r in doc["records"]]
    assert doc["zone"] == "metrics.test." and ("www", "A", ["192.0.2.80"]) in records, body
    assert not any(n.startswith("rogue") or t == "CNAME" for n, t, _ in records), body
    exported = tmp_path / "metrics.yaml"
    exported.write_text(body)
    key = tmp_path / "tsig.key"
    key.write_text(f'key "{primary.key.name}" {{ algorithm {primary.key.algorithm}; secret "{primary.key.secret}"; }};\n')
    p = subprocess.run([zkenv.ZK_BIN, "import", str(exported), "--server", f"127.0.0.1:{primary.port}",
                        "--zone", "metrics.test", "--tsig-key-file", str(key), "--dry-run"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "nothing to change" in p.stderr, p.stderr + p.stdout
    status, body, _ = controller.http("/api/v1/export")
    assert status == 200 and "# DNSZone e2e-metrics/metrics\nzone: metrics.test.\n" in body, body
    status, body, _ = controller.http("/api/v1/export?zone=nowhere.test")
    assert status == 400 and json.loads(body)["error"] == "zonekeeper manages no zone nowhere.test.", body

    # The zone goes: its record series go with it.
    kube.delete("DNSZone", "metrics", MOVES_NS)
    zkenv.wait_for(lambda: not any(lb.get("zone") == f"{MOVES_NS}/metrics" for lb, _ in
                                   controller.metrics()["zonekeeper_records"]["samples"]),
                   timeout=15, desc="zonekeeper_records of the deleted zone gone")


def test_lease_held_by_the_controller(kube, controller):
    lease = zkenv.wait_for(lambda: kube.get("lease", "zonekeeper-controller", "zonekeeper-system"),
                           desc="Lease zonekeeper-system/zonekeeper-controller")
    assert lease["spec"]["holderIdentity"] == controller.identity


def test_logs_are_json_lines(controller):
    with open(controller.log_path, errors="replace") as f:
        lines = [l for l in f if l.strip() and not l.startswith("---- e2e:")]
    assert lines, "the controller logged nothing"
    for l in lines:
        assert isinstance(json.loads(l), dict), l


class TcpProxy:
    """127.0.0.1:port → target, one thread per direction; stop() closes the listener and every
    connection (the API server "goes away" for whoever talks through it), start() again on the
    same port."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.port = zkenv.free_port()
        self.sockets, self.listener = [], None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets = []


def test_readyz_says_why_when_the_api_server_goes_away(kube, workdir):
    """/readyz is re-checked: 503 with a reason line while the API server does not answer (its
    /version is probed every 5 s), 200 again when it does — without a restart."""
    url = urllib.parse.urlparse(kube.url)
    proxy = TcpProxy(url.hostname, url.port)
    proxy.start()
    c = zkenv.Controller(kube, os.path.join(workdir, "controller-readyz"), identity="zk-readyz",
                         extra=["--hosts-file", os.path.join(workdir, "hosts-readyz"), "--source", "ingress",
                                "--domain-filter", "readyz.test"])
    with open(c.kubeconfig) as f:
        cfg = yaml.safe_load(f)
    cfg["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{proxy.port}"
    with open(c.kubeconfig, "w") as f:
        yaml.safe_dump(cfg, f)
    try:
        c.start(wait_ready=True)
        proxy.stop()
        status, body, _ = zkenv.wait_for(
            lambda: (lambda r: r if r[0] == 503 else None)(c.http("/readyz")), desc="/readyz 503")
        assert body.startswith("API server unreachable since "), body
        assert zkenv.wait_for(lambda: "API server does not answer" in open(c.log_path).read(),
                              desc="the loss is logged")
        proxy.start()
        zkenv.wait_for(lambda: c.http("/readyz")[0] == 200, desc="/readyz 200 again")
        assert c.http("/healthz")[0] == 200 and c.starts == 1
    finally:
        c.stop()
        proxy.stop()
