"""Issue 17 (seed 003 §11.5.2): an Ingress's dns.zonekeeper.io/owner and /description go into
the external-dns TXT registry record zonekeeper keeps beside the record it owns in a shared zone
(the session controller's `--zone ext.test=zk-src/primary`), so dig and AXFR show who owns a
name. Values are percent-encoded (',', '=', '"', '\\', '%', control and non-ASCII octets) and
cut to 255 octets (docs/architecture.md "Ownership registry"); changing only the description
rewrites the registry TXT and leaves the record alone; removing the annotations gives back the
text older versions wrote."""
import zkenv
from conftest import SOURCE_SERVER_NS
from zkenv import registry_text, wait_answer, wait_for, wait_rcode

OWNER = "zonekeeper"
OWNER_ANN = "dns.zonekeeper.io/owner"
DESCRIPTION_ANN = "dns.zonekeeper.io/description"
NAME = "notes.ext.test."
REGISTRY = "a-notes.ext.test."


def ingress(name, ns, hosts, annotations):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": ns, "annotations": annotations},
            "spec": {"rules": [{"host": h, "http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}} for h in hosts]}}


def registry_strings(primary):
    """The registry TXT at REGISTRY by AXFR: its character-strings (one record)."""
    zone = zkenv.axfr(primary.port, "ext.test", primary.key)
    ttl, rds = zone[(REGISTRY, "TXT")]
    assert len(rds) == 1, rds
    wire = bytes.fromhex(rds[0][1])
    out, i = [], 0
    while i < len(wire):
        n = wire[i]
        out.append(wire[i + 1:i + 1 + n].decode("ascii"))
        i += 1 + n
    return out


def test_owner_and_description_in_the_registry_txt(zk, kube, primary, controller):
    assert "--zone" in controller.argv(), controller.argv()
    zk.setup_ns(SOURCE_SERVER_NS)
    ns = "src-notes"
    kube.namespace(ns, secret_reader=False)
    p = primary.port
    base = registry_text(OWNER, f"ingress/{ns}/shop")[1:-1]  # without dig's quotes

    description = 'the shop, "front" door \\ caf\u00e9 = 100%'
    kube.apply(ingress("shop", ns, [NAME[:-1]], {OWNER_ANN: "team-web", DESCRIPTION_ANN: description}))
    kube.patch_status("ingress", "shop", ns, {"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.40"}]}}})
    wait_answer(p, NAME, "A", ["192.0.2.40"])
    want = (base + ",zonekeeper/owner=team-web"
            ",zonekeeper/description=the shop%2C %22front%22 door %5C caf%C3%A9 %3D 100%25")
    wait_answer(p, REGISTRY, "TXT", [f'"{want}"'])
    assert "".join(registry_strings(primary)) == want  # AXFR: the same bytes

    # Only the description changes: the registry TXT is rewritten (an UPDATE: the serial
    # moves), the record is not touched.
    record_before = zkenv.axfr(p, "ext.test", primary.key)[(NAME, "A")]
    serial = zkenv.serial(p, "ext.test")
    kube.apply(ingress("shop", ns, [NAME[:-1]], {OWNER_ANN: "team-web", DESCRIPTION_ANN: "moved to the new hall"}))
    wait_answer(p, REGISTRY, "TXT", [f'"{base},zonekeeper/owner=team-web,zonekeeper/description=moved to the new hall"'])
    assert zkenv.serial(p, "ext.test") > serial
    assert zkenv.axfr(p, "ext.test", primary.key)[(NAME, "A")] == record_before

    # A very long description (the annotation is read up to 1024 characters): cut to 255
    # octets once encoded, never inside an escape; every string ≤ 255 octets; still ours (an
    # address change is served).
    kube.apply(ingress("shop", ns, [NAME[:-1]], {OWNER_ANN: "team,web", DESCRIPTION_ANN: "\u00e9" * 2000}))
    cut = "%C3%A9" * (255 // 6)
    wait_for(lambda: "".join(registry_strings(primary)) ==
             base + ",zonekeeper/owner=team%2Cweb,zonekeeper/description=" + cut,
             desc="the long description cut in the registry TXT")
    assert all(len(s) <= 255 for s in registry_strings(primary))
    kube.patch_status("ingress", "shop", ns, {"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.41"}]}}})
    wait_answer(p, NAME, "A", ["192.0.2.41"])

    # No annotations: the text older versions wrote (and external-dns writes).
    kube.apply(ingress("shop", ns, [NAME[:-1]], {}))
    wait_answer(p, REGISTRY, "TXT", [registry_text(OWNER, f"ingress/{ns}/shop")])
    assert zkenv.query(p, NAME, "A").rrs == ["192.0.2.41"]

    kube.delete("ingress", "shop", ns)
    wait_rcode(p, NAME, "A", "NXDOMAIN")
    wait_rcode(p, REGISTRY, "TXT", "NXDOMAIN")
    assert controller.alive_or_raise()
