"""Issue 12: the managed Primary's Pod on the real node, as Bind9Instance will deploy it — named
(zonekeeper-bind9) and zonekeeper's agent (`zonekeeper bind9-agent`, our controller image)
sharing one PersistentVolumeClaim, configured by `zonekeeper bind9-config`, keys from a Secret,
Pod Security "restricted". A zone listed in the catalog zone is created on the server; the Pod,
deleted, comes back on its volume serving the same zones, records and serial; a zone taken out
of the catalog is deleted. Every step is checked by asking the Pod from the host."""
import base64
import os
import subprocess

import dns.name
import dns.query
import dns.rcode
import dns.tsigkeyring
import dns.update
import pytest

import cluster
from cluster import log, run, wait_for

NS = "zk-managed"
APP = "managed-primary"
CATALOG = "catalog.zonekeeper.invalid."
ZONE = "pod.test."
ZK = os.path.join(cluster.BUILD, "zonekeeper")
RESTRICTED = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
              "capabilities": {"drop": ["ALL"]}}


def keygen(name):
    text = run(["tsig-keygen", "-a", "hmac-sha256", name]).stdout
    secret = text.split('secret "', 1)[1].split('"', 1)[0]
    return text, secret


def member_owner(zone):
    """RFC 9432 member label as src/managed/catalog writes it: SHA-1 of the canonical wire name."""
    import hashlib
    wire = dns.name.from_text(zone).canonicalize().to_wire()
    return f"{hashlib.sha1(wire).hexdigest()}.zones.{CATALOG}"


class ManagedPrimary:
    def __init__(self, c):
        self.c = c
        self.tsig_text, self.tsig_secret = keygen("zk-dns")
        self.rndc_text, _ = keygen("rndc-key")
        self.keyring = dns.tsigkeyring.from_text({"zk-dns": self.tsig_secret})

    def objects(self):
        conf = run([ZK, "bind9-config", "--tsig-key-name", "zk-dns"]).stdout
        volumes_named = [{"name": "conf", "mountPath": "/etc/bind"},
                         {"name": "keys", "mountPath": "/etc/bind/keys"},
                         {"name": "data", "mountPath": "/var/cache/bind"}]
        agent = ["/usr/bin/zonekeeper", "bind9-agent", "--directory", "/var/cache/bind",
                 "--log-format", "text"]
        return [
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"{APP}-keys", "namespace": NS},
             "type": "Opaque",
             "data": {"tsig.conf": base64.b64encode(self.tsig_text.encode()).decode(),
                      "rndc.conf": base64.b64encode(self.rndc_text.encode()).decode()}},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{APP}-config", "namespace": NS},
             "data": {"named.conf": conf}},
            {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": APP, "namespace": NS},
             "spec": {
                 "serviceName": APP, "replicas": 1, "selector": {"matchLabels": {"app": APP}},
                 "template": {"metadata": {"labels": {"app": APP}}, "spec": {
                     "securityContext": {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
                                         "fsGroup": 65532, "seccompProfile": {"type": "RuntimeDefault"}},
                     "initContainers": [{
                         "name": "seed", "image": "zonekeeper:dev", "imagePullPolicy": "IfNotPresent",
                         "command": agent + ["--seed-only"], "securityContext": RESTRICTED,
                         "volumeMounts": [{"name": "data", "mountPath": "/var/cache/bind"}]}],
                     "containers": [
                         {"name": "named", "image": "zonekeeper-bind9:dev", "imagePullPolicy": "IfNotPresent",
                          "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                    {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}],
                          "readinessProbe": {"tcpSocket": {"port": 53}, "periodSeconds": 1},
                          "securityContext": RESTRICTED, "volumeMounts": volumes_named},
                         {"name": "agent", "image": "zonekeeper:dev", "imagePullPolicy": "IfNotPresent",
                          "command": agent + ["--server", "127.0.0.1:53", "--control", "127.0.0.1:953",
                                              "--tsig-key-file", "/etc/bind/keys/tsig.conf",
                                              "--rndc-key-file", "/etc/bind/keys/rndc.conf"],
                          "securityContext": RESTRICTED,
                          "volumeMounts": [{"name": "keys", "mountPath": "/etc/bind/keys"},
                                           {"name": "data", "mountPath": "/var/cache/bind"}]}],
                     "volumes": [{"name": "conf", "configMap": {"name": f"{APP}-config"}},
                                 {"name": "keys", "secret": {"secretName": f"{APP}-keys"}}]}},
                 "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                     "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "100Mi"}}}}]}},
        ]

    def start(self):
        self.c.restricted_namespace(NS)
        self.c.apply(self.objects())
        return self.ip()

    def ip(self):
        self.c.rollout(f"statefulset/{APP}", NS, 180)
        return wait_for(lambda: self.c.get("pod", f"{APP}-0", NS)["status"].get("podIP"),
                        desc="the Pod's IP")

    def update(self, ip, zone, adds=(), deletes=()):
        u = dns.update.UpdateMessage(zone, keyring=self.keyring, keyname="zk-dns",
                                     keyalgorithm=dns.name.from_text("hmac-sha256"))
        for name, rtype in deletes:
            u.delete(name, rtype)
        for name, ttl, rtype, rdata in adds:
            u.add(name, ttl, rtype, rdata)
        r = dns.query.tcp(u, ip, port=53, timeout=5)
        assert r.rcode() == dns.rcode.NOERROR, f"UPDATE {zone}: {dns.rcode.to_text(r.rcode())}"

    def serial(self, ip, zone):
        r = cluster.query(ip, zone, "SOA")
        if r.rcode() != dns.rcode.NOERROR or not r.answer:
            return None
        return r.answer[0][0].serial


