"""zonekeeper as its users run it: our image as Pods on a real node, installed with the Helm chart
(and once with `kubectl apply -k deploy/`), in namespaces that enforce Pod Security
"restricted", serving examples/cluster/ through BIND 9 Pods from zonekeeper-bind9, with `dig`-
style queries from the host. The tests run in order and share the cluster: install → serve →
leader failover → upgrade → uninstall → kustomize → a broken value."""
import glob
import hashlib
import json
import os
import shutil
import signal
import threading
import time

import dns.name
import dns.rdatatype
import dns.rcode
import pytest
import yaml

import cluster
from cluster import EXAMPLE_NS, a_record, log, wait_answer, wait_for

CONTROLLER_NS = "zonekeeper-system"
SELECTOR = "app.kubernetes.io/name=zonekeeper,app.kubernetes.io/component=controller"
CHART = os.path.join(cluster.REPO, "charts/zonekeeper")
LEASE = "zonekeeper-controller"

# (name, type) → answer, for every example record the suite checks on both servers.
EXAMPLES = {
    ("www.example.test.", "A"): ["192.0.2.10", "192.0.2.11"],
    ("mail.example.test.", "A"): ["192.0.2.25"],
    ("www.example.test.", "AAAA"): ["2001:db8::10"],
    ("api.example.test.", "CNAME"): ["www.example.test."],
    ("example.test.", "MX"): ["10 mail.example.test."],
    ("_sip._tcp.example.test.", "SRV"): ["10 5 5060 www.example.test."],
}


def controller_pods(c, ns=CONTROLLER_NS):
    return c.list("pods", ns, SELECTOR)


def all_served(bind, extra=()):
    for ip in (bind.primary_ip, bind.secondary_ip):
        for (name, rtype), want in list(EXAMPLES.items()) + list(extra):
            wait_answer(ip, name, rtype, want)


@pytest.fixture(scope="module")
def installed(node, bind):
    node.restricted_namespace(CONTROLLER_NS)
    node.helm("install", "zonekeeper", CHART, "-n", CONTROLLER_NS, "--wait", "--timeout", "180s")
    node.apply(bind.example_objects())
    return node


def test_controller_pods_run_our_image_in_cluster_and_pass_their_probes(installed):
    c = installed
    pods = wait_for(lambda: len(c.ready_pods(CONTROLLER_NS, SELECTOR)) == 2 and controller_pods(c),
                    desc="two Ready controller Pods")
    for p in pods:
        spec = p["spec"]["containers"][0]
        assert spec["image"] == "zonekeeper:dev"
        assert spec["imagePullPolicy"] == "IfNotPresent"
        status = p["status"]["containerStatuses"][0]
        assert status["ready"] and status["restartCount"] == 0, status
        # The in-cluster configuration, exactly as a real cluster hands it out: the kubernetes
        # Service's address and a projected service-account token.
        assert any(v.get("projected") for v in p["spec"]["volumes"]), p["spec"]["volumes"]
        assert p["spec"]["securityContext"]["runAsUser"] == 65532
    logs = c.kubectl("logs", "-n", CONTROLLER_NS, pods[0]["metadata"]["name"]).stdout
    first = json.loads(logs.splitlines()[0])  # JSON lines by default
    assert "serving /healthz /readyz /metrics" in first["msg"], first
    holder = wait_for(lambda: c.lease_holder(CONTROLLER_NS, LEASE), desc="a leader")
    assert holder in {p["metadata"]["name"] for p in pods}


def test_examples_are_served_by_bind_pods(installed, bind):
    all_served(bind)
    c = installed
    zone = wait_for(lambda: (z := c.get("dnszone", "example-test", EXAMPLE_NS)) and
                    any(x["type"] == "Ready" and x["status"] == "True"
                        for x in z.get("status", {}).get("conditions", [])) and z,
                    desc="DNSZone example-test Ready")
    assert zone["status"]["observedGeneration"] == zone["metadata"]["generation"]
    www = c.get("arecord", "www", EXAMPLE_NS)
    ready = {x["type"]: x for x in www["status"]["conditions"]}["Ready"]
    assert ready["status"] == "True", ready


MANAGED_NS = "zk-bind9"


def bind9_instance(name, role, **spec):
    return {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "Bind9Instance",
            "metadata": {"name": name, "namespace": MANAGED_NS, "labels": {"dns": "managed"}},
            "spec": dict(role=role, storage={"size": "100Mi"}, **spec)}


def instance_ready(c, name, want):
    obj = c.get("bind9instance", name, MANAGED_NS, check=False) or {}
    conds = {x["type"]: x for x in obj.get("status", {}).get("conditions", [])}
    ready = conds.get("Ready", {})
    return (ready.get("reason"), ready.get("message")) == want and obj


def managed_ips(c):
    pods = ["primary-0", "secondary-0", "secondary-1"]
    return {p: c.get("pod", p, MANAGED_NS)["status"]["podIP"] for p in pods}


