#!/ usr / bin / python3
"""A Technitium DNS Server of ours, for tests: its HTTP API and its DNS answers.

No Technitium server can be installed on these machines, so this double is written from the
published API documentation (APIDOCS.md of TechnitiumSoftware/DnsServer: the /api/user/* and
/api/zones/* calls of v10 and later, with `comments`, `overwrite` and `listZone` of v11 and
later). It is NOT Technitium. What it keeps faithful, each pinned by technitium_double_test.py:

- every answer is HTTP 200 with {"status": "ok" | "error" | "invalid-token"}; errors carry
  "errorMessage" (a zone that does not exist: "No such zone was found: <zone>");
- the token comes as `Authorization: Bearer <token>` or a `token` parameter; parameters come in
  the query string or an application/x-www-form-urlencoded POST body;
- records/add is not idempotent: the same record twice is an error; overwrite=true replaces the
  whole RRset of that type with the one record sent;
- records/update identifies the record by its current value and clears what it is not sent:
  the TTL falls back to the default (3600), comments are emptied;
- records/delete of a record that does not exist is an error;
- SVCB/HTTPS (APIDOCS.md of v11 and later): records/add, records/delete and records/update
  take `svcPriority`, `svcTargetName`, `svcParams` — "key|value|key|value", one pair per key
  with a list's values comma-joined (alpn|h2,h3), "false" for none — and `autoIpv4Hint` /
  `autoIpv6Hint`; update's new values are newSvcPriority, newSvcTargetName, newSvcParams (a
  missing one keeps the current value, a missing autoIpv*Hint is false). An empty parameter
  is a missing one (the root target is "."). records/get shows rData {svcPriority, svcMode,
  svcTargetName ("" for the root), svcParams: an OBJECT {key: value}, autoIpv4Hint,
  autoIpv6Hint}, hint addresses in the server's spelling. Unknown key names are refused the
  way .NET's Enum.Parse does ("Requested value 'x' was not found."). The double stores the
  automatic-hint flags but does not compute hints;
- each successful change raises the zone's SOA serial by one; DNS (UDP and TCP) answers from
  the same data, so the SOA serial seen over DNS moves with the API.

Test controls (no token): GET /_double/state (zones, call counts), POST /_double/fail?count=N
&status=503 (the next N API calls answer that HTTP status), POST /_double/reset.

  technitium_double.py --http-port 5380 --dns-port 5353 --token T [--zone example.test]
                       [--user admin --password secret]
prints "ready" on stdout once both listen on 127.0.0.1.
"""
import argparse
import ipaddress
import json
import socketserver
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

DEFAULT_TTL = 3600

SSHFP_ALG = {"RSA": 1, "DSA": 2, "ECDSA": 3, "Ed25519": 4, "Ed448": 6}
SSHFP_FP = {"SHA1": 1, "SHA256": 2}
TLSA_USAGE = {"PKIX-TA": 0, "PKIX-EE": 1, "DANE-TA": 2, "DANE-EE": 3}
TLSA_SELECTOR = {"Cert": 0, "SPKI": 1}
TLSA_MATCHING = {"Full": 0, "SHA2-256": 1, "SHA2-512": 2}


class ApiError(Exception):
    pass


