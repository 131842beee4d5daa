"""Propagation to a Secondary (docs/api.md, Propagated): InSync once its serial caught up;
SecondaryUnreachable while it does not answer, with Ready still True (the Primary serves the
data); after it returns, the controller's NOTIFY brings it up to date and InSync comes back
without any kubectl action."""
import zkenv
from zkenv import condition, record

NS = "e2e-prop"
SEL = {"zone": "prop"}


def test_secondary_down_then_back(zk, kube, primary, secondary):
    zk.setup_ns(NS)
    kube.apply([zkenv.dns_zone("prop", NS, "prop.test", ["primary", "secondary"], SEL),
                record("ARecord", "p1", NS, "p1", ["192.0.2.71"], SEL)])
    zk.wait_cond("ARecord", "p1", NS, "True", "InSync", ctype="Propagated")
    zk.wait_cond("DNSZone", "prop", NS, "True", "InSync", ctype="Propagated")
    zkenv.wait_answer(secondary.port, "p1.prop.test.", "A", ["192.0.2.71"])

    try:
        secondary.stop()
        kube.apply([record("ARecord", "p1", NS, "p1", ["192.0.2.72"], SEL)])
        zkenv.wait_answer(primary.port, "p1.prop.test.", "A", ["192.0.2.72"])
        r = zk.wait_cond("ARecord", "p1", NS, "False", "SecondaryUnreachable", ctype="Propagated")
        assert condition(r, "Ready")[:2] == ("True", "Served"), condition(r, "Ready")
        z = zk.wait_cond("DNSZone", "prop", NS, "False", "SecondaryUnreachable", ctype="Propagated")
        assert condition(z, "Ready")[:2] == ("True", "AllReady"), condition(z, "Ready")
        assert "e2e-prop/secondary" in condition(z, "Propagated")[2], condition(z, "Propagated")
        rows = {s["name"]: s for s in z["status"]["servers"]}
        assert not rows["secondary"]["ready"], rows
    finally:
        if not secondary.running():
            secondary.start()

    zkenv.wait_answer(secondary.port, "p1.prop.test.", "A", ["192.0.2.72"])
    zk.wait_cond("ARecord", "p1", NS, "True", "InSync", ctype="Propagated")
    z = zk.wait_cond("DNSZone", "prop", NS, "True", "InSync", ctype="Propagated")
    rows = {s["name"]: s for s in z["status"]["servers"]}
    assert rows["secondary"]["ready"] and rows["secondary"]["serial"] == rows["primary"]["serial"], rows
