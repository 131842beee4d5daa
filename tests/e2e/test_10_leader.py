"""Two controllers with leader election: one holds the Lease and does all the writing; when it
stops, the other takes over and applies the next change. Runs last: it stops the session's
controller and starts it again."""
import os

import zkenv
from zkenv import record

NS = "e2e-leader"
LBL = {"zone": "leader"}


def test_two_controllers_one_leader(zk, kube, primary, controller, workdir):
    zk.setup_ns(NS)
    kube.apply([zkenv.dns_zone("leader", NS, "leader.test", ["primary"], LBL),
                record("ARecord", "x", NS, "x", ["192.0.2.70"], LBL)])
    zk.wait_cond("ARecord", "x", NS, "True", "Served")
    controller.wait_leader()

    other = zkenv.Controller(kube, os.path.join(workdir, "controller"), identity="e2e-b")
    other.start(wait_ready=True)
    try:
        both = {controller.identity: controller, other.identity: other}

        def one_leader():
            lease = kube.get("lease", "zonekeeper-controller", "zonekeeper-system")
            holder = lease["spec"].get("holderIdentity")
            leaders = [c.identity for c in both.values() if c.is_leader()]
            return holder if leaders == [holder] else None
        holder = zkenv.wait_for(one_leader, desc="exactly one controller leads and holds the Lease")
        assert holder == controller.identity  # it had the Lease; the newcomer does not steal it
        leader, follower = both[holder], other

        # A change with both running: applied once (by the leader), served correctly.
        f_updates = follower.metric("zonekeeper_dns_operations_total", operation="update")
        f_writes = follower.metric("zonekeeper_status_writes_total")
        serial = zkenv.serial(primary.port, "leader.test")
        kube.apply([record("ARecord", "x", NS, "x", ["192.0.2.71"], LBL)])
        zk.wait_cond("ARecord", "x", NS, "True", "Served")
        zkenv.wait_answer(primary.port, "x.leader.test.", "A", ["192.0.2.71"])
        assert zkenv.serial(primary.port, "leader.test") == serial + 1  # one UPDATE message
        assert follower.metric("zonekeeper_dns_operations_total", operation="update") == f_updates
        assert follower.metric("zonekeeper_status_writes_total") == f_writes
        assert follower.metric("zonekeeper_leader") == 0
        assert one_leader() == holder

        # The leader stops: the other takes over (Lease and metric) and applies the next change.
        leader.stop()
        follower.wait_leader()
        zkenv.wait_for(lambda: kube.get("lease", "zonekeeper-controller", "zonekeeper-system")
                       ["spec"].get("holderIdentity") == follower.identity, desc="Lease held by the follower")
        kube.apply([record("ARecord", "x", NS, "x", ["192.0.2.72"], LBL),
                    record("ARecord", "y", NS, "y", ["192.0.2.73"], LBL)])
        zkenv.wait_answer(primary.port, "x.leader.test.", "A", ["192.0.2.72"])
        zkenv.wait_answer(primary.port, "y.leader.test.", "A", ["192.0.2.73"])
        zk.wait_cond("ARecord", "x", NS, "True", "Served")
        zk.wait_cond("ARecord", "y", NS, "True", "Served")
        zk.wait_cond("DNSZone", "leader", NS, "True", "AllReady")
    finally:
        if not controller.alive():
            controller.start(wait_ready=True)
        other.stop()
    controller.wait_leader()
