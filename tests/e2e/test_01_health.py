"""/healthz, /readyz and /metrics of a running controller (leader election on, caches synced)."""
import json
import os
import socket
import threading
import urllib.parse

import yaml

import zkenv

FAMILIES = {
    "zonekeeper_reconciles_total": "counter",
    "zonekeeper_dns_updates_total": "counter",
    "zonekeeper_dns_update_errors_total": "counter",
    "zonekeeper_drift_found_total": "counter",
    "zonekeeper_status_writes_total": "counter",
    "zonekeeper_leader": "gauge",
    "zonekeeper_informers_synced": "gauge",
}


def test_healthz_readyz(controller):
    status, _, _ = controller.http("/healthz")
    assert status == 200
    status, _, _ = controller.http("/readyz")
    assert status == 200


def test_metrics_parse_as_prometheus_text(controller):
    status, body, ctype = controller.http("/metrics")
    assert status == 200
    assert ctype.startswith("text/plain"), ctype
    fams = zkenv.parse_prometheus(body)  # raises on any malformed line
    for name, mtype in FAMILIES.items():
        assert name in fams, f"metric family {name} missing; have {sorted(fams)}"
        assert fams[name]["type"] == mtype, f"{name}: TYPE {fams[name]['type']}, want {mtype}"
    # One controller, leader election on: it leads, and its informers are synced.
    assert [v for _, v in fams["zonekeeper_leader"]["samples"]] == [1.0]
    synced = fams["zonekeeper_informers_synced"]["samples"]
    assert synced and all(v == 1.0 for _, v in synced), synced


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
