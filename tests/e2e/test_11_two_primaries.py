"""A zone with two Primaries (docs/api.md, DNSZone and record conditions): both get every change;
when one fails the other still gets changes, the zone is PartiallyReady and the records say
which server failed; when it returns, it catches up without any kubectl action."""
import zkenv
from zkenv import condition, record

NS = "e2e-multi"
SEL = {"zone": "multi"}


def test_two_primaries_one_fails_and_catches_up(zk, kube, primary, aux):
    zk.setup_ns(NS, with_aux=True)
    kube.apply([zkenv.dns_zone("multi", NS, "multi.test", ["primary", "aux"], SEL),
                record("ARecord", "m1", NS, "m1", ["192.0.2.61"], SEL)])
    zk.wait_cond("ARecord", "m1", NS, "True", "Served")
    z = zk.wait_cond("DNSZone", "multi", NS, "True", "AllReady")
    assert "2 Primaries" in condition(z)[2], condition(z)
    rows = {s["name"]: s for s in z["status"]["servers"]}
    assert rows["primary"]["ready"] and rows["aux"]["ready"], rows
    for port in (primary.port, aux.port):
        zkenv.wait_answer(port, "m1.multi.test.", "A", ["192.0.2.61"])

    try:
        aux.stop()
        # A change while one Primary is down: the healthy one serves it at once; the record and
        # the zone say what is missing.
        kube.apply([record("ARecord", "m1", NS, "m1", ["192.0.2.62"], SEL)])
        zkenv.wait_answer(primary.port, "m1.multi.test.", "A", ["192.0.2.62"])
        r = zk.wait_cond("ARecord", "m1", NS, "False", "ServerUnreachable")
        assert "aux" in condition(r)[2], condition(r)
        z = zk.wait_cond("DNSZone", "multi", NS, "False", "PartiallyReady")
        assert "1 of 2 Primaries failed" in condition(z)[2], condition(z)
        assert "ServerUnreachable" in condition(z)[2], condition(z)
        rows = {s["name"]: s for s in z["status"]["servers"]}
        assert rows["primary"]["ready"] and not rows["aux"]["ready"], rows
    finally:
        if not aux.running():
            aux.start()

    # Back: the missed change reaches it, and everything is Ready again.
    zkenv.wait_answer(aux.port, "m1.multi.test.", "A", ["192.0.2.62"])
    zk.wait_cond("ARecord", "m1", NS, "True", "Served")
    zk.wait_cond("DNSZone", "multi", NS, "True", "AllReady")
    zk.wait_cond("DNSServer", "aux", NS, "True", "Reachable")