def norm_name(n):
    n = n.strip().rstrip(".").lower()
    return n


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Store:
    def __init__(self, token, user, password):
        self.lock = threading.Lock()
        self.tokens = {token} if token else set()
        self.user, self.password = user, password
        self.zones = {}  # name -> {"serial": int, "records": [record]}
        self.calls = {}
        self.fail_count, self.fail_status = 0, 503

    def create_zone(self, zone):
        zone = norm_name(zone)
        if zone in self.zones:
            raise ApiError(f"Zone already exists: {zone}")
        self.zones[zone] = {"serial": 1, "records": [
            {"name": zone, "type": "SOA", "ttl": 900, "disabled": False, "comments": "",
             "rData": {"primaryNameServer": "ns1." + zone, "responsiblePerson": "hostadmin." + zone,
                       "serial": 1, "refresh": 900, "retry": 300, "expire": 604800, "minimum": 900}},
            {"name": zone, "type": "NS", "ttl": 3600, "disabled": False, "comments": "",
             "rData": {"nameServer": "ns1." + zone}},
        ]}

    def zone_of(self, p):
        zone = norm_name(p.get("zone") or "")
        domain = norm_name(p.get("domain") or "")
        if not zone:
            # the closest authoritative zone
            best = None
            for z in self.zones:
                if domain == z or domain.endswith("." + z):
                    if best is None or len(z) > len(best):
                        best = z
            if best is None:
                raise ApiError(f"No such zone was found: {domain}")
            zone = best
        if zone not in self.zones:
            raise ApiError(f"No such zone was found: {zone}")
        if domain and not (domain == zone or domain.endswith("." + zone)):
            raise ApiError(f"The domain name {domain} does not belong to zone {zone}")
        return zone, self.zones[zone]

    def bump(self, z):
        z["serial"] += 1
        for r in z["records"]:
            if r["type"] == "SOA":
                r["rData"]["serial"] = z["serial"]


def rdata_from_params(rtype, p, prefix=""):
    """The rData object of a record, from add/update/delete parameters (`prefix` "new" for
    update's new values)."""
    def g(k, required=True):
        key = prefix + k[0].upper() + k[1:] if prefix else k
        v = p.get(key)
        if v is None and prefix:
            v = p.get(k)  # update: a missing new value keeps the current one
        if v is None and required:
            raise ApiError(f"Parameter '{key}' missing.")
        return v

    def num(k):
        v = g(k)
        try:
            return int(v)
        except ValueError:
            raise ApiError(f"Parameter '{k}' is not a number: {v}")

    if rtype in ("A", "AAAA"):
        ip = ipaddress.ip_address(g("ipAddress"))
        if (rtype == "A") != (ip.version == 4):
            raise ApiError(f"Invalid IP address for {rtype} record")
        return {"ipAddress": str(ip)}
    if rtype == "NS":
        return {"nameServer": norm_name(g("nameServer"))}
    if rtype == "CNAME":
        return {"cname": norm_name(g("cname"))}
    if rtype == "PTR":
        return {"ptrName": norm_name(g("ptrName"))}
    if rtype == "DNAME":
        return {"dname": norm_name(g("dname"))}
    if rtype == "MX":
        return {"preference": num("preference"), "exchange": norm_name(g("exchange"))}
    if rtype == "TXT":
        split = (g("splitText", False) or "false").lower() == "true"
        return {"text": g("text"), "splitText": split}
    if rtype == "SRV":
        return {"priority": num("priority"), "weight": num("weight"), "port": num("port"),
                "target": norm_name(g("target"))}
    if rtype == "CAA":
        return {"flags": num("flags"), "tag": g("tag"), "value": g("value")}
    if rtype == "SSHFP":
        alg, fp = g("sshfpAlgorithm"), g("sshfpFingerprintType")
        if alg not in SSHFP_ALG or fp not in SSHFP_FP:
            raise ApiError(f"Invalid SSHFP algorithm or fingerprint type: {alg} {fp}")
        return {"algorithm": alg, "fingerprintType": fp, "fingerprint": g("sshfpFingerprint").upper()}
    if rtype == "TLSA":
        u, s, m = g("tlsaCertificateUsage"), g("tlsaSelector"), g("tlsaMatchingType")
        if u not in TLSA_USAGE or s not in TLSA_SELECTOR or m not in TLSA_MATCHING:
            raise ApiError(f"Invalid TLSA parameters: {u} {s} {m}")
        return {"certificateUsage": u, "selector": s, "matchingType": m,
                "certificateAssociationData": g("tlsaCertificateAssociationData").upper()}
    if rtype == "NAPTR":
        return {"order": num("naptrOrder"), "preference": num("naptrPreference"),
                "flags": g("naptrFlags"), "services": g("naptrServices"),
                "regexp": g("naptrRegexp"), "replacement": norm_name(g("naptrReplacement"))}
    if rtype in ("SVCB", "HTTPS"):
        prio = num("svcPriority")
        if not 0 <= prio <= 65535:
            raise ApiError(f"Parameter 'svcPriority' is out of range: {prio}")
        target = g("svcTargetName")
        if target == "":  # an empty parameter is a missing one: the root is "."
            raise ApiError(f"Parameter '{prefix + 'SvcTargetName' if prefix else 'svcTargetName'}' missing.")
        params = g("svcParams")
        if params == "":  # none is "false"
            raise ApiError(f"Parameter '{prefix + 'SvcParams' if prefix else 'svcParams'}' missing.")
        # autoIpv4Hint/autoIpv6Hint are not new… parameters in records/update, and a missing
        # one is false (update resets them like the TTL).
        auto = {k: (p.get(k) or "false").lower() == "true" for k in ("autoIpv4Hint", "autoIpv6Hint")}
        return {"svcPriority": prio, "svcMode": "AliasMode" if prio == 0 else "ServiceMode",
                "svcTargetName": norm_name(target), "svcParams": svc_params(params), **auto}
    if rtype == "SOA":
        return {"primaryNameServer": norm_name(g("primaryNameServer")),
                "responsiblePerson": norm_name(g("responsiblePerson")),
                "serial": num("serial"), "refresh": num("refresh"), "retry": num("retry"),
                "expire": num("expire"), "minimum": num("minimum")}
    raise ApiError(f"Record type not supported: {rtype}")


