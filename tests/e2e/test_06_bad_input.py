"""Bad input: each case gets Ready=False with the reason docs/api.md gives, and the rest of the
zone keeps serving."""
import calendar
import time

import zkenv
from zkenv import condition, record

NS = "e2e-bad"
LABEL = {"zone": "bad"}


def created_at(obj):
    return calendar.timegm(time.strptime(obj["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ"))


def after_creation_second(obj):
    """Waits until the apiserver's next creationTimestamp second (the clock is this machine's), so
    the next object is strictly younger: timestamps have 1 s resolution."""
    t = created_at(obj)
    zkenv.wait_for(lambda: time.time() >= t + 1.1, desc="the next second")


def test_bad_input(zk, kube, primary):
    zk.setup_ns(NS)
    kube.apply([zkenv.dns_zone("bad-zone", NS, "bad.test", ["primary"], LABEL),
                record("ARecord", "keep", NS, "keep", ["192.0.2.1"], LABEL)])
    zk.wait_cond("ARecord", "keep", NS, "True", "Served")
    zkenv.wait_answer(primary.port, "keep.bad.test.", "A", ["192.0.2.1"])

    # --- CNAME beside other data: the older object wins, whatever the names' order.
    kube.apply([record("ARecord", "z-first", NS, "dup", ["192.0.2.5"], LABEL)])
    first = zk.wait_cond("ARecord", "z-first", NS, "True", "Served")
    after_creation_second(first)
    kube.apply([record("CNAMERecord", "a-second", NS, "dup", "keep", LABEL)])
    loser = zk.wait_cond("CNAMERecord", "a-second", NS, "False", "Conflict")
    assert "z-first" in condition(loser)[2], condition(loser)
    assert condition(zk.get("ARecord", "z-first", NS))[:2] == ("True", "Served")
    assert zkenv.query(primary.port, "dup.bad.test.", "A").rrs == ["192.0.2.5"]
    assert zkenv.query(primary.port, "dup.bad.test.", "CNAME").rrs == []

    # --- CNAME at the apex: "@" is refused by the CRD schema (CEL), the absolute apex name is
    # InvalidSpec (docs/api.md, "Rules per kind").
    p = kube.kubectl("apply", "-f", "-", check=False, input=__import__("json").dumps(
        record("CNAMERecord", "apex-at", NS, "@", "keep", LABEL)))
    assert p.returncode != 0 and "a CNAME cannot be at the zone apex" in p.stderr, p.stderr
    kube.apply([record("CNAMERecord", "apex-abs", NS, "bad.test.", "keep", LABEL)])
    zk.wait_cond("CNAMERecord", "apex-abs", NS, "False", "InvalidSpec")

    # --- A name outside the zone; an absolute name over 255 octets.
    kube.apply([record("ARecord", "outside", NS, "www.elsewhere.test.", ["192.0.2.2"], LABEL),
                record("ARecord", "too-long", NS, ".".join(["a" * 63] * 3 + ["b" * 60]), ["192.0.2.3"], LABEL)])
    zk.wait_cond("ARecord", "outside", NS, "False", "InvalidSpec")
    zk.wait_cond("ARecord", "too-long", NS, "False", "InvalidSpec")
    assert zkenv.query(primary.port, "www.elsewhere.test.", "A").rcode == "REFUSED"

    # --- Selected by two zones: served only in the older one, MultipleZones, message names both.
    kube.apply([zkenv.dns_zone("other-zone", NS, "badother.test", ["primary"], {"also": "multi"})])
    zk.wait_cond("DNSZone", "other-zone", NS, "True", "AllReady")
    kube.apply([record("ARecord", "multi", NS, "multi", ["192.0.2.4"], {"zone": "bad", "also": "multi"})])
    m = zk.wait_cond("ARecord", "multi", NS, "False", "MultipleZones")
    msg = condition(m)[2]
    assert ("bad-zone" in msg or "bad.test" in msg) and ("other-zone" in msg or "badother.test" in msg), msg
    zkenv.wait_answer(primary.port, "multi.bad.test.", "A", ["192.0.2.4"])
    assert zkenv.query(primary.port, "multi.badother.test.", "A").rcode == "NXDOMAIN"
    assert m["metadata"]["annotations"][zkenv.ZONE_ANNOTATION] == "bad.test."

    # --- Selected by no zone.
    kube.apply([record("ARecord", "lonely", NS, "lonely", ["192.0.2.6"], {"zone": "nowhere"})])
    lonely = zk.wait_cond("ARecord", "lonely", NS, "False", "NotSelected")
    assert not (lonely.get("status") or {}).get("zone")
    assert zkenv.ZONE_ANNOTATION not in (lonely["metadata"].get("annotations") or {})

    # --- Identical data from two objects merges: both Served, one RRset.
    kube.apply([record("ARecord", "same-1", NS, "same", ["192.0.2.7", "192.0.2.8"], LABEL),
                record("ARecord", "same-2", NS, "same", ["192.0.2.8", "192.0.2.7"], LABEL)])
    zk.wait_cond("ARecord", "same-1", NS, "True", "Served")
    zk.wait_cond("ARecord", "same-2", NS, "True", "Served")
    zkenv.wait_answer(primary.port, "same.bad.test.", "A", ["192.0.2.7", "192.0.2.8"])

    # --- BIND refuses an MX whose in-zone target has no address: UpdateRefused on that record
    # only; the records applied with it are Served.
    kube.apply([record("MXRecord", "badmx", NS, "mx", [{"preference": 10, "exchange": "nomail"}], LABEL),
                record("ARecord", "goodx", NS, "goodx", ["192.0.2.9"], LABEL),
                record("TXTRecord", "goodtxt", NS, "goodtxt", ["fine"], LABEL)])
    zk.wait_cond("MXRecord", "badmx", NS, "False", "UpdateRefused")
    zk.wait_cond("ARecord", "goodx", NS, "True", "Served")
    zk.wait_cond("TXTRecord", "goodtxt", NS, "True", "Served")
    zkenv.wait_answer(primary.port, "goodx.bad.test.", "A", ["192.0.2.9"])
    zkenv.wait_answer(primary.port, "goodtxt.bad.test.", "TXT", ['"fine"'])
    assert zkenv.query(primary.port, "mx.bad.test.", "MX").rrs == []

    # The zone is served, partly: and everything valid is still there.
    zk.wait_cond("DNSZone", "bad-zone", NS, "False", "PartiallyReady")
    assert condition(zk.get("ARecord", "keep", NS))[:2] == ("True", "Served")
    assert zkenv.query(primary.port, "keep.bad.test.", "A").rrs == ["192.0.2.1"]

    # --- Fixing things recovers without touching the bad objects themselves:
    # the MX target gets an address; the Conflict winner goes away and the CNAME is next in line.
    kube.apply([record("ARecord", "nomail", NS, "nomail", ["192.0.2.25"], LABEL)])
    zk.wait_cond("MXRecord", "badmx", NS, "True", "Served")
    zkenv.wait_answer(primary.port, "mx.bad.test.", "MX", ["10 nomail.bad.test."])
    kube.delete("ARecord", "z-first", NS)
    zk.wait_cond("CNAMERecord", "a-second", NS, "True", "Served")
    zkenv.wait_answer(primary.port, "dup.bad.test.", "CNAME", ["keep.bad.test."])
