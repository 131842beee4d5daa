"""Issue 6: Ingress, Traefik IngressRoute, Gateway API HTTPRoute and external-dns DNSEndpoint as
sources of the shared zones ext.test and ext2.test (the session controller's
`--zone ext.test=zk-src/primary --zone ext2.test=zk-src/primary`, conftest.SOURCE_FLAGS), with
the external-dns TXT ownership registry, against the real API server (upstream CRDs installed)
and BIND.

Faked the way the real controllers would write them: an Ingress's status.loadBalancer (an
ingress controller), a Gateway's status.addresses and an HTTPRoute's status.parents (a Gateway
implementation), all through the /status subresource.

Records that zonekeeper does not own (added with nsupdate before any source exists, `unowned`)
must survive every operation of this module byte-identical: each test ends by comparing them
(AXFR, rdata and TTL) with the snapshot taken before any source existed.

Negative outcomes ("nothing is served") are asserted after a barrier: a later change through
the same informer that IS served, so the controller has certainly planned with the earlier one."""
import datetime
import os
import time

import pytest

import zkenv
from conftest import EXCLUDED_DOMAIN, SOURCE_SERVER_NS
from zkenv import registry_text, wait_answer, wait_for, wait_rcode

OWNER = "zonekeeper"
LB = "zonekeeper.io/fake-gateway-controller"


# ----------------------------------------------------------------------------- helpers

def require_sources(controller):
    if "--zone" not in zkenv.controller_flags():
        pytest.fail(f"{zkenv.ZK_BIN} has no `controller --zone` (issue 6 sources): not built yet?")
    assert "--zone" in controller.argv(), controller.argv()


def server_ready(zk):
    """zk-src: the TSIG Secret and the DNSServers `primary`/`secondary` of the shared pair
    (idempotent)."""
    zk.setup_ns(SOURCE_SERVER_NS)


def src_ns(kube, ns):
    kube.namespace(ns, secret_reader=False)
    return ns


