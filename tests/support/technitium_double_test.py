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
