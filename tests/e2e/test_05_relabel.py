"""Relabelling a record moves it between zones: it leaves zone 1 and answers in zone 2."""
import zkenv
from zkenv import record

NS = "e2e-move"


def test_relabel_moves_record_between_zones(zk, kube, primary, secondary):
    zk.setup_ns(NS)
    kube.apply([zkenv.dns_zone("one", NS, "move1.test", ["primary", "secondary"], {"zone": "move1"}),
                zkenv.dns_zone("two", NS, "move2.test", ["primary", "secondary"], {"zone": "move2"}),
                record("ARecord", "app", NS, "app", ["192.0.2.80"], {"zone": "move1"}),
                record("ARecord", "stay", NS, "stay", ["192.0.2.81"], {"zone": "move1"})])
    obj = zk.wait_cond("ARecord", "app", NS, "True", "Served")
    assert obj["status"]["zone"] == "move1.test."
    assert obj["status"]["fqdn"] == "app.move1.test."
    for port in (primary.port, secondary.port):
        zkenv.wait_answer(port, "app.move1.test.", "A", ["192.0.2.80"])
    gen = obj["metadata"]["generation"]

    kube.patch("ARecord", "app", NS, {"metadata": {"labels": {"zone": "move2"}}})

    def moved():
        o = zk.get("ARecord", "app", NS)
        st = o.get("status") or {}
        ok = (st.get("zone") == "move2.test." and st.get("fqdn") == "app.move2.test."
              and zkenv.condition(o)[:2] == ("True", "Served")
              and o["metadata"].get("annotations", {}).get(zkenv.ZONE_ANNOTATION) == "move2.test.")
        return o if ok else None
    obj = zkenv.wait_for(moved, desc="app's status and annotation name move2.test. and it is Served")
    assert obj["metadata"]["generation"] == gen  # labels are metadata: the spec did not change
    for port in (primary.port, secondary.port):
        zkenv.wait_answer(port, "app.move2.test.", "A", ["192.0.2.80"])
        zkenv.wait_rcode(port, "app.move1.test.", "A", "NXDOMAIN")
        assert zkenv.query(port, "stay.move1.test.", "A").rrs == ["192.0.2.81"]

    def listed(zone_obj):
        return sorted(r["name"] for r in zk.get("DNSZone", zone_obj, NS)["status"].get("records", []))
    zkenv.wait_for(lambda: listed("one") == ["stay"] and listed("two") == ["app"],
                   desc="zone one lists [stay], zone two lists [app]")
    zk.wait_cond("DNSZone", "one", NS, "True", "AllReady")
    zk.wait_cond("DNSZone", "two", NS, "True", "AllReady")
    zk.wait_cond("DNSZone", "two", NS, "True", "InSync", ctype="Propagated")
