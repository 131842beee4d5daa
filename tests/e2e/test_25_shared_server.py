"""Issue 12 (Bindy #370): one DNSServer serving DNSZones of other namespaces — only those whose
Namespace its spec.allowedNamespaces admits. A DNSZone picks it with spec.servers.namespace; the
TSIG Secret stays in the server's namespace (never copied); a namespace the server does not admit
gets Ready=False NamespaceNotAllowed and nothing on the server, until its label admits it. Real
API server, real named."""
import os

import pytest

import zkenv
from zkenv import record

DNS_NS = "e2e-shared-dns"
ADMITTED = "e2e-shared-team-a"
REFUSED = "e2e-shared-team-b"
LABEL = "e2e.zonekeeper.io/dns"


@pytest.fixture(scope="module")
def shared_named(workdir):
    named = zkenv.Named(os.path.join(workdir, "named-shared"), ["team-a.test", "team-b.test"])
    named.start()
    yield named
    named.stop()


def zone_elsewhere(name, ns, zone):
    z = zkenv.dns_zone(name, ns, zone, ["shared"], {"app": name})
    z["spec"]["servers"]["namespace"] = DNS_NS
    return z


def labelled_namespace(kube, ns, labels):
    kube.namespace(ns, secret_reader=False)
    kube.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}}])


def test_a_server_serves_the_zones_of_the_namespaces_it_admits_and_no_others(
        zk, kube, controller, shared_named):
    named = shared_named
    kube.namespace(DNS_NS)  # the Secret reader is bound here only
    server = zkenv.dns_server("shared", DNS_NS, named.port, secret="tsig")
    server["spec"]["allowedNamespaces"] = {"matchLabels": {LABEL: "allowed"}}
    kube.apply([zkenv.tsig_secret("tsig", DNS_NS, named.key), server])
    labelled_namespace(kube, ADMITTED, {LABEL: "allowed"})
    labelled_namespace(kube, REFUSED, {})
    kube.apply([zone_elsewhere("a", ADMITTED, "team-a.test"),
                record("ARecord", "www", ADMITTED, "www", ["192.0.2.161"], {"app": "a"}),
                zone_elsewhere("b", REFUSED, "team-b.test"),
                record("ARecord", "www", REFUSED, "www", ["192.0.2.162"], {"app": "b"})])

    zkenv.wait_answer(named.port, "www.team-a.test.", "A", ["192.0.2.161"])
    zk.wait_cond("DNSZone", "a", ADMITTED, "True", "AllReady")
    zk.wait_cond("ARecord", "www", ADMITTED, "True", "Served")
    obj = zk.wait_cond("DNSZone", "b", REFUSED, "False", "NamespaceNotAllowed")
    assert zkenv.condition(obj)[2] == (f"DNSServer {DNS_NS}/shared does not admit DNSZones of "
                                       f"namespace {REFUSED} (its spec.allowedNamespaces)")
    zk.wait_cond("ARecord", "www", REFUSED, "False", "ZoneNotReady")
    assert zkenv.query(named.port, "www.team-b.test.", "A").rrs == []
    # The key never left the server's namespace.
    for ns in (ADMITTED, REFUSED):
        assert kube.list("secrets", ns) == []
    srv = zk.wait_cond("DNSServer", "shared", DNS_NS, "True", "Reachable")
    assert "team-a.test." in srv["status"].get("zones", []), srv["status"]

    # The refused namespace gets the label: served, no restart, nothing else to do.
    labelled_namespace(kube, REFUSED, {LABEL: "allowed"})
    zkenv.wait_answer(named.port, "www.team-b.test.", "A", ["192.0.2.162"])
    zk.wait_cond("DNSZone", "b", REFUSED, "True", "AllReady")
    zk.wait_cond("ARecord", "www", REFUSED, "True", "Served")

    # The server stops admitting other namespaces: the zones say so, and a change made meanwhile
    # is not written (what is there stays: without a catalog, zonekeeper deletes no zone).
    del server["spec"]["allowedNamespaces"]
    kube.apply([server])
    zk.wait_cond("DNSZone", "a", ADMITTED, "False", "NamespaceNotAllowed")
    kube.apply([record("ARecord", "www", ADMITTED, "www", ["192.0.2.163"], {"app": "a"})])
    zk.wait_cond("ARecord", "www", ADMITTED, "False", "ZoneNotReady")
    zkenv.wait_answer(named.port, "www.team-a.test.", "A", ["192.0.2.161"])
