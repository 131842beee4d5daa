"""Issue 13: a Technitium DNS Server as a backend, on the real API server. No Technitium can be
installed here, so the server is the Technitium double (tests/support/technitium_double.py,
written from Technitium's API documentation and pinned by its own tests): a DNSZone with
records on a Technitium DNSServer, and an IngressRoute in a shared zone on it — status true to
what the double serves over DNS."""
import json
import os
import subprocess
import sys
import urllib.request

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

import zkenv
from conftest import SOURCE_SERVER_NS  # noqa: F401  (the session's shared zones live elsewhere)
from test_13_sources import dnsendpoint, dnsendpoint_status, ep, ingress, ingressroute, lb_status, wait_event
from zkenv import registry_text, wait_answer, wait_for, wait_rcode

NS = "zk-tech"
TOKEN = "e2e-technitium-token"


@pytest.fixture(scope="module")
def technitium(workdir):
    http_port, dns_port = zkenv.free_port(), zkenv.free_port()
    log = open(os.path.join(workdir, "technitium-double.log"), "w")
    p = subprocess.Popen([sys.executable, os.path.join(zkenv.REPO, "tests", "support", "technitium_double.py"),
                          "--http-port", str(http_port), "--dns-port", str(dns_port), "--token", TOKEN,
                          "--zone", "tech.test", "--zone", "techshared.test"],
                         stdout=subprocess.PIPE, stderr=log, text=True)
    assert p.stdout.readline().strip() == "ready"
    yield {"http": http_port, "dns": dns_port, "url": f"http://127.0.0.1:{http_port}"}
    p.terminate()
    p.wait()
    log.close()


def double_records(t, zone, name=None):
    req = urllib.request.Request(f"{t['url']}/_double/state", method="POST")
    with urllib.request.urlopen(req) as r:
        st = json.loads(r.read())
    return [x for x in st["zones"][zone]["records"] if name is None or x["name"] == name]


def technitium_server(name, ns, t, secret="technitium-api"):
    return {"apiVersion": zkenv.API_VERSION, "kind": "DNSServer",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"role": "Primary", "timeoutSeconds": 2,
                     "external": {"address": "127.0.0.1", "port": t["dns"],
                                  "technitium": {"url": t["url"], "credentialsSecretRef": {"name": secret},
                                                 "requestsPerSecond": 0}}}}


def technitium_ns(kube, t):
    kube.namespace(NS)
    kube.apply([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "technitium-api", "namespace": NS},
                 "stringData": {"token": TOKEN}},
                technitium_server("tech", NS, t)])


def test_dnszone_on_technitium(zk, kube, technitium):
    technitium_ns(kube, technitium)
    t = technitium
    kube.apply([zkenv.dns_zone("tech", NS, "tech.test", ["tech"], {"zone": "tech"}),
                zkenv.record("ARecord", "www", NS, "www", ["192.0.2.61", "192.0.2.62"], {"zone": "tech"}, ttl=120),
                zkenv.record("TXTRecord", "spf", NS, "@", ["v=spf1 -all"], {"zone": "tech"})])
    wait_answer(t["dns"], "www.tech.test.", "A", ["192.0.2.61", "192.0.2.62"])
    zk.wait_cond("ARecord", "www", NS, "True", "Served")
    zk.wait_cond("TXTRecord", "spf", NS, "True", "Served")
    zk.wait_cond("DNSZone", "tech", NS, "True", "AllReady")
    zk.wait_cond("DNSServer", "tech", NS, "True", "Reachable")
    # What the status says is what the server holds, each record with our claim.
    recs = double_records(t, "tech.test", "www.tech.test")
    assert sorted(r["rData"]["ipAddress"] for r in recs) == ["192.0.2.61", "192.0.2.62"]
    assert all(r["comments"].startswith("zonekeeper:") for r in recs), recs
    # The zone's status catches up with both records (AllReady may first come with one of them):
    # then its serial is the one the server serves.
    def in_step():
        st = (kube.get("DNSZone", "tech", NS) or {}).get("status") or {}
        served = [s for s in st.get("servers", []) if s.get("name") == "tech"]
        ok = st.get("recordCount") == 2 and served and served[0].get("serial") == zkenv.serial(t["dns"], "tech.test")
        return st if ok else None
    wait_for(in_step, desc="DNSZone status: 2 records, the serial Technitium serves")

    # A record added by hand (no claim) at another name survives driftPolicy Remediate.
    body = "zone=tech.test&domain=nas.tech.test&type=A&ttl=60&ipAddress=198.51.100.5"
    req = urllib.request.Request(f"{t['url']}/api/zones/records/add", data=body.encode(), method="POST",
                                 headers={"Authorization": "Bearer " + TOKEN,
                                          "Content-Type": "application/x-www-form-urlencoded"})
    assert json.loads(urllib.request.urlopen(req).read())["status"] == "ok"

    # Change and delete go through as declared.
    kube.apply(zkenv.record("ARecord", "www", NS, "www", ["192.0.2.63"], {"zone": "tech"}, ttl=120))
    wait_answer(t["dns"], "www.tech.test.", "A", ["192.0.2.63"])
    kube.delete("TXTRecord", "spf", NS)
    wait_for(lambda: not [r for r in double_records(t, "tech.test", "tech.test") if r["type"] == "TXT"],
             desc="the TXT record removed from the double")
    zk.wait_cond("DNSZone", "tech", NS, "True", "AllReady")
    wait_answer(t["dns"], "nas.tech.test.", "A", ["198.51.100.5"])


