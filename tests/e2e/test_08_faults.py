"""Faults: a stopped primary, a wrong TSIG secret, a deleted Secret, a Secret the controller may
not read, a zone missing on the server. Each gives the documented reasons, a zone on another
server keeps serving meanwhile, and recovery needs no manual step (docs/api.md, "Conditions
and reasons"). The faulty server is the auxiliary named, which nothing else depends on."""
import base64
import os

import zkenv
from zkenv import condition, record

NS = "e2e-fault"
FAULT = {"zone": "fault"}
KEEP = {"zone": "keep"}


class KeepServing:
    """The zone on the healthy shared primary: each call changes its record and waits until the
    new data is served and Ready."""

    def __init__(self, zk, kube, primary):
        self.zk, self.kube, self.primary, self.n = zk, kube, primary, 0

    def __call__(self):
        self.n += 1
        addr = f"192.0.2.{100 + self.n}"
        self.kube.apply([record("ARecord", "k1", NS, "k1", [addr], KEEP)])
        self.zk.wait_cond("ARecord", "k1", NS, "True", "Served")
        zkenv.wait_answer(self.primary.port, "k1.keep.test.", "A", [addr])
        self.zk.wait_cond("DNSZone", "keep", NS, "True", "AllReady")


def all_healthy(zk, aux, f2_addr):
    zk.wait_cond("DNSServer", "aux", NS, "True", "Reachable")
    zk.wait_cond("ARecord", "f1", NS, "True", "Served")
    zk.wait_cond("ARecord", "f2", NS, "True", "Served")
    zk.wait_cond("DNSZone", "fault", NS, "True", "AllReady")
    zkenv.wait_answer(aux.port, "f1.fault.test.", "A", ["192.0.2.31"])
    zkenv.wait_answer(aux.port, "f2.fault.test.", "A", [f2_addr])


def broken(zk, server_reason, record_reason, keep):
    """The aux server, its zone and its records say why; f2 is changed during the fault and gets
    the record reason for its new generation; the other zone keeps serving."""
    zk.wait_cond("DNSServer", "aux", NS, "False", server_reason)
    if record_reason:
        zk.wait_cond("ARecord", "f1", NS, "False", record_reason)
    z = zk.wait_cond("DNSZone", "fault", NS, "False", "NotReady")
    # "the message carries the servers' reasons", and names the server (docs/api.md).
    assert server_reason in condition(z)[2] and f"{NS}/aux" in condition(z)[2], condition(z)
    keep()


def set_f2(kube, addr):
    kube.apply([record("ARecord", "f2", NS, "f2", [addr], FAULT)])


def test_faults_and_recovery(zk, kube, primary, aux):
    zk.setup_ns(NS, with_aux=True)
    kube.apply([zkenv.dns_zone("fault", NS, "fault.test", ["aux"], FAULT),
                zkenv.dns_zone("keep", NS, "keep.test", ["primary"], KEEP),
                record("ARecord", "f1", NS, "f1", ["192.0.2.31"], FAULT),
                record("ARecord", "f2", NS, "f2", ["192.0.2.32"], FAULT),
                record("ARecord", "k1", NS, "k1", ["192.0.2.100"], KEEP)])
    keep = KeepServing(zk, kube, primary)
    all_healthy(zk, aux, "192.0.2.32")
    keep()
    try:
        inject_and_recover(zk, kube, aux, keep)
    finally:  # whatever failed, later tests get a working aux server and Secret
        if not aux.running():
            aux.start()
        kube.apply([zkenv.tsig_secret("tsig-aux", NS, aux.key)])


