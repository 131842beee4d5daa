"""examples/cluster applied for real: every record answers on the primary AND on the secondary
(which refreshes only when NOTIFYed, so only the controller's NOTIFY brings it there), and the
status of every object says so."""
import pytest

import zkenv

NS = "dns-example"
ZONE = "example.test."

# (kind, object name) -> (fqdn, query type, expected answer records, expected TTL or None)
EXPECTED = {
    ("ARecord", "www"): ("www.example.test.", "A", ["192.0.2.10", "192.0.2.11"], 300),
    ("ARecord", "mail"): ("mail.example.test.", "A", ["192.0.2.25"], 3600),
    ("AAAARecord", "www"): ("www.example.test.", "AAAA", ["2001:db8::10"], 300),
    ("CNAMERecord", "api"): ("api.example.test.", "CNAME", ["www.example.test."], 60),
    ("TXTRecord", "spf"): ("example.test.", "TXT", ['"v=spf1 mx -all"'], 300),
    ("MXRecord", "mail"): ("example.test.", "MX", ["10 mail.example.test."], 300),
    ("NSRecord", "lab-delegation"): ("lab.example.test.", "NS", None, None),  # a referral, below
    ("SRVRecord", "sip"): ("_sip._tcp.example.test.", "SRV", ["10 5 5060 www.example.test."], 300),
    ("CAARecord", "caa"): ("example.test.", "CAA",
                           ['0 iodef "mailto:security@example.test"', '0 issue "letsencrypt.org"'], 300),
    ("PTRRecord", "web-instances"): ("_http._tcp.example.test.", "PTR", ["web._http._tcp.example.test."], 300),
}


def served(port, fqdn, rtype, want, ttl):
    if want is None:  # the delegation: a referral to the child's servers
        a = zkenv.query(port, fqdn, "NS")
        return a if a.rcode == "NOERROR" and a.authority == ["ns1.example.net.", "ns2.example.net."] else None
    a = zkenv.query(port, fqdn, rtype)
    return a if a.rcode == "NOERROR" and a.rrs == sorted(want) and a.ttls == [ttl] and a.aa else None


@pytest.mark.parametrize("server", ["primary", "secondary"])
def test_every_example_record_answers(examples, primary, secondary, server):
    port = {"primary": primary.port, "secondary": secondary.port}[server]
    for (kind, name), (fqdn, rtype, want, ttl) in EXPECTED.items():
        zkenv.wait_for(lambda: served(port, fqdn, rtype, want, ttl), desc=f"{kind}/{name}: {fqdn} {rtype} on {server}")
    # The zone's own data: SOA fields from spec.soaRecord, apex NS and glue from spec.nameServers.
    zkenv.wait_answer(port, "example.test.", "NS", ["ns1.example.test.", "ns2.example.test."])
    zkenv.wait_answer(port, "ns1.example.test.", "A", ["192.0.2.53"])
    zkenv.wait_answer(port, "ns1.example.test.", "AAAA", ["2001:db8::53"])
    zkenv.wait_answer(port, "ns2.example.test.", "A", ["192.0.2.54"])

    def soa_fields():
        f = zkenv.query(port, "example.test.", "SOA").rrs[0].split()
        return f if [f[0], f[1]] + f[3:] == ["ns1.example.test.", "hostmaster.example.test.", "3600", "600",
                                              "604800", "300"] else None
    zkenv.wait_for(soa_fields, desc="SOA fields as spec.soaRecord says")
    # Nothing else: the zone file's ns1 A 127.0.0.1 was replaced by the declared glue.
    assert zkenv.query(port, "ns1.example.test.", "A").rrs == ["192.0.2.53"]


def test_record_status(zk, examples):
    for (kind, name), (fqdn, _, _, _) in EXPECTED.items():
        obj = zk.wait_cond(kind, name, NS, "True", "Served")
        st = obj["status"]
        assert st["fqdn"] == fqdn, (kind, name, st)
        assert st["zone"] == ZONE, (kind, name, st)
        assert st.get("recordHash"), (kind, name, st)
        assert st.get("lastUpdated"), (kind, name, st)
        assert st["observedGeneration"] == obj["metadata"]["generation"]
        assert obj["metadata"].get("annotations", {}).get(zkenv.ZONE_ANNOTATION) == ZONE, (kind, name)
        zk.wait_cond(kind, name, NS, "True", "InSync", ctype="Propagated")
    # Two ARecords with different data have different hashes.
    h1 = zk.get("ARecord", "www", NS)["status"]["recordHash"]
    h2 = zk.get("ARecord", "mail", NS)["status"]["recordHash"]
    assert h1 != h2


def test_zone_status(zk, examples, primary, secondary):
    zone = zk.wait_cond("DNSZone", "example-test", NS, "True", "AllReady")
    zk.wait_cond("DNSZone", "example-test", NS, "True", "InSync", ctype="Propagated")
    st = zone["status"]
    want = sorted((zkenv.API_VERSION, kind, name, NS, fqdn) for (kind, name), (fqdn, *_) in EXPECTED.items())
    got = sorted((r["apiVersion"], r["kind"], r["name"], r["namespace"], r["fqdn"]) for r in st["records"])
    assert got == want
    assert st["recordCount"] == len(EXPECTED)
    assert st.get("lastSyncTime")

    def servers_match():
        z = zk.get("DNSZone", "example-test", NS)
        s = {x["name"]: x for x in z["status"].get("servers", [])}
        want = {"bind-primary": {"name": "bind-primary", "role": "Primary", "ready": True,
                                 "serial": zkenv.serial(primary.port, "example.test.")},
                "bind-secondary": {"name": "bind-secondary", "role": "Secondary", "ready": True,
                                   "serial": zkenv.serial(secondary.port, "example.test.")}}
        return s if s == want else None
    zkenv.wait_for(servers_match, desc="status.servers == the serials the servers answer, both ready")
    # Primary and secondary serve the same serial.
    assert zkenv.serial(primary.port, "example.test.") == zkenv.serial(secondary.port, "example.test.")


def test_server_status(zk, examples):
    for name in ("bind-primary", "bind-secondary"):
        srv = zk.wait_cond("DNSServer", name, NS, "True", "Reachable")
        assert srv["status"].get("zones") == [ZONE], srv["status"]
        assert srv["status"].get("lastContactTime")
