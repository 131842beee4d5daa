"""Issue 12: Bind9Cluster on the real API server (no kubelet here: no Pod ever runs, so every
instance is NotReady; tests/node/e2e runs them). The cluster makes its Bind9Instances — a Primary
and N Secondaries that transfer from it, sharing its settings — owned and labelled so that their
DNSServers carry the cluster's label; status over the instances in seed 004's words; scaling
down deletes the highest-numbered instances; a name someone else holds is left alone."""
import json

import zkenv
from zkenv import deployer_binding, wait_for

NS = "e2e-bind9-cluster"
GROUP = "dns.zonekeeper.io"


def bind9_cluster(name, **spec):
    return {"apiVersion": f"{GROUP}/v1alpha1", "kind": "Bind9Cluster",
            "metadata": {"name": name, "namespace": NS, "labels": {"dns": "e2e"}}, "spec": spec}


def owned_by(obj, owner):
    return any(r["kind"] == "Bind9Cluster" and r["uid"] == owner["metadata"]["uid"] and r.get("controller")
               for r in obj["metadata"].get("ownerReferences", []))


def test_a_cluster_makes_its_instances_and_reports_over_them(zk, kube, controller):
    kube.namespace(NS)
    kube.apply([bind9_cluster("dns", port=5353, allowQuery=["10.0.0.0/8"], logQueries=True,
                              primary={"storage": {"size": "2Gi"}},
                              secondaries={"instances": 2, "replicas": 2,
                                           "resources": {"requests": {"cpu": "50m"}}})])
    # Without the RoleBinding it may not create Bind9Instances here.
    obj = zk.wait_cond("Bind9Cluster", "dns", NS, "False", "DeployForbidden")
    assert "zonekeeper-bind9-deployer" in zkenv.condition(obj)[2]
    assert kube.get("Bind9Instance", "dns-primary", NS) is None

    kube.apply([deployer_binding(NS)])
    kube.patch("Bind9Cluster", "dns", NS, {"metadata": {"labels": {"touch": "1"}}})
    obj = zk.wait_cond("Bind9Cluster", "dns", NS, "False", "NotReady")
    # Each child says what its instance says, once every instance has reported.
    obj = wait_for(lambda: (o := kube.get("Bind9Cluster", "dns", NS)) and
                   all(c["reason"] == "NotReady" and "No pods are ready" in c["message"]
                       for c in o["status"]["conditions"] if c["type"] != "Ready") and o,
                   desc="every Bind9Instance-N condition reports its instance")
    st = obj["status"]
    assert [c["type"] for c in st["conditions"]] == ["Ready", "Bind9Instance-0", "Bind9Instance-1",
                                                     "Bind9Instance-2"]
    assert zkenv.condition(obj) == ("False", "NotReady", "No instances are ready")
    assert zkenv.condition(obj, "Bind9Instance-0")[2] == \
        "Instance dns-primary is not ready: No pods are ready"
    assert (st["instanceCount"], st["readyInstances"]) == (3, 0)
    assert st["instances"] == ["dns-primary", "dns-secondary-0", "dns-secondary-1"]
    assert st["observedGeneration"] == obj["metadata"]["generation"]

    primary = kube.get("Bind9Instance", "dns-primary", NS)
    assert owned_by(primary, obj)
    assert primary["metadata"]["labels"]["dns.zonekeeper.io/bind9-cluster"] == "dns"
    assert primary["metadata"]["labels"]["dns"] == "e2e"  # the cluster's own labels
    assert primary["spec"]["role"] == "Primary" and primary["spec"]["replicas"] == 1
    assert primary["spec"]["storage"]["size"] == "2Gi"
    assert (primary["spec"]["port"], primary["spec"]["allowQuery"], primary["spec"]["logQueries"]) == \
        (5353, ["10.0.0.0/8"], True)
    for i in (0, 1):
        s = kube.get("Bind9Instance", f"dns-secondary-{i}", NS)
        assert owned_by(s, obj)
        assert (s["spec"]["role"], s["spec"]["replicas"], s["spec"]["primaryRef"]) == \
            ("Secondary", 2, {"name": "dns-primary"})
        assert s["spec"]["resources"] == {"requests": {"cpu": "50m"}}
        assert s["spec"]["port"] == 5353
    # The instances' DNSServers carry the cluster's label: a DNSZone selects the whole cluster.
    server = wait_for(lambda: kube.get("DNSServer", "dns-primary", NS), desc="the Primary's DNSServer")
    assert server["metadata"]["labels"]["dns.zonekeeper.io/bind9-cluster"] == "dns"
    assert server["spec"]["external"]["port"] == 5353

    # Someone changes a field the cluster owns on an instance: put back.
    kube.patch("Bind9Instance", "dns-secondary-0", NS, {"spec": {"logQueries": False}})
    wait_for(lambda: kube.get("Bind9Instance", "dns-secondary-0", NS)["spec"]["logQueries"] is True,
             desc="logQueries put back on dns-secondary-0")

    # Scaled down: the highest-numbered instance goes; the status follows.
    kube.patch("Bind9Cluster", "dns", NS, {"spec": {"secondaries": {"instances": 1}}})
    wait_for(lambda: kube.get("Bind9Instance", "dns-secondary-1", NS) is None, desc="dns-secondary-1 deleted")
    obj = zk.wait_cond("Bind9Cluster", "dns", NS, "False", "NotReady")
    assert obj["status"]["instances"] == ["dns-primary", "dns-secondary-0"]
    assert [c["type"] for c in obj["status"]["conditions"]] == ["Ready", "Bind9Instance-0", "Bind9Instance-1"]
    assert kube.get("Bind9Instance", "dns-secondary-0", NS) is not None