def test_a_bind9_cluster_is_deployed_serves_a_dnszone_and_heals(installed):
    """Issue 12: a Primary and two Secondaries that zonekeeper deploys; a DNSZone alone is served
    by all three Pods (the catalog zone creates it everywhere); status follows the Pods."""
    c = installed
    c.restricted_namespace(MANAGED_NS)
    t0 = time.monotonic()
    c.apply([
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": "zonekeeper-bind9-deployer", "namespace": MANAGED_NS},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     "name": "zonekeeper-bind9-deployer"},
         "subjects": [{"kind": "ServiceAccount", "name": "zonekeeper", "namespace": CONTROLLER_NS}]},
        # The keys Secret the controller generates is read like any DNSServer's.
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": "zonekeeper-tsig-secret-reader", "namespace": MANAGED_NS},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     "name": "zonekeeper-tsig-secret-reader"},
         "subjects": [{"kind": "ServiceAccount", "name": "zonekeeper", "namespace": CONTROLLER_NS}]},
        bind9_instance("primary", "Primary"),
        bind9_instance("secondary", "Secondary", replicas=2, primaryRef={"name": "primary"}),
        {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "DNSZone",
         "metadata": {"name": "managed", "namespace": MANAGED_NS},
         "spec": {"zoneName": "managed.test", "recordsFrom": [{"selector": {"matchLabels": {"zone": "managed"}}}],
                  "servers": {"selector": {"matchLabels": {"dns": "managed"}}}}},
        {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord",
         "metadata": {"name": "www", "namespace": MANAGED_NS, "labels": {"zone": "managed"}},
         "spec": {"name": "www", "ipv4Addresses": ["192.0.2.88"]}},
    ])
    wait_for(lambda: instance_ready(c, "primary", ("AllReady", "All 1 pods are ready")),
             timeout=240, desc="the Primary instance AllReady")
    sec = wait_for(lambda: instance_ready(c, "secondary", ("AllReady", "All 2 pods are ready")),
                   timeout=240, desc="the Secondary instance AllReady")
    assert {x["type"]: x["message"] for x in sec["status"]["conditions"]}["Pod-1"] == \
        "Pod secondary-1 is ready"
    ips = managed_ips(c)
    for pod, ip in ips.items():
        wait_answer(ip, "www.managed.test.", "A", ["192.0.2.88"], timeout=120)
    log(f"bind9: a Primary and 2 Secondaries deployed and every Pod answering the DNSZone's record "
        f"{time.monotonic() - t0:.1f} s after kubectl apply")
    wait_for(lambda: (r := c.get("arecord", "www", MANAGED_NS)) and
             {x["type"]: x for x in r.get("status", {}).get("conditions", [])}
             .get("Ready", {}).get("reason") == "Served", desc="www Served")

    # A Secondary Pod deleted: PartiallyReady while it is gone, then back; it serves again.
    c.kubectl("delete", "pod", "secondary-1", "-n", MANAGED_NS, "--wait=false")
    wait_for(lambda: instance_ready(c, "secondary", ("PartiallyReady", "1/2 pods are ready")),
             timeout=120, desc="secondary PartiallyReady")
    wait_for(lambda: instance_ready(c, "secondary", ("AllReady", "All 2 pods are ready")),
             timeout=240, desc="secondary AllReady again")
    ip = c.get("pod", "secondary-1", MANAGED_NS)["status"]["podIP"]
    wait_answer(ip, "www.managed.test.", "A", ["192.0.2.88"], timeout=120)

    # The Primary Pod deleted: back from its volume; a change made after is served everywhere.
    serial = cluster.query(ips["primary-0"], "managed.test.", "SOA").answer[0][0].serial
    c.kubectl("delete", "pod", "primary-0", "-n", MANAGED_NS, "--wait=true")
    wait_for(lambda: instance_ready(c, "primary", ("AllReady", "All 1 pods are ready")),
             timeout=240, desc="the Primary back")
    ips = managed_ips(c)
    assert cluster.query(ips["primary-0"], "managed.test.", "SOA").answer[0][0].serial >= serial
    c.apply([{"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord",
              "metadata": {"name": "www", "namespace": MANAGED_NS, "labels": {"zone": "managed"}},
              "spec": {"name": "www", "ipv4Addresses": ["192.0.2.89"]}}])
    for ip in ips.values():
        wait_answer(ip, "www.managed.test.", "A", ["192.0.2.89"], timeout=120)

    # Secondaries scaled 2 → 3: the new Pod serves every zone without a manual step.
    c.kubectl("patch", "bind9instance", "secondary", "-n", MANAGED_NS, "--type", "merge",
              "-p", json.dumps({"spec": {"replicas": 3}}))
    wait_for(lambda: instance_ready(c, "secondary", ("AllReady", "All 3 pods are ready")),
             timeout=240, desc="3 secondaries ready")
    ip = c.get("pod", "secondary-2", MANAGED_NS)["status"]["podIP"]
    wait_answer(ip, "www.managed.test.", "A", ["192.0.2.89"], timeout=120)
    wait_for(lambda: c.get("dnsserver", "secondary-2", MANAGED_NS, check=False),
             desc="a DNSServer for the new Pod")

    # named's control channel stops answering (named stopped with SIGSTOP from the host: its
    # DNS port still accepts connections, so its own probe passes): the agent's readiness probe
    # fails and Pod-0 says so; SIGCONT, and it is ready again.
    pid = named_host_pid(c, "primary-0")
    os.kill(pid, signal.SIGSTOP)
    t0 = time.monotonic()
    try:
        stuck = wait_for(lambda: pod_condition(c, "primary", "Pod-0", "ControlChannelUnreachable"),
                         timeout=60, desc="Pod-0 ControlChannelUnreachable")
        log(f"bind9: Pod-0 ControlChannelUnreachable {time.monotonic() - t0:.1f} s after named "
            f"stopped")
        assert stuck["message"].startswith("Pod primary-0: named listens on its port, but its "
                                           "agent cannot reach named's control channel"), stuck
        assert instance_ready(c, "primary", ("NotReady", "No pods are ready"))
    finally:
        os.kill(pid, signal.SIGCONT)
    t0 = time.monotonic()
    wait_for(lambda: instance_ready(c, "primary", ("AllReady", "All 1 pods are ready")),
             timeout=60, desc="the Primary ready again")
    log(f"bind9: the Primary AllReady {time.monotonic() - t0:.1f} s after named continued")

    # A zone named cannot load (its file damaged on the volume, named killed; the kubelet
    # starts it again and the Pod turns Ready, serving every zone but that one): after the
    # grace, Pod-0 is ZoneLoadFailed naming the zone and its SERVFAIL; the file put back and
    # named killed again, the Pod is Ready again.
    zone_file = f"/proc/{named_host_pid(c, 'primary-0')}/root/var/cache/bind/zones/managed.test.db"
    good = open(zone_file, "rb").read()
    restarts = named_restarts(c, "primary-0")
    with open(zone_file, "wb") as f:
        f.write(b"$ORIGIN managed.test.\n@ IN SOA this is not a zone file\n")
    os.kill(named_host_pid(c, "primary-0"), signal.SIGKILL)
    t0 = time.monotonic()
    try:
        wait_for(lambda: named_restarts(c, "primary-0") > restarts, timeout=60,
                 desc="named started again")
        ips = managed_ips(c)
        wait_for(lambda: serves(ips["primary-0"], "managed.test.") == "SERVFAIL", timeout=60,
                 desc="managed.test SERVFAIL on the Primary")
        failed = wait_for(lambda: pod_condition(c, "primary", "Pod-0", "ZoneLoadFailed"),
                          timeout=180, desc="Pod-0 ZoneLoadFailed")
        log(f"bind9: Pod-0 ZoneLoadFailed {time.monotonic() - t0:.1f} s after named restarted "
            f"on a damaged zone file")
        assert failed["status"] == "False", failed
        assert failed["message"].startswith("Pod primary-0 does not serve 1 of its "), failed
        assert failed["message"].endswith(": managed.test. (SERVFAIL)"), failed
        assert instance_ready(c, "primary", ("NotReady", "No pods are ready"))
        # The Secondaries still serve their copy.
        for pod, ip in ips.items():
            if pod != "primary-0":
                assert serves(ip, "managed.test.") == "NOERROR", pod
    finally:
        with open(f"/proc/{named_host_pid(c, 'primary-0')}/root/var/cache/bind/zones/"
                  "managed.test.db", "wb") as f:
            f.write(good)
        restarts = named_restarts(c, "primary-0")
        os.kill(named_host_pid(c, "primary-0"), signal.SIGKILL)
    wait_for(lambda: named_restarts(c, "primary-0") > restarts, timeout=60,
             desc="named started again")
    t0 = time.monotonic()
    wait_for(lambda: instance_ready(c, "primary", ("AllReady", "All 1 pods are ready")),
             timeout=180, desc="the Primary ready again with every zone")
    log(f"bind9: the Primary AllReady {time.monotonic() - t0:.1f} s after its zone loads again")
    wait_answer(managed_ips(c)["primary-0"], "www.managed.test.", "A", ["192.0.2.89"], timeout=60)


