"""Issue 12, DNSSEC: a DNSZone with spec.dnssec on a server with a catalog zone is signed by
named (dnssec-policy, set by zonekeeper's agent from the catalog), status.dnssec.ds holds the
DS the parent needs, and that is proven by validation: `delv` with a trust anchor made from the
DS in status validates answers before and after a record change, `dnssec-verify` passes on an
AXFR of the zone, and the DS in status is what `dnssec-dsfromkey` makes of the served DNSKEY.
Bad input gets a specific reason and leaves the other zones alone. Real API server, real named,
the agent as its own process (as in test_22)."""
import json
import os
import subprocess
import time

import pytest

import zkenv
from test_13_sources import wait_event
from zkenv import record, wait_for

NS = "e2e-dnssec"
CATALOG = "catalog.zonekeeper.invalid"
ZONE = "signed.test"


@pytest.fixture(scope="module")
def managed(workdir):
    """A named whose catalog zone the agent follows (polling every second), with the agent's
    DNSSEC policies file included as a managed Primary's named.conf does."""
    named = zkenv.Named(os.path.join(workdir, "named-dnssec"), [CATALOG], dnssec_policies=True)
    named.start()
    log_path = os.path.join(workdir, "agent-dnssec.log")
    try:
        with zkenv.catalog_agent(named, log_path):
            yield named, log_path
    finally:
        named.stop()


def catalog_server(named):
    s = zkenv.dns_server("catalog-primary", NS, named.port, secret="tsig")
    s["spec"]["catalogZone"] = CATALOG
    return s


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw)


def dnssec_status(kube, name, ns=NS):
    o = kube.get("DNSZone", name, ns)
    return (o or {}).get("status", {}).get("dnssec")


def trust_anchor_file(path, zone, ds_list):
    """delv's -a file: the zone's DS from status as static-ds trust anchors."""
    lines = [f'  {zone}. static-ds {d["keyTag"]} {d["algorithm"]} {d["digestType"]} "{d["digest"]}";'
             for d in ds_list]
    with open(path, "w") as f:
        f.write("trust-anchors {\n" + "\n".join(lines) + "\n};\n")
    return path


def delv(named, anchors, name, rdtype):
    """`delv` against the test named with the zone's DS as the only trust anchor."""
    return run(["delv", "@127.0.0.1", "-p", str(named.port), "-a", anchors, f"+root={ZONE}.",
                "+tcp", "+nomultiline", name, rdtype])


def validated(result, want):
    """delv said 'fully validated' and its answer holds each of `want`."""
    return (result.returncode == 0 and "; fully validated" in result.stdout
            and all(w in result.stdout for w in want))


