"""Drift (docs/api.md, "Ownership and drift"): data on the primary that nothing declares is
removed under Remediate and reported (Warning Event DriftDetected) under Report; both counted
in zonekeeper_drift_found_total. Zones nobody manages are never touched."""
import zkenv
from zkenv import record

NS = "e2e-drift"


def drift_count(controller, zone):
    fams = controller.metrics().get("zonekeeper_drift_found_total", {"samples": []})
    return sum(v for lb, v in fams["samples"] if lb.get("zone", "").rstrip(".") == zone.rstrip("."))


def drift_events(kube, zone_obj):
    return [e for e in kube.events(NS)
            if e.get("reason") == "DriftDetected" and e.get("type") == "Warning"
            and (e.get("regarding") or {}).get("kind") == "DNSZone"
            and (e.get("regarding") or {}).get("name") == zone_obj]


def test_drift_remediate_and_report(zk, kube, primary, controller):
    zk.setup_ns(NS)
    kube.apply([zkenv.dns_zone("drift", NS, "drift.test", ["primary"], {"zone": "drift"}),
                zkenv.dns_zone("report", NS, "report.test", ["primary"], {"zone": "report"}, drift="Report"),
                record("ARecord", "d1", NS, "d1", ["192.0.2.11"], {"zone": "drift"}),
                record("ARecord", "r1", NS, "r1", ["192.0.2.21"], {"zone": "report"})])
    zk.wait_cond("ARecord", "d1", NS, "True", "Served")
    zk.wait_cond("ARecord", "r1", NS, "True", "Served")
    zk.wait_cond("DNSZone", "drift", NS, "True", "AllReady")
    zk.wait_cond("DNSZone", "report", NS, "True", "AllReady")
    before_drift = drift_count(controller, "drift.test")
    before_report = drift_count(controller, "report.test")
    assert not drift_events(kube, "report")

    # Someone edits the zones by hand: an undeclared RRset and a changed declared one, in both;
    # and a record in a zone no DNSZone manages.
    for zone in ("drift.test", "report.test"):
        zkenv.nsupdate(primary.port, zone, primary.key, adds=[(f"rogue.{zone}.", 60, "A", "192.0.2.99")])
    zkenv.nsupdate(primary.port, "drift.test", primary.key, deletes=[("d1.drift.test.", "A")],
                   adds=[("d1.drift.test.", 300, "A", "192.0.2.66")])
    zkenv.nsupdate(primary.port, "unmanaged.test", primary.key, adds=[("hand.unmanaged.test.", 60, "A", "192.0.2.98")])

    # Remediate: the undeclared RRset is deleted and the changed one restored, within a few
    # drift intervals, and counted.
    zkenv.wait_rcode(primary.port, "rogue.drift.test.", "A", "NXDOMAIN")
    zkenv.wait_answer(primary.port, "d1.drift.test.", "A", ["192.0.2.11"])
    zkenv.wait_for(lambda: drift_count(controller, "drift.test") > before_drift,
                   desc="zonekeeper_drift_found_total{zone=drift.test} increases")

    # Report: a Warning Event on the DNSZone, the metric counts it, the data stays.
    zkenv.wait_for(lambda: drift_events(kube, "report"), desc="Warning DriftDetected Event on DNSZone report")
    zkenv.wait_for(lambda: drift_count(controller, "report.test") > before_report,
                   desc="zonekeeper_drift_found_total{zone=report.test} increases")
    # More drift checks later (proved by a second rogue in the Remediate zone being removed),
    # the reported RRset is still there.
    zkenv.nsupdate(primary.port, "drift.test", primary.key, adds=[("rogue2.drift.test.", 60, "TXT", "x")])
    zkenv.wait_rcode(primary.port, "rogue2.drift.test.", "TXT", "NXDOMAIN")
    assert zkenv.query(primary.port, "rogue.report.test.", "A").rrs == ["192.0.2.99"]

    # Declared data in both zones is untouched; so is the zone nobody manages.
    assert zkenv.query(primary.port, "r1.report.test.", "A").rrs == ["192.0.2.21"]
    assert zkenv.query(primary.port, "d1.drift.test.", "A").rrs == ["192.0.2.11"]
    assert zkenv.query(primary.port, "hand.unmanaged.test.", "A").rrs == ["192.0.2.98"]
    zk.wait_cond("ARecord", "d1", NS, "True", "Served")
    zk.wait_cond("ARecord", "r1", NS, "True", "Served")

    # Declared data is still applied under Report.
    kube.apply([record("ARecord", "r1", NS, "r1", ["192.0.2.22"], {"zone": "report"})])
    zk.wait_cond("ARecord", "r1", NS, "True", "Served")
    zkenv.wait_answer(primary.port, "r1.report.test.", "A", ["192.0.2.22"])
    assert zkenv.query(primary.port, "rogue.report.test.", "A").rrs == ["192.0.2.99"]