def named_restarts(c, pod, ns=MANAGED_NS):
    statuses = c.get("pod", pod, ns)["status"]["containerStatuses"]
    return next(s["restartCount"] for s in statuses if s["name"] == "named")


def serves(ip, zone):
    """The rcode of zone's SOA at ip ("NOERROR", "SERVFAIL", …), or None without an answer."""
    try:
        return dns.rcode.to_text(cluster.query(ip, zone, "SOA", timeout=1).rcode())
    except Exception:  # noqa: BLE001
        return None


def pod_condition(c, instance, type_, reason):
    """The instance's condition `type_` if its reason is `reason`."""
    obj = c.get("bind9instance", instance, MANAGED_NS, check=False) or {}
    conds = {x["type"]: x for x in obj.get("status", {}).get("conditions", [])}
    return conds.get(type_) if conds.get(type_, {}).get("reason") == reason else None


def named_host_pid(c, pod, ns=MANAGED_NS):
    """The host PID of named in the Pod (the node's processes are this machine's): the process
    whose command line is the zonekeeper-bind9 image's and whose cgroup names the named
    container's id (the test bed's kubelet makes no Pod cgroups: cgroupsPerQOS false)."""
    statuses = c.get("pod", pod, ns)["status"]["containerStatuses"]
    cid = next(s["containerID"] for s in statuses if s["name"] == "named").split("://")[-1]
    found = []
    for d in glob.glob("/proc/[0-9]*"):
        try:
            cmd = open(f"{d}/cmdline", "rb").read().split(b"\0")
            cgroup = open(f"{d}/cgroup").read()
        except OSError:
            continue
        if cmd[0].endswith(b"/named") and cid in cgroup:
            found.append(int(os.path.basename(d)))
    assert len(found) == 1, f"named of {pod} (container {cid}): {found}"
    return found[0]


def soa_serial(ip, zone="managed.test."):
    """The zone's SOA serial at ip; None when the server does not serve it (or did not answer)."""
    try:
        r = cluster.query(ip, zone, "SOA", timeout=0.5)
    except Exception:  # noqa: BLE001 — a timeout is a sample without a serial
        return None
    soa = [rrset for rrset in r.answer if rrset.rdtype == dns.rdatatype.SOA]
    return soa[0][0].serial if soa else None


def catalog_member(zone):
    """The owner name of zone's member PTR in zonekeeper's catalog (src/managed/catalog)."""
    wire = dns.name.from_text(zone).canonicalize().to_wire()
    return f"{hashlib.sha1(wire).hexdigest()}.zones.catalog.zonekeeper.invalid."


class SerialSampler(threading.Thread):
    """Samples each Pod's SOA serial of one zone every 0.2 s until stopped: (seconds, serial)."""

    def __init__(self, ips, zone="managed.test."):
        super().__init__(daemon=True)
        self.ips, self.zone = ips, zone
        self.samples = {pod: [] for pod in ips}
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            for pod, ip in self.ips.items():
                self.samples[pod].append((time.monotonic(), soa_serial(ip, self.zone)))
            self.done.wait(0.2)

    def stop(self):
        self.done.set()
        self.join()
        return self.samples


def pod_logs(c, pod, container, ns=MANAGED_NS, lines=80):
    return c.kubectl("logs", "-n", ns, pod, "-c", container, f"--tail={lines}", check=False).stdout