SVC_KEYS = ("mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint")


def svc_key(k):
    k = k.lower()
    if k in SVC_KEYS or (k.startswith("key") and k[3:].isdigit() and int(k[3:]) < 65535):
        return k
    raise ApiError(f"Requested value '{k}' was not found.")  # .NET's Enum.Parse


def svc_params(text):
    """svcParams of records/add: "key|value|key|value" (a multi-value param is ONE pair with
    commas: alpn|h2,h3; alpn|h2|h3 reads 'h3' as a key), "false" for none. Returned as the
    object records/get shows, addresses in the server's own spelling."""
    if text.lower() == "false":
        return {}
    parts = text.split("|")
    if len(parts) % 2:
        raise ApiError(f"Requested value '{parts[-1]}' was not found.")
    out = {}
    for k, v in zip(parts[0::2], parts[1::2]):
        k = svc_key(k)
        if k in ("ipv4hint", "ipv6hint"):
            ips = [ipaddress.ip_address(x.strip()) for x in v.split(",")]
            if any(ip.version != (4 if k == "ipv4hint" else 6) for ip in ips):
                raise ApiError(f"Invalid {k} value: {v}")
            v = ",".join(str(ip) for ip in ips)
        elif k == "port":
            v = str(int(v))
            if not 0 <= int(v) <= 65535:
                raise ApiError(f"Invalid port value: {v}")
        elif k == "mandatory":
            v = ",".join(svc_key(x) for x in v.split(","))
        elif k == "alpn" and (not v or "" in v.split(",")):
            raise ApiError("Invalid alpn value")
        elif k == "no-default-alpn":
            v = ""
        out[k] = v
    return out


def same_value(rtype, a, b):
    if rtype == "TXT":
        return a["text"] == b["text"] and a["splitText"] == b["splitText"]
    if rtype in ("SVCB", "HTTPS"):  # the record's data; the automatic-hint flags are not
        keys = ("svcPriority", "svcTargetName", "svcParams")
        return all(a[k] == b[k] for k in keys)
    return a == b