def inject_and_recover(zk, kube, aux, keep):

    # --- The primary stops: ServerUnreachable; it comes back on the same port: recovered,
    # including the change made meanwhile, without any kubectl action after the restart.
    aux.stop()
    broken(zk, "ServerUnreachable", "ServerUnreachable", keep)
    # The change of verdict is an Event too: Warning into the failure, Normal on recovery, on the
    # DNSZone only: the failure is the zone's, and a zone of 10,000 records must not write
    # 10,000 Events (docs/api.md, "Events"); each record's status says it all the same.
    zkenv.wait_for(lambda: kube.events_about("DNSZone", "fault", NS, reason="NotReady",
                                             type="Warning"), desc="Warning Event on the zone")
    set_f2(kube, "192.0.2.33")
    zk.wait_cond("ARecord", "f2", NS, "False", "ServerUnreachable")
    aux.start()
    all_healthy(zk, aux, "192.0.2.33")
    zkenv.wait_for(lambda: kube.events_about("DNSZone", "fault", NS, reason="AllReady",
                                             type="Normal"), desc="Normal Event on the zone")
    # Events are written in the order recorded: the records' would have come before the zone's.
    for name in ("f1", "f2"):
        assert kube.events_about("ARecord", name, NS) == [], kube.events_about("ARecord", name, NS)

    # --- A wrong TSIG secret (valid base64, another key): TsigAuthFailed; fixed: recovered.
    wrong = base64.b64encode(os.urandom(32)).decode()
    kube.patch("Secret", "tsig-aux", NS, {"stringData": {"secret": wrong}})
    broken(zk, "TsigAuthFailed", "TsigAuthFailed", keep)
    set_f2(kube, "192.0.2.34")
    zk.wait_cond("ARecord", "f2", NS, "False", "TsigAuthFailed")
    assert zkenv.query(aux.port, "f2.fault.test.", "A").rrs == ["192.0.2.33"]
    kube.patch("Secret", "tsig-aux", NS, {"stringData": {"secret": aux.key.secret}})
    all_healthy(zk, aux, "192.0.2.34")

    # --- The Secret is deleted: SecretNotFound on the server, its zone NotReady; recreated:
    # recovered.
    kube.kubectl("delete", "secret", "tsig-aux", "-n", NS)
    broken(zk, "SecretNotFound", None, keep)
    kube.apply([zkenv.tsig_secret("tsig-aux", NS, aux.key)])
    all_healthy(zk, aux, "192.0.2.34")

    # --- A Secret with a bad algorithm: SecretInvalid.
    kube.patch("Secret", "tsig-aux", NS, {"stringData": {"algorithm": "hmac-md4"}})
    broken(zk, "SecretInvalid", None, keep)
    kube.apply([zkenv.tsig_secret("tsig-aux", NS, aux.key)])
    all_healthy(zk, aux, "192.0.2.34")


def test_zone_missing_on_server(zk, kube, primary):
    zk.setup_ns(NS, with_aux=True)
    kube.apply([zkenv.dns_zone("keep", NS, "keep.test", ["primary"], KEEP),
                record("ARecord", "k1", NS, "k1", ["192.0.2.100"], KEEP),
                zkenv.dns_zone("missing", NS, "missing.test", ["primary"], {"zone": "missing"}),
                record("ARecord", "m1", NS, "m1", ["192.0.2.41"], {"zone": "missing"})])
    zk.wait_cond("ARecord", "m1", NS, "False", "ZoneNotFound")
    z = zk.wait_cond("DNSZone", "missing", NS, "False", "NotReady")
    assert "ZoneNotFound" in condition(z)[2] and f"{NS}/primary" in condition(z)[2], condition(z)
    # The same server keeps serving the zones it has.
    KeepServing(zk, kube, primary)()
    zk.wait_cond("DNSServer", "primary", NS, "True", "Reachable")


def test_secret_forbidden_without_reader_binding(zk, kube):
    ns = "e2e-forbid"
    zk.setup_ns(ns, secret_reader=False)
    kube.apply([zkenv.dns_zone("forbid", ns, "forbid.test", ["primary"], {"zone": "forbid"})])
    zk.wait_cond("DNSServer", "primary", ns, "False", "SecretForbidden")
    z = zk.wait_cond("DNSZone", "forbid", ns, "False", "NotReady")
    assert "SecretForbidden" in condition(z)[2] and f"{ns}/primary" in condition(z)[2], condition(z)