def test_a_primary_that_lost_its_volume_gets_every_zone_and_record_back(installed):
    """Issue 12 (Bindy #486): the Primary's Pod and its PVC deleted — the new Pod starts from an
    empty volume; zonekeeper rewrites the catalog, the agent recreates the zones, zonekeeper
    replays every record; every Pod serves them again and no Secondary's serial goes back."""
    c = installed
    # A second zone, so that "every zone" means more than one.
    c.apply([
        {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "DNSZone",
         "metadata": {"name": "other", "namespace": MANAGED_NS},
         "spec": {"zoneName": "other.test", "recordsFrom": [{"selector": {"matchLabels": {"zone": "other"}}}],
                  "servers": {"selector": {"matchLabels": {"dns": "managed"}}}}},
        {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord",
         "metadata": {"name": "mail", "namespace": MANAGED_NS, "labels": {"zone": "managed"}},
         "spec": {"name": "mail", "ipv4Addresses": ["192.0.2.90", "192.0.2.91"]}},
        {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord",
         "metadata": {"name": "other-www", "namespace": MANAGED_NS, "labels": {"zone": "other"}},
         "spec": {"name": "www", "ipv4Addresses": ["192.0.2.92"]}},
        {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "TXTRecord",
         "metadata": {"name": "other-txt", "namespace": MANAGED_NS, "labels": {"zone": "other"}},
         "spec": {"name": "info", "texts": ["kept across a lost volume"]}},
    ])
    records = {
        ("www.managed.test.", "A"): ["192.0.2.89"],
        ("mail.managed.test.", "A"): ["192.0.2.90", "192.0.2.91"],
        ("www.other.test.", "A"): ["192.0.2.92"],
        ("info.other.test.", "TXT"): ['"kept across a lost volume"'],
        (catalog_member("managed.test."), "PTR"): ["managed.test."],
        (catalog_member("other.test."), "PTR"): ["other.test."],
    }
    pods = ["primary-0", "secondary-0", "secondary-1", "secondary-2"]
    ips = {p: c.get("pod", p, MANAGED_NS)["status"]["podIP"] for p in pods}
    for ip in ips.values():
        for (name, rtype), want in records.items():
            wait_answer(ip, name, rtype, want, timeout=120)
    secondaries = {p: ip for p, ip in ips.items() if p != "primary-0"}
    before = {p: soa_serial(ip) for p, ip in secondaries.items()}
    assert all(before.values()), before

    claim = c.get("pod", "primary-0", MANAGED_NS)["spec"]["volumes"]
    claim = [v["persistentVolumeClaim"]["claimName"] for v in claim if v["name"] == "data"][0]
    assert claim == "data-primary-0"
    old_uid = c.get("pod", "primary-0", MANAGED_NS)["metadata"]["uid"]
    old_claim = c.get("pvc", claim, MANAGED_NS)
    old_pv = old_claim["spec"]["volumeName"]
    sampler = SerialSampler(secondaries)
    sampler.start()
    try:
        # The claim stays Terminating while its Pod uses it: delete it first, then the Pod; the
        # StatefulSet makes a new Pod and a new claim.
        t0 = time.monotonic()
        c.kubectl("delete", "pvc", claim, "-n", MANAGED_NS, "--wait=false")
        c.kubectl("delete", "pod", "primary-0", "-n", MANAGED_NS, "--wait=true")
        # The old local PV (retention Retain) is Released with the lost Pod's files on it: empty
        # it and clear its claimRef, so it is Available again and nothing can mount the old data.
        pv = wait_for(lambda: (v := c.get("pv", old_pv)) and v["status"]["phase"] == "Released" and v,
                      timeout=120, desc=f"{old_pv} Released")
        path = pv["spec"]["local"]["path"]
        for entry in os.listdir(path):
            full = os.path.join(path, entry)
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full)
            else:
                os.remove(full)
        c.kubectl("patch", "pv", old_pv, "--type", "json",
                  "-p", json.dumps([{"op": "remove", "path": "/spec/claimRef"}]))
        wait_for(lambda: c.get("pv", old_pv)["status"]["phase"] == "Available", desc=f"{old_pv} Available")

        pod = wait_for(lambda: (p := c.get("pod", "primary-0", MANAGED_NS, check=False)) and
                       p["metadata"]["uid"] != old_uid and p.get("status", {}).get("podIP") and
                       {x["type"]: x["status"] for x in p["status"].get("conditions", [])}.get("Ready") == "True"
                       and p, timeout=240, desc="a new primary-0 Ready")
        t_ready = time.monotonic()
        new_claim = c.get("pvc", claim, MANAGED_NS)
        assert new_claim["metadata"]["uid"] != old_claim["metadata"]["uid"], new_claim["metadata"]
        assert new_claim["status"]["phase"] == "Bound", new_claim["status"]
        log(f"bind9: primary-0 and its claim deleted; a new Pod Ready on {new_claim['spec']['volumeName']} "
            f"(was {old_pv}) after {t_ready - t0:.1f} s")
        ips["primary-0"] = pod["status"]["podIP"]
        for pod_name, ip in ips.items():
            for (name, rtype), want in records.items():
                wait_answer(ip, name, rtype, want, timeout=180)
        t_served = time.monotonic()
        log(f"bind9: replay after a lost volume: every zone and record answered by all {len(ips)} Pods "
            f"{t_served - t_ready:.1f} s after the new Primary Pod was Ready "
            f"({t_served - t0:.1f} s after the deletion)")
        wait_for(lambda: instance_ready(c, "primary", ("AllReady", "All 1 pods are ready")),
                 timeout=120, desc="the Primary instance AllReady again")
        for name in ("www", "mail", "other-www"):
            wait_for(lambda: (r := c.get("arecord", name, MANAGED_NS)) and
                     {x["type"]: x for x in r.get("status", {}).get("conditions", [])}
                     .get("Ready", {}).get("reason") == "Served", desc=f"{name} Served again")
        after = soa_serial(ips["primary-0"])
        time.sleep(2)  # a few more samples after the replay
    except BaseException:
        log("controller logs:\n" + "\n".join(
            c.kubectl("logs", "-n", CONTROLLER_NS, p["metadata"]["name"], "--tail=60", check=False).stdout
            for p in controller_pods(c)))
        log("agent logs:\n" + pod_logs(c, "primary-0", "agent"))
        raise
    finally:
        samples = sampler.stop()

    # The recreated zone starts at the agent's clock (serial-update-method unixtime): not below
    # what the Secondaries held, or they would refuse to transfer it.
    assert after is not None and after >= max(before.values()), (after, before)
    for pod_name, seq in samples.items():
        serials = [s for _, s in seq if s is not None]
        missing = [t for t, s in seq if s is None]
        log(f"bind9: {pod_name}: {len(seq)} samples, serials {sorted(set(serials))}, "
            f"{len(missing)} without the zone"
            + (f" ({missing[0] - t0:.1f} … {missing[-1] - t0:.1f} s after the deletion)" if missing else ""))
        assert serials and serials[0] == before[pod_name], (pod_name, before, serials[:5])
        assert all(a <= b for a, b in zip(serials, serials[1:])), (pod_name, serials)


