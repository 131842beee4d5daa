"""Issue 17, hosts-file dev mode against a cluster (seed 003 §5.2): `zonekeeper controller
--hosts-file PATH --source ingress,ingressroute,dnsendpoint` without --zone, on the real API
server. The hosts file is a backend behind the provider interface: the sources' A/AAAA records
in a managed block (atomic, only the block, mode kept, not rewritten when unchanged, hand edits
in the block put back), and the cluster is only read (no Lease, no status, no Event)."""
import os
import stat
import time

import zkenv
from test_13_sources import dnsendpoint, ep, ingress, ingressroute, lasting, lb_status
from zkenv import wait_for

NS = "zk-hosts"
OUTSIDE = "127.0.0.1 localhost\n# a line of the user's\n10.1.2.3 printer.lan  # theirs\n"


def block(path):
    """The lines between the markers, and the text around them."""
    text = open(path).read()
    begin, end = text.find("# BEGIN zonekeeper"), text.find("# END zonekeeper")
    if begin < 0:
        return [], text
    inner = text[text.index("\n", begin) + 1:end]
    return inner.splitlines(), text[:begin] + text[text.index("\n", end) + 1:]


def wait_block(path, want, desc):
    return wait_for(lambda: sorted(block(path)[0]) == sorted(want), desc=f"{desc}: {want} in {path}")


def test_hosts_file_follows_the_cluster(kube, workdir):
    kube.namespace(NS)
    path = os.path.join(workdir, "hosts")
    with open(path, "w") as f:
        f.write(OUTSIDE)
    os.chmod(path, 0o640)
    c = zkenv.Controller(kube, os.path.join(workdir, "controller-hosts"), identity="zk-hosts",
                         extra=["--hosts-file", path, "--source", "ingress,ingressroute,dnsendpoint",
                                "--domain-filter", "dev.test"])
    # Leader election is not turned off here: dev mode takes no Lease (the session's controller
    # holds it), so reconciling at all proves it.
    c.start(wait_ready=True)
    try:
        kube.apply([ingress("web", NS, ["web.dev.test"]),
                    ingressroute("api", NS, ["Host(`api.dev.test`)"], target="192.0.2.81"),
                    dnsendpoint("eps", NS, [ep("v4v6.dev.test", "A", ["192.0.2.82"]),
                                            ep("v4v6.dev.test", "AAAA", ["2001:db8::82"]),
                                            ep("alias.dev.test", "CNAME", ["web.dev.test"]),
                                            ep("else.where.test", "A", ["192.0.2.83"])])])
        lb_status(kube, "web", NS, ips=["192.0.2.80"])
        want = ["192.0.2.80 web.dev.test", "192.0.2.81 api.dev.test", "192.0.2.82 v4v6.dev.test",
                "2001:db8::82 v4v6.dev.test"]
        wait_block(path, want, "the sources' A/AAAA records")
        lines, outside = block(path)
        assert outside == OUTSIDE, outside  # nothing else of the file changed
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640  # the mode is kept
        assert "managed by `zonekeeper controller --hosts-file`" in open(path).read()
        assert not any("alias" in x or "else.where" in x for x in lines), lines  # CNAME; filtered

        # The cluster is only read: no status on the DNSEndpoint, no Event from this instance.
        assert not (kube.get(zkenv.DNSENDPOINT_CRD, "eps", NS).get("status") or {}).get("conditions")
        assert not [e for e in kube.events(NS) if e.get("reportingInstance") == "zk-hosts"]

        # Converged: not rewritten (same inode and mtime) through several drift checks (2 s).
        st = os.stat(path)
        lasting(lambda: (os.stat(path).st_ino, os.stat(path).st_mtime_ns) == (st.st_ino, st.st_mtime_ns), 5)

        # A hand edit inside the block is put back at the next drift check; outside it stays.
        text = open(path).read().replace("192.0.2.80 web.dev.test", "192.0.2.99 web.dev.test")
        text += "10.9.9.9 added.after\n"
        with open(path, "w") as f:
            f.write(text)
        wait_block(path, want, "the hand edit put back")
        assert block(path)[1] == OUTSIDE + "10.9.9.9 added.after\n"

        # A change in the cluster: within moments (measured, not asserted).
        t0 = time.monotonic()
        lb_status(kube, "web", NS, ips=["192.0.2.90"])
        want[0] = "192.0.2.90 web.dev.test"
        wait_block(path, want, "the new address")
        zkenv.log(f"hosts file: Ingress address change written in {time.monotonic() - t0:.3f} s")

        # Deleted objects leave the block.
        kube.delete("ingress", "web", NS)
        kube.delete("ingressroutes.traefik.io", "api", NS)
        kube.delete(zkenv.DNSENDPOINT_CRD, "eps", NS)
        wait_block(path, [], "everything removed")
        assert block(path)[1] == OUTSIDE + "10.9.9.9 added.after\n"
    finally:
        c.stop()


def test_a_hosts_file_that_cannot_be_used_is_said_and_nothing_is_written(kube, workdir):
    """Broken markers (BEGIN without END): the file is left exactly as it is, the log says why."""
    kube.namespace(NS)
    path = os.path.join(workdir, "hosts-broken")
    broken = "127.0.0.1 localhost\n# BEGIN zonekeeper\n192.0.2.1 stale.dev.test\n"
    with open(path, "w") as f:
        f.write(broken)
    c = zkenv.Controller(kube, os.path.join(workdir, "controller-hosts-broken"), identity="zk-hosts-broken",
                         extra=["--hosts-file", path, "--source", "ingress", "--domain-filter", "dev.test"])
    c.start(wait_ready=True)
    try:
        kube.apply(ingress("broken", NS, ["broken.dev.test"]))
        lb_status(kube, "broken", NS, ips=["192.0.2.91"])
        wait_for(lambda: "without \\\"# END zonekeeper\\\"" in open(c.log_path).read(),
                 desc="the controller says why the hosts file is not written")
        assert open(path).read() == broken
        # Fixed by hand: written at the next drift check.
        with open(path, "w") as f:
            f.write("127.0.0.1 localhost\n")
        wait_block(path, ["192.0.2.91 broken.dev.test"], "written once the file is fixed")
    finally:
        c.stop()
        kube.delete("ingress", "broken", NS)