def canonical(rdtype, texts):
    """dnspython's own text of each expected record, so formatting differences do not count."""
    t = dns.rdatatype.from_text(rdtype)
    return sorted(dns.rdata.from_text(dns.rdataclass.IN, t, x).to_text() for x in texts)


def double_calls(t):
    req = urllib.request.Request(f"{t['url']}/_double/state", method="POST")
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["calls"]


def test_svcb_and_https_records_on_technitium(zk, kube, technitium):
    """SVCB and HTTPS written through the API (svcParams as key|value pairs), read back from
    records/get's object without being seen as drift, replaced and deleted."""
    technitium_ns(kube, technitium)
    t = technitium
    sel = {"zone": "tech"}
    svcb_params = "mandatory=alpn alpn=dot,h2 port=853 ipv6hint=2001:db8::53"
    https_params = "alpn=h2,h3 no-default-alpn port=8443 ipv4hint=192.0.2.80,192.0.2.81 ech=AEX+DQ== key65000=x"
    kube.apply([zkenv.dns_zone("tech", NS, "tech.test", ["tech"], sel),
                zkenv.record("SVCBRecord", "resolver", NS, "_dns", [
                    {"priority": 1, "target": "dns", "params": svcb_params}], sel),
                zkenv.record("HTTPSRecord", "shop", NS, "shop", [
                    {"priority": 1, "target": ".", "params": https_params},
                    {"priority": 2, "target": "backup.example.net.", "params": "alpn=h2"}], sel, ttl=300),
                zkenv.record("HTTPSRecord", "apex", NS, "@", [{"priority": 0, "target": "cdn.example.net."}], sel)])
    wait_answer(t["dns"], "_dns.tech.test.", "SVCB", canonical("SVCB", [f"1 dns.tech.test. {svcb_params}"]))
    wait_answer(t["dns"], "shop.tech.test.", "HTTPS",
                canonical("HTTPS", [f"1 . {https_params}", "2 backup.example.net. alpn=h2"]))
    wait_answer(t["dns"], "tech.test.", "HTTPS", canonical("HTTPS", ["0 cdn.example.net."]))
    for kind, name in (("SVCBRecord", "resolver"), ("HTTPSRecord", "shop"), ("HTTPSRecord", "apex")):
        zk.wait_cond(kind, name, NS, "True", "Served")
    zk.wait_cond("DNSZone", "tech", NS, "True", "AllReady")
    # What Technitium holds: the pipe pairs became its object, each record with our claim.
    [rec] = double_records(t, "tech.test", "_dns.tech.test")
    assert rec["rData"]["svcParams"] == {"mandatory": "alpn", "alpn": "dot,h2", "port": "853",
                                         "ipv6hint": "2001:db8::53"}, rec
    assert rec["rData"]["svcTargetName"] == "dns.tech.test" and rec["comments"].startswith("zonekeeper:"), rec
    [apex] = [r for r in double_records(t, "tech.test", "tech.test") if r["type"] == "HTTPS"]
    assert apex["rData"]["svcMode"] == "AliasMode" and apex["rData"]["svcParams"] == {}, apex

    # Read back (a hand edit elsewhere moves the serial, so the zone is listed again): the
    # records compare equal, nothing is rewritten.
    def settled():
        st = (kube.get("DNSZone", "tech", NS) or {}).get("status") or {}
        served = [s for s in st.get("servers", []) if s.get("name") == "tech"]
        return served and served[0].get("serial") == zkenv.serial(t["dns"], "tech.test")
    wait_for(settled, desc="the DNSZone's serial is the one Technitium serves")
    svc_types = ("SVCB", "HTTPS")
    before = [r for r in double_records(t, "tech.test") if r["type"] in svc_types]
    urllib.request.urlopen(urllib.request.Request(f"{t['url']}/_double/reset", method="POST")).read()
    body = "zone=tech.test&domain=hand.tech.test&type=A&ttl=60&ipAddress=198.51.100.7"
    req = urllib.request.Request(f"{t['url']}/api/zones/records/add", data=body.encode(), method="POST",
                                 headers={"Authorization": "Bearer " + TOKEN,
                                          "Content-Type": "application/x-www-form-urlencoded"})
    assert json.loads(urllib.request.urlopen(req).read())["status"] == "ok"
    hand_serial = zkenv.serial(t["dns"], "tech.test")
    wait_for(lambda: double_calls(t).get("/api/zones/records/get", 0) >= 1, desc="the zone listed again")
    wait_for(settled, desc="the DNSZone's serial caught up with the hand edit")
    # Nothing written since (the serial did not move, nothing deleted), the records as they were.
    calls = double_calls(t)
    assert zkenv.serial(t["dns"], "tech.test") == hand_serial, calls
    assert "/api/zones/records/delete" not in calls and "/api/zones/records/update" not in calls, calls
    assert [r for r in double_records(t, "tech.test") if r["type"] in svc_types] == before
    zk.wait_cond("HTTPSRecord", "shop", NS, "True", "Served")

    # Replaced: one binding changes, the other stays; AliasMode becomes ServiceMode.
    kube.apply([zkenv.record("HTTPSRecord", "shop", NS, "shop", [
                    {"priority": 1, "target": ".", "params": "alpn=h3 port=443"},
                    {"priority": 2, "target": "backup.example.net.", "params": "alpn=h2"}], sel, ttl=300),
                zkenv.record("HTTPSRecord", "apex", NS, "@", [{"priority": 1, "target": "."}], sel)])
    wait_answer(t["dns"], "shop.tech.test.", "HTTPS",
                canonical("HTTPS", ["1 . alpn=h3 port=443", "2 backup.example.net. alpn=h2"]))
    wait_answer(t["dns"], "tech.test.", "HTTPS", canonical("HTTPS", ["1 ."]))
    # Deleted.
    kube.delete("SVCBRecord", "resolver", NS)
    kube.delete("HTTPSRecord", "apex", NS)
    wait_rcode(t["dns"], "_dns.tech.test.", "SVCB", "NXDOMAIN")
    wait_for(lambda: not [r for r in double_records(t, "tech.test", "tech.test") if r["type"] == "HTTPS"],
             desc="the apex HTTPS record removed from the double")
    zk.wait_cond("HTTPSRecord", "shop", NS, "True", "Served")
    zk.wait_cond("DNSZone", "tech", NS, "True", "AllReady")
    kube.delete("HTTPSRecord", "shop", NS)
    wait_rcode(t["dns"], "shop.tech.test.", "HTTPS", "NXDOMAIN")