def test_an_instance_name_someone_else_holds_is_left_alone(zk, kube, controller):
    kube.namespace(NS)
    theirs = {"apiVersion": f"{GROUP}/v1alpha1", "kind": "Bind9Instance",
              "metadata": {"name": "taken-secondary-0", "namespace": NS},
              "spec": {"role": "Secondary", "primaryRef": {"name": "elsewhere"}}}
    kube.apply([deployer_binding(NS), theirs])
    kube.apply([bind9_cluster("taken")])
    obj = zk.wait_cond("Bind9Cluster", "taken", NS, "False", "NameTaken")
    assert f"Bind9Instance {NS}/taken-secondary-0" in zkenv.condition(obj)[2]
    held = kube.get("Bind9Instance", "taken-secondary-0", NS)
    assert held["spec"]["primaryRef"] == {"name": "elsewhere"}
    assert not held["metadata"].get("ownerReferences")
    # The children still say what the instances are.
    assert zkenv.condition(obj, "Bind9Instance-1")[1] == "Missing"


def test_the_schema_refuses_what_cannot_be_deployed(kube):
    kube.namespace(NS)
    for obj, needle in ((bind9_cluster("c" * 40), "39"),
                        (bind9_cluster("p", port=953), "953"),
                        (bind9_cluster("s", secondaries={"instances": 17}), "16")):
        r = kube.kubectl("apply", "-f", "-", input=json.dumps(obj), check=False)
        assert r.returncode != 0 and needle in r.stderr, r.stderr
    kube.apply([bind9_cluster("fixed", secondaries={"storage": {"size": "100Mi"}})])
    r = kube.kubectl("patch", "bind9cluster", "fixed", "-n", NS, "--type", "merge",
                     "-p", json.dumps({"spec": {"secondaries": {"storage": {"size": "200Mi"}}}}), check=False)
    assert r.returncode != 0 and "immutable" in r.stderr, r.stderr


def test_a_global_cluster_makes_its_instances_in_its_namespace_for_the_namespaces_it_admits(
        zk, kube, controller):
    kube.namespace(NS)
    kube.apply([deployer_binding(NS)])
    allowed = {"matchLabels": {"dns.example/zones": "shared"}}
    kube.apply([{"apiVersion": f"{GROUP}/v1alpha1", "kind": "Bind9GlobalCluster",
                 "metadata": {"name": "shared", "labels": {"dns": "global"}},
                 "spec": {"namespace": NS, "allowedNamespaces": allowed,
                          "secondaries": {"instances": 1}}}])
    obj = zk.wait_cond("Bind9GlobalCluster", "shared", None, "False", "NotReady")
    assert obj["status"]["instances"] == ["shared-primary", "shared-secondary-0"]
    for name in ("shared-primary", "shared-secondary-0"):
        i = wait_for(lambda: kube.get("Bind9Instance", name, NS), desc=name)
        assert any(r["kind"] == "Bind9GlobalCluster" and r["uid"] == obj["metadata"]["uid"] and r.get("controller")
                   for r in i["metadata"]["ownerReferences"])
        assert i["metadata"]["labels"]["dns.zonekeeper.io/bind9-global-cluster"] == "shared"
        assert "dns.zonekeeper.io/bind9-cluster" not in i["metadata"]["labels"]
        assert i["spec"]["allowedNamespaces"] == allowed
    # The Primary's DNSServer admits what the global cluster admits.
    server = wait_for(lambda: kube.get("DNSServer", "shared-primary", NS), desc="the Primary's DNSServer")
    assert server["spec"]["allowedNamespaces"] == allowed
    assert server["metadata"]["labels"]["dns.zonekeeper.io/bind9-global-cluster"] == "shared"

    # Scaled to no Secondary: its instance goes.
    kube.patch("Bind9GlobalCluster", "shared", None, {"spec": {"secondaries": {"instances": 0}}})
    wait_for(lambda: kube.get("Bind9Instance", "shared-secondary-0", NS) is None,
             desc="shared-secondary-0 deleted")
    obj = zk.wait_cond("Bind9GlobalCluster", "shared", None, "False", "NotReady")
    assert obj["status"]["instances"] == ["shared-primary"]
    # Its namespace is fixed once made.
    r = kube.kubectl("patch", "bind9globalcluster", "shared", "--type", "merge",
                     "-p", json.dumps({"spec": {"namespace": "elsewhere"}}), check=False)
    assert r.returncode != 0 and "immutable" in r.stderr, r.stderr
