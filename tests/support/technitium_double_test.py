"""The Technitium double's own proof: each trap of the documented API that the provider must
handle is pinned here, so the double cannot drift into a friendlier server than Technitium."""
import json
import os
import socket
import subprocess
import sys
import urllib.parse
import urllib.request

import dns.message
import dns.query
import dns.rcode
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "t0ken"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def double():
    http_port, dns_port = free_port(), free_port()
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "technitium_double.py"),
                          "--http-port", str(http_port), "--dns-port", str(dns_port),
                          "--token", TOKEN, "--zone", "example.test",
                          "--user", "admin", "--password", "pw"],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    yield {"http": http_port, "dns": dns_port}
    p.terminate()
    p.wait()


def call(d, path, token=TOKEN, header=True, query=None, **params):
    body = urllib.parse.urlencode(params).encode()
    if query:
        path += "?" + urllib.parse.urlencode(query)
    req = urllib.request.Request(f"http://127.0.0.1:{d['http']}{path}", data=body, method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    if token and header:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        assert r.status == 200
        return json.loads(r.read())


def records(d, name=None):
    out = call(d, "/api/zones/records/get", domain="example.test", zone="example.test",
               listZone="true")
    assert out["status"] == "ok"
    return [r for r in out["response"]["records"] if name is None or r["name"] == name]


def soa_serial(d):
    q = dns.message.make_query("example.test.", "SOA")
    r = dns.query.udp(q, "127.0.0.1", port=d["dns"], timeout=2)
    return r.answer[0][0].serial


def add_a(d, ip, **extra):
    return call(d, "/api/zones/records/add", domain="www.example.test", zone="example.test",
                type="A", ttl="300", ipAddress=ip, **extra)


def test_errors_are_http_200_with_status(double):
    out = call(double, "/api/zones/records/get", token="wrong", domain="example.test")
    assert out["status"] == "invalid-token"
    out = call(double, "/api/zones/records/get", domain="nope.test", zone="nope.test")
    assert out["status"] == "error"
    assert out["errorMessage"] == "No such zone was found: nope.test"


def test_token_as_parameter_and_login(double):
    out = call(double, "/api/zones/list", header=False, token=None, query={"token": TOKEN})
    assert out["status"] == "ok" and out["response"]["zones"][0]["name"] == "example.test"
    login = call(double, "/api/user/login", token=None, user="admin", **{"pass": "pw"})
    assert login["status"] == "ok"
    assert call(double, "/api/zones/list", token=login["token"])["status"] == "ok"
    bad = call(double, "/api/user/login", token=None, user="admin", **{"pass": "no"})
    assert bad["status"] == "error"


def test_add_is_not_idempotent_and_overwrite_replaces_the_rrset(double):
    assert add_a(double, "192.0.2.1", comments="mine")["status"] == "ok"
    again = add_a(double, "192.0.2.1")
    assert again["status"] == "error" and "already exists" in again["errorMessage"]
    assert add_a(double, "192.0.2.2")["status"] == "ok"
    assert sorted(r["rData"]["ipAddress"] for r in records(double, "www.example.test")) == [
        "192.0.2.1", "192.0.2.2"]
    assert add_a(double, "192.0.2.9", overwrite="true")["status"] == "ok"
    assert [r["rData"]["ipAddress"] for r in records(double, "www.example.test")] == ["192.0.2.9"]


def test_update_clears_what_it_is_not_sent(double):
    add_a(double, "192.0.2.1", comments="zonekeeper")
    out = call(double, "/api/zones/records/update", domain="www.example.test", zone="example.test",
               type="A", ipAddress="192.0.2.1", newIpAddress="192.0.2.5")
    assert out["status"] == "ok"
    [r] = records(double, "www.example.test")
    assert r["rData"]["ipAddress"] == "192.0.2.5"
    assert r["ttl"] == 3600 and r["comments"] == ""
    missing = call(double, "/api/zones/records/update", domain="www.example.test",
                   zone="example.test", type="A", ipAddress="192.0.2.99", newIpAddress="192.0.2.6")
    assert missing["status"] == "error"


def test_delete_of_a_missing_record_is_an_error(double):
    out = call(double, "/api/zones/records/delete", domain="www.example.test", zone="example.test",
               type="A", ipAddress="192.0.2.1")
    assert out["status"] == "error" and "does not exist" in out["errorMessage"]


def test_each_change_raises_the_serial_seen_over_dns(double):
    before = soa_serial(double)
    add_a(double, "192.0.2.1")
    add_a(double, "192.0.2.1")  # refused: no change, no serial
    add_a(double, "192.0.2.3", overwrite="true")
    assert soa_serial(double) == before + 2
    q = dns.message.make_query("www.example.test.", "A")
    r = dns.query.tcp(q, "127.0.0.1", port=double["dns"], timeout=2)
    assert [rr.address for rr in r.answer[0]] == ["192.0.2.3"]
    q = dns.message.make_query("nothing.example.test.", "A")
    assert dns.query.udp(q, "127.0.0.1", port=double["dns"], timeout=2).rcode() == dns.rcode.NXDOMAIN


def test_cname_beside_other_data_is_refused(double):
    add_a(double, "192.0.2.1")
    out = call(double, "/api/zones/records/add", domain="www.example.test", zone="example.test",
               type="CNAME", ttl="300", cname="other.example.test")
    assert out["status"] == "error"


def test_injected_server_errors(double):
    req = urllib.request.Request(f"http://127.0.0.1:{double['http']}/_double/fail?count=2&status=503",
                                 method="POST")
    urllib.request.urlopen(req).read()
    for _ in range(2):
        with pytest.raises(urllib.error.HTTPError) as e:
            call(double, "/api/zones/list")
        assert e.value.code == 503
    assert call(double, "/api/zones/list")["status"] == "ok"


def svcb(d, path="/api/zones/records/add", name="_dns.example.test", rtype="SVCB", **params):
    return call(d, path, domain=name, zone="example.test", type=rtype, **params)


def test_svcb_params_go_as_pipe_pairs_and_come_back_as_an_object(double):
    out = svcb(double, ttl="300", svcPriority="1", svcTargetName="dns.example.test",
               svcParams="alpn|h2,h3|port|853|ipv6hint|2001:db8:0::1|no-default-alpn|",
               autoIpv4Hint="false", autoIpv6Hint="false")
    assert out["status"] == "ok", out
    [r] = records(double, "_dns.example.test")
    assert r["rData"] == {"svcPriority": 1, "svcMode": "ServiceMode", "svcTargetName": "dns.example.test",
                          "svcParams": {"alpn": "h2,h3", "port": "853", "ipv6hint": "2001:db8::1",
                                        "no-default-alpn": ""},
                          "autoIpv4Hint": False, "autoIpv6Hint": False}
    q = dns.message.make_query("_dns.example.test.", "SVCB")
    [rr] = dns.query.udp(q, "127.0.0.1", port=double["dns"], timeout=2).answer[0]
    assert rr.priority == 1 and rr.target.to_text() == "dns.example.test."
    # A list's values are one pair: repeating the values reads the next one as a key.
    bad = svcb(double, ttl="300", svcPriority="2", svcTargetName=".", svcParams="alpn|h2|h3")
    assert bad["status"] == "error" and "'h3'" in bad["errorMessage"]
    bad = svcb(double, ttl="300", svcPriority="2", svcTargetName=".", svcParams="dohpath|/q")
    assert bad["status"] == "error" and "'dohpath'" in bad["errorMessage"]
    # Deleting names the record by its data; the pairs' order is not part of it.
    out = svcb(double, "/api/zones/records/delete", svcPriority="1", svcTargetName="dns.example.test",
               svcParams="no-default-alpn||ipv6hint|2001:db8::1|port|853|alpn|h2,h3")
    assert out["status"] == "ok", out
    assert records(double, "_dns.example.test") == []


def test_svcb_empty_parameters_are_missing_ones(double):
    # No params is "false", the root target "." (read back as ""); "" is a missing parameter.
    out = svcb(double, ttl="300", svcPriority="1", svcTargetName=".", svcParams="")
    assert out["status"] == "error" and "svcParams" in out["errorMessage"]
    out = svcb(double, ttl="300", svcPriority="0", svcTargetName="", svcParams="false")
    assert out["status"] == "error" and "svcTargetName" in out["errorMessage"]
    out = svcb(double, rtype="HTTPS", name="example.test", ttl="300", svcPriority="0",
               svcTargetName="cdn.example.net", svcParams="false")
    assert out["status"] == "ok", out
    out = svcb(double, rtype="HTTPS", name="www.example.test", ttl="300", svcPriority="1",
               svcTargetName=".", svcParams="false")
    assert out["status"] == "ok", out
    [alias] = [r for r in records(double, "example.test") if r["type"] == "HTTPS"]
    assert alias["rData"]["svcMode"] == "AliasMode" and alias["rData"]["svcParams"] == {}
    [www] = records(double, "www.example.test")
    assert www["rData"]["svcTargetName"] == "" and www["rData"]["svcParams"] == {}


def test_svcb_update_takes_new_names_and_resets_auto_hints(double):
    svcb(double, ttl="300", svcPriority="1", svcTargetName=".", svcParams="alpn|h2",
         autoIpv4Hint="true", comments="x")
    [r] = records(double, "_dns.example.test")
    assert r["rData"]["autoIpv4Hint"] is True
    # Only newSvcParams: priority and target stay; the TTL, comments and auto hints not sent reset.
    out = svcb(double, "/api/zones/records/update", svcPriority="1", svcTargetName=".",
               svcParams="alpn|h2", newSvcParams="alpn|h3")
    assert out["status"] == "ok", out
    [r] = records(double, "_dns.example.test")
    assert r["rData"]["svcParams"] == {"alpn": "h3"} and r["rData"]["svcPriority"] == 1
    assert r["rData"]["autoIpv4Hint"] is False and r["ttl"] == 3600 and r["comments"] == ""