def test_a_signed_zone_validates_against_the_ds_in_its_status(zk, kube, controller, managed, workdir):
    named, agent_log = managed
    kube.namespace(NS)
    kube.apply([zkenv.tsig_secret("tsig", NS, named.key), catalog_server(named)])

    t0 = time.monotonic()
    kube.apply([zkenv.dns_zone("signed", NS, ZONE, ["catalog-primary"], {"app": "signed"},
                               extra={"dnssec": {"algorithm": "ECDSAP256SHA256", "denial": "NSEC3"}}),
                record("ARecord", "www", NS, "www", ["192.0.2.130"], {"app": "signed"})])
    st = wait_for(lambda: (lambda d: d if d and d.get("signed") and d.get("ds") else None)(
        dnssec_status(kube, "signed")), desc="status.dnssec.signed with DS records")
    zkenv.log(f"dnssec: status.dnssec.ds written {time.monotonic() - t0:.2f} s after kubectl apply "
              "(zone created, signed by named, DNSKEY read back; the agent polls every 1 s here)")
    zk.wait_cond("DNSZone", "signed", NS, "True", "AllReady")
    with open(agent_log) as f:
        assert f"dnssec-policy zk-" in f.read()

    # The DS in status is the served KSK's: dnssec-dsfromkey over the DNSKEY RRset named serves.
    keys = run(["dig", "@127.0.0.1", "-p", str(named.port), "+noall", "+answer", "+norec",
                "DNSKEY", f"{ZONE}."])
    assert keys.returncode == 0 and "DNSKEY\t257 3 13 " in keys.stdout, keys.stdout
    keyfile = os.path.join(workdir, "dnssec-dnskey.txt")
    with open(keyfile, "w") as f:
        f.write(keys.stdout)
    dsfromkey = run(["dnssec-dsfromkey", "-2", "-f", keyfile, f"{ZONE}."])
    assert dsfromkey.returncode == 0, dsfromkey.stderr
    want = sorted(" ".join(line.split()[3:]) for line in dsfromkey.stdout.splitlines() if line.strip())
    got = sorted(f'{d["keyTag"]} {d["algorithm"]} {d["digestType"]} {d["digest"]}' for d in st["ds"])
    assert got == want, (got, want)
    assert all(d["record"] == f'{ZONE}. IN DS {d["keyTag"]} 13 2 {d["digest"]}' for d in st["ds"])

    # delv validates with the DS from status as the only trust anchor.
    anchors = trust_anchor_file(os.path.join(workdir, "dnssec-anchors.conf"), ZONE, st["ds"])
    r = delv(named, anchors, f"www.{ZONE}.", "A")
    assert validated(r, ["192.0.2.130"]), r.stdout + r.stderr
    # ... and a wrong anchor does not validate (the check above means something).
    bad = [dict(d, digest=("0" * 63 + "1")) for d in st["ds"]]
    r = delv(named, trust_anchor_file(os.path.join(workdir, "dnssec-bad.conf"), ZONE, bad),
             f"www.{ZONE}.", "A")
    assert not validated(r, ["192.0.2.130"]), r.stdout + r.stderr
    # Denial of existence is signed too (NSEC3, as asked).
    r = delv(named, anchors, f"nothing.{ZONE}.", "A")
    assert "; negative response, fully validated" in r.stdout, r.stdout + r.stderr
    assert zkenv.query(named.port, f"{ZONE}.", "NSEC3PARAM").rcode == "NOERROR"

    # A record change: signed and served, then validated again.
    t0 = time.monotonic()
    kube.patch("ARecord", "www", NS, {"spec": {"ipv4Addresses": ["192.0.2.131"]}})
    while True:
        a = run(["dig", "@127.0.0.1", "-p", str(named.port), "+dnssec", "+norec", "+noall",
                 "+answer", f"www.{ZONE}.", "A"]).stdout
        if "192.0.2.131" in a and "RRSIG\tA 13 " in a and "192.0.2.130" not in a:
            break
        assert time.monotonic() - t0 < zkenv.TIMEOUT, a
        time.sleep(0.005)
    zkenv.log(f"dnssec: a record change served with its RRSIG "
              f"{(time.monotonic() - t0) * 1000:.0f} ms after kubectl patch")
    while True:
        r = delv(named, anchors, f"www.{ZONE}.", "A")
        if validated(r, ["192.0.2.131"]) and "192.0.2.130" not in r.stdout:
            break
        assert time.monotonic() - t0 < zkenv.TIMEOUT, r.stdout + r.stderr
        time.sleep(0.02)
    zkenv.log(f"dnssec: a record change answered signed and validated by delv "
              f"{(time.monotonic() - t0) * 1000:.0f} ms after kubectl patch (delv polls included)")
    zk.wait_cond("ARecord", "www", NS, "True", "Served")

    # The whole zone verifies: dnssec-verify on a TSIG-signed AXFR.
    axfr = run(["dig", "@127.0.0.1", "-p", str(named.port), "-k", named.env["ZK_TSIG_KEY_FILE"],
                "+noall", "+answer", "AXFR", f"{ZONE}."])
    assert axfr.returncode == 0 and "RRSIG" in axfr.stdout, axfr.stdout + axfr.stderr
    zonefile = os.path.join(workdir, "dnssec-axfr.db")
    with open(zonefile, "w") as f:
        f.write(axfr.stdout)
    # -z: the zone has one combined signing key (both lifetimes unlimited: a CSK, flags 257),
    # which signs every RRset; without -z dnssec-verify wants a key without the SEP flag.
    verify = run(["dnssec-verify", "-z", "-o", f"{ZONE}.", zonefile])
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # zonekeeper's drift check leaves the signatures alone: the zone stays AllReady, in sync,
    # over several drift intervals (2 s), and the signed data is still there.
    time.sleep(5)
    zk.wait_cond("DNSZone", "signed", NS, "True", "AllReady")
    assert "RRSIG" in run(["dig", "@127.0.0.1", "-p", str(named.port), "+dnssec", "+norec",
                           f"www.{ZONE}.", "A"]).stdout


