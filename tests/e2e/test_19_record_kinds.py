"""Issue 17: the six newer record kinds (NAPTR, DNAME, SSHFP, TLSA, SVCB, HTTPS) — one CRD each —
created, replaced and deleted against the real BIND primary and secondary; every answer is
compared with dnspython's reading of the expected presentation form."""
import dns.rdata
import dns.rdataclass
import dns.rdatatype

import zkenv
from zkenv import record

NS = "e2e-kinds"
ZONE = "kinds.test"
FP1 = "0123456789abcdef" * 4
FP2 = "fedcba9876543210" * 4

# kind, object name, owner (relative), RR type, first data + its answers, second data + answers
CASES = [
    ("NAPTRRecord", "sip", "@", "NAPTR",
     [{"order": 100, "preference": 10, "flags": "S", "services": "SIP+D2U", "replacement": "_sip._udp"}],
     ['100 10 "S" "SIP+D2U" "" _sip._udp.kinds.test.'],
     [{"order": 100, "preference": 10, "flags": "U", "services": "E2U+sip",
       "regexp": "!^.*$!sip:info@kinds.test!"},
      {"order": 200, "preference": 5, "flags": "S", "services": "SIP+D2T", "replacement": "_sip._tcp"}],
     ['100 10 "U" "E2U+sip" "!^.*$!sip:info@kinds.test!" .',
      '200 5 "S" "SIP+D2T" "" _sip._tcp.kinds.test.']),
    ("DNAMERecord", "legacy", "legacy", "DNAME", "new.kinds.test.", ["new.kinds.test."],
     "other.example.", ["other.example."]),
    ("SSHFPRecord", "host", "host", "SSHFP", [{"algorithm": 4, "type": 2, "fingerprint": FP1}],
     [f"4 2 {FP1}"],
     [{"algorithm": 4, "type": 2, "fingerprint": FP2}, {"algorithm": 1, "type": 1, "fingerprint": "ab" * 20}],
     [f"4 2 {FP2}", f"1 1 {'ab' * 20}"]),
    ("TLSARecord", "web-tls", "_443._tcp.www", "TLSA",
     [{"usage": 3, "selector": 1, "matchingType": 1, "data": FP1}], [f"3 1 1 {FP1}"],
     [{"usage": 2, "selector": 0, "matchingType": 1, "data": FP2}], [f"2 0 1 {FP2}"]),
    ("SVCBRecord", "resolver", "_dns.resolver", "SVCB",
     [{"priority": 1, "target": "dns", "params": "alpn=dot port=853"}],
     ["1 dns.kinds.test. alpn=dot port=853"],
     [{"priority": 1, "target": "dns", "params": "mandatory=alpn alpn=dot,h2 port=8853"}],
     ["1 dns.kinds.test. mandatory=alpn alpn=dot,h2 port=8853"]),
    ("HTTPSRecord", "www", "www", "HTTPS",
     [{"priority": 1, "target": ".", "params": "alpn=h2,h3 ipv4hint=192.0.2.70"}],
     ["1 . alpn=h2,h3 ipv4hint=192.0.2.70"],
     [{"priority": 0, "target": "cdn.example.net."}], ["0 cdn.example.net."]),
]


def canonical(rdtype, texts):
    """dnspython's own text of each expected record, so formatting differences do not count."""
    t = dns.rdatatype.from_text(rdtype)
    return sorted(dns.rdata.from_text(dns.rdataclass.IN, t, x).to_text() for x in texts)


def fqdn(owner):
    return f"{ZONE}." if owner == "@" else f"{owner}.{ZONE}."


