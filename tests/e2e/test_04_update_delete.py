"""Update a record -> the new answer on both servers; delete -> NODATA where another type remains
at the name, NXDOMAIN once nothing does, on both."""
import zkenv
from zkenv import record

NS = "e2e-update"
LABEL = {"zone": "upd"}


def test_update_then_delete(zk, kube, primary, secondary):
    zk.setup_ns(NS)
    kube.apply([zkenv.dns_zone("upd", NS, "upd.test", ["primary", "secondary"], LABEL),
                record("ARecord", "web", NS, "web", ["192.0.2.1"], LABEL),
                record("TXTRecord", "web-txt", NS, "web", ["hello"], LABEL, ttl=120)])
    a = zk.wait_cond("ARecord", "web", NS, "True", "Served")
    zk.wait_cond("ARecord", "web", NS, "True", "InSync", ctype="Propagated")
    zk.wait_cond("TXTRecord", "web-txt", NS, "True", "Served")
    for port in (primary.port, secondary.port):
        zkenv.wait_answer(port, "web.upd.test.", "A", ["192.0.2.1"])
        zkenv.wait_answer(port, "web.upd.test.", "TXT", ['"hello"'])
    hash1, gen1 = a["status"]["recordHash"], a["metadata"]["generation"]

    # Update: new addresses and TTL.
    kube.apply([record("ARecord", "web", NS, "web", ["192.0.2.2", "192.0.2.3"], LABEL, ttl=60)])
    a = zk.wait_cond("ARecord", "web", NS, "True", "Served")
    assert a["metadata"]["generation"] > gen1
    assert a["status"]["recordHash"] and a["status"]["recordHash"] != hash1
    for port in (primary.port, secondary.port):
        ans = zkenv.wait_answer(port, "web.upd.test.", "A", ["192.0.2.2", "192.0.2.3"])
        assert ans.ttls == [60]
    zk.wait_cond("ARecord", "web", NS, "True", "InSync", ctype="Propagated")
    zk.wait_cond("DNSZone", "upd", NS, "True", "AllReady")

    # Delete the A object: NODATA for A (the TXT remains at the name).
    kube.delete("ARecord", "web", NS)
    for port in (primary.port, secondary.port):
        zkenv.wait_rcode(port, "web.upd.test.", "A", "NOERROR")
        assert zkenv.query(port, "web.upd.test.", "TXT").rrs == ['"hello"']

    def zone_forgot_web():
        z = zk.get("DNSZone", "upd", NS)
        names = [(r["kind"], r["name"]) for r in z["status"].get("records", [])]
        return z if names == [("TXTRecord", "web-txt")] and z["status"].get("recordCount") == 1 else None
    zkenv.wait_for(zone_forgot_web, desc="DNSZone upd lists only web-txt")

    # Delete the last object at the name: NXDOMAIN.
    kube.delete("TXTRecord", "web-txt", NS)
    for port in (primary.port, secondary.port):
        zkenv.wait_rcode(port, "web.upd.test.", "TXT", "NXDOMAIN")
    zk.wait_cond("DNSZone", "upd", NS, "True", "AllReady")
    zk.wait_cond("DNSZone", "upd", NS, "True", "InSync", ctype="Propagated")
    # The zone's apex survived all of it.
    assert zkenv.query(primary.port, "upd.test.", "NS").rrs == ["ns1.upd.test."]