def test_dnssec_on_a_server_without_a_catalog_is_dnssec_not_supported(zk, kube, controller, primary):
    ns = "e2e-dnssec-plain"
    kube.namespace(ns)
    kube.apply([zkenv.tsig_secret("tsig", ns, primary.key),
                zkenv.dns_server("plain", ns, primary.port, secret="tsig"),
                # A zone name of its own on the session's primary: no other test's DNSZone may
                # declare it (an older one would make this one Conflict instead).
                zkenv.dns_zone("z", ns, "dnssec-plain.test", ["plain"], {"app": "none"},
                               extra={"dnssec": {}})])
    obj = zk.wait_cond("DNSZone", "z", ns, "False", "DNSSECNotSupported")
    assert f"DNSServer {ns}/plain has no catalog zone" in zkenv.condition(obj)[2]
    assert "dnssec" not in obj.get("status", {})
    kube.delete("DNSZone", "z", ns)


def test_bad_dnssec_input_is_refused_with_its_reason(zk, kube, controller, managed):
    named, _ = managed
    kube.namespace(NS)
    # The schema refuses what it can see: an unknown algorithm, a lifetime that is no duration.
    for bad in ({"algorithm": "RSASHA1"}, {"kskLifetime": "30 days"}, {"denial": "NSEC5"}):
        z = zkenv.dns_zone("bad", NS, "bad.test", ["catalog-primary"], {"app": "bad"},
                           extra={"dnssec": bad})
        r = kube.kubectl("apply", "-f", "-", input=json.dumps(z), check=False)
        assert r.returncode != 0 and "spec.dnssec" in r.stderr, (bad, r.stderr)
    # A duration the schema takes but named would refuse: InvalidSpec naming the field; the
    # signed zone of the first test keeps answering.
    kube.apply([zkenv.dns_zone("short", NS, "short.test", ["catalog-primary"], {"app": "short"},
                               extra={"dnssec": {"zskLifetime": "P1D"}})])
    obj = zk.wait_cond("DNSZone", "short", NS, "False", "InvalidSpec")
    assert "spec.dnssec.zskLifetime: \"P1D\" is shorter than 30 days" in zkenv.condition(obj)[2]
    zk.wait_cond("DNSZone", "signed", NS, "True", "AllReady")
    zkenv.wait_answer(named.port, f"www.{ZONE}.", "A", ["192.0.2.131"])