def presentation(rtype, rd):
    """The zone-file form of rData, for DNS answers."""
    d = lambda n: n + "." if n else "."
    if rtype in ("A", "AAAA"):
        return rd["ipAddress"]
    if rtype in ("NS", "CNAME", "PTR", "DNAME"):
        return d(rd[{"NS": "nameServer", "CNAME": "cname", "PTR": "ptrName", "DNAME": "dname"}[rtype]])
    if rtype == "MX":
        return f'{rd["preference"]} {d(rd["exchange"])}'
    if rtype == "TXT":
        if rd["splitText"]:
            parts = rd["text"].split("\n")
        else:
            raw = rd["text"].encode()
            parts = [raw[i:i + 255].decode("utf-8", "surrogateescape") for i in range(0, max(len(raw), 1), 255)]
        return " ".join(quote(s) for s in parts)
    if rtype == "SRV":
        return f'{rd["priority"]} {rd["weight"]} {rd["port"]} {d(rd["target"])}'
    if rtype == "CAA":
        return f'{rd["flags"]} {rd["tag"]} {quote(rd["value"])}'
    if rtype == "SSHFP":
        return f'{SSHFP_ALG[rd["algorithm"]]} {SSHFP_FP[rd["fingerprintType"]]} {rd["fingerprint"]}'
    if rtype == "TLSA":
        return (f'{TLSA_USAGE[rd["certificateUsage"]]} {TLSA_SELECTOR[rd["selector"]]} '
                f'{TLSA_MATCHING[rd["matchingType"]]} {rd["certificateAssociationData"]}')
    if rtype == "NAPTR":
        return (f'{rd["order"]} {rd["preference"]} {quote(rd["flags"])} {quote(rd["services"])} '
                f'{quote(rd["regexp"])} {d(rd["replacement"])}')
    if rtype in ("SVCB", "HTTPS"):
        params = " ".join(k if v == "" else f'{k}={quote(v)}' for k, v in rd["svcParams"].items())
        return f'{rd["svcPriority"]} {d(rd["svcTargetName"])} {params}'.strip()
    if rtype == "SOA":
        return (f'{d(rd["primaryNameServer"])} {d(rd["responsiblePerson"])} {rd["serial"]} '
                f'{rd["refresh"]} {rd["retry"]} {rd["expire"]} {rd["minimum"]}')
    raise ValueError(rtype)


