"""Issue 17: a DNSZone takes records from other namespaces with recordsFrom[].namespaceSelector,
admitted only when the zone's own Namespace lists them in dns.zonekeeper.io/allow-records-from
(Bindy #370: zones kept by the platform team, records by the product teams)."""
import json
import time

import zkenv
from zkenv import record, wait_for

PLATFORM = "e2e-xplat"
SHOP, BLOG, DB = "e2e-xshop", "e2e-xblog", "e2e-xdb"
ALLOW = "dns.zonekeeper.io/allow-records-from"


def namespace(kube, name, labels=None, annotations=None):
    kube.apply({"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": labels or {}, "annotations": annotations or {}}})


def record_targets(controller):
    """/api/v1/zones' recordTargets of DNSZone e2e-xplat/web: where the UI's create form offers
    to make a record for it, and with which labels."""
    st, body, _ = controller.http("/api/v1/zones")
    assert st == 200, body
    zones = {f"{z['namespace']}/{z['name']}": z for z in json.loads(body)["zones"]}
    return zones.get(f"{PLATFORM}/web", {}).get("recordTargets")


def test_records_from_admitted_namespaces_are_served(zk, kube, primary, secondary, controller):
    zk.setup_ns(PLATFORM)
    namespace(kube, PLATFORM, annotations={ALLOW: SHOP})
    namespace(kube, SHOP, {"team": "web"})
    namespace(kube, BLOG, {"team": "web"})
    namespace(kube, DB, {"team": "db"})
    zone = zkenv.dns_zone("web", PLATFORM, "cross.test", ["primary", "secondary"], {"app": "web"})
    zone["spec"]["recordsFrom"][0]["namespaceSelector"] = {"matchLabels": {"team": "web"}}
    kube.apply([zone,
                record("ARecord", "www", SHOP, "www", ["192.0.2.90"], {"app": "web"}),
                record("ARecord", "blog", BLOG, "blog", ["192.0.2.91"], {"app": "web"}),
                record("ARecord", "db", DB, "db", ["192.0.2.92"], {"app": "web"})])

    # shop is admitted: served on both servers, its status names the zone.
    obj = zk.wait_cond("ARecord", "www", SHOP, "True", "Served")
    assert obj["status"]["zone"] == "cross.test."
    assert obj["status"]["fqdn"] == "www.cross.test."
    for port in (primary.port, secondary.port):
        zkenv.wait_answer(port, "www.cross.test.", "A", ["192.0.2.90"])
    # blog matches the namespaceSelector but the platform Namespace does not admit it.
    blog = zk.wait_cond("ARecord", "blog", BLOG, "False", "NamespaceNotAdmitted")
    msg = zkenv.condition(blog)[2]
    assert "DNSZone e2e-xplat/web" in msg and ALLOW in msg and BLOG in msg, msg
    # db's labels do not match the namespaceSelector, and no zone of its own selects it.
    zk.wait_cond("ARecord", "db", DB, "False", "NotSelected")
    zk.wait_cond("DNSZone", "web", PLATFORM, "False")  # one of its records is not served
    # The UI's create form offers shop only (blog is not admitted, db does not match).
    wait_for(lambda: record_targets(controller) == [{"namespace": SHOP, "labels": {"app": "web"}}],
             desc="recordTargets: the admitted namespace the selector reaches")
    assert zkenv.query(primary.port, "blog.cross.test.", "A").rcode == "NXDOMAIN"
    assert zkenv.query(primary.port, "db.cross.test.", "A").rcode == "NXDOMAIN"

    # The Namespace admits blog: served without touching the record.
    gen = kube.get("ARecord", "blog", BLOG)["metadata"]["generation"]
    t0 = time.monotonic()
    kube.kubectl("annotate", "--overwrite", "namespace", PLATFORM, f"{ALLOW}={SHOP}, {BLOG}")
    zkenv.wait_answer(primary.port, "blog.cross.test.", "A", ["192.0.2.91"])
    zkenv.log(f"cross-namespace: blog answered {time.monotonic() - t0:.2f} s after the annotation "
              "(incl. the kubectl process)")
    blog = zk.wait_cond("ARecord", "blog", BLOG, "True", "Served")
    assert blog["metadata"]["generation"] == gen
    zk.wait_cond("DNSZone", "web", PLATFORM, "True", "AllReady")
    wait_for(lambda: record_targets(controller) == [{"namespace": BLOG, "labels": {"app": "web"}},
                                                    {"namespace": SHOP, "labels": {"app": "web"}}],
             desc="recordTargets: blog too, once admitted")

    def listed():
        st = zk.get("DNSZone", "web", PLATFORM).get("status") or {}
        return sorted((r.get("namespace"), r["name"]) for r in st.get("records", []))
    wait_for(lambda: listed() == [(BLOG, "blog"), (SHOP, "www")],
             desc="the zone's status lists blog and www with their namespaces")

    # shop's Namespace stops matching the namespaceSelector: www leaves the zone.
    namespace(kube, SHOP, {"team": "none"})
    for port in (primary.port, secondary.port):
        zkenv.wait_rcode(port, "www.cross.test.", "A", "NXDOMAIN")
    zk.wait_cond("ARecord", "www", SHOP, "False", "NotSelected")
    assert zkenv.query(primary.port, "blog.cross.test.", "A").rrs == ["192.0.2.91"]

    # The allow-list withdrawn: blog's data is removed, it says why.
    kube.kubectl("annotate", "namespace", PLATFORM, f"{ALLOW}-")
    zkenv.wait_rcode(primary.port, "blog.cross.test.", "A", "NXDOMAIN")
    zk.wait_cond("ARecord", "blog", BLOG, "False", "NamespaceNotAdmitted")


def test_allow_list_entries_that_are_not_namespaces_are_reported(zk, kube, controller):
    ns = f"e2e-xbad-{int(time.time() * 1000) % 10**9}"
    namespace(kube, ns, annotations={ALLOW: "Not_A_Namespace, ok-ns"})

    def warned():
        evs = kube.events_about("Namespace", ns, "default", reason="Invalid", type="Warning")
        return [e for e in evs if "Not_A_Namespace" in (e.get("note") or "")]
    evs = wait_for(warned, desc=f"a Warning Event on Namespace {ns} naming the bad entry")
    assert "ok-ns" not in evs[0]["note"], evs[0]["note"]