def controller_metrics(c):
    """Every controller Pod's /metrics samples summed: {(name, frozenset(labels)): value}."""
    import urllib.request
    out = {}
    for pod in controller_pods(c):
        ip = pod.get("status", {}).get("podIP")
        if not ip:
            continue
        with urllib.request.urlopen(f"http://{ip}:8080/metrics", timeout=5) as r:
            text = r.read().decode()
        for line in text.splitlines():
            if not line or line.startswith("#") or "{" not in line:
                continue
            name, rest = line.split("{", 1)
            labels, value = rest.rsplit("} ", 1)
            pairs = frozenset(tuple(kv.split("=", 1)) for kv in labels.split(",") if "=" in kv)
            key = (name, frozenset((k, v.strip('"')) for k, v in pairs))
            out[key] = out.get(key, 0.0) + float(value)
    return out


def failed_dns_operations(c):
    """zonekeeper_dns_operations_total that did not succeed, by (server, operation, result)."""
    out = {}
    for (name, labels), value in controller_metrics(c).items():
        d = dict(labels)
        if name == "zonekeeper_dns_operations_total" and d.get("result") != "success":
            k = (d.get("server"), d.get("operation"), d.get("result"))
            out[k] = out.get(k, 0.0) + value
    return out


def signed_soa(ip, key_name, secret):
    """rcode of an SOA query of the catalog zone signed with the key, or the TSIG error's name."""
    import dns.message
    import dns.query
    import dns.tsig
    import dns.tsigkeyring
    q = dns.message.make_query("catalog.zonekeeper.invalid.", "SOA")
    q.use_tsig(dns.tsigkeyring.from_text({key_name: secret}), keyname=key_name,
               algorithm=dns.tsig.HMAC_SHA256)
    try:
        return dns.rcode.to_text(dns.query.udp(q, ip, timeout=3).rcode())
    except dns.tsig.PeerBadKey:
        return "BADKEY"


def test_keys_rotate_under_a_stream_of_changes_with_no_failed_update_and_no_stale_secondary(installed):
    """Issue 12: `kubectl annotate bind9instance primary dns.zonekeeper.io/rotate-keys=…` rolls
    the TSIG and rndc keys while a record changes every half second: the Primary's Pod never
    restarts (its agent has named re-read the key files), the Secondary Pods restart with the
    keys they need at each step, no UPDATE and no transfer fails for a key, every change is
    served by every Pod, and at the end every Pod refuses the old key and accepts the new."""
    import base64
    c = installed

    def secret():
        d = c.get("secret", "primary-keys", MANAGED_NS)["data"]
        return {k: base64.b64decode(v).decode() for k, v in d.items()}
    old = secret()
    pods = ["primary-0", "secondary-0", "secondary-1", "secondary-2"]
    uids = {p: c.get("pod", p, MANAGED_NS)["metadata"]["uid"] for p in pods}
    for p in pods:
        assert signed_soa(pod_ip(c, p), old["name"], old["secret"]) == "NOERROR", p
    failed_before = failed_dns_operations(c)

    stop = threading.Event()
    written = []

    def stream():
        i = 0
        while not stop.is_set():
            i += 1
            address = f"198.51.100.{i % 250 + 1}"
            r = c.kubectl("apply", "-f", "-", check=False, input=json.dumps(
                {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord",
                 "metadata": {"name": "rotating", "namespace": MANAGED_NS, "labels": {"zone": "managed"}},
                 "spec": {"name": "rotating", "ipv4Addresses": [address]}}))
            if r.returncode == 0:
                written.append(address)
            stop.wait(0.5)

    writer = threading.Thread(target=stream, daemon=True)
    t0 = time.monotonic()
    writer.start()
    phases = []
    try:
        c.kubectl("annotate", "bind9instance", "primary", "-n", MANAGED_NS, "--overwrite",
                  "dns.zonekeeper.io/rotate-keys=node-1")

        seen_uids = {p: {uids[p]} for p in pods}

        def done():
            for pod in c.list("pods", MANAGED_NS):
                if pod["metadata"]["name"] in seen_uids:
                    seen_uids[pod["metadata"]["name"]].add(pod["metadata"]["uid"])
            keys = (c.get("bind9instance", "primary", MANAGED_NS).get("status") or {}).get("keys") or {}
            if not phases or phases[-1][1] != keys.get("phase"):
                phases.append((round(time.monotonic() - t0, 1), keys.get("phase"), keys.get("waitingFor")))
            return keys.get("rotation") == "node-1" and keys.get("phase") == "Done" and keys
        keys = wait_for(done, timeout=600, interval=1, desc="the rotation Done")
        t_done = time.monotonic()
        log(f"bind9: key rotation Done {t_done - t0:.1f} s after kubectl annotate; phases {phases}")
    except BaseException:
        log(f"phases {phases}; controller logs:\n" + "\n".join(
            c.kubectl("logs", "-n", CONTROLLER_NS, p["metadata"]["name"], "--tail=80", check=False).stdout
            for p in controller_pods(c)))
        log("agent logs:\n" + pod_logs(c, "primary-0", "agent"))
        raise
    finally:
        stop.set()
        writer.join()
    assert [p for _, p, _ in phases if p in ("Adding", "Switching", "Dropping", "Done")][-3:] == \
        ["Switching", "Dropping", "Done"], phases
    assert keys["names"] == ["zonekeeper-primary-1"], keys

    new = secret()
    assert new["name"] == "zonekeeper-primary-1" and new["secret"] != old["secret"]
    assert old["secret"] not in new["tsig.conf"] and old["secret"] not in new["keys"]
    # The Primary did not restart; every Secondary Pod did, twice (to learn the new key, then to
    # use it alone).
    assert seen_uids["primary-0"] == {uids["primary-0"]}, seen_uids
    assert c.get("pod", "primary-0", MANAGED_NS)["metadata"]["uid"] == uids["primary-0"]
    for p in pods[1:]:
        wait_for(lambda: c.get("pod", p, MANAGED_NS, check=False), desc=p)
        assert len(seen_uids[p]) == 3, (p, seen_uids[p])
    ips = {p: pod_ip(c, p) for p in pods}
    for p, ip in ips.items():
        assert signed_soa(ip, old["name"], old["secret"]) == "BADKEY", p
        assert signed_soa(ip, new["name"], new["secret"]) == "NOERROR", p
    # No stale Secondary: the last change is served everywhere, and one made now too.
    assert len(written) >= 20, written
    for p, ip in ips.items():
        wait_answer(ip, "rotating.managed.test.", "A", [written[-1]], timeout=60)
    c.kubectl("patch", "arecord", "rotating", "-n", MANAGED_NS, "--type", "merge",
              "-p", json.dumps({"spec": {"ipv4Addresses": ["198.51.100.254"]}}))
    for p, ip in ips.items():
        wait_answer(ip, "rotating.managed.test.", "A", ["198.51.100.254"], timeout=60)
    # No UPDATE failed at all, and nothing failed for a key (a Secondary Pod restarting is
    # unreachable for a moment: that is not a key).
    failed = {k: v - failed_before.get(k, 0.0) for k, v in failed_dns_operations(c).items()
              if v > failed_before.get(k, 0.0)}
    log(f"bind9: {len(written)} changes during the rotation; DNS operations that failed meanwhile: {failed}")
    assert not [k for k in failed if k[1] == "update"], failed
    assert not [k for k in failed if k[2] in ("TsigAuthFailed", "BadKey", "BadSig")], failed