class Api:
    def __init__(self, store):
        self.s = store

    def call(self, path, p, token):
        s = self.s
        if path == "/api/user/login":
            if p.get("user") == s.user and p.get("pass") == s.password and s.user:
                t = "session-%d" % (len(s.tokens) + 1)
                s.tokens.add(t)
                return {"status": "ok", "token": t, "username": s.user}
            raise ApiError("Invalid username or password for user: %s" % p.get("user"))
        if token not in s.tokens:
            return {"status": "invalid-token", "errorMessage": "Invalid token or session expired."}
        if path == "/api/user/session/get":
            return {"status": "ok", "username": s.user or "admin"}
        if path == "/api/zones/list":
            return {"status": "ok", "response": {"zones": [
                {"name": z, "type": "Primary", "internal": False, "disabled": False, "soaSerial": v["serial"]}
                for z, v in sorted(s.zones.items())]}}
        if path == "/api/zones/create":
            if (p.get("type") or "Primary") != "Primary":
                raise ApiError("Only Primary zones are supported by this double")
            s.create_zone(p.get("zone") or "")
            return {"status": "ok", "response": {"domain": norm_name(p["zone"])}}
        if path == "/api/zones/records/get":
            zone, z = s.zone_of(p)
            domain = norm_name(p.get("domain") or zone)
            list_zone = (p.get("listZone") or "false").lower() == "true"
            recs = [r for r in z["records"] if list_zone or r["name"] == domain]
            return {"status": "ok", "response": {
                "zone": {"name": zone, "type": "Primary", "internal": False, "disabled": False},
                "records": [dict(r) for r in recs]}}
        if path == "/api/zones/records/add":
            return self.add(p)
        if path == "/api/zones/records/update":
            return self.update(p)
        if path == "/api/zones/records/delete":
            return self.delete(p)
        raise ApiError(f"Invalid API call: {path}")

    def add(self, p):
        zone, z = self.s.zone_of(p)
        domain = norm_name(p.get("domain") or "")
        rtype = (p.get("type") or "").upper()
        if rtype == "SOA":
            raise ApiError("Cannot add SOA record: use update")
        ttl = int(p.get("ttl") or DEFAULT_TTL)
        rd = rdata_from_params(rtype, p)
        overwrite = (p.get("overwrite") or "false").lower() == "true"
        recs = z["records"]
        at_name = [r for r in recs if r["name"] == domain]
        if rtype == "CNAME" and any(r["type"] != "CNAME" for r in at_name):
            raise ApiError("Cannot add CNAME record: other records exist for the domain name")
        if rtype != "CNAME" and any(r["type"] == "CNAME" for r in at_name):
            raise ApiError("Cannot add record: a CNAME record exists for the domain name")
        same = [r for r in at_name if r["type"] == rtype]
        if overwrite:
            for r in same:
                recs.remove(r)
        else:
            if any(same_value(rtype, r["rData"], rd) for r in same):
                raise ApiError("Cannot add record: record already exists.")
            if rtype in ("CNAME", "DNAME") and same:
                raise ApiError(f"Cannot add record: a {rtype} record already exists")
        rec = {"name": domain, "type": rtype, "ttl": ttl, "disabled": False,
               "comments": p.get("comments") or "", "rData": rd}
        recs.append(rec)
        self.s.bump(z)
        return {"status": "ok", "response": {"zone": {"name": zone, "type": "Primary"}, "addedRecord": dict(rec)}}

    def find(self, z, domain, rtype, rd):
        for r in z["records"]:
            if r["name"] == domain and r["type"] == rtype and same_value(rtype, r["rData"], rd):
                return r
        return None

    def update(self, p):
        zone, z = self.s.zone_of(p)
        domain = norm_name(p.get("domain") or "")
        rtype = (p.get("type") or "").upper()
        if rtype == "SOA":
            cur = next(r for r in z["records"] if r["type"] == "SOA")
            rd = rdata_from_params("SOA", p)
            cur["rData"] = rd
            cur["ttl"] = int(p.get("ttl") or DEFAULT_TTL)
            cur["comments"] = p.get("comments") or ""
            z["serial"] = rd["serial"] - 1
            self.s.bump(z)
            return {"status": "ok", "response": {"updatedRecord": dict(cur)}}
        old = rdata_from_params(rtype, p)
        cur = self.find(z, domain, rtype, old)
        if cur is None:
            raise ApiError("Cannot update record: the record does not exist.")
        new = rdata_from_params(rtype, p, prefix="new")
        cur["rData"] = new
        cur["ttl"] = int(p.get("ttl") or DEFAULT_TTL)  # a missing TTL falls back to the default
        cur["comments"] = p.get("comments") or ""      # comments not sent are emptied
        cur["disabled"] = (p.get("disable") or "false").lower() == "true"
        self.s.bump(z)
        return {"status": "ok", "response": {"updatedRecord": dict(cur)}}

    def delete(self, p):
        zone, z = self.s.zone_of(p)
        domain = norm_name(p.get("domain") or "")
        rtype = (p.get("type") or "").upper()
        rd = rdata_from_params(rtype, p)
        cur = self.find(z, domain, rtype, rd)
        if cur is None:
            raise ApiError("Cannot delete record: the record does not exist.")
        z["records"].remove(cur)
        self.s.bump(z)
        return {"status": "ok"}


