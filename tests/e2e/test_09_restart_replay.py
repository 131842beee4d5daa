"""Restart and replay (issue 4): records deleted while the controller was down are removed from
DNS when it comes back; a primary that lost its zone contents (and came back with an old
serial) gets every record replayed, with no kubectl action."""
import zkenv
from zkenv import record

NS = "e2e-restart"


def test_controller_restart_removes_records_deleted_while_down(zk, kube, primary, secondary, controller):
    zk.setup_ns(NS)
    lbl = {"zone": "restart"}
    kube.apply([zkenv.dns_zone("restart", NS, "restart.test", ["primary", "secondary"], lbl),
                record("ARecord", "gone", NS, "gone", ["192.0.2.51"], lbl),
                record("ARecord", "changed", NS, "changed", ["192.0.2.52"], lbl),
                record("ARecord", "stays", NS, "stays", ["192.0.2.53"], lbl)])
    for name in ("gone", "changed", "stays"):
        zk.wait_cond("ARecord", name, NS, "True", "Served")
    zkenv.wait_answer(primary.port, "gone.restart.test.", "A", ["192.0.2.51"])

    controller.stop()
    try:
        kube.delete("ARecord", "gone", NS)
        kube.apply([record("ARecord", "changed", NS, "changed", ["192.0.2.54"], lbl),
                    record("ARecord", "born", NS, "born", ["192.0.2.55"], lbl)])
        # Nobody acts meanwhile.
        assert zkenv.query(primary.port, "gone.restart.test.", "A").rrs == ["192.0.2.51"]
    finally:
        controller.start(wait_ready=True, wait_leader=True)

    for port in (primary.port, secondary.port):
        zkenv.wait_rcode(port, "gone.restart.test.", "A", "NXDOMAIN")
        zkenv.wait_answer(port, "changed.restart.test.", "A", ["192.0.2.54"])
        zkenv.wait_answer(port, "born.restart.test.", "A", ["192.0.2.55"])
        zkenv.wait_answer(port, "stays.restart.test.", "A", ["192.0.2.53"])
    for name in ("changed", "born", "stays"):
        zk.wait_cond("ARecord", name, NS, "True", "Served")
    zkenv.wait_for(lambda: sorted(r["name"] for r in zk.get("DNSZone", "restart", NS)["status"]["records"])
                   == ["born", "changed", "stays"], desc="zone restart lists born, changed, stays")
    zk.wait_cond("DNSZone", "restart", NS, "True", "AllReady")
    zk.wait_cond("DNSZone", "restart", NS, "True", "InSync", ctype="Propagated")


def test_named_restarted_empty_gets_everything_replayed(zk, kube, aux):
    ns = "e2e-replay"
    zk.setup_ns(ns, with_aux=True)
    lbl = {"zone": "replay"}
    recs = [record("ARecord", f"r{i}", ns, f"r{i}", [f"192.0.2.{60 + i}"], lbl) for i in range(5)]
    recs.append(record("TXTRecord", "t", ns, "@", ["replayed"], lbl))
    recs.append(record("MXRecord", "mx", ns, "@", [{"preference": 5, "exchange": "r0"}], lbl))
    kube.apply([zkenv.dns_zone("replay", ns, "replay.test", ["aux"], lbl,
                               extra={"soaRecord": {"primaryNs": "ns1", "adminEmail": "dns@replay.test"}})]
               + recs)
    for r in recs:
        zk.wait_cond(r["kind"], r["metadata"]["name"], ns, "True", "Served")
    zkenv.wait_answer(aux.port, "r4.replay.test.", "A", ["192.0.2.64"])
    old_serial = zkenv.serial(aux.port, "replay.test.")
    assert old_serial > 1

    aux.stop()
    aux.wipe_zone("replay.test", serial=1)
    aux.start()
    # It really came back empty (the controller may replay faster than we could query).
    assert "zone replay.test/IN: loaded serial 1\n" in aux.log_tail(40)

    for i in range(5):
        zkenv.wait_answer(aux.port, f"r{i}.replay.test.", "A", [f"192.0.2.{60 + i}"])
    zkenv.wait_answer(aux.port, "replay.test.", "TXT", ['"replayed"'])
    zkenv.wait_answer(aux.port, "replay.test.", "MX", ["5 r0.replay.test."])

    def soa_replayed():
        f = zkenv.query(aux.port, "replay.test.", "SOA").rrs[0].split()
        return f[:2] == ["ns1.replay.test.", "dns.replay.test."]
    zkenv.wait_for(soa_replayed, desc="SOA MNAME/RNAME from spec.soaRecord replayed")
    for r in recs:
        zk.wait_cond(r["kind"], r["metadata"]["name"], ns, "True", "Served")
    zk.wait_cond("DNSZone", "replay", ns, "True", "AllReady")