def ready_condition(c, kind, name, ns, want):
    """The object once its Ready condition is (reason, message) == want."""
    obj = c.get(kind, name, ns, check=False) or {}
    conds = {x["type"]: x for x in obj.get("status", {}).get("conditions", [])}
    return (conds.get("Ready", {}).get("reason"), conds.get("Ready", {}).get("message")) == want and obj


def pod_ip(c, pod, ns=MANAGED_NS):
    return wait_for(lambda: (c.get("pod", pod, ns, check=False) or {}).get("status", {}).get("podIP"),
                    desc=f"{pod} has an IP")


def test_a_bind9_cluster_and_a_global_cluster_serve_their_zones(installed):
    """Issue 12: a Bind9Cluster (a Primary and two Secondary instances) comes up from nothing and
    serves a DNSZone that selects it by its label on every Pod, with status AllReady over its
    instances; a Bind9GlobalCluster serves DNSZones of the namespaces it admits and no others."""
    c = installed
    t0 = time.monotonic()
    # examples/managed/ as a user applies it: its namespace, RoleBindings, the Bind9Cluster,
    # the DNSZone and the record.
    example_ns = "dns-edge"
    objects = []
    for path in sorted(glob.glob(os.path.join(cluster.REPO, "examples/managed/*.yaml"))):
        with open(path) as f:
            objects += [o for o in yaml.safe_load_all(f) if o]
    assert {o["kind"] for o in objects} >= {"Namespace", "RoleBinding", "Bind9Cluster", "DNSZone", "ARecord"}
    c.apply(objects)
    obj = wait_for(lambda: ready_condition(c, "bind9cluster", "edge", example_ns,
                                           ("AllReady", "All 3 instances are ready")),
                   timeout=300, desc="the Bind9Cluster AllReady")
    conds = {x["type"]: x["message"] for x in obj["status"]["conditions"]}
    assert conds["Bind9Instance-0"] == "Instance edge-primary is ready (1/1 pods)", conds
    assert conds["Bind9Instance-2"] == "Instance edge-secondary-1 is ready (1/1 pods)", conds
    assert (obj["status"]["instanceCount"], obj["status"]["readyInstances"]) == (3, 3)
    for pod in ("edge-primary-0", "edge-secondary-0-0", "edge-secondary-1-0"):
        wait_answer(pod_ip(c, pod, example_ns), "www.edge.test.", "A", ["192.0.2.70"], timeout=120)
    log(f"bind9: a Bind9Cluster (1 Primary, 2 Secondary instances) answering its DNSZone on every "
        f"Pod {time.monotonic() - t0:.1f} s after kubectl apply")

    # A cluster-scoped Bind9GlobalCluster in the same namespace, for the namespaces it admits.
    admitted, refused = "zk-team-a", "zk-team-b"
    c.apply([{"apiVersion": "v1", "kind": "Namespace",
              "metadata": {"name": admitted, "labels": {"dns.example/zones": "shared"}}},
             {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": refused}},
             {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "Bind9GlobalCluster",
              "metadata": {"name": "shared"},
              "spec": {"namespace": MANAGED_NS,
                       "allowedNamespaces": {"matchLabels": {"dns.example/zones": "shared"}},
                       "primary": {"storage": {"size": "100Mi"}},
                       "secondaries": {"instances": 1, "storage": {"size": "100Mi"}}}}])
    for ns, zone, address in ((admitted, "team-a.test", "192.0.2.71"), (refused, "team-b.test", "192.0.2.72")):
        c.apply([{"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "DNSZone",
                  "metadata": {"name": "team", "namespace": ns},
                  "spec": {"zoneName": zone, "recordsFrom": [{"selector": {"matchLabels": {"zone": "team"}}}],
                           "servers": {"namespace": MANAGED_NS, "selector": {"matchLabels": {
                               "dns.zonekeeper.io/bind9-global-cluster": "shared"}}}}},
                 {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord",
                  "metadata": {"name": "www", "namespace": ns, "labels": {"zone": "team"}},
                  "spec": {"name": "www", "ipv4Addresses": [address]}}])
    wait_for(lambda: ready_condition(c, "bind9globalcluster", "shared", None,
                                     ("AllReady", "All 2 instances are ready")),
             timeout=300, desc="the Bind9GlobalCluster AllReady")
    ips = [pod_ip(c, p) for p in ("shared-primary-0", "shared-secondary-0-0")]
    for ip in ips:
        wait_answer(ip, "www.team-a.test.", "A", ["192.0.2.71"], timeout=120)
    zone = wait_for(lambda: (z := c.get("dnszone", "team", refused, check=False)) and
                    {x["type"]: x for x in z.get("status", {}).get("conditions", [])}
                    .get("Ready", {}).get("reason") == "NamespaceNotAllowed" and z,
                    desc="the refused namespace's zone NamespaceNotAllowed")
    assert MANAGED_NS in zone["status"]["conditions"][0]["message"]
    for ip in ips:  # not created on the servers at all
        assert cluster.query(ip, "www.team-b.test.", "A").rcode() == dns.rcode.REFUSED
    c.kubectl("delete", "bind9globalcluster", "shared", "--wait=false")
    c.kubectl("delete", "bind9cluster", "edge", "-n", example_ns, "--wait=false")


def test_a_signed_zone_on_a_bind9_cluster_validates_on_every_pod(installed, tmp_path):
    """Issue 12, DNSSEC: a DNSZone with spec.dnssec on a Bind9Cluster is signed on its Primary
    Pod (the agent's dnssec-policy); status.dnssec.ds is what dnssec-dsfromkey makes of the
    served KSK; delv with that DS as the only trust anchor validates the answer of the Primary
    and of the Secondary Pod, before and after a record change."""
    import subprocess

    c = installed
    zone = "signed.test"
    c.restricted_namespace(MANAGED_NS)  # as the first managed test does: it may not have run
    c.apply([{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
              "metadata": {"name": role, "namespace": MANAGED_NS},
              "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
              "subjects": [{"kind": "ServiceAccount", "name": "zonekeeper", "namespace": CONTROLLER_NS}]}
             for role in ("zonekeeper-bind9-deployer", "zonekeeper-tsig-secret-reader")])
    c.apply([{"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "Bind9Cluster",
              "metadata": {"name": "sig", "namespace": MANAGED_NS},
              "spec": {"primary": {"storage": {"size": "100Mi"}},
                       "secondaries": {"instances": 1, "storage": {"size": "100Mi"}}}},
             {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "DNSZone",
              "metadata": {"name": "sig", "namespace": MANAGED_NS},
              "spec": {"zoneName": zone, "dnssec": {"denial": "NSEC3"},
                       "recordsFrom": [{"selector": {"matchLabels": {"zone": "sig"}}}],
                       "servers": {"selector": {"matchLabels": {"dns.zonekeeper.io/bind9-cluster": "sig"}}}}},
             {"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "ARecord",
              "metadata": {"name": "sig-www", "namespace": MANAGED_NS, "labels": {"zone": "sig"}},
              "spec": {"name": "www", "ipv4Addresses": ["192.0.2.80"]}}])
    wait_for(lambda: ready_condition(c, "bind9cluster", "sig", MANAGED_NS,
                                     ("AllReady", "All 2 instances are ready")),
             timeout=300, desc="the Bind9Cluster AllReady")
    st = wait_for(lambda: (lambda d: d if d.get("signed") and d.get("ds") else None)(
        (c.get("dnszone", "sig", MANAGED_NS, check=False) or {}).get("status", {}).get("dnssec", {})),
        timeout=120, desc="status.dnssec.ds")
    ips = {pod: pod_ip(c, pod) for pod in ("sig-primary-0", "sig-secondary-0-0")}

    def run(*cmd):
        return subprocess.run(list(cmd), capture_output=True, text=True, timeout=60)

    keys = run("dig", f"@{ips['sig-primary-0']}", "+noall", "+answer", "+norec", "DNSKEY", f"{zone}.")
    keyfile = tmp_path / "dnskey.txt"
    keyfile.write_text(keys.stdout)
    ds = run("dnssec-dsfromkey", "-2", "-f", str(keyfile), f"{zone}.")
    assert ds.returncode == 0, keys.stdout + ds.stderr
    want = sorted(" ".join(line.split()[3:]) for line in ds.stdout.splitlines() if line.strip())
    assert sorted(f'{d["keyTag"]} {d["algorithm"]} {d["digestType"]} {d["digest"]}'
                  for d in st["ds"]) == want
    anchors = tmp_path / "anchors.conf"
    anchors.write_text("trust-anchors {\n" + "".join(
        f'  {zone}. static-ds {d["keyTag"]} {d["algorithm"]} {d["digestType"]} "{d["digest"]}";\n'
        for d in st["ds"]) + "};\n")

    def validated(ip, address):
        r = run("delv", f"@{ip}", "-a", str(anchors), f"+root={zone}.", "+tcp", f"www.{zone}.", "A")
        return r.returncode == 0 and "; fully validated" in r.stdout and address in r.stdout

    for pod, ip in ips.items():
        wait_for(lambda: validated(ip, "192.0.2.80"), timeout=120, desc=f"delv validates at {pod}")
    t0 = time.monotonic()
    c.kubectl("patch", "arecord", "sig-www", "-n", MANAGED_NS, "--type", "merge",
              "-p", json.dumps({"spec": {"ipv4Addresses": ["192.0.2.81"]}}))
    for pod, ip in ips.items():
        wait_for(lambda: validated(ip, "192.0.2.81"), timeout=60, desc=f"the change validated at {pod}")
        log(f"dnssec: a record change validated by delv at {pod} {time.monotonic() - t0:.2f} s "
            "after kubectl patch")
    c.kubectl("delete", "bind9cluster", "sig", "-n", MANAGED_NS, "--wait=false")
    c.kubectl("delete", "dnszone", "sig", "-n", MANAGED_NS, "--wait=false")


def test_bind9_instances_that_cannot_run_say_why_and_leave_the_others_alone(installed):
    """Bad input on the real node: an image that does not exist and a StorageClass that does not
    exist — each a specific reason on its own instance; the cluster above keeps serving."""
    c = installed
    c.apply([bind9_instance("no-image", "Primary", image="zonekeeper-bind9:does-not-exist",
                            imagePullPolicy="Never"),
             dict(bind9_instance("no-class", "Primary"),
                  spec={"role": "Primary", "storage": {"size": "100Mi", "storageClassName": "nope"}})])

    def pod0(name, reason):
        obj = c.get("bind9instance", name, MANAGED_NS, check=False) or {}
        conds = {x["type"]: x for x in obj.get("status", {}).get("conditions", [])}
        return conds.get("Pod-0", {}).get("reason") == reason and conds

    conds = wait_for(lambda: pod0("no-image", "ImagePullFailed"), timeout=120,
                     desc="no-image: Pod-0 ImagePullFailed")
    assert conds["Ready"]["reason"] == "NotReady", conds
    assert "does-not-exist" in conds["Pod-0"]["message"], conds["Pod-0"]
    conds = wait_for(lambda: pod0("no-class", "Unschedulable"), timeout=120,
                     desc="no-class: Pod-0 Unschedulable")
    assert "PersistentVolumeClaim" in conds["Pod-0"]["message"], conds["Pod-0"]
    ip = c.get("pod", "primary-0", MANAGED_NS)["status"]["podIP"]
    wait_answer(ip, "www.managed.test.", "A", ["192.0.2.89"])
    c.kubectl("delete", "bind9instance", "no-image", "no-class", "-n", MANAGED_NS, "--wait=false")


def test_killing_the_leader_hands_over_and_loses_nothing(installed, bind):
    c = installed
    leader = c.lease_holder(CONTROLLER_NS, LEASE)
    standby = [n for n in c.ready_pods(CONTROLLER_NS, SELECTOR) if n != leader]
    assert standby, "no standby"
    t0 = time.monotonic()
    c.kubectl("delete", "pod", "-n", CONTROLLER_NS, leader, "--grace-period=0", "--force", "--wait=false")
    c.apply([a_record("failover", "failover", "192.0.2.101")])
    new = wait_for(lambda: (h := c.lease_holder(CONTROLLER_NS, LEASE)) and h != leader and h,
                   desc="a new leader")
    log(f"leader {leader} killed; {new} leads after {time.monotonic() - t0:.1f} s")
    wait_answer(bind.primary_ip, "failover.example.test.", "A", ["192.0.2.101"])
    log(f"record created during the failover served after {time.monotonic() - t0:.1f} s")
    # Nothing lost, nothing doubled: every example answers exactly as declared, on both.
    all_served(bind, extra=[(("failover.example.test.", "A"), ["192.0.2.101"])])


def test_helm_upgrade_rolls_the_deployment_and_takes_effect(installed, bind):
    c = installed
    before = {p["metadata"]["name"] for p in controller_pods(c)}
    c.helm("upgrade", "zonekeeper", CHART, "-n", CONTROLLER_NS, "--reuse-values",
           "--set", "logFormat=text", "--wait", "--timeout", "180s")
    c.rollout("deployment/zonekeeper", CONTROLLER_NS, 180)
    pods = wait_for(lambda: (ps := controller_pods(c)) and len(c.ready_pods(CONTROLLER_NS, SELECTOR)) == 2
                    and not ({p["metadata"]["name"] for p in ps} & before) and ps,
                    desc="two new Ready controller Pods")
    for p in pods:
        assert "--log-format=text" in p["spec"]["containers"][0]["args"]
    logs = c.kubectl("logs", "-n", CONTROLLER_NS, pods[0]["metadata"]["name"]).stdout
    assert logs and not logs.lstrip().startswith("{"), logs[:200]
    c.apply([a_record("after-upgrade", "after-upgrade", "192.0.2.102")])
    wait_answer(bind.primary_ip, "after-upgrade.example.test.", "A", ["192.0.2.102"])


def test_helm_uninstall_leaves_every_served_record_untouched(installed, bind):
    c = installed
    serial_before = cluster.query(bind.primary_ip, "example.test.", "SOA").answer[0][0].serial
    c.helm("uninstall", "zonekeeper", "-n", CONTROLLER_NS, "--wait")
    wait_for(lambda: not controller_pods(c), desc="controller Pods gone")
    assert c.get("crd", "dnszones.dns.zonekeeper.io") is not None  # CRDs are never uninstalled
    assert c.get("dnszone", "example-test", EXAMPLE_NS) is not None
    all_served(bind, extra=[(("failover.example.test.", "A"), ["192.0.2.101"]),
                            (("after-upgrade.example.test.", "A"), ["192.0.2.102"])])
    assert cluster.query(bind.primary_ip, "example.test.", "SOA").answer[0][0].serial == serial_before


def test_kustomize_install_serves_too(installed, bind):
    c = installed
    c.kubectl("apply", "-k", os.path.join(cluster.REPO, "deploy"))
    c.rollout("deployment/zonekeeper", CONTROLLER_NS, 180)
    wait_for(lambda: len(c.ready_pods(CONTROLLER_NS, SELECTOR)) == 2, desc="two Ready Pods (kustomize)")
    c.apply([a_record("kustomize", "kustomize", "192.0.2.103")])
    wait_answer(bind.primary_ip, "kustomize.example.test.", "A", ["192.0.2.103"])
    wait_answer(bind.secondary_ip, "kustomize.example.test.", "A", ["192.0.2.103"])
    c.kubectl("delete", "deployment", "zonekeeper", "-n", CONTROLLER_NS, "--wait=true")


def test_a_broken_value_crash_loops_with_one_clear_line(node):
    c = node
    c.restricted_namespace("zk-bad")
    c.helm("install", "zk-bad", CHART, "-n", "zk-bad", "--set", "name=zk-bad", "--set", "replicas=1",
           "--set", "leaderElection.leaseName=zk-bad", "--set", "recordPatchPolicy.enabled=false",
           "--set-json", 'zones=[{"name":"bad..zone","server":"dns/primary"}]')
    sel = "app.kubernetes.io/name=zk-bad,app.kubernetes.io/component=controller"

    def crash_looping():
        for p in c.list("pods", "zk-bad", sel):
            for s in p.get("status", {}).get("containerStatuses", []):
                if s["restartCount"] >= 1 and not s["ready"]:
                    return p
        return None

    pod = wait_for(crash_looping, desc="the bad-value Pod restarting")
    name = pod["metadata"]["name"]
    # The log of the container that exited (its file may be rotated between restarts: retry).
    previous = wait_for(lambda: (lines := c.kubectl("logs", "-n", "zk-bad", name, "--previous",
                                                    check=False).stdout.strip().splitlines())
                        and "unable to retrieve" not in lines[0] and lines,
                        desc="the exited container's log")
    assert len(previous) == 1, previous
    assert "--zone bad..zone=dns/primary" in previous[0] and "error" in previous[0], previous
    conds = {x["type"]: x["status"] for x in c.get("pod", name, "zk-bad")["status"]["conditions"]}
    assert conds.get("Ready") == "False", conds
    c.helm("uninstall", "zk-bad", "-n", "zk-bad", "--wait")
