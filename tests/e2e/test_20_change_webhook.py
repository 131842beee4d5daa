"""Issue 17 (seed 003 §11.5.2): dns.zonekeeper.io/owner and /description are shown with the
record, and dns.zonekeeper.io/notify-url is told of each served change — a JSON POST to a
receiver on loopback — and of the object's deletion; a URL that would leave the machine in clear
text is refused with a Warning Event and the record is served all the same."""
import http.server
import json
import threading
import time

import zkenv
from conftest import SOURCE_SERVER_NS
from zkenv import record, wait_for

NS = "e2e-kinds"
ZONE = "kinds.test"
NOTIFY = "dns.zonekeeper.io/notify-url"


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps every POST (path, JSON body, arrival time)."""

    def __init__(self):
        self.posts = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(n) or b"{}")
                outer.posts.append((self.path, body, time.monotonic(), self.headers.get("Content-Type")))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


def with_annotations(obj, annotations):
    obj["metadata"]["annotations"] = annotations
    return obj


def test_owner_description_and_change_webhook(zk, kube, primary, controller):
    zk.setup_ns(NS)
    kube.apply([zkenv.dns_zone("kinds", NS, ZONE, ["primary", "secondary"], {"zone": "kinds"})])
    rx = Receiver()
    try:
        url = f"http://127.0.0.1:{rx.port}/hook?token=e2e-s3cret"
        t0 = time.monotonic()
        kube.apply([with_annotations(record("ARecord", "hooked", NS, "hooked", ["192.0.2.95"], {"zone": "kinds"}),
                                     {NOTIFY: url, "dns.zonekeeper.io/owner": "team-web",
                                      "dns.zonekeeper.io/description": "the shop's front door"})])
        served = wait_for(lambda: [p for p in rx.posts if p[1].get("event") == "served"],
                          desc="the webhook hears that hooked is served")
        path, msg, at, ctype = served[0]
        zkenv.log(f"webhook: served message {at - t0:.2f} s after `kubectl apply` (incl. kubectl)")
        assert path == "/hook?token=e2e-s3cret" and ctype == "application/json"
        assert msg["object"] == {**msg["object"], "kind": "ARecord", "namespace": NS, "name": "hooked"}
        assert msg["fqdn"] == f"hooked.{ZONE}." and msg["zone"] == f"{ZONE}." and msg["type"] == "A"
        assert msg["owner"] == "team-web" and msg["description"] == "the shop's front door"
        # The data was served before the message was sent.
        assert zkenv.query(primary.port, f"hooked.{ZONE}.", "A").rrs == ["192.0.2.95"]
        obj = zk.wait_cond("ARecord", "hooked", NS, "True", "Served")
        assert obj["status"]["recordHash"] == msg["recordHash"]

        # The records API shows owner and description.
        status, body, _ = controller.http("/api/v1/records")
        assert status == 200, body
        rows = [r for r in json.loads(body)["records"]
                if r["source"] and r["source"]["name"] == "hooked" and r["source"]["namespace"] == NS]
        assert rows and rows[0]["owner"] == "team-web", rows
        assert rows[0]["description"] == "the shop's front door"

        # A change of data: one more message with the new hash; unrelated re-reports send none.
        kube.patch("ARecord", "hooked", NS, {"spec": {"ipv4Addresses": ["192.0.2.96"]}})
        second = wait_for(lambda: len(rx.posts) >= 2 and rx.posts[1], desc="a second message")
        assert second[1]["event"] == "served" and second[1]["recordHash"] != msg["recordHash"]
        zkenv.wait_answer(primary.port, f"hooked.{ZONE}.", "A", ["192.0.2.96"])
        kube.patch("ARecord", "hooked", NS, {"metadata": {"labels": {"zone": "kinds", "touched": "yes"}}})
        time.sleep(2)
        assert len(rx.posts) == 2, [p[1]["event"] for p in rx.posts]

        # Deleted: one last message.
        kube.delete("ARecord", "hooked", NS)
        wait_for(lambda: len(rx.posts) >= 3 and rx.posts[2][1]["event"] == "deleted",
                 desc="the webhook hears that hooked is deleted")
        assert "e2e-s3cret" not in controller.log_tail(400), "the token never reaches the log"
    finally:
        rx.stop()


def test_plain_http_off_loopback_is_refused(zk, kube, primary):
    zk.setup_ns(NS)
    kube.apply([zkenv.dns_zone("kinds", NS, ZONE, ["primary", "secondary"], {"zone": "kinds"})])
    # Never called: the address is only in the annotation (documentation range, no traffic).
    kube.apply([with_annotations(record("ARecord", "cleartext", NS, "cleartext", ["192.0.2.97"], {"zone": "kinds"}),
                                 {NOTIFY: "http://192.0.2.1/hook?token=e2e-s3cret"})])
    zk.wait_cond("ARecord", "cleartext", NS, "True", "Served")

    def warned():
        return [e for e in kube.events_about("ARecord", "cleartext", NS, reason="InvalidNotifyURL", type="Warning")]
    evs = wait_for(warned, desc="a Warning Event InvalidNotifyURL")
    assert "not loopback" in evs[0]["note"] and "e2e-s3cret" not in evs[0]["note"], evs[0]["note"]
    kube.delete("ARecord", "cleartext", NS)


def test_owner_of_a_source_object_is_shown(zk, kube, primary, controller):
    """An Ingress's dns.zonekeeper.io/owner and /description reach /api/v1/records too."""
    zk.setup_ns(SOURCE_SERVER_NS)  # the DNSServer of the shared zone ext.test (idempotent)
    ns = "src-owner"
    kube.namespace(ns, secret_reader=False)
    kube.apply({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": {"name": "owned", "namespace": ns,
                             "annotations": {"external-dns.alpha.kubernetes.io/target": "192.0.2.99",
                                             "dns.zonekeeper.io/owner": "team-shop",
                                             "dns.zonekeeper.io/description": "checkout"}},
                "spec": {"rules": [{"host": "owned.ext.test", "http": {"paths": [{
                    "path": "/", "pathType": "Prefix",
                    "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}})
    zkenv.wait_answer(primary.port, "owned.ext.test.", "A", ["192.0.2.99"])

    def row():
        status, body, _ = controller.http("/api/v1/records")
        rows = [r for r in json.loads(body)["records"] if r["source"] and r["source"]["kind"] == "Ingress"
                and r["source"]["name"] == "owned" and r["type"] == "A"] if status == 200 else []
        return rows and rows[0]["owner"] == "team-shop" and rows[0]
    r = wait_for(row, desc="the Ingress's row names its owner")
    assert r["description"] == "checkout"
    kube.delete("ingress", "owned", ns)
    zkenv.wait_rcode(primary.port, "owned.ext.test.", "A", "NXDOMAIN")
