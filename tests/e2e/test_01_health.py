"""/healthz, /readyz and /metrics of a running controller (leader election on, caches synced)."""
import json

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
