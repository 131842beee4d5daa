"""Issue 12: the managed-server kinds whose CRD is installed after the controller started are
reconciled without a restart (they were discovered at start only). The Bind9Cluster CRD is taken
away, a controller starts without it, the CRD comes back, and a Bind9Cluster created then makes
its instances. The session's controller is stopped meanwhile, so this one alone does it."""
import os

import zkenv
from zkenv import deployer_binding, wait_for

NS = "e2e-bind9-discovery"
CRD = "bind9clusters.dns.zonekeeper.io"


def test_a_bind9_cluster_crd_installed_later_is_reconciled_without_a_restart(kube, controller, workdir):
    kube.namespace(NS)
    kube.apply([deployer_binding(NS)])
    crd_file = os.path.join(zkenv.REPO, "deploy", "crds", "bind9clusters.yaml")
    c = zkenv.Controller(kube, os.path.join(workdir, "controller-bind9-discovery"), identity="zk-b9-discovery",
                         extra=["--source-discovery-interval", "1"])
    controller.stop()
    kube.kubectl("delete", "crd", CRD, "--wait=true")
    try:
        c.start(wait_ready=True, wait_leader=True)
        wait_for(lambda: "Bind9Cluster is not served" in open(c.log_path).read(),
                 desc="the missing CRD is said")
        kube.kubectl("apply", "-f", crd_file)
        kube.kubectl("wait", "--for", "condition=established", "--timeout=120s", f"crd/{CRD}")
        kube.apply([{"apiVersion": "dns.zonekeeper.io/v1alpha1", "kind": "Bind9Cluster",
                     "metadata": {"name": "late", "namespace": NS}, "spec": {"secondaries": {"instances": 0}}}])
        wait_for(lambda: kube.get("Bind9Instance", "late-primary", NS), desc="the late cluster's Primary instance")
        wait_for(lambda: zkenv.condition(kube.get("Bind9Cluster", "late", NS))[1] == "NotReady",
                 desc="the late cluster's status")
        assert "Bind9Cluster is served now" in open(c.log_path).read()
        assert c.starts == 1 and c.alive()
    finally:
        c.stop()
        kube.kubectl("apply", "-f", crd_file)
        kube.kubectl("wait", "--for", "condition=established", "--timeout=120s", f"crd/{CRD}")
        controller.start(wait_ready=True, wait_leader=True)
