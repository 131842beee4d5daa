"""No write storm: once converged, with nothing changing, the controller writes nothing — no
status, no annotation, no UPDATE — through several drift checks (docs/api.md: "Status and
Events are written only when they change")."""
import json
import time

import zkenv

WINDOW_S = 10  # a measurement window (5 drift checks at --drift-interval 2), not a timing assert


def snapshot(kube):
    items = json.loads(kube.kubectl("get", "zonekeeper", "-A", "-o", "json").stdout)["items"]
    return {(o["kind"], o["metadata"]["namespace"], o["metadata"]["name"]): o["metadata"]["resourceVersion"]
            for o in items}


def event_count(kube):
    return {(e["metadata"]["namespace"], e["metadata"]["name"]): (e.get("deprecatedCount"), e.get("series"))
            for e in kube.list("events.events.k8s.io")}


def test_nothing_written_while_nothing_changes(zk, kube, examples, controller):
    # Converged first: every example object Ready (and the zone InSync).
    for o in examples:
        if o["kind"] in zkenv.RECORD_KINDS:
            zk.wait_cond(o["kind"], o["metadata"]["name"], "dns-example", "True", "Served")
    zk.wait_cond("DNSZone", "example-test", "dns-example", "True", "AllReady")
    zk.wait_cond("DNSZone", "example-test", "dns-example", "True", "InSync", ctype="Propagated")
    for s in ("bind-primary", "bind-secondary"):
        zk.wait_cond("DNSServer", s, "dns-example", "True", "Reachable")

    before = snapshot(kube)
    events_before = event_count(kube)
    updates_before = controller.metric("zonekeeper_dns_operations_total", operation="update")
    writes_before = controller.metric("zonekeeper_status_writes_total")
    assert len(before) >= 13, before
    time.sleep(WINDOW_S)
    after = snapshot(kube)
    changed = {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert not changed, f"objects written while nothing changed: {changed}"
    assert event_count(kube) == events_before
    assert controller.metric("zonekeeper_dns_operations_total", operation="update") == updates_before
    assert controller.metric("zonekeeper_status_writes_total") == writes_before