def make_http_handler(store, api):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stalls

        def log_message(self, *a):
            pass

        def reply(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def handle_any(self):
            url = urllib.parse.urlsplit(self.path)
            p = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                body = self.rfile.read(n).decode()
                if (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
                    p.update(dict(urllib.parse.parse_qsl(body, keep_blank_values=True)))
            path = url.path
            with store.lock:
                if path == "/_double/state":
                    return self.reply(200, {"zones": store.zones, "calls": store.calls})
                if path == "/_double/fail":
                    store.fail_count = int(p.get("count", "1"))
                    store.fail_status = int(p.get("status", "503"))
                    return self.reply(200, {"status": "ok"})
                if path == "/_double/reset":
                    store.calls = {}
                    return self.reply(200, {"status": "ok"})
                store.calls[path] = store.calls.get(path, 0) + 1
                if store.fail_count > 0:
                    store.fail_count -= 1
                    return self.reply(store.fail_status, {"status": "error", "errorMessage": "injected"})
                auth = self.headers.get("Authorization") or ""
                token = auth[7:] if auth.startswith("Bearer ") else p.get("token")
                try:
                    out = api.call(path, p, token)
                except ApiError as e:
                    out = {"status": "error", "errorMessage": str(e), "stackTrace": "   at DnsServerCore"}
                except (KeyError, ValueError) as e:
                    out = {"status": "error", "errorMessage": f"Invalid request: {e}"}
            self.reply(200, out)

        do_GET = handle_any
        do_POST = handle_any

    return Handler


def answer(store, wire):
    q = dns.message.from_wire(wire)
    r = dns.message.make_response(q)
    r.flags |= dns.flags.AA
    if not q.question:
        r.set_rcode(dns.rcode.FORMERR)
        return r
    qn = norm_name(q.question[0].name.to_text())
    qt = dns.rdatatype.to_text(q.question[0].rdtype)
    with store.lock:
        zone = None
        for z in store.zones:
            if qn == z or qn.endswith("." + z):
                if zone is None or len(z) > len(zone):
                    zone = z
        if zone is None:
            r.flags &= ~dns.flags.AA
            r.set_rcode(dns.rcode.REFUSED)
            return r
        recs = [x for x in store.zones[zone]["records"] if x["name"] == qn and not x["disabled"]]
        soa = next(x for x in store.zones[zone]["records"] if x["type"] == "SOA")
        if not recs:
            r.set_rcode(dns.rcode.NXDOMAIN)
        match = [x for x in recs if x["type"] == qt] or [x for x in recs if x["type"] == "CNAME"]
        by_type = {}
        for x in match:
            by_type.setdefault(x["type"], []).append(x)
        for t, xs in by_type.items():
            rrs = dns.rrset.from_text_list(qn + ".", xs[0]["ttl"], "IN", t,
                                           [presentation(t, x["rData"]) for x in xs])
            r.answer.append(rrs)
        if not match:
            r.authority.append(dns.rrset.from_text(zone + ".", soa["ttl"], "IN", "SOA",
                                                   presentation("SOA", soa["rData"])))
    return r


def serve_dns(store, port):
    class Udp(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            try:
                sock.sendto(answer(store, data).to_wire(), self.client_address)
            except Exception:
                pass

    class Tcp(socketserver.StreamRequestHandler):
        def handle(self):
            while True:
                n = self.rfile.read(2)
                if len(n) < 2:
                    return
                data = self.rfile.read(int.from_bytes(n, "big"))
                try:
                    out = answer(store, data).to_wire()
                except Exception:
                    return
                self.wfile.write(len(out).to_bytes(2, "big") + out)

    class UdpServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
        allow_reuse_address = True
        daemon_threads = True

    class TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
        allow_reuse_address = True
        daemon_threads = True

    servers = [UdpServer(("127.0.0.1", port), Udp), TcpServer(("127.0.0.1", port), Tcp)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    return servers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--http-port", type=int, required=True)
    ap.add_argument("--dns-port", type=int, required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--user", default="")
    ap.add_argument("--password", default="")
    ap.add_argument("--zone", action="append", default=[])
    a = ap.parse_args()
    store = Store(a.token, a.user, a.password)
    for z in a.zone:
        store.create_zone(z)
    serve_dns(store, a.dns_port)
    httpd = ThreadingHTTPServer(("127.0.0.1", a.http_port), make_http_handler(store, Api(store)))
    httpd.daemon_threads = True
    print("ready", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