def test_newer_kinds_created_replaced_deleted(zk, kube, primary, secondary):
    zk.setup_ns(NS)
    kube.apply([zkenv.dns_zone("kinds", NS, ZONE, ["primary", "secondary"], {"zone": "kinds"})] +
               [record(kind, name, NS, owner, data, {"zone": "kinds"})
                for kind, name, owner, _, data, _, _, _ in CASES])
    for kind, name, owner, rdtype, _, want, _, _ in CASES:
        obj = zk.wait_cond(kind, name, NS, "True", "Served")
        assert obj["status"]["fqdn"] == fqdn(owner), obj["status"]
        for port in (primary.port, secondary.port):
            zkenv.wait_answer(port, fqdn(owner), rdtype, canonical(rdtype, want))
    zk.wait_cond("DNSZone", "kinds", NS, "True", "AllReady")

    # Replace: each object's data changes; the old records go, the new ones come.
    for kind, name, owner, _, _, _, data2, _ in CASES:
        field = zkenv.DATA_FIELD[kind]
        kube.patch(kind, name, NS, {"spec": {field: data2}})
    for kind, name, owner, rdtype, _, _, _, want2 in CASES:
        for port in (primary.port, secondary.port):
            zkenv.wait_answer(port, fqdn(owner), rdtype, canonical(rdtype, want2))
        zk.wait_cond(kind, name, NS, "True", "Served")

    # Delete: gone from both servers (the zone apex keeps its SOA/NS: NOERROR without data).
    for kind, name, owner, rdtype, _, _, _, _ in CASES:
        kube.delete(kind, name, NS)
    for kind, name, owner, rdtype, _, _, _, _ in CASES:
        for port in (primary.port, secondary.port):
            zkenv.wait_rcode(port, fqdn(owner), rdtype, "NOERROR" if owner == "@" else "NXDOMAIN")


def test_newer_kinds_bad_data_is_reported_and_others_served(zk, kube, primary):
    """What the schema cannot see: an SHA-256 fingerprint of the wrong length, an HTTPS
    AliasMode binding with params, a DNAME where a CNAME is — each InvalidSpec or Conflict with
    its reason, while a good record beside them is served."""
    ns = zk.setup_ns(NS)
    kube.apply([
        zkenv.dns_zone("kinds", ns, ZONE, ["primary", "secondary"], {"zone": "kinds"}),
        record("SSHFPRecord", "short", ns, "short-fp", [{"algorithm": 4, "type": 2, "fingerprint": "abcd"}],
               {"zone": "kinds"}),
        record("HTTPSRecord", "alias", ns, "alias", [{"priority": 0, "target": "x.example.", "params": "alpn=h2"}],
               {"zone": "kinds"}),
        record("CNAMERecord", "first", ns, "clash", "target.example.", {"zone": "kinds"}),
        record("TXTRecord", "good", ns, "good", ["fine"], {"zone": "kinds"}),
    ])
    short = zk.wait_cond("SSHFPRecord", "short", ns, "False", "InvalidSpec")
    assert "32 octets" in zkenv.condition(short)[2], zkenv.condition(short)
    alias = zk.wait_cond("HTTPSRecord", "alias", ns, "False", "InvalidSpec")
    assert "spec.bindings[0].params" in zkenv.condition(alias)[2], zkenv.condition(alias)
    zk.wait_cond("CNAMERecord", "first", ns, "True", "Served")
    kube.apply([record("DNAMERecord", "second", ns, "clash", "elsewhere.example.", {"zone": "kinds"})])
    second = zk.wait_cond("DNAMERecord", "second", ns, "False", "Conflict")
    assert "CNAME" in zkenv.condition(second)[2], zkenv.condition(second)
    zkenv.wait_answer(primary.port, f"good.{ZONE}.", "TXT", ['"fine"'])
    assert zkenv.query(primary.port, f"clash.{ZONE}.", "DNAME").rrs == []

    # A DNAME hides every name below it: a record there would be acknowledged by BIND but never
    # answered, so it is a Conflict rather than a Served that lies. (Names chosen so that the
    # DNAME is older even within the same creation second.)
    kube.apply([record("DNAMERecord", "a-hider", ns, "hide", "moved.example.", {"zone": "kinds"})])
    zk.wait_cond("DNAMERecord", "a-hider", ns, "True", "Served")
    kube.apply([record("ARecord", "b-hidden", ns, "www.hide", ["192.0.2.98"], {"zone": "kinds"})])
    hidden = zk.wait_cond("ARecord", "b-hidden", ns, "False", "Conflict")
    assert "hides every name below it" in zkenv.condition(hidden)[2], zkenv.condition(hidden)
    assert zkenv.query(primary.port, f"hide.{ZONE}.", "DNAME").rrs == ["moved.example."]
    for kind, name in (("SSHFPRecord", "short"), ("HTTPSRecord", "alias"), ("CNAMERecord", "first"),
                       ("DNAMERecord", "second"), ("TXTRecord", "good"), ("DNAMERecord", "a-hider"),
                       ("ARecord", "b-hidden")):
        kube.delete(kind, name, ns)