def ingress(name, ns, hosts, annotations=None, tls_hosts=None, cls=None):
    spec = {"rules": [{"host": h, "http": {"paths": [{
        "path": "/", "pathType": "Prefix",
        "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}} for h in hosts]}
    if tls_hosts:
        spec["tls"] = [{"hosts": tls_hosts}]
    if cls:
        spec["ingressClassName"] = cls
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": ns, "annotations": annotations or {}}, "spec": spec}


def lb_status(kube, name, ns, ips=(), hostnames=()):
    """What an ingress controller writes: status.loadBalancer.ingress."""
    items = [{"ip": ip} for ip in ips] + [{"hostname": h} for h in hostnames]
    kube.patch_status("ingress", name, ns, {"status": {"loadBalancer": {"ingress": items}}})


def ingressroute(name, ns, matches, target=None):
    ann = {"external-dns.alpha.kubernetes.io/target": target} if target else {}
    return {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
            "metadata": {"name": name, "namespace": ns, "annotations": ann},
            "spec": {"entryPoints": ["web"],
                     "routes": [{"kind": "Rule", "match": m, "services": [{"name": "web", "port": 80}]}
                                for m in matches]}}


def dnsendpoint(name, ns, endpoints):
    return {"apiVersion": "externaldns.k8s.io/v1alpha1", "kind": "DNSEndpoint",
            "metadata": {"name": name, "namespace": ns}, "spec": {"endpoints": endpoints}}


def ep(dns_name, rtype, targets, ttl=None):
    e = {"dnsName": dns_name, "recordType": rtype, "targets": list(targets)}
    if ttl is not None:
        e["recordTTL"] = ttl
    return e


def parse_rfc3339(text):
    """RFC 3339 with Z or an offset, with or without fractional seconds → aware datetime."""
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    if "." in text:  # fromisoformat of Python < 3.11 takes 3 or 6 fraction digits only
        head, rest = text.split(".", 1)
        frac = rest[:len(rest) - len(rest.lstrip("0123456789"))]
        text = f"{head}.{(frac + '000000')[:6]}{rest[len(frac):]}"
    return datetime.datetime.fromisoformat(text)


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def wait_event(kube, kind, name, ns, reason, type=None, note_has=None, timeout=zkenv.TIMEOUT):
    def ok():
        evs = kube.events_about(kind, name, ns, reason=reason, type=type)
        if note_has is not None:
            evs = [e for e in evs if note_has in (e.get("note") or "")]
        return evs
    try:
        return wait_for(ok, timeout, interval=0.3, desc=f"Event {reason} ({type}) on {kind} {ns}/{name}")
    except zkenv.WaitTimeout as e:
        got = [(x.get("type"), x.get("reason"), x.get("note")) for x in kube.events_about(kind, name, ns)]
        raise zkenv.WaitTimeout(f"{e}\nevents on it: {got}") from None


def dnsendpoint_status(zk, name, ns, status, reason, timeout=zkenv.TIMEOUT):
    """Waits for Ready=status/reason describing the current generation: status.observedGeneration
    == metadata.generation, and the condition's too."""
    return zk.wait_cond(zkenv.DNSENDPOINT_CRD, name, ns, status, reason, timeout=timeout)


def txt_of(port, name):
    return zkenv.query(port, name, "TXT")


def lasting(fn, seconds, interval=0.25):
    """fn() holds (truthy) at every poll for `seconds`; returns the last value. A measurement
    window for "nothing changes", not a timing assertion."""
    end = time.monotonic() + seconds
    v = fn()
    assert v, "does not hold at the start"
    while time.monotonic() < end:
        time.sleep(interval)
        v = fn()
        assert v, "stopped holding"
    return v


class Unowned:
    """Records nobody registered (no registry TXT), put in with nsupdate before any source
    exists: at a name sources later want (taken.ext.test) and at unrelated names."""
    ADDS = [("keep.ext.test.", 123, "A", "198.51.100.7"),
            ("keep.ext.test.", 123, "TXT", '"not ours" "two strings"'),
            ("legacy.ext.test.", 222, "CNAME", "keep.ext.test."),
            ("taken.ext.test.", 321, "A", "198.51.100.8"),
            ("keep.ext2.test.", 77, "MX", "10 mail.example.net."),
            # Looks like a registry name, but has no heritage=external-dns: ordinary data.
            ("a-other.ext.test.", 99, "TXT", '"owner=someone-else"')]

    def __init__(self, primary):
        self.primary = primary
        for zone in ("ext.test", "ext2.test"):
            adds = [a for a in self.ADDS if a[0].endswith(zone + ".")]
            zkenv.nsupdate(primary.port, zone, primary.key, adds=adds,
                           deletes=[(a[0], a[2]) for a in adds])
        self.keys = sorted({(a[0], a[2]) for a in self.ADDS})
        self.before = self.snapshot()
        for k in self.keys:
            assert k in self.before, (k, self.before)

    def snapshot(self):
        out = {}
        for zone in ("ext.test", "ext2.test"):
            out.update(zkenv.axfr(self.primary.port, zone, self.primary.key))
        return {k: v for k, v in out.items() if k in self.keys}

    def check(self):
        """Every unowned RRset still there, byte-identical (rdata and TTL); nothing added beside
        them (no registry TXT for them either)."""
        now = self.snapshot()
        assert now == self.before, f"unowned records changed:\nbefore {self.before}\nnow    {now}"
        for name, rtype in self.keys:
            assert txt_of(self.primary.port, f"{rtype.lower()}-{name}").rcode == "NXDOMAIN", (name, rtype)


@pytest.fixture(scope="module")
def unowned(primary):
    return Unowned(primary)


# ----------------------------------------------------------------------------- tests

def test_shared_zone_server_appears_later(zk, kube, primary, controller, unowned):
    """The controller started with --zone ext.test=zk-src/primary before zk-src existed. An
    Ingress created while the DNSServer is still missing is served as soon as it appears, with
    no restart."""
    require_sources(controller)
    if kube.get("dnsserver", "primary", SOURCE_SERVER_NS) is not None:
        # A reused control plane: take the server away first, so the test means something.
        kube.delete("DNSServer", "primary", SOURCE_SERVER_NS)
        wait_for(lambda: kube.get("dnsserver", "primary", SOURCE_SERVER_NS) is None, desc="DNSServer gone")
    ns = src_ns(kube, "src-late")
    kube.apply(ingress("late", ns, ["late.ext.test"]))
    lb_status(kube, "late", ns, ips=["192.0.2.1"])
    # Nowhere to write it yet: not served, and the controller keeps running and ready.
    lasting(lambda: controller.alive_or_raise() and query_rcode(primary, "late.ext.test.") == "NXDOMAIN", 2)
    assert controller.http("/healthz")[0] == 200

    server_ready(zk)
    wait_answer(primary.port, "late.ext.test.", "A", ["192.0.2.1"])
    wait_answer(primary.port, "a-late.ext.test.", "TXT", [registry_text(OWNER, f"ingress/{ns}/late")])
    kube.delete("ingress", "late", ns)
    wait_rcode(primary.port, "late.ext.test.", "A", "NXDOMAIN")
    wait_rcode(primary.port, "a-late.ext.test.", "TXT", "NXDOMAIN")
    unowned.check()


def query_rcode(named, name, rtype="A"):
    return zkenv.query(named.port, name, rtype).rcode


def test_ingress_create_update_delete(zk, kube, primary, controller, unowned):
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-ing")
    p = primary.port

    kube.apply(ingress("web", ns, ["www.ext.test"], tls_hosts=["secure.ext.test"],
                       annotations={"external-dns.alpha.kubernetes.io/hostname": "extra.ext.test"}))
    lb_status(kube, "web", ns, ips=["192.0.2.10"])
    wait_answer(p, "www.ext.test.", "A", ["192.0.2.10"])
    wait_answer(p, "secure.ext.test.", "A", ["192.0.2.10"])  # spec.tls[].hosts count too
    wait_answer(p, "extra.ext.test.", "A", ["192.0.2.10"])  # and the hostname annotation
    for host in ("www", "secure", "extra"):
        wait_answer(p, f"a-{host}.ext.test.", "TXT", [registry_text(OWNER, f"ingress/{ns}/web")])
    assert zkenv.query(p, "www.ext.test.", "A").ttls == [300]  # the default TTL
    ev = wait_event(kube, "Ingress", "web", ns, "Programmed", type="Normal", note_has="www.ext.test")
    assert ev[-1]["regarding"]["namespace"] == ns

    # The ingress controller moves it to another address: the answer follows.
    lb_status(kube, "web", ns, ips=["192.0.2.11"])
    wait_answer(p, "www.ext.test.", "A", ["192.0.2.11"])
    wait_answer(p, "secure.ext.test.", "A", ["192.0.2.11"])
    wait_answer(p, "extra.ext.test.", "A", ["192.0.2.11"])

    # Another host (in the other zone), TLS host and hostname annotation dropped, TTL
    # annotation: the old names go
    # (records and their registry TXT), the new one is served with its TTL.
    kube.apply(ingress("web", ns, ["www2.ext2.test"], annotations={"external-dns.alpha.kubernetes.io/ttl": "60"}))
    wait_answer(p, "www2.ext2.test.", "A", ["192.0.2.11"])
    assert zkenv.query(p, "www2.ext2.test.", "A").ttls == [60]
    wait_answer(p, "a-www2.ext2.test.", "TXT", [registry_text(OWNER, f"ingress/{ns}/web")])
    for host in ("www", "secure", "extra"):
        wait_rcode(p, f"{host}.ext.test.", "A", "NXDOMAIN")
        wait_rcode(p, f"a-{host}.ext.test.", "TXT", "NXDOMAIN")

    # A host name as the load balancer's address: CNAME, registered as cname-<host>.
    lb_status(kube, "web", ns, hostnames=["lb.example.net"])
    wait_answer(p, "www2.ext2.test.", "CNAME", ["lb.example.net."])
    wait_answer(p, "cname-www2.ext2.test.", "TXT", [registry_text(OWNER, f"ingress/{ns}/web")])
    wait_rcode(p, "a-www2.ext2.test.", "TXT", "NXDOMAIN")

    kube.delete("ingress", "web", ns)
    wait_rcode(p, "www2.ext2.test.", "A", "NXDOMAIN")
    wait_rcode(p, "cname-www2.ext2.test.", "TXT", "NXDOMAIN")
    assert controller.alive_or_raise()
    unowned.check()


def test_ingressroute_hosts_and_bad_rule(zk, kube, primary, controller, unowned):
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-ir")
    p = primary.port

    kube.apply(ingressroute("both", ns, ["Host(`a.ext.test`) || Host(`b.ext.test`)"], target="192.0.2.20"))
    wait_answer(p, "a.ext.test.", "A", ["192.0.2.20"])
    wait_answer(p, "b.ext.test.", "A", ["192.0.2.20"])
    wait_answer(p, "a-b.ext.test.", "TXT", [registry_text(OWNER, f"ingressroute/{ns}/both")])
    wait_event(kube, "IngressRoute", "both", ns, "Programmed", type="Normal")

    # One route that does not parse, one that does: a Warning Event naming the rule; the good
    # route is still served; nothing crashes and other objects are unaffected.
    kube.apply(ingressroute("broken", ns, ["Host(`c.ext.test`", "Host(`d.ext.test`) && PathPrefix(`/x`)"],
                            target="192.0.2.21"))
    wait_answer(p, "d.ext.test.", "A", ["192.0.2.21"])
    ev = wait_event(kube, "IngressRoute", "broken", ns, "Invalid", type="Warning")
    assert "match" in ev[-1].get("note", ""), ev[-1]
    assert query_rcode(primary, "c.ext.test.") == "NXDOMAIN"
    controller.alive_or_raise()
    assert controller.http("/healthz")[0] == 200

    # Other objects fine: a new one is served, the first one's target change is followed.
    kube.apply(ingressroute("after", ns, ["Host(`e.ext.test`, `f.ext.test`)"], target="192.0.2.22"))
    kube.apply(ingressroute("both", ns, ["Host(`a.ext.test`) || Host(`b.ext.test`)"], target="192.0.2.23"))
    wait_answer(p, "e.ext.test.", "A", ["192.0.2.22"])
    wait_answer(p, "f.ext.test.", "A", ["192.0.2.22"])
    wait_answer(p, "a.ext.test.", "A", ["192.0.2.23"])
    wait_answer(p, "b.ext.test.", "A", ["192.0.2.23"])

    # Traefik v2's group traefik.containo.us (the session controller runs with
    # --traefik-legacy-group): read the same way, owned under the same resource kind.
    legacy = ingressroute("legacy", ns, ["Host(`g.ext.test`)"], target="192.0.2.24")
    legacy["apiVersion"] = "traefik.containo.us/v1alpha1"
    kube.apply(legacy)
    wait_answer(p, "g.ext.test.", "A", ["192.0.2.24"])
    wait_answer(p, "a-g.ext.test.", "TXT", [registry_text(OWNER, f"ingressroute/{ns}/legacy")])
    kube.delete("ingressroutes.traefik.containo.us", "legacy", ns)

    for n in ("both", "broken", "after"):
        kube.delete("ingressroutes.traefik.io", n, ns)
    for h in "abdefg":
        wait_rcode(p, f"{h}.ext.test.", "A", "NXDOMAIN")
        wait_rcode(p, f"a-{h}.ext.test.", "TXT", "NXDOMAIN")
    unowned.check()


def gateway_objects(ns, cls):
    return [
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
         "metadata": {"name": cls}, "spec": {"controllerName": LB}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
         "metadata": {"name": "gw", "namespace": ns},
         "spec": {"gatewayClassName": cls, "listeners": [
             {"name": "http", "protocol": "HTTP", "port": 80, "hostname": "*.ext.test",
              "allowedRoutes": {"namespaces": {"from": "Same"}}}]}},
    ]


def gateway_status(addresses):
    t = now_rfc3339()
    cond = [{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "",
             "lastTransitionTime": t, "observedGeneration": 1},
            {"type": "Programmed", "status": "True", "reason": "Programmed", "message": "",
             "lastTransitionTime": t, "observedGeneration": 1}]
    return {"status": {
        "addresses": [{"type": "IPAddress", "value": a} for a in addresses],
        "conditions": cond,
        "listeners": [{"name": "http", "attachedRoutes": 1,
                       "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
                       "conditions": cond[:1]}]}}


def httproute(name, ns, hostnames):
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"parentRefs": [{"name": "gw", "sectionName": "http"}], "hostnames": hostnames,
                     "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}}


def route_status(accepted, generation=1):
    reason = "Accepted" if accepted else "NotAllowedByListeners"
    return {"status": {"parents": [{
        "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw", "sectionName": "http"},
        "controllerName": LB,
        "conditions": [{"type": "Accepted", "status": "True" if accepted else "False", "reason": reason,
                        "message": "", "lastTransitionTime": now_rfc3339(), "observedGeneration": generation}]}]}}


def test_httproute_through_gateway(zk, kube, primary, controller, unowned):
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-gw")
    p = primary.port
    kube.apply(gateway_objects(ns, "zk-e2e-sources"))
    kube.patch_status("gateway", "gw", ns, gateway_status(["192.0.2.30"]))

    # Not accepted by its Gateway first (created before the accepted one: the barrier below).
    kube.apply(httproute("pending", ns, ["pending.ext.test"]))
    kube.patch_status("httproute", "pending", ns, route_status(False))
    # In another namespace than the Gateway, whose listener allows routes from the Same
    # namespace only: nothing, even with a (wrongly) faked Accepted=True.
    other = src_ns(kube, "src-gw-other")
    foreign = httproute("foreign", other, ["foreign-ns.ext.test"])
    foreign["spec"]["parentRefs"][0]["namespace"] = ns
    kube.apply(foreign)
    st = route_status(True)
    st["status"]["parents"][0]["parentRef"]["namespace"] = ns
    kube.patch_status("httproute", "foreign", other, st)
    # A host name the listener (*.ext.test) does not cover: nothing for it either.
    kube.apply(httproute("shop", ns, ["shop.ext.test", "shop.ext2.test"]))
    kube.patch_status("httproute", "shop", ns, route_status(True))
    wait_answer(p, "shop.ext.test.", "A", ["192.0.2.30"])
    wait_answer(p, "a-shop.ext.test.", "TXT", [registry_text(OWNER, f"httproute/{ns}/shop")])
    wait_event(kube, "HTTPRoute", "shop", ns, "Programmed", type="Normal")
    assert query_rcode(primary, "pending.ext.test.") == "NXDOMAIN"
    assert query_rcode(primary, "a-pending.ext.test.", "TXT") == "NXDOMAIN"
    assert query_rcode(primary, "shop.ext2.test.") == "NXDOMAIN"
    assert query_rcode(primary, "foreign-ns.ext.test.") == "NXDOMAIN"
    # The foreign route's Event says which listener refused it, not "not accepted".
    wait_event(kube, "HTTPRoute", "foreign", other, "Invalid", type="Warning",
               note_has="no listener admits it: Gateway " + ns + "/gw spec.listeners[0]: "
                        "allowedRoutes.namespaces.from is Same")

    # The Gateway accepts it now: served. The Gateway's address changes: both follow.
    kube.patch_status("httproute", "pending", ns, route_status(True))
    wait_answer(p, "pending.ext.test.", "A", ["192.0.2.30"])
    kube.patch_status("gateway", "gw", ns, gateway_status(["192.0.2.31", "192.0.2.32"]))
    wait_answer(p, "shop.ext.test.", "A", ["192.0.2.31", "192.0.2.32"])
    wait_answer(p, "pending.ext.test.", "A", ["192.0.2.31", "192.0.2.32"])

    # Accepted no more: withdrawn.
    kube.patch_status("httproute", "pending", ns, route_status(False))
    wait_rcode(p, "pending.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "a-pending.ext.test.", "TXT", "NXDOMAIN")

    kube.delete("httproute", "shop", ns)
    wait_rcode(p, "shop.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "a-shop.ext.test.", "TXT", "NXDOMAIN")
    kube.delete("httproute", "pending", ns)
    kube.delete("httproute", "foreign", other)
    kube.delete("gateway", "gw", ns)
    kube.delete("gatewayclass", "zk-e2e-sources")
    unowned.check()


def test_httproute_through_listenerset(zk, kube, primary, controller, unowned):
    """Gateway API ListenerSet (GEP-1713, gateway.networking.k8s.io/v1): a route attached to a
    ListenerSet takes the set's listener hostname and its Gateway's addresses; the Gateway must
    let the set's namespace attach (spec.allowedListeners), else nothing is served."""
    require_sources(controller)
    server_ready(zk)
    infra = src_ns(kube, "src-ls-infra")
    apps = src_ns(kube, "src-ls-apps")
    p = primary.port
    gw_objects = gateway_objects(infra, "zk-e2e-listenersets")
    gw_objects[1]["spec"]["allowedListeners"] = {"namespaces": {"from": "All"}}
    kube.apply(gw_objects)
    kube.patch_status("gateway", "gw", infra, gateway_status(["192.0.2.60"]))
    kube.apply({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "ListenerSet",
                "metadata": {"name": "ls", "namespace": apps},
                "spec": {"parentRef": {"name": "gw", "namespace": infra},
                         "listeners": [{"name": "apps", "protocol": "HTTP", "port": 80,
                                        "hostname": "*.apps.ext.test"}]}})
    route = httproute("app", apps, ["web.apps.ext.test", "other.ext.test"])
    route["spec"]["parentRefs"] = [{"group": "gateway.networking.k8s.io", "kind": "ListenerSet",
                                    "name": "ls", "sectionName": "apps"}]
    kube.apply(route)
    st = route_status(True)
    st["status"]["parents"][0]["parentRef"] = {"group": "gateway.networking.k8s.io", "kind": "ListenerSet",
                                               "name": "ls", "sectionName": "apps"}
    kube.patch_status("httproute", "app", apps, st)
    wait_answer(p, "web.apps.ext.test.", "A", ["192.0.2.60"])
    wait_answer(p, "a-web.apps.ext.test.", "TXT", [registry_text(OWNER, f"httproute/{apps}/app")])
    wait_event(kube, "HTTPRoute", "app", apps, "Programmed", type="Normal")
    assert query_rcode(primary, "other.ext.test.") == "NXDOMAIN"  # not under the set's listener

    # The Gateway's address moves: the route follows.
    kube.patch_status("gateway", "gw", infra, gateway_status(["192.0.2.61"]))
    wait_answer(p, "web.apps.ext.test.", "A", ["192.0.2.61"])

    # The Gateway takes ListenerSets of its own namespace only now: withdrawn, and said why.
    gw_objects[1]["spec"]["allowedListeners"] = {"namespaces": {"from": "Same"}}
    kube.apply(gw_objects[1])
    wait_rcode(p, "web.apps.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "a-web.apps.ext.test.", "TXT", "NXDOMAIN")
    wait_event(kube, "HTTPRoute", "app", apps, "Invalid", type="Warning",
               note_has=f"spec.allowedListeners.namespaces.from is Same (namespace {infra})")

    kube.delete("httproute", "app", apps)
    kube.delete("listenerset", "ls", apps)
    kube.delete("gateway", "gw", infra)
    kube.delete("gatewayclass", "zk-e2e-listenersets")
    unowned.check()


def test_dnsendpoint_status(zk, kube, primary, controller, unowned):
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-dep")
    p = primary.port
    res = f"crd/{ns}/records"
    entries = [ep("ep-a.ext.test", "A", ["192.0.2.40", "192.0.2.41"], ttl=120),
               ep("ep-alias.ext.test", "CNAME", ["ep-a.ext.test"]),
               ep("ep-txt.ext2.test", "TXT", ["hello world"])]
    t0 = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    serials0 = {z: zkenv.serial(p, z) for z in ("ext.test", "ext2.test")}
    kube.apply(dnsendpoint("records", ns, entries))
    a = wait_answer(p, "ep-a.ext.test.", "A", ["192.0.2.40", "192.0.2.41"])
    assert a.ttls == [120]
    wait_answer(p, "ep-alias.ext.test.", "CNAME", ["ep-a.ext.test."])
    wait_answer(p, "ep-txt.ext2.test.", "TXT", ['"hello world"'])
    wait_answer(p, "a-ep-a.ext.test.", "TXT", [registry_text(OWNER, res)])
    wait_answer(p, "cname-ep-alias.ext.test.", "TXT", [registry_text(OWNER, res)])
    wait_answer(p, "txt-ep-txt.ext2.test.", "TXT", [registry_text(OWNER, res)])

    o = dnsendpoint_status(zk, "records", ns, "True", "Programmed")
    # What `kubectl get dnsendpoint -o json` shows.
    o = kube.get(zkenv.DNSENDPOINT_CRD, "records", ns)
    st = o["status"]
    assert st["observedGeneration"] == o["metadata"]["generation"] == 1, st
    ready = [c for c in st["conditions"] if c["type"] == "Ready"][0]
    assert ready["observedGeneration"] == 1 and ready["status"] == "True", ready
    sync = parse_rfc3339(st["lastSyncTime"])
    assert t0 - datetime.timedelta(seconds=1) <= sync <= datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(seconds=1), (t0, st["lastSyncTime"])
    # providerStatus: one entry per zone and server, the serial this object's data came in at.
    server = f"{SOURCE_SERVER_NS}/primary"
    ps = st["providerStatus"]
    assert [(e["zone"], e["server"], e["result"]) for e in ps] == \
        [("ext.test", server, "Programmed"), ("ext2.test", server, "Programmed")], ps
    for e in ps:
        assert serials0[e["zone"]] < e["serial"] <= zkenv.serial(p, e["zone"]), (serials0, e)
        assert t0 - datetime.timedelta(seconds=1) <= parse_rfc3339(e["lastSyncTime"]), e
        assert "message" not in e, e
    row = kube.kubectl("get", zkenv.DNSENDPOINT_CRD, "records", "-n", ns, "--no-headers").stdout.split()
    assert row[:3] == ["records", "True", "Programmed"], row  # printer columns of our CRD
    wait_event(kube, "DNSEndpoint", "records", ns, "Programmed", type="Normal")  # Events beside status

    # An invalid entry beside a new valid one (generation 2): Ready=False/Invalid naming the
    # entry, and the valid entries — old and new — are served.
    entries2 = entries + [ep("ep-bad.ext.test", "A", ["not-an-address"]), ep("ep-new.ext.test", "A", ["192.0.2.42"])]
    kube.apply(dnsendpoint("records", ns, entries2))
    o = dnsendpoint_status(zk, "records", ns, "False", "Invalid")
    assert o["metadata"]["generation"] == 2 and o["status"]["observedGeneration"] == 2, o["status"]
    msg = zkenv.condition(o)[2]
    assert "ep-bad.ext.test" in msg or "endpoints[3]" in msg, msg
    wait_answer(p, "ep-new.ext.test.", "A", ["192.0.2.42"])
    wait_answer(p, "ep-a.ext.test.", "A", ["192.0.2.40", "192.0.2.41"])
    wait_answer(p, "ep-alias.ext.test.", "CNAME", ["ep-a.ext.test."])
    assert query_rcode(primary, "ep-bad.ext.test.") == "NXDOMAIN"
    # ep-new went into ext.test: that entry's serial moved; ext2.test's entry did not change.
    ps2 = wait_for(lambda: (lambda s: s if s[0].get("serial") != ps[0]["serial"] else None)(
        kube.get(zkenv.DNSENDPOINT_CRD, "records", ns)["status"]["providerStatus"]),
        desc="ext.test providerStatus serial moves")
    assert ps2[0]["result"] == "Programmed" and ps2[0]["serial"] > ps[0]["serial"], ps2
    assert ps2[1] == ps[1], (ps, ps2)

    # No endpoints at all: True/NoEndpoints.
    kube.apply(dnsendpoint("empty", ns, []))
    dnsendpoint_status(zk, "empty", ns, "True", "NoEndpoints")

    # In one of our zones but refused by --exclude-domains: Filtered. In none of our zones:
    # another instance's business (one zonekeeper per zone set, as with external-dns), so no
    # status at all from this one — only the unmatched count (checked after the barrier of the
    # Filtered one, applied later through the same informer).
    kube.apply(dnsendpoint("outside", ns, [ep("x.nozone.test", "A", ["192.0.2.43"])]))
    kube.apply(dnsendpoint("excluded", ns, [ep(f"y.{EXCLUDED_DOMAIN}", "A", ["192.0.2.44"])]))
    dnsendpoint_status(zk, "excluded", ns, "False", "Filtered")
    assert not (kube.get(zkenv.DNSENDPOINT_CRD, "outside", ns).get("status") or {}).get("conditions")
    assert controller.metric("zonekeeper_source_endpoints", state="unmatched") >= 1
    assert query_rcode(primary, f"y.{EXCLUDED_DOMAIN}.") == "NXDOMAIN"
    assert controller.metric("zonekeeper_source_endpoints", state="invalid") >= 1
    assert controller.metric("zonekeeper_source_endpoints", state="served") >= 4

    # Fixed: Programmed again, generation 3.
    kube.apply(dnsendpoint("records", ns, entries))
    o = dnsendpoint_status(zk, "records", ns, "True", "Programmed")
    assert o["status"]["observedGeneration"] == 3
    wait_rcode(p, "ep-new.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "a-ep-new.ext.test.", "TXT", "NXDOMAIN")

    # Quiet once converged: no further status writes for it.
    rv = kube.get(zkenv.DNSENDPOINT_CRD, "records", ns)["metadata"]["resourceVersion"]
    lasting(lambda: kube.get(zkenv.DNSENDPOINT_CRD, "records", ns)["metadata"]["resourceVersion"] == rv, 3)

    for n in ("records", "outside", "excluded", "empty"):
        kube.delete(zkenv.DNSENDPOINT_CRD, n, ns)
    for name, t in (("ep-a.ext.test.", "A"), ("ep-alias.ext.test.", "CNAME"), ("ep-txt.ext2.test.", "TXT"),
                    ("a-ep-a.ext.test.", "TXT"), ("cname-ep-alias.ext.test.", "TXT"), ("txt-ep-txt.ext2.test.", "TXT")):
        wait_rcode(p, name, t, "NXDOMAIN")
    unowned.check()


def test_dnsendpoint_under_the_upstream_crd(zk, kube, primary, controller, workdir, unowned):
    """With external-dns' own CRD (status has observedGeneration only: conditions and
    lastSyncTime are pruned), a DNSEndpoint is served, observedGeneration is written, and the
    controller does not keep rewriting the pruned fields. Our CRD is put back afterwards."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-upstream")
    p = primary.port
    upstream = os.path.join(workdir, "upstream-crds", "external-dns.yaml")
    assert os.path.exists(upstream), upstream
    kube.kubectl("replace", "-f", upstream)
    try:
        crd = kube.get("crd", zkenv.DNSENDPOINT_CRD)
        assert "conditions" not in crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"][
            "properties"]
        kube.apply(dnsendpoint("pruned", ns, [ep("pruned.ext.test", "A", ["192.0.2.140"])]))
        wait_answer(p, "pruned.ext.test.", "A", ["192.0.2.140"])
        o = wait_for(lambda: (lambda o: o if (o.get("status") or {}).get("observedGeneration") == 1 else None)(
            kube.get(zkenv.DNSENDPOINT_CRD, "pruned", ns)), desc="status.observedGeneration 1")
        assert set(o["status"]) == {"observedGeneration"}, o["status"]
        rv = o["metadata"]["resourceVersion"]
        # Through several drift checks (--drift-interval 2): no write storm.
        lasting(lambda: kube.get(zkenv.DNSENDPOINT_CRD, "pruned", ns)["metadata"]["resourceVersion"] == rv, 5)
        kube.delete(zkenv.DNSENDPOINT_CRD, "pruned", ns)
        wait_rcode(p, "pruned.ext.test.", "A", "NXDOMAIN")
        wait_rcode(p, "a-pruned.ext.test.", "TXT", "NXDOMAIN")
    finally:
        kube.delete(zkenv.DNSENDPOINT_CRD, "pruned", ns)
        kube.apply_deploy()  # our CRD again (what the rest of the session expects)
    crd = kube.get("crd", zkenv.DNSENDPOINT_CRD)
    assert "conditions" in crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]
    unowned.check()


def test_unowned_name_is_a_conflict(zk, kube, primary, controller, unowned):
    """taken.ext.test. holds an A record nobody registered: every source that wants the name
    gets Conflict and nothing is written there (nor its registry TXT)."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-conflict")
    p = primary.port
    kube.apply(dnsendpoint("wants-taken", ns, [ep("taken.ext.test", "A", ["192.0.2.50"]),
                                               ep("free.ext.test", "A", ["192.0.2.51"])]))
    kube.apply(ingress("wants-taken", ns, ["taken.ext.test"]))
    lb_status(kube, "wants-taken", ns, ips=["192.0.2.52"])
    o = dnsendpoint_status(zk, "wants-taken", ns, "False", "Conflict")
    assert "taken.ext.test" in zkenv.condition(o)[2], zkenv.condition(o)
    ps = kube.get(zkenv.DNSENDPOINT_CRD, "wants-taken", ns)["status"]["providerStatus"]
    assert [(e["zone"], e["server"], e["result"]) for e in ps] == \
        [("ext.test", f"{SOURCE_SERVER_NS}/primary", "Conflict")], ps
    assert "taken.ext.test" in ps[0]["message"], ps
    wait_answer(p, "free.ext.test.", "A", ["192.0.2.51"])  # the other entry is served
    wait_event(kube, "Ingress", "wants-taken", ns, "Conflict", type="Warning")
    assert zkenv.query(p, "taken.ext.test.", "A").rrs == ["198.51.100.8"]
    assert query_rcode(primary, "a-taken.ext.test.", "TXT") == "NXDOMAIN"
    assert controller.metric("zonekeeper_source_endpoints", state="conflict") >= 1
    unowned.check()

    kube.delete(zkenv.DNSENDPOINT_CRD, "wants-taken", ns)
    kube.delete("ingress", "wants-taken", ns)
    wait_rcode(p, "free.ext.test.", "A", "NXDOMAIN")
    unowned.check()


def test_registry_other_owner_untouched_same_owner_adopted(zk, kube, primary, controller, unowned):
    """As external-dns would have left them: foreign.ext.test registered by `--txt-owner-id
    other` (never touched), adopt.ext.test registered by owner `zonekeeper` (migration from
    external-dns: adopted, updated, and deleted with its source)."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-own")
    p = primary.port
    foreign_txt = registry_text("other", "ingress/elsewhere/web")
    adopt_txt = registry_text(OWNER, f"crd/{ns}/adopt")
    zkenv.nsupdate(p, "ext.test", primary.key,
                   deletes=[("foreign.ext.test.", "A"), ("a-foreign.ext.test.", "TXT"),
                            ("adopt.ext.test.", "A"), ("a-adopt.ext.test.", "TXT")],
                   adds=[("foreign.ext.test.", 180, "A", "198.51.100.9"),
                         ("a-foreign.ext.test.", 300, "TXT", foreign_txt),
                         ("adopt.ext.test.", 180, "A", "198.51.100.10"),
                         ("a-adopt.ext.test.", 300, "TXT", adopt_txt)])
    keys = [("foreign.ext.test.", "A"), ("a-foreign.ext.test.", "TXT")]
    before = {k: v for k, v in zkenv.axfr(p, "ext.test", primary.key).items() if k in keys}
    assert len(before) == 2, before

    kube.apply(dnsendpoint("foreign", ns, [ep("foreign.ext.test", "A", ["192.0.2.60"])]))
    kube.apply(dnsendpoint("adopt", ns, [ep("adopt.ext.test", "A", ["192.0.2.61"], ttl=60)]))
    wait_answer(p, "adopt.ext.test.", "A", ["192.0.2.61"])
    assert zkenv.query(p, "adopt.ext.test.", "A").ttls == [60]
    wait_answer(p, "a-adopt.ext.test.", "TXT", [adopt_txt])
    dnsendpoint_status(zk, "adopt", ns, "True", "Programmed")
    o = dnsendpoint_status(zk, "foreign", ns, "False", "Conflict")
    assert "foreign.ext.test" in zkenv.condition(o)[2], zkenv.condition(o)
    after = {k: v for k, v in zkenv.axfr(p, "ext.test", primary.key).items() if k in keys}
    assert after == before

    # Ours now: deleting its source deletes it (and its registry TXT); the foreign one stays.
    kube.delete(zkenv.DNSENDPOINT_CRD, "adopt", ns)
    wait_rcode(p, "adopt.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "a-adopt.ext.test.", "TXT", "NXDOMAIN")
    kube.delete(zkenv.DNSENDPOINT_CRD, "foreign", ns)
    # Barrier: a later DNSEndpoint served means the deletion of `foreign` was planned too.
    kube.apply(dnsendpoint("barrier", ns, [ep("barrier-own.ext.test", "A", ["192.0.2.62"])]))
    wait_answer(p, "barrier-own.ext.test.", "A", ["192.0.2.62"])
    after = {k: v for k, v in zkenv.axfr(p, "ext.test", primary.key).items() if k in keys}
    assert after == before
    kube.delete(zkenv.DNSENDPOINT_CRD, "barrier", ns)
    wait_rcode(p, "barrier-own.ext.test.", "A", "NXDOMAIN")
    zkenv.nsupdate(p, "ext.test", primary.key, deletes=keys)
    unowned.check()


def test_two_sources_one_name_oldest_wins_no_flapping(zk, kube, primary, controller, unowned):
    """An Ingress (older) and a DNSEndpoint (younger; its id crd/… would win a tie by name, so
    only age can make it lose) want dup.ext.test with different addresses."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-dup")
    p = primary.port
    kube.apply(ingress("older", ns, ["dup.ext.test"]))
    lb_status(kube, "older", ns, ips=["192.0.2.70"])
    wait_answer(p, "dup.ext.test.", "A", ["192.0.2.70"])
    created = kube.get("ingress", "older", ns)["metadata"]["creationTimestamp"]
    # creationTimestamp has one-second resolution: make the younger one strictly younger.
    wait_for(lambda: now_rfc3339() > created, desc="a second later than the Ingress's creation")

    kube.apply(dnsendpoint("younger", ns, [ep("dup.ext.test", "A", ["192.0.2.71"])]))
    o = dnsendpoint_status(zk, "younger", ns, "False", "Conflict")
    assert o["metadata"]["creationTimestamp"] > created
    assert zkenv.query(p, "dup.ext.test.", "A").rrs == ["192.0.2.70"]
    wait_answer(p, "a-dup.ext.test.", "TXT", [registry_text(OWNER, f"ingress/{ns}/older")])
    # No flapping: the serial stays still, the answer and the loser's status too.
    s = zkenv.serial(p, "ext.test")
    rv = kube.get(zkenv.DNSENDPOINT_CRD, "younger", ns)["metadata"]["resourceVersion"]
    lasting(lambda: zkenv.serial(p, "ext.test") == s
            and zkenv.query(p, "dup.ext.test.", "A").rrs == ["192.0.2.70"]
            and kube.get(zkenv.DNSENDPOINT_CRD, "younger", ns)["metadata"]["resourceVersion"] == rv, 4)
    programmed = len(kube.events_about("Ingress", "older", ns, reason="Programmed"))

    # The winner goes: the younger one takes the name over.
    kube.delete("ingress", "older", ns)
    wait_answer(p, "dup.ext.test.", "A", ["192.0.2.71"])
    wait_answer(p, "a-dup.ext.test.", "TXT", [registry_text(OWNER, f"crd/{ns}/younger")])
    dnsendpoint_status(zk, "younger", ns, "True", "Programmed")
    assert len(kube.events_about("Ingress", "older", ns, reason="Programmed")) == programmed
    kube.delete(zkenv.DNSENDPOINT_CRD, "younger", ns)
    wait_rcode(p, "dup.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "a-dup.ext.test.", "TXT", "NXDOMAIN")
    unowned.check()


def test_wildcard_host_and_opt_out(zk, kube, primary, controller, unowned):
    """A wildcard Ingress host: served as a wildcard; its registry TXT at a-*.<rest> (external-dns'
    name without --txt-wildcard-replacement). An Ingress with dns.zonekeeper.io/exclude: "true"
    is not served until the annotation goes."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-wild")
    p = primary.port
    # Opted out (created first: the wildcard below is its barrier).
    kube.apply(ingress("optout", ns, ["optout.ext.test"], annotations={"dns.zonekeeper.io/exclude": "true"}))
    lb_status(kube, "optout", ns, ips=["192.0.2.111"])
    kube.apply(ingress("wild", ns, ["*.wild.ext.test"]))
    lb_status(kube, "wild", ns, ips=["192.0.2.110"])
    wait_answer(p, "anything.wild.ext.test.", "A", ["192.0.2.110"])
    wait_answer(p, "a-*.wild.ext.test.", "TXT", [registry_text(OWNER, f"ingress/{ns}/wild")])
    assert query_rcode(primary, "optout.ext.test.") == "NXDOMAIN"
    # Opted in again: served.
    kube.apply(ingress("optout", ns, ["optout.ext.test"]))
    wait_answer(p, "optout.ext.test.", "A", ["192.0.2.111"])
    kube.delete("ingress", "optout", ns)
    kube.delete("ingress", "wild", ns)
    wait_rcode(p, "optout.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "anything.wild.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "a-*.wild.ext.test.", "TXT", "NXDOMAIN")
    unowned.check()


def test_restart_ownership_lives_in_dns(zk, kube, primary, controller, unowned):
    """The registry is the controller's memory: restarted with nothing changed, it rewrites
    nothing; a source deleted while it was down is removed (record and TXT) after the restart,
    found through its registry TXT; the others stay."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-restart")
    p = primary.port
    kube.apply([ingress("stay", ns, ["rs-stay.ext.test"]),
                dnsendpoint("gone", ns, [ep("rs-gone.ext.test", "A", ["192.0.2.121"]),
                                         ep("rs-gone.ext2.test", "CNAME", ["rs-stay.ext.test"])])])
    lb_status(kube, "stay", ns, ips=["192.0.2.120"])
    wait_answer(p, "rs-stay.ext.test.", "A", ["192.0.2.120"])
    wait_answer(p, "rs-gone.ext.test.", "A", ["192.0.2.121"])
    wait_answer(p, "rs-gone.ext2.test.", "CNAME", ["rs-stay.ext.test."])
    dnsendpoint_status(zk, "gone", ns, "True", "Programmed")

    # Restart with nothing changed: no UPDATE to the shared zones, no status write (the
    # DNSEndpoint's lastSyncTime included: nothing was applied).
    # No Event either ("a controller restart that finds everything in place records nothing").
    wait_event(kube, "Ingress", "stay", ns, "Programmed")
    wait_event(kube, "DNSEndpoint", "gone", ns, "Programmed")

    def events():
        return sorted((e["metadata"]["name"], e.get("reason"), str(e.get("series"))) for e in kube.events(ns))
    serials = {z: zkenv.serial(p, z) for z in ("ext.test", "ext2.test")}
    rv = kube.get(zkenv.DNSENDPOINT_CRD, "gone", ns)["metadata"]["resourceVersion"]
    ev = events()
    controller.restart(wait_ready=True, wait_leader=True)
    lasting(lambda: {z: zkenv.serial(p, z) for z in serials} == serials
            and kube.get(zkenv.DNSENDPOINT_CRD, "gone", ns)["metadata"]["resourceVersion"] == rv, 3)
    assert events() == ev

    # Deleted while the controller is down: removed once it is back.
    controller.stop()
    try:
        kube.delete(zkenv.DNSENDPOINT_CRD, "gone", ns)
        wait_for(lambda: kube.get(zkenv.DNSENDPOINT_CRD, "gone", ns) is None, desc="DNSEndpoint gone")
        assert zkenv.query(p, "rs-gone.ext.test.", "A").rrs == ["192.0.2.121"]
    finally:
        controller.start(wait_ready=True, wait_leader=True)
    wait_rcode(p, "rs-gone.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "a-rs-gone.ext.test.", "TXT", "NXDOMAIN")
    wait_rcode(p, "rs-gone.ext2.test.", "CNAME", "NXDOMAIN")
    wait_rcode(p, "cname-rs-gone.ext2.test.", "TXT", "NXDOMAIN")
    assert zkenv.query(p, "rs-stay.ext.test.", "A").rrs == ["192.0.2.120"]
    assert zkenv.query(p, "a-rs-stay.ext.test.", "TXT").rrs == [registry_text(OWNER, f"ingress/{ns}/stay")]
    kube.delete("ingress", "stay", ns)
    wait_rcode(p, "rs-stay.ext.test.", "A", "NXDOMAIN")
    unowned.check()


def second_controller(kube, workdir, identity, zone, *flags):
    c = zkenv.Controller(kube, os.path.join(workdir, "controller"), identity=identity, leader_election=False,
                         extra=["--zone", f"{zone}={SOURCE_SERVER_NS}/primary", "--domain-filter", zone,
                                "--txt-owner-id", identity, "--sources-only", *flags])
    c.start(wait_ready=True)
    return c


def test_policy_upsert_only_and_create_only(zk, kube, primary, controller, workdir, unowned):
    """Two more controllers (no leader election, each its own zone and owner id so neither
    touches the other's or the session controller's records): upsert-only never deletes,
    create-only never updates or deletes."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-policy")
    p = primary.port
    ups = second_controller(kube, workdir, "zk-upsert", "upsert.test", "--policy", "upsert-only")
    try:
        cre = second_controller(kube, workdir, "zk-create", "create.test", "--policy", "create-only")
        try:
            kube.apply([ingress("u", ns, ["u.upsert.test"]), ingress("c", ns, ["c.create.test"])])
            lb_status(kube, "u", ns, ips=["192.0.2.80"])
            lb_status(kube, "c", ns, ips=["192.0.2.90"])
            wait_answer(p, "u.upsert.test.", "A", ["192.0.2.80"])
            wait_answer(p, "c.create.test.", "A", ["192.0.2.90"])
            wait_answer(p, "a-u.upsert.test.", "TXT", [registry_text("zk-upsert", f"ingress/{ns}/u")])
            wait_answer(p, "a-c.create.test.", "TXT", [registry_text("zk-create", f"ingress/{ns}/c")])
            # Each controller reports on what it served, under its own identity.
            for name, ident in (("u", "zk-upsert"), ("c", "zk-create")):
                wait_for(lambda: [e for e in kube.events_about("Ingress", name, ns, reason="Programmed")
                                  if e.get("reportingInstance") == ident],
                         desc=f"Programmed Event on {name} from {ident}")

            # Update: upsert-only follows, create-only keeps what it created.
            lb_status(kube, "u", ns, ips=["192.0.2.81"])
            lb_status(kube, "c", ns, ips=["192.0.2.91"])
            wait_answer(p, "u.upsert.test.", "A", ["192.0.2.81"])
            kube.apply(ingress("c2", ns, ["c2.create.test"]))  # barrier for create-only
            lb_status(kube, "c2", ns, ips=["192.0.2.92"])
            wait_answer(p, "c2.create.test.", "A", ["192.0.2.92"])
            assert zkenv.query(p, "c.create.test.", "A").rrs == ["192.0.2.90"]

            # Delete: both keep the record and its registry TXT.
            s_up, s_cr = zkenv.serial(p, "upsert.test"), zkenv.serial(p, "create.test")
            kube.delete("ingress", "u", ns)
            kube.delete("ingress", "c", ns)
            kube.apply([ingress("u2", ns, ["u2.upsert.test"]), ingress("c3", ns, ["c3.create.test"])])  # barriers
            lb_status(kube, "u2", ns, ips=["192.0.2.82"])
            lb_status(kube, "c3", ns, ips=["192.0.2.93"])
            wait_answer(p, "u2.upsert.test.", "A", ["192.0.2.82"])
            wait_answer(p, "c3.create.test.", "A", ["192.0.2.93"])
            assert zkenv.query(p, "u.upsert.test.", "A").rrs == ["192.0.2.81"]
            assert zkenv.query(p, "c.create.test.", "A").rrs == ["192.0.2.90"]
            assert zkenv.query(p, "a-u.upsert.test.", "TXT").rrs == [registry_text("zk-upsert", f"ingress/{ns}/u")]
            assert zkenv.query(p, "a-c.create.test.", "TXT").rrs == [registry_text("zk-create", f"ingress/{ns}/c")]
            # Each barrier was one UPDATE (record + registry TXT together): nothing else written.
            assert zkenv.serial(p, "upsert.test") == s_up + 1
            assert zkenv.serial(p, "create.test") == s_cr + 1
            # The session controller's shared zones were never touched by them.
            unowned.check()
        finally:
            assert cre.stop() == 0
    finally:
        assert ups.stop() == 0
    for n in ("u2", "c2", "c3"):
        kube.delete("ingress", n, ns)


def test_two_controllers_disjoint_zones_settle_dnsendpoint_status(zk, kube, primary, controller, workdir, unowned):
    """Two zonekeepers with disjoint zones (the external-dns pattern of one instance per zone
    set, here the session controller and one for upsert.test): a DNSEndpoint in the second one's
    zone is served by it, and its status settles — the two must not take turns rewriting it."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-two")
    p = primary.port
    other = second_controller(kube, workdir, "zk-upsert", "upsert.test", "--policy", "upsert-only")
    try:
        kube.apply(dnsendpoint("split", ns, [ep("split.upsert.test", "A", ["192.0.2.130"])]))
        wait_answer(p, "split.upsert.test.", "A", ["192.0.2.130"])
        wait_for(lambda: is_current_obj(kube.get(zkenv.DNSENDPOINT_CRD, "split", ns)), desc="status current")
        seen = []

        def settled():
            o = kube.get(zkenv.DNSENDPOINT_CRD, "split", ns)
            seen.append((o["metadata"]["resourceVersion"], zkenv.condition(o)[:2]))
            return len(seen) >= 13 and len({rv for rv, _ in seen[-13:]}) == 1
        try:
            wait_for(settled, 20, interval=0.25, desc="the DNSEndpoint's status stops changing (3 s)")
        except zkenv.WaitTimeout as e:
            raise AssertionError(
                f"{e}\nresourceVersion/Ready over time: {seen[-40:]}\nstatus writes: session controller "
                f"{controller.metric('zonekeeper_status_writes_total')}, zk-upsert "
                f"{other.metric('zonekeeper_status_writes_total')}\nlast object status: "
                f"{kube.get(zkenv.DNSENDPOINT_CRD, 'split', ns).get('status')}") from None
        # --sources-only: the second instance left DNSZones, records and DNSServers alone.
        for kind in ("DNSZone", "DNSServer", "ARecord"):
            assert not other.metric("zonekeeper_status_writes_total", kind=kind), kind
    finally:
        assert other.stop() == 0
        kube.delete(zkenv.DNSENDPOINT_CRD, "split", ns)
    unowned.check()


def is_current_obj(o):
    return o is not None and o.get("status") and zkenv.is_current(o)


def test_dry_run_changes_nothing(zk, kube, primary, controller, workdir, unowned):
    """A controller with --dry-run on dry.test logs the plan (`dry-run: …` lines) and sends no
    UPDATE, writes no status and no Event."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-dry")
    p = primary.port
    kube.apply([dnsendpoint("dry", ns, [ep("dry-a.dry.test", "A", ["192.0.2.100"])]),
                ingress("dry-ing", ns, ["dry-b.dry.test"])])
    lb_status(kube, "dry-ing", ns, ips=["192.0.2.101"])
    # The session controller has no zone dry.test: it says nothing about these objects. A
    # barrier in its own zone, applied after them through the same informers, proves it has
    # seen them; so any later write would be the dry-run one's.
    kube.apply(dnsendpoint("dry-barrier", ns, [ep("dry-barrier.ext.test", "A", ["192.0.2.102"])]))
    dnsendpoint_status(zk, "dry-barrier", ns, "True", "Programmed")
    assert not (kube.get(zkenv.DNSENDPOINT_CRD, "dry", ns).get("status") or {}).get("conditions")
    assert not kube.events_about("Ingress", "dry-ing", ns)
    zone_before = zkenv.axfr(p, "dry.test", primary.key)
    obj_before = kube.get(zkenv.DNSENDPOINT_CRD, "dry", ns)

    dry = second_controller(kube, workdir, "zk-dry", "dry.test", "--dry-run")
    try:
        def planned():
            lines = [r for r in dry.log_records() if str(r.get("msg", "")).startswith("dry-run:")]
            text = "\n".join(str(r.get("msg")) for r in lines)
            return lines if ("dry-a.dry.test" in text and "dry-b.dry.test" in text
                             and "a-dry-a.dry.test" in text) else None
        lines = wait_for(planned, desc="dry-run: lines for dry-a and dry-b (and the registry TXT)")
        for r in lines:
            assert "dry.test" in str(r.get("zone", "")), r
            assert str(r.get("server", "")) == f"{SOURCE_SERVER_NS}/primary", r
        # A measurement window after the plan was logged: nothing reaches DNS or the API.
        lasting(lambda: zkenv.axfr(p, "dry.test", primary.key) == zone_before, 3)
        assert query_rcode(primary, "dry-a.dry.test.") == "NXDOMAIN"
        assert query_rcode(primary, "dry-b.dry.test.") == "NXDOMAIN"
        obj = kube.get(zkenv.DNSENDPOINT_CRD, "dry", ns)
        assert obj["metadata"]["resourceVersion"] == obj_before["metadata"]["resourceVersion"]
        assert obj.get("status") == obj_before.get("status")
        assert dry.metric("zonekeeper_dns_operations_total", operation="update") == 0
        assert dry.metric("zonekeeper_status_writes_total") == 0
        # Events carry the controller's identity (reportingInstance): none from this one,
        # anywhere (the policy test shows that a second controller does write its own).
        assert [e for e in kube.list("events.events.k8s.io") if e.get("reportingInstance") == "zk-dry"] == []
        assert not kube.events_about("Ingress", "dry-ing", ns, reason="Programmed")
    finally:
        assert dry.stop() == 0
    kube.delete(zkenv.DNSENDPOINT_CRD, "dry", ns)
    kube.delete(zkenv.DNSENDPOINT_CRD, "dry-barrier", ns)
    kube.delete("ingress", "dry-ing", ns)
    unowned.check()


def preview_ns(kube, base, annotations):
    """A Namespace of its own per run: a deleted one stays Terminating on this test bed (no
    namespace controller), so a reused control plane cannot reuse the name."""
    ns = f"{base}-{int(time.time() * 1000) % 10**9}"
    kube.apply({"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": ns, "annotations": annotations}})
    return ns


def test_preview_environment_ttl_and_cleanup(zk, kube, primary, controller, unowned):
    """Issue 17: a Namespace annotated dns.zonekeeper.io/preview gives its objects' records the
    preview TTL; deleting the Namespace withdraws them at once (the objects themselves stay
    behind its finalizer here: no namespace controller); the time is measured and logged."""
    require_sources(controller)
    server_ready(zk)
    p = primary.port
    ns = preview_ns(kube, "pr", {"dns.zonekeeper.io/preview": "true"})
    kube.apply(dnsendpoint("app", ns, [ep("pr-app.ext.test", "A", ["192.0.2.60"], ttl=300)]))
    kube.apply(ingressroute("web", ns, ["Host(`pr-web.ext.test`)"], target="192.0.2.61"))
    assert wait_answer(p, "pr-app.ext.test.", "A", ["192.0.2.60"]).ttls == [60]
    assert wait_answer(p, "pr-web.ext.test.", "A", ["192.0.2.61"]).ttls == [60]
    wait_for(lambda: f'zonekeeper_preview_environments{{namespace="{ns}"}} 1' in controller.http("/metrics")[1],
             desc="the preview metric")

    # Its own TTL; then a value that is not one: the default, and a Warning on the Namespace.
    kube.kubectl("annotate", "--overwrite", "namespace", ns, "dns.zonekeeper.io/preview-ttl=30")
    wait_for(lambda: zkenv.query(p, "pr-app.ext.test.", "A").ttls == [30], desc="TTL 30")
    kube.kubectl("annotate", "--overwrite", "namespace", ns, "dns.zonekeeper.io/preview-ttl=soon")
    wait_for(lambda: zkenv.query(p, "pr-app.ext.test.", "A").ttls == [60], desc="back to 60")
    wait_event(kube, "Namespace", ns, "default", "Invalid", type="Warning", note_has="preview-ttl")

    t0 = time.monotonic()
    kube.delete("namespace", ns)
    wait_rcode(p, "pr-app.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "pr-web.ext.test.", "A", "NXDOMAIN")
    zkenv.log(f"preview {ns}: records gone {time.monotonic() - t0:.2f} s after `kubectl delete namespace`")
    wait_rcode(p, "a-pr-app.ext.test.", "TXT", "NXDOMAIN")
    wait_rcode(p, "a-pr-web.ext.test.", "TXT", "NXDOMAIN")
    assert kube.get(zkenv.DNSENDPOINT_CRD, "app", ns) is not None, "the object outlives its records"
    wait_for(lambda: f'namespace="{ns}"' not in controller.http("/metrics")[1], desc="metric series gone")
    unowned.check()


def test_preview_annotation_removed_serves_as_usual(zk, kube, primary, controller, unowned):
    """Removing the annotation ends the preview, not the objects: their own TTL comes back."""
    require_sources(controller)
    server_ready(zk)
    p = primary.port
    ns = preview_ns(kube, "pr-end", {"dns.zonekeeper.io/preview": "true",
                                     "dns.zonekeeper.io/preview-ttl": "45"})
    kube.apply(dnsendpoint("app", ns, [ep("pr-end.ext.test", "A", ["192.0.2.62"], ttl=300)]))
    assert wait_answer(p, "pr-end.ext.test.", "A", ["192.0.2.62"]).ttls == [45]
    kube.kubectl("annotate", "namespace", ns, "dns.zonekeeper.io/preview-")
    wait_for(lambda: zkenv.query(p, "pr-end.ext.test.", "A").ttls == [300], desc="its own TTL")
    kube.delete(zkenv.DNSENDPOINT_CRD, "app", ns)
    wait_rcode(p, "pr-end.ext.test.", "A", "NXDOMAIN")
    unowned.check()


def test_namespace_label_and_annotation_filters(zk, kube, primary, controller, workdir, unowned):
    """external-dns parity: a controller for filter.test with --namespace, --label-filter and
    --annotation-filter serves only the objects that pass all three; an object relabelled out of
    the filter loses its records (the filtered watch reports it deleted), relabelled back in
    gets them again. A selector that does not parse is a usage error at start."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-filter")
    other_ns = src_ns(kube, "src-filter-other")
    p = primary.port
    bad = zkenv.run([zkenv.ZK_BIN, "controller", "--zone", "filter.test=zk-src/primary",
                     "--label-filter", "env in (prod"], check=False)
    assert bad.returncode == 2 and "--label-filter env in (prod: " in bad.stderr, (bad.returncode, bad.stderr)

    def obj(name, namespace, labels, annotations, host, ip):
        o = dnsendpoint(name, namespace, [ep(host, "A", [ip])])
        o["metadata"]["labels"] = labels
        o["metadata"]["annotations"] = annotations
        return o
    kube.apply([obj("in", ns, {"env": "prod"}, {"team": "dns"}, "in.filter.test", "192.0.2.140"),
                obj("wrong-label", ns, {"env": "dev"}, {"team": "dns"}, "label.filter.test", "192.0.2.141"),
                obj("wrong-annotation", ns, {"env": "prod"}, {"team": "web"}, "ann.filter.test", "192.0.2.142"),
                obj("wrong-ns", other_ns, {"env": "prod"}, {"team": "dns"}, "ns.filter.test", "192.0.2.143")])
    flt = second_controller(kube, workdir, "zk-filter", "filter.test", "--namespace", ns,
                            "--label-filter", "env in (prod,staging)", "--annotation-filter", "team=dns")
    try:
        wait_answer(p, "in.filter.test.", "A", ["192.0.2.140"])
        dnsendpoint_status(zk, "in", ns, "True", "Programmed")
        for host in ("label", "ann", "ns"):
            assert query_rcode(primary, f"{host}.filter.test.") == "NXDOMAIN", host
        for name, namespace in (("wrong-label", ns), ("wrong-annotation", ns), ("wrong-ns", other_ns)):
            o = kube.get(zkenv.DNSENDPOINT_CRD, name, namespace)
            assert not (o.get("status") or {}).get("conditions"), (name, o.get("status"))

        kube.kubectl("label", "--overwrite", zkenv.DNSENDPOINT_CRD, "in", "-n", ns, "env=dev")
        wait_rcode(p, "in.filter.test.", "A", "NXDOMAIN")
        kube.kubectl("label", "--overwrite", zkenv.DNSENDPOINT_CRD, "wrong-label", "-n", ns, "env=staging")
        wait_answer(p, "label.filter.test.", "A", ["192.0.2.141"])
    finally:
        assert flt.stop() == 0
    for name, namespace in (("in", ns), ("wrong-label", ns), ("wrong-annotation", ns), ("wrong-ns", other_ns)):
        kube.delete(zkenv.DNSENDPOINT_CRD, name, namespace)
    unowned.check()


def test_grpcroute_and_tlsroute_through_gateway(zk, kube, primary, controller, unowned):
    """GRPCRoute (on an HTTP listener) and TLSRoute (on a TLS passthrough listener) follow the
    HTTPRoute rules: accepted by their parent, admitted by the listener they attach to, host
    names intersected with its hostname, the Gateway's address as target; registered under
    their own resource (grpcroute/…, tlsroute/…). A TLSRoute attached to the HTTP listener is
    said (Invalid) and not served."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-gw-kinds")
    p = primary.port
    cls = "zk-e2e-route-kinds"
    gw = gateway_objects(ns, cls)
    gw[1]["spec"]["listeners"].append(
        {"name": "tls", "protocol": "TLS", "port": 8443, "hostname": "*.ext.test",
         "tls": {"mode": "Passthrough"}, "allowedRoutes": {"namespaces": {"from": "Same"}}})
    kube.apply(gw)
    kube.patch_status("gateway", "gw", ns, gateway_status(["192.0.2.150"]))

    def typed(kind, name, hostnames, section):
        return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind,
                "metadata": {"name": name, "namespace": ns},
                "spec": {"parentRefs": [{"name": "gw", "sectionName": section}], "hostnames": hostnames,
                         "rules": [{"backendRefs": [{"name": "svc", "port": 9000}]}]}}

    def status(section):
        st = route_status(True)
        st["status"]["parents"][0]["parentRef"]["sectionName"] = section
        return st
    kube.apply([typed("GRPCRoute", "api", ["grpc.ext.test"], "http"),
                typed("TLSRoute", "db", ["db.ext.test"], "tls"),
                typed("TLSRoute", "misplaced", ["misplaced.ext.test"], "http")])
    kube.patch_status("grpcroute", "api", ns, status("http"))
    kube.patch_status("tlsroute", "db", ns, status("tls"))
    kube.patch_status("tlsroute", "misplaced", ns, status("http"))
    wait_answer(p, "grpc.ext.test.", "A", ["192.0.2.150"])
    wait_answer(p, "a-grpc.ext.test.", "TXT", [registry_text(OWNER, f"grpcroute/{ns}/api")])
    wait_answer(p, "db.ext.test.", "A", ["192.0.2.150"])
    wait_answer(p, "a-db.ext.test.", "TXT", [registry_text(OWNER, f"tlsroute/{ns}/db")])
    wait_event(kube, "GRPCRoute", "api", ns, "Programmed", type="Normal")
    wait_event(kube, "TLSRoute", "misplaced", ns, "Invalid", type="Warning",
               note_has="protocol HTTP carries no TLSRoutes")
    assert query_rcode(primary, "misplaced.ext.test.") == "NXDOMAIN"

    kube.patch_status("gateway", "gw", ns, gateway_status(["192.0.2.151"]))
    wait_answer(p, "grpc.ext.test.", "A", ["192.0.2.151"])
    wait_answer(p, "db.ext.test.", "A", ["192.0.2.151"])
    kube.delete("grpcroute", "api", ns)
    kube.delete("tlsroute", "db", ns)
    kube.delete("tlsroute", "misplaced", ns)
    wait_rcode(p, "grpc.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "db.ext.test.", "A", "NXDOMAIN")
    wait_rcode(p, "a-db.ext.test.", "TXT", "NXDOMAIN")
    kube.delete("gateway", "gw", ns)
    kube.delete("gatewayclass", cls)
    unowned.check()


def test_dnsendpoint_naptr(zk, kube, primary, controller, unowned):
    """external-dns parity: NAPTR targets in a DNSEndpoint (order preference "flags"
    "services" "regexp" replacement) are served by BIND as written, replaced and removed."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-naptr")
    p = primary.port
    sip = '100 10 "S" "SIP+D2U" "!^.*$!sip:info@ext.test!" _sip._udp.ext.test.'
    enum = '102 10 "u" "E2U+sip" "!^.*$!sip:alt@ext.test!" .'
    kube.apply(dnsendpoint("naptr", ns, [ep("naptr.ext.test", "NAPTR", [sip, enum])]))
    wait_answer(p, "naptr.ext.test.", "NAPTR", [sip, enum])
    wait_answer(p, "naptr-naptr.ext.test.", "TXT", [registry_text(OWNER, f"crd/{ns}/naptr")])
    dnsendpoint_status(zk, "naptr", ns, "True", "Programmed")
    kube.apply(dnsendpoint("naptr", ns, [ep("naptr.ext.test", "NAPTR", [enum])]))
    wait_answer(p, "naptr.ext.test.", "NAPTR", [enum])
    kube.delete(zkenv.DNSENDPOINT_CRD, "naptr", ns)
    wait_rcode(p, "naptr.ext.test.", "NAPTR", "NXDOMAIN")
    unowned.check()


def test_dnsendpoint_dname_sshfp_tlsa(zk, kube, primary, controller, unowned):
    """DNAME, SSHFP and TLSA targets in a DNSEndpoint, in zone-file presentation form, are served
    by BIND as written, replaced and removed, each under its own registry TXT."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-types")
    p = primary.port
    sha256 = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
    other = "A" * 64
    kube.apply(dnsendpoint("types", ns, [
        ep("moved.ext.test", "DNAME", ["new.example.net"]),
        ep("host.ext.test", "SSHFP", [f"4 2 {sha256}"]),
        ep("_443._tcp.www.ext.test", "TLSA", [f"3 1 1 {sha256}"])]))
    wait_answer(p, "moved.ext.test.", "DNAME", ["new.example.net."])
    wait_answer(p, "host.ext.test.", "SSHFP", [f"4 2 {sha256.lower()}"])
    wait_answer(p, "_443._tcp.www.ext.test.", "TLSA", [f"3 1 1 {sha256.lower()}"])
    for reg in ("dname-moved.ext.test.", "sshfp-host.ext.test.", "tlsa-_443._tcp.www.ext.test."):
        wait_answer(p, reg, "TXT", [registry_text(OWNER, f"crd/{ns}/types")])
    dnsendpoint_status(zk, "types", ns, "True", "Programmed")

    kube.apply(dnsendpoint("types", ns, [
        ep("moved.ext.test", "DNAME", ["newer.example.net"]),
        ep("host.ext.test", "SSHFP", [f"4 2 {other}"]),
        ep("_443._tcp.www.ext.test", "TLSA", [f"3 1 1 {other}"])]))
    wait_answer(p, "moved.ext.test.", "DNAME", ["newer.example.net."])
    wait_answer(p, "host.ext.test.", "SSHFP", [f"4 2 {other.lower()}"])
    wait_answer(p, "_443._tcp.www.ext.test.", "TLSA", [f"3 1 1 {other.lower()}"])
    kube.delete(zkenv.DNSENDPOINT_CRD, "types", ns)
    wait_rcode(p, "host.ext.test.", "SSHFP", "NXDOMAIN")
    wait_rcode(p, "_443._tcp.www.ext.test.", "TLSA", "NXDOMAIN")
    wait_rcode(p, "moved.ext.test.", "DNAME", "NXDOMAIN")
    unowned.check()


def test_dnsendpoint_svcb_https(zk, kube, primary, controller, unowned):
    """SVCB and HTTPS (RFC 9460) targets in a DNSEndpoint: served by BIND as written (SvcParams
    in canonical order), replaced, removed, each under its own registry TXT; bad SvcParams are
    Invalid naming the entry, and the valid entries are still served."""
    require_sources(controller)
    server_ready(zk)
    ns = src_ns(kube, "src-svcb")
    p = primary.port
    kube.apply(dnsendpoint("svc", ns, [
        ep("_dns.ext.test", "SVCB", ["1 dns.ext.test alpn=dot,h2 port=853"]),
        ep("svc.ext.test", "HTTPS", ["1 . port=443 alpn=h3,h2 ipv4hint=192.0.2.60", "0 cdn.example.net"])]))
    wait_answer(p, "_dns.ext.test.", "SVCB", ['1 dns.ext.test. alpn="dot,h2" port="853"'])
    wait_answer(p, "svc.ext.test.", "HTTPS", ['0 cdn.example.net.',
                                              '1 . alpn="h3,h2" port="443" ipv4hint="192.0.2.60"'])
    for reg in ("svcb-_dns.ext.test.", "https-svc.ext.test."):
        wait_answer(p, reg, "TXT", [registry_text(OWNER, f"crd/{ns}/svc")])
    dnsendpoint_status(zk, "svc", ns, "True", "Programmed")

    kube.apply(dnsendpoint("svc", ns, [
        ep("_dns.ext.test", "SVCB", ["2 dns2.ext.test mandatory=alpn alpn=h3"]),
        ep("svc.ext.test", "HTTPS", ["1 . alpn=h2 color=red"])]))
    o = dnsendpoint_status(zk, "svc", ns, "False", "Invalid")
    msg = zkenv.condition(o)[2]
    assert "unknown SvcParam key" in msg and "color" in msg and "svc.ext.test" in msg, msg
    wait_answer(p, "_dns.ext.test.", "SVCB", ['2 dns2.ext.test. mandatory="alpn" alpn="h3"'])
    kube.delete(zkenv.DNSENDPOINT_CRD, "svc", ns)
    wait_rcode(p, "_dns.ext.test.", "SVCB", "NXDOMAIN")
    wait_rcode(p, "svc.ext.test.", "HTTPS", "NXDOMAIN")
    wait_rcode(p, "svcb-_dns.ext.test.", "TXT", "NXDOMAIN")
    unowned.check()
