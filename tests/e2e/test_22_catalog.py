"""Issue 12, its first part: a DNSServer with spec.catalogZone. A DNSZone alone creates its zone
on the server — zonekeeper lists it in the server's catalog zone (RFC 9432), and zonekeeper's
agent beside named (`zonekeeper bind9-agent`) adds it with rndc addzone — and deleting the
DNSZone deletes the zone. Real API server, real named, the agent as its own process."""
import json
import os
import time

import pytest

import zkenv
from zkenv import record, wait_for

NS = "e2e-catalog"
CATALOG = "catalog.zonekeeper.invalid"


@pytest.fixture(scope="module")
def managed(workdir):
    """A named whose catalog zone the agent follows (polling every second: this named's
    configuration sends it no NOTIFY; tests/integration/managed_bind_test covers NOTIFY)."""
    named = zkenv.Named(os.path.join(workdir, "named-catalog"), [CATALOG])
    named.start()
    log_path = os.path.join(workdir, "agent-catalog.log")
    try:
        with zkenv.catalog_agent(named, log_path):
            yield named, log_path
    finally:
        named.stop()


def catalog_server(named):
    s = zkenv.dns_server("catalog-primary", NS, named.port, secret="tsig")
    s["spec"]["catalogZone"] = CATALOG
    return s


def members(named):
    snap = zkenv.axfr(named.port, CATALOG, named.key)
    return sorted(rd[0] for (owner, rtype), (ttl, rds) in snap.items() if rtype == "PTR" for rd in rds)


def test_a_dnszone_alone_creates_its_zone_and_deleting_it_deletes_it(zk, kube, controller, managed):
    named, agent_log = managed
    kube.namespace(NS)
    kube.apply([zkenv.tsig_secret("tsig", NS, named.key), catalog_server(named)])
    assert zkenv.query(named.port, "made.test.", "SOA").rcode == "REFUSED"

    t0 = time.monotonic()
    kube.apply([zkenv.dns_zone("made", NS, "made.test", ["catalog-primary"], {"app": "made"}),
                record("ARecord", "www", NS, "www", ["192.0.2.120"], {"app": "made"})])
    zkenv.wait_answer(named.port, "www.made.test.", "A", ["192.0.2.120"])
    zkenv.log(f"catalog: a new DNSZone's record answered {time.monotonic() - t0:.2f} s after "
              "kubectl apply (the zone created on the way; the agent polls every 1 s here)")
    zk.wait_cond("ARecord", "www", NS, "True", "Served")
    zk.wait_cond("DNSZone", "made", NS, "True", "AllReady")
    zk.wait_cond("DNSServer", "catalog-primary", NS, "True", "Reachable")
    assert members(named) == ["made.test."]
    assert os.path.exists(os.path.join(named.dir, "zones", "made.test.db"))
    with open(agent_log) as f:
        assert "added (rndc addzone) zone=made.test." in f.read()

    # A member removed by hand is put back (the catalog is zonekeeper's). The agent deletes a
    # zone only after its member stayed out for its grace (5 s); had it, the zone would come
    # back and its records be replayed, as on a server that lost them.
    snap = zkenv.axfr(named.port, CATALOG, named.key)
    owner = next(owner for (owner, rtype) in snap if rtype == "PTR")
    zkenv.nsupdate(named.port, CATALOG, named.key, deletes=[(owner, "PTR")])
    kube.patch("DNSZone", "made", NS, {"spec": {"ttl": 301}})  # any reconcile looks at it
    wait_for(lambda: members(named) == ["made.test."], desc="the member put back")
    zkenv.wait_answer(named.port, "www.made.test.", "A", ["192.0.2.120"])

    # Deleted: out of the catalog, then off the server, its file gone.
    kube.delete("DNSZone", "made", NS)
    wait_for(lambda: members(named) == [], desc="made.test out of the catalog")
    wait_for(lambda: zkenv.query(named.port, "made.test.", "SOA").rcode == "REFUSED",
             desc="made.test deleted from named")
    wait_for(lambda: not os.path.exists(os.path.join(named.dir, "zones", "made.test.db")),
             desc="its file deleted")


def test_a_catalog_zone_the_server_lacks_is_catalog_failed(zk, kube, controller, primary):
    """The session's primary has no such catalog zone. The DNSZone's name is this test's own:
    a zone of the session's (ext.test, the sources' shared zone) would be remediated by this
    DNSZone and block the sources there for the rest of the session."""
    ns = "e2e-catalog-bad"
    kube.namespace(ns)
    s = zkenv.dns_server("no-catalog", ns, primary.port, secret="tsig")
    s["spec"]["catalogZone"] = "missing-catalog.invalid"
    kube.apply([zkenv.tsig_secret("tsig", ns, primary.key), s,
                zkenv.dns_zone("z", ns, "catalog-bad.test", ["no-catalog"], {"app": "none"})])
    obj = zk.wait_cond("DNSServer", "no-catalog", ns, "False", "CatalogFailed")
    assert "missing-catalog.invalid." in zkenv.condition(obj)[2]
    kube.delete("dnszone", "z", ns)


def test_the_schema_refuses_a_catalog_on_a_secondary(kube):
    s = zkenv.dns_server("sec", NS, 53, role="Secondary", primary="catalog-primary")
    s["spec"]["catalogZone"] = CATALOG
    r = kube.kubectl("apply", "-f", "-", input=json.dumps(s), check=False)
    assert r.returncode != 0 and "catalogZone is only for a Primary" in r.stderr, r.stderr