def test_the_ds_goes_to_the_configmap_the_zone_names(zk, kube, controller, managed):
    """spec.dnssec.dsConfigMap: the DS records of status.dnssec.ds also in a ConfigMap of the
    zone's namespace, owned by the DNSZone, once zonekeeper may write ConfigMaps there (until
    then a Warning Event names the RoleBinding); renamed, the old one goes; a ConfigMap of that
    name that is not the DNSZone's is left alone (NameTaken); the field removed while the
    controller is down, ours goes after its restart. The zone stays AllReady and answering."""
    named, _ = managed
    kube.namespace(NS)
    uid = kube.get("DNSZone", "signed", NS)["metadata"]["uid"]
    ds_lines = "".join(d["record"] + "\n" for d in dnssec_status(kube, "signed")["ds"])
    assert ds_lines.startswith(f"{ZONE}. IN DS "), ds_lines

    def ask(name):
        kube.patch("DNSZone", "signed", NS, {"spec": {"dnssec": {"dsConfigMap": name}}})

    ask("signed-ds")
    wait_event(kube, "DNSZone", "signed", NS, "DeployForbidden", type="Warning",
               note_has="zonekeeper-bind9-deployer")
    assert kube.get("configmaps", "signed-ds", NS) is None
    zk.wait_cond("DNSZone", "signed", NS, "True", "AllReady")
    kube.apply([zkenv.deployer_binding(NS)])
    cm = wait_for(lambda: kube.get("configmaps", "signed-ds", NS), desc="ConfigMap signed-ds")
    assert cm["data"] == {"zone": f"{ZONE}.", "ds": ds_lines}, cm["data"]
    [ref] = cm["metadata"]["ownerReferences"]
    assert (ref["kind"], ref["name"], ref["uid"], ref["controller"]) == ("DNSZone", "signed", uid, True), ref
    assert cm["metadata"]["labels"] == {"dns.zonekeeper.io/ds": "true"}, cm["metadata"]

    # Renamed: the new one written, then the old one deleted.
    ask("signed-ds-2")
    cm = wait_for(lambda: kube.get("configmaps", "signed-ds-2", NS), desc="ConfigMap signed-ds-2")
    assert cm["data"]["ds"] == ds_lines
    wait_for(lambda: kube.get("configmaps", "signed-ds", NS) is None, desc="signed-ds deleted")

    # Someone's ConfigMap of the name asked for: left alone (NameTaken); ours stays meanwhile.
    kube.apply([{"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "theirs", "namespace": NS}, "data": {"x": "1"}}])
    ask("theirs")
    wait_event(kube, "DNSZone", "signed", NS, "NameTaken", type="Warning", note_has="theirs")
    assert kube.get("configmaps", "theirs", NS)["data"] == {"x": "1"}
    assert kube.get("configmaps", "signed-ds-2", NS) is not None

    # The field removed while the controller is down: after the restart, ours is found by its
    # label and owner reference and deleted; theirs is as it was.
    controller.stop()
    try:
        kube.patch("DNSZone", "signed", NS, [{"op": "remove", "path": "/spec/dnssec/dsConfigMap"}],
                   ptype="json")
    finally:
        controller.start(wait_ready=True, wait_leader=True)
    wait_for(lambda: kube.get("configmaps", "signed-ds-2", NS) is None, desc="signed-ds-2 deleted")
    assert kube.get("configmaps", "theirs", NS)["data"] == {"x": "1"}
    zk.wait_cond("DNSZone", "signed", NS, "True", "AllReady")
    zkenv.wait_answer(named.port, f"www.{ZONE}.", "A", ["192.0.2.131"])


def test_a_policy_change_swaps_the_keys_and_the_ds(zk, kube, controller, managed, workdir):
    """Another algorithm on a live signed zone: the agent modzones it to the new policy and named
    makes a new key. zonekeeper does not tell named that a DS is at the parent (no checkds), so
    named's key manager counts the old DS as never published and drops the old key at once:
    status.dnssec.ds becomes the new key's alone, answers validate against the new DS and no
    longer against the old one. This pins what docs/api.md warns of (change the algorithm of a
    zone whose DS is at the parent only after taking that DS away)."""
    named, agent_log = managed
    before = dnssec_status(kube, "signed")
    assert before and before["signed"] and {d["algorithm"] for d in before["ds"]} == {13}, before
    t0 = time.monotonic()
    kube.patch("DNSZone", "signed", NS, {"spec": {"dnssec": {"algorithm": "ED25519"}}})
    st = wait_for(lambda: (lambda d: d if d and d.get("signed") and
                           [x["algorithm"] for x in d.get("ds", [])] == [15] else None)(
                               dnssec_status(kube, "signed")),
                  desc="status.dnssec.ds is the new ED25519 key's")
    zkenv.log(f"dnssec: algorithm changed, the new key's DS in status "
              f"{time.monotonic() - t0:.2f} s after kubectl patch")
    with open(agent_log) as f:
        assert "(rndc modzone) zone=signed.test." in f.read()
    keys = run(["dig", "@127.0.0.1", "-p", str(named.port), "+short", "+norec", "DNSKEY", f"{ZONE}."])
    assert [line.split()[2] for line in keys.stdout.splitlines()] == ["15"], keys.stdout
    new_anchors = trust_anchor_file(os.path.join(workdir, "dnssec-after-roll.conf"), ZONE, st["ds"])
    wait_for(lambda: validated(delv(named, new_anchors, f"www.{ZONE}.", "A"), ["192.0.2.131"]),
             desc="answers validate against the new DS")
    old_anchors = trust_anchor_file(os.path.join(workdir, "dnssec-before-roll.conf"), ZONE, before["ds"])
    r = delv(named, old_anchors, f"www.{ZONE}.", "A")
    assert not validated(r, ["192.0.2.131"]), r.stdout + r.stderr
    zk.wait_cond("DNSZone", "signed", NS, "True", "AllReady")


def test_a_ksk_zsk_policy_verifies_and_taking_dnssec_away_unsigns(zk, kube, controller, managed, workdir):
    """Lifetimes given: a KSK and a ZSK (ED25519), so dnssec-verify needs no -z; spec.dnssec
    removed: the agent moves the zone to dnssec-policy insecure and status.dnssec goes."""
    named, agent_log = managed
    kube.namespace(NS)
    zone = "split.test"
    kube.apply([zkenv.dns_zone("split", NS, zone, ["catalog-primary"], {"app": "split"},
                               extra={"dnssec": {"algorithm": "ED25519", "kskLifetime": "P1Y",
                                                 "zskLifetime": "P90D"}}),
                record("ARecord", "split-www", NS, "www", ["192.0.2.140"], {"app": "split"})])
    st = wait_for(lambda: (lambda d: d if d and d.get("signed") else None)(
        dnssec_status(kube, "split")), desc="split.test signed")
    assert [d["algorithm"] for d in st["ds"]] == [15], st
    keys = run(["dig", "@127.0.0.1", "-p", str(named.port), "+short", "+norec", "DNSKEY", f"{zone}."])
    flags = sorted(line.split()[0] for line in keys.stdout.splitlines())
    assert flags == ["256", "257"], keys.stdout  # a ZSK and a KSK
    zkenv.wait_answer(named.port, f"www.{zone}.", "A", ["192.0.2.140"])
    axfr = run(["dig", "@127.0.0.1", "-p", str(named.port), "-k", named.env["ZK_TSIG_KEY_FILE"],
                "+noall", "+answer", "AXFR", f"{zone}."])
    zonefile = os.path.join(workdir, "dnssec-split.db")
    with open(zonefile, "w") as f:
        f.write(axfr.stdout)
    verify = run(["dnssec-verify", "-o", f"{zone}.", zonefile])
    assert verify.returncode == 0, verify.stdout + verify.stderr
    anchors = trust_anchor_file(os.path.join(workdir, "dnssec-split.conf"), zone, st["ds"])
    r = run(["delv", "@127.0.0.1", "-p", str(named.port), "-a", anchors, f"+root={zone}.",
             "+tcp", f"www.{zone}.", "A"])
    assert validated(r, ["192.0.2.140"]), r.stdout + r.stderr

    # spec.dnssec taken away: "insecure" on named (keys withdrawn, then the zone unsigned), no
    # status.dnssec, and the zone still answers. (The namespace still holds the InvalidSpec
    # DNSZone "short" of the test above, whose members the catalog keeps as they are: split's
    # property must still go.)
    kube.patch("DNSZone", "split", NS, [{"op": "remove", "path": "/spec/dnssec"}], ptype="json")
    wait_for(lambda: dnssec_status(kube, "split") is None, desc="status.dnssec removed")
    def insecure():
        with open(agent_log) as f:
            return "dnssec-policy insecure (rndc modzone) zone=split.test." in f.read()
    wait_for(insecure, desc="the agent moved split.test to dnssec-policy insecure")
    with open(os.path.join(named.dir, "zones", "split.test.db.dnssec")) as f:
        assert f.read().strip() == "insecure"
    zk.wait_cond("DNSZone", "split", NS, "True", "AllReady")
    zkenv.wait_answer(named.port, f"www.{zone}.", "A", ["192.0.2.140"])
