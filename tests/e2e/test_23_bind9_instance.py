"""Issue 12: Bind9Instance on the real API server (no kubelet here: no Pod ever runs, so every
instance says its Pods are missing; tests/node/e2e runs them). What it deploys — keys, named.conf,
Services, StatefulSet, DNSServers — with owner references and labels, only where the namespace
grants zonekeeper-bind9-deployer; a field of ours changed by someone else is put back; keys are
made once; a name taken by someone else's object is left alone."""
import base64
import json

import zkenv
from test_13_sources import wait_event
from zkenv import deployer_binding, wait_for

NS = "e2e-bind9"
GROUP = "dns.zonekeeper.io"


def instance(name, role="Primary", **spec):
    s = {"role": role}
    s.update(spec)
    return {"apiVersion": f"{GROUP}/v1alpha1", "kind": "Bind9Instance",
            "metadata": {"name": name, "namespace": NS, "labels": {"dns": "e2e"}}, "spec": s}


def get(kube, kind, name):
    return kube.get(kind, name, NS)


def owned_by(obj, inst):
    refs = obj["metadata"].get("ownerReferences", [])
    return any(r["kind"] == "Bind9Instance" and r["uid"] == inst["metadata"]["uid"] and r.get("controller")
               for r in refs)


def test_a_primary_is_deployed_only_where_the_namespace_allows_it(zk, kube, controller):
    kube.namespace(NS)
    kube.apply([instance("primary")])
    obj = zk.wait_cond("Bind9Instance", "primary", NS, "False", "DeployForbidden")
    assert "zonekeeper-bind9-deployer" in zkenv.condition(obj)[2]
    assert get(kube, "StatefulSet", "primary") is None

    kube.apply([deployer_binding(NS)])
    kube.patch("Bind9Instance", "primary", NS, {"metadata": {"labels": {"touch": "1"}}})
    zk.wait_cond("Bind9Instance", "primary", NS, "False", "NotReady")
    # The Service's address (and so the DNSServer) comes with the Service's own event.
    obj = wait_for(lambda: (o := get(kube, "Bind9Instance", "primary")) and
                   o.get("status", {}).get("dnsServers") and o, desc="serviceAddress and dnsServers in status")
    st = obj["status"]
    assert zkenv.condition(obj)[2] == "No pods are ready"
    pod0 = next(c for c in st["conditions"] if c["type"] == "Pod-0")
    assert (pod0["status"], pod0["reason"], pod0["message"]) == (
        "False", "PodMissing", "Pod primary-0 does not exist yet")
    assert st["replicas"] == 1 and st["readyReplicas"] == 0

    svc = get(kube, "Service", "primary")
    assert owned_by(svc, obj) and svc["spec"]["clusterIP"] not in ("", "None")
    assert st["serviceAddress"] == svc["spec"]["clusterIP"]
    assert get(kube, "Service", "primary-pods")["spec"]["clusterIP"] == "None"
    sts = get(kube, "StatefulSet", "primary")
    assert owned_by(sts, obj)
    assert sts["spec"]["serviceName"] == "primary-pods"
    pod = sts["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["named", "agent"]
    assert [c["name"] for c in pod["initContainers"]] == ["seed"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert sts["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"] == "Retain"
    conf = get(kube, "ConfigMap", "primary-config")["data"]["named.conf"]
    assert 'zone "catalog.zonekeeper.invalid"' in conf and "secret" not in conf
    keys = get(kube, "Secret", "primary-keys")
    assert owned_by(keys, obj)
    data = {k: base64.b64decode(v).decode() for k, v in keys["data"].items()}
    assert data["name"] == "zonekeeper-primary" and data["algorithm"] == "hmac-sha256"
    assert f'secret "{data["secret"]}"' in data["tsig.conf"]
    server = get(kube, "DNSServer", "primary")
    assert owned_by(server, obj)
    assert server["spec"]["external"]["address"] == svc["spec"]["clusterIP"]
    assert server["spec"]["catalogZone"] == "catalog.zonekeeper.invalid"
    assert server["spec"]["tsigKeySecretRef"]["name"] == "primary-keys"
    assert server["metadata"]["labels"]["dns"] == "e2e"  # the instance's labels
    assert server["metadata"]["labels"]["dns.zonekeeper.io/bind9-instance"] == "primary"
    assert st["dnsServers"] == ["primary"]

    # Someone scales the StatefulSet by hand: put back (the instance says how many).
    kube.patch("StatefulSet", "primary", NS, {"spec": {"replicas": 3}})
    wait_for(lambda: get(kube, "StatefulSet", "primary")["spec"]["replicas"] == 1,
             desc="replicas put back to 1")
    # The keys are made once: another reconcile leaves them as they are.
    kube.patch("Bind9Instance", "primary", NS, {"metadata": {"labels": {"touch": "2"}}})
    kube.patch("Bind9Instance", "primary", NS, {"spec": {"logQueries": True}})
    wait_for(lambda: "querylog yes;" in get(kube, "ConfigMap", "primary-config")["data"]["named.conf"],
             desc="the configuration follows the spec")
    assert get(kube, "Secret", "primary-keys")["data"] == keys["data"]
    # A new configuration rolls the Pods (the template's hash changed).
    hash_key = "dns.zonekeeper.io/config-hash"
    assert (get(kube, "StatefulSet", "primary")["spec"]["template"]["metadata"]["annotations"][hash_key]
            != sts["spec"]["template"]["metadata"]["annotations"][hash_key])


def test_a_secondary_follows_its_primary_and_bad_references_say_why(zk, kube, controller):
    kube.namespace(NS)
    kube.apply([deployer_binding(NS), instance("primary"),
                instance("secondary", "Secondary", replicas=2, primaryRef={"name": "primary"})])
    obj = zk.wait_cond("Bind9Instance", "secondary", NS, "False", "NotReady")
    assert [c["type"] for c in obj["status"]["conditions"]] == ["Ready", "Pod-0", "Pod-1"]
    primary_ip = get(kube, "Service", "primary")["spec"]["clusterIP"]
    conf = get(kube, "ConfigMap", "secondary-config")["data"]["named.conf"]
    assert f'default-primaries {{ {primary_ip} port 53 key "zonekeeper-primary"; }}' in conf, conf
    pod = get(kube, "StatefulSet", "secondary")["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["named"]
    assert pod["volumes"][1]["secret"]["secretName"] == "primary-keys"
    assert get(kube, "Secret", "secondary-keys") is None  # the Primary's keys serve both
    assert "dnsServers" not in obj["status"]  # no Pod has an IP here

    kube.apply([instance("orphan", "Secondary", primaryRef={"name": "nowhere"})])
    obj = zk.wait_cond("Bind9Instance", "orphan", NS, "False", "PrimaryNotFound")
    assert f"{NS}/nowhere" in zkenv.condition(obj)[2]
    assert get(kube, "StatefulSet", "orphan") is None


def test_keys_made_before_rotations_are_kept_and_a_rotation_waits_for_servers_that_answer(
        zk, kube, controller):
    """No Pod runs here: a rotation starts (Adding: the Secret holds both keys, the old one still
    signs, the Secondaries are told) and then waits for the Primary to accept the new key.
    tests/node/e2e runs one to the end."""
    ns = "e2e-bind9-keys"  # a namespace of its own: no deployer binding yet

    def inst(name, role="Primary", **spec):
        o = instance(name, role, **spec)
        o["metadata"]["namespace"] = ns
        return o

    def get(kube, kind, name):
        return kube.get(kind, name, ns)
    kube.namespace(ns)
    kube.apply([inst("old")])  # not allowed to deploy yet: nothing is made
    obj = zk.wait_cond("Bind9Instance", "old", ns, "False", "DeployForbidden")
    # A keys Secret as zonekeeper wrote it before rotations existed.
    tsig, rndc = "qvGfp690xLAM5jAdsNQ+2h3UangIsL/gtO2cfPC3o6k=", "Z9GktHri95TdRBM1IA04OUfavlBjCdeBrSAZgJBhdYE="
    legacy = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "old-keys", "namespace": ns, "ownerReferences": [{
                  "apiVersion": f"{GROUP}/v1alpha1", "kind": "Bind9Instance", "name": "old",
                  "uid": obj["metadata"]["uid"], "controller": True}]},
              "stringData": {
                  "tsig.conf": f'key "zonekeeper-old" {{\n\talgorithm hmac-sha256;\n\tsecret "{tsig}";\n}};\n',
                  "rndc.conf": f'key "rndc-key" {{\n\talgorithm hmac-sha256;\n\tsecret "{rndc}";\n}};\n',
                  "name": "zonekeeper-old", "algorithm": "hmac-sha256", "secret": tsig}}
    kube.apply([legacy, deployer_binding(ns),
                inst("old-secondary", "Secondary", primaryRef={"name": "old"})])
    kube.patch("Bind9Instance", "old", ns, {"metadata": {"labels": {"touch": "1"}}})  # bound now

    def secret():
        return {k: base64.b64decode(v).decode() for k, v in get(kube, "Secret", "old-keys")["data"].items()}
    data = wait_for(lambda: "access.conf" in (d := secret()) and d, desc="the Secret in today's format")
    assert (data["name"], data["secret"]) == ("zonekeeper-old", tsig)  # the same keys
    assert f'secret "{rndc}"' in data["rndc.conf"]
    assert data["access.conf"].startswith('acl "zonekeeper-keys" { key "zonekeeper-old"; };')
    obj = wait_for(lambda: (o := get(kube, "Bind9Instance", "old")).get("status", {}).get("keys") and o,
                   desc="status.keys")
    assert obj["status"]["keys"] == {"names": ["zonekeeper-old"], "phase": "Done"}
    wait_for(lambda: get(kube, "StatefulSet", "old-secondary"), desc="the Secondary deployed")
    primary_template = get(kube, "StatefulSet", "old")["spec"]["template"]

    kube.patch("Bind9Instance", "old", ns, {"metadata": {"annotations": {"dns.zonekeeper.io/rotate-keys": "r1"}}})
    # The status of the step itself says the phase; the look after it (2 s later) what it waits for.
    obj = wait_for(lambda: (o := get(kube, "Bind9Instance", "old"))["status"]["keys"].get("waitingFor") and o,
                   desc="the rotation started and waiting")
    assert obj["status"]["keys"] == {"names": ["zonekeeper-old", "zonekeeper-old-1"], "phase": "Adding",
                                     "rotation": "r1", "waitingFor": "the Primary to accept the new key"}
    wait_event(kube, "Bind9Instance", "old", ns, "KeyRotation", type="Normal",
               note_has='key rotation "r1": the servers learn zonekeeper-old-1; zonekeeper-old still signs')
    data = secret()
    assert (data["name"], data["secret"]) == ("zonekeeper-old", tsig)  # the old key still signs
    assert data["tsig.conf"].index('"zonekeeper-old"') < data["tsig.conf"].index('"zonekeeper-old-1"')
    assert '"rndc-key-1"' in data["access.conf"] and '"zonekeeper-old-1"' in data["access.conf"]
    # The Secondary restarts to learn the new key and still transfers with the old one; the
    # Primary does not restart (its agent has named re-read the files).
    wait_for(lambda: get(kube, "StatefulSet", "old-secondary")["spec"]["template"]["metadata"]["annotations"]
             ["dns.zonekeeper.io/keys"] == "zonekeeper-old zonekeeper-old-1", desc="the Secondary told")
    assert 'key "zonekeeper-old";' in get(kube, "ConfigMap", "old-secondary-config")["data"]["named.conf"]
    assert get(kube, "StatefulSet", "old")["spec"]["template"] == primary_template
    # It stays there: no server answers here.
    kube.patch("Bind9Instance", "old", ns, {"metadata": {"annotations": {"dns.zonekeeper.io/rotate-keys": "r2"}}})
    zk.wait_cond("Bind9Instance", "old", ns, "False", "NotReady")
    assert get(kube, "Bind9Instance", "old")["status"]["keys"]["rotation"] == "r1"


def test_a_name_someone_else_holds_is_left_alone(zk, kube, controller):
    kube.namespace(NS)
    theirs = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "taken-config", "namespace": NS},
              "data": {"named.conf": "theirs"}}
    kube.apply([deployer_binding(NS), theirs])
    kube.apply([instance("taken")])
    obj = zk.wait_cond("Bind9Instance", "taken", NS, "False", "NameTaken")
    assert "ConfigMap e2e-bind9/taken-config" in zkenv.condition(obj)[2]
    assert get(kube, "ConfigMap", "taken-config")["data"] == {"named.conf": "theirs"}


def test_the_schema_refuses_what_cannot_run(kube):
    kube.namespace(NS)
    for spec, needle in (({"role": "Primary", "replicas": 2}, "a Primary is one Pod"),
                         ({"role": "Secondary"}, "primaryRef")):
        obj = instance("bad", **{k: v for k, v in spec.items() if k != "role"})
        obj["spec"]["role"] = spec["role"]
        r = kube.kubectl("apply", "-f", "-", input=json.dumps(obj), check=False)
        assert r.returncode != 0 and needle in r.stderr, r.stderr
    # What a StatefulSet cannot change cannot change here either.
    kube.apply([instance("fixed", storage={"size": "100Mi"})])
    for patch, needle in (({"spec": {"storage": {"size": "200Mi"}}}, "immutable"),
                          ({"spec": {"role": "Secondary", "primaryRef": {"name": "x"}}}, "role is immutable")):
        r = kube.kubectl("patch", "bind9instance", "fixed", "-n", NS, "--type", "merge", "-p", json.dumps(patch),
                         check=False)
        assert r.returncode != 0 and needle in r.stderr, r.stderr