def test_bad_token_is_authentication_failed(zk, kube, technitium):
    technitium_ns(kube, technitium)
    kube.apply([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "wrong-api", "namespace": NS},
                 "stringData": {"token": "not-the-token"}},
                technitium_server("tech-bad", NS, technitium, secret="wrong-api"),
                zkenv.dns_zone("techbad", NS, "techshared.test", ["tech-bad"], {"zone": "techbad"}),
                zkenv.record("ARecord", "bad", NS, "bad", ["192.0.2.66"], {"zone": "techbad"})])
    o = zk.wait_cond("ARecord", "bad", NS, "False", "AuthenticationFailed")
    msg = zkenv.condition(o)[2]
    assert "not-the-token" not in msg and TOKEN not in msg, msg
    zk.wait_cond("DNSServer", "tech-bad", NS, "False", "AuthenticationFailed")
    wait_rcode(technitium["dns"], "bad.techshared.test.", "A", "NXDOMAIN")
    kube.delete("DNSZone", "techbad", NS)


def test_sources_in_a_shared_zone_on_technitium(zk, kube, technitium, workdir):
    technitium_ns(kube, technitium)
    t = technitium
    c = zkenv.Controller(kube, os.path.join(workdir, "controller"), identity="zk-tech", leader_election=False,
                         extra=["--zone", f"techshared.test={NS}/tech", "--domain-filter", "techshared.test",
                                "--txt-owner-id", "zk-tech", "--sources-only",
                                "--source", "ingressroute,ingress,dnsendpoint"])
    c.start(wait_ready=True)
    try:
        kube.apply(ingressroute("shop", NS, ["Host(`shop.techshared.test`)"], target="192.0.2.70"))
        wait_answer(t["dns"], "shop.techshared.test.", "A", ["192.0.2.70"])
        wait_answer(t["dns"], "a-shop.techshared.test.", "TXT",
                    [registry_text("zk-tech", f"ingressroute/{NS}/shop")])
        wait_event(kube, "IngressRoute", "shop", NS, "Programmed", type="Normal")
        [rec] = double_records(t, "techshared.test", "shop.techshared.test")
        assert rec["comments"] == "zonekeeper:zk-tech", rec
        # An Ingress and a DNSEndpoint feed the same zone.
        kube.apply([ingress("web", NS, ["web.techshared.test"]),
                    dnsendpoint("eps", NS, [ep("api.techshared.test", "A", ["192.0.2.71", "192.0.2.72"]),
                                            ep("txt.techshared.test", "TXT", ["hello"])])])
        lb_status(kube, "web", NS, ips=["192.0.2.73"])
        wait_answer(t["dns"], "web.techshared.test.", "A", ["192.0.2.73"])
        wait_answer(t["dns"], "api.techshared.test.", "A", ["192.0.2.71", "192.0.2.72"])
        wait_answer(t["dns"], "txt.techshared.test.", "TXT", ['"hello"'])
        dnsendpoint_status(zk, "eps", NS, "True", "Programmed")
        # providerStatus: the serial the double's SOA had when it took the data.
        [e] = kube.get(zkenv.DNSENDPOINT_CRD, "eps", NS)["status"]["providerStatus"]
        assert (e["zone"], e["server"], e["result"]) == ("techshared.test", f"{NS}/tech", "Programmed"), e
        assert 0 < e["serial"] <= zkenv.serial(t["dns"], "techshared.test"), e
        wait_event(kube, "Ingress", "web", NS, "Programmed", type="Normal")
        # Someone else's record at a name the DNSEndpoint then wants: left alone, not Programmed.
        body = "zone=techshared.test&domain=taken.techshared.test&type=A&ttl=60&ipAddress=198.51.100.9"
        req = urllib.request.Request(f"{t['url']}/api/zones/records/add", data=body.encode(), method="POST",
                                     headers={"Authorization": "Bearer " + TOKEN,
                                              "Content-Type": "application/x-www-form-urlencoded"})
        assert json.loads(urllib.request.urlopen(req).read())["status"] == "ok"
        kube.apply(dnsendpoint("taker", NS, [ep("taken.techshared.test", "A", ["192.0.2.74"])]))
        dnsendpoint_status(zk, "taker", NS, "False", "Conflict")
        [e] = kube.get(zkenv.DNSENDPOINT_CRD, "taker", NS)["status"]["providerStatus"]
        assert (e["server"], e["result"]) == (f"{NS}/tech", "Conflict") and "taken.techshared.test" in e["message"], e
        wait_answer(t["dns"], "taken.techshared.test.", "A", ["198.51.100.9"])
        # SVCB and HTTPS from a DNSEndpoint (targets in presentation form, as external-dns takes
        # them): written through the API as svcParams, claimed in the registry, changed, removed.
        https = "1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.75"
        svcb = "1 dns.techshared.test. alpn=dot port=853"
        kube.apply(dnsendpoint("svc", NS, [ep("svc.techshared.test", "HTTPS", [https, "2 backup.example.net."]),
                                           ep("_dns.techshared.test", "SVCB", [svcb])]))
        wait_answer(t["dns"], "svc.techshared.test.", "HTTPS", canonical("HTTPS", [https, "2 backup.example.net."]))
        wait_answer(t["dns"], "_dns.techshared.test.", "SVCB", canonical("SVCB", [svcb]))
        wait_answer(t["dns"], "https-svc.techshared.test.", "TXT",
                    [registry_text("zk-tech", f"crd/{NS}/svc")])
        dnsendpoint_status(zk, "svc", NS, "True", "Programmed")
        [rec] = double_records(t, "techshared.test", "_dns.techshared.test")
        assert rec["rData"]["svcParams"] == {"alpn": "dot", "port": "853"}, rec
        assert rec["comments"] == "zonekeeper:zk-tech", rec
        kube.apply(dnsendpoint("svc", NS, [ep("svc.techshared.test", "HTTPS", ["1 . alpn=h3"])]))
        wait_answer(t["dns"], "svc.techshared.test.", "HTTPS", canonical("HTTPS", ["1 . alpn=h3"]))
        wait_rcode(t["dns"], "_dns.techshared.test.", "SVCB", "NXDOMAIN")
        kube.delete(zkenv.DNSENDPOINT_CRD, "svc", NS)
        wait_rcode(t["dns"], "svc.techshared.test.", "HTTPS", "NXDOMAIN")
        wait_rcode(t["dns"], "https-svc.techshared.test.", "TXT", "NXDOMAIN")
        kube.delete("ingressroutes.traefik.io", "shop", NS)
        wait_rcode(t["dns"], "shop.techshared.test.", "A", "NXDOMAIN")
        wait_rcode(t["dns"], "a-shop.techshared.test.", "TXT", "NXDOMAIN")
    finally:
        c.stop()