@pytest.fixture(scope="module")
def managed(node):
    return ManagedPrimary(node)


def test_a_managed_primary_pod_creates_catalog_zones_and_keeps_them_on_its_volume(node, managed):
    ip = managed.start()
    log(f"managed primary Pod at {ip}")
    assert managed.serial(ip, CATALOG) is not None, "the catalog zone seeded by the init container"
    assert managed.serial(ip, ZONE) is None

    # What the controller does (DNSServer spec.catalogZone): a member PTR, by TSIG-signed UPDATE.
    managed.update(ip, CATALOG, adds=[(member_owner(ZONE), 0, "PTR", ZONE)])
    wait_for(lambda: managed.serial(ip, ZONE) is not None, desc=f"{ZONE} created by the agent")
    managed.update(ip, ZONE, adds=[(f"www.{ZONE}", 300, "A", "192.0.2.77")])
    cluster.wait_answer(ip, f"www.{ZONE}", "A", ["192.0.2.77"])
    serial = managed.serial(ip, ZONE)
    # Nothing else may write: an UPDATE without the key is refused.
    unsigned = dns.update.UpdateMessage(ZONE)
    unsigned.add(f"evil.{ZONE}", 300, "A", "192.0.2.66")
    r = dns.query.tcp(unsigned, ip, port=53, timeout=5)
    assert r.rcode() == dns.rcode.REFUSED
    assert cluster.answer(ip, f"evil.{ZONE}", "A") == []

    # The Pod deleted: the StatefulSet brings it back on the same claim, with the same data.
    old_uid = node.get("pod", f"{APP}-0", NS)["metadata"]["uid"]
    node.kubectl("delete", "pod", f"{APP}-0", "-n", NS, "--wait=true")
    wait_for(lambda: (node.get("pod", f"{APP}-0", NS, check=False) or {}).get("metadata", {})
             .get("uid") not in (None, old_uid), desc="a new Pod")
    ip = managed.ip()
    log(f"managed primary Pod back at {ip}")
    assert managed.serial(ip, ZONE) == serial
    cluster.wait_answer(ip, f"www.{ZONE}", "A", ["192.0.2.77"])
    logs = node.kubectl("logs", f"{APP}-0", "-n", NS, "-c", "agent").stdout
    assert "added (rndc addzone)" not in logs, logs  # served from the volume, not re-created

    # Out of the catalog: deleted from the server.
    managed.update(ip, CATALOG, deletes=[(member_owner(ZONE), "PTR")])
    wait_for(lambda: managed.serial(ip, ZONE) is None, desc=f"{ZONE} deleted by the agent")
