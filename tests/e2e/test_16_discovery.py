"""Issue 17: a source whose CRD is installed after the controller started is watched without a
restart (external-dns and zonekeeper before it discovered sources at start only). The legacy
Traefik IngressRoute CRD (traefik.containo.us) is taken away, a controller in hosts-file dev
mode starts without it, the CRD comes back, and an IngressRoute of that group is served."""
import os

import zkenv
from test_13_sources import ingressroute
from test_15_hosts_file import block, wait_block
from zkenv import wait_for

NS = "zk-discovery"
LEGACY_CRD = "ingressroutes.traefik.containo.us"


def test_a_source_crd_installed_later_is_watched_without_a_restart(kube, workdir):
    kube.namespace(NS)
    crd_file = os.path.join(workdir, "upstream-crds", "traefik-containo-us.yaml")
    assert os.path.exists(crd_file), crd_file
    path = os.path.join(workdir, "hosts-discovery")
    open(path, "w").close()
    c = zkenv.Controller(kube, os.path.join(workdir, "controller-discovery"), identity="zk-discovery",
                         extra=["--hosts-file", path, "--source", "ingressroute", "--traefik-legacy-group",
                                "--domain-filter", "disc.test", "--source-discovery-interval", "1"])
    kube.kubectl("delete", "crd", LEGACY_CRD, "--wait=true")
    try:
        c.start(wait_ready=True)
        wait_for(lambda: "is not watched yet" in open(c.log_path).read(), desc="the missing CRD is said")
        # traefik.io is watched from the start.
        kube.apply(ingressroute("now", NS, ["Host(`now.disc.test`)"], target="192.0.2.100"))
        wait_block(path, ["192.0.2.100 now.disc.test"], "the traefik.io IngressRoute")

        # The legacy CRD is installed while the controller runs: no restart, and the object is served.
        kube.kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=zk-e2e", "-f", crd_file)
        kube.kubectl("wait", "--for", "condition=established", "--timeout=120s", f"crd/{LEGACY_CRD}")
        legacy = ingressroute("later", NS, ["Host(`later.disc.test`)"], target="192.0.2.101")
        legacy["apiVersion"] = "traefik.containo.us/v1alpha1"
        kube.apply(legacy)
        wait_block(path, ["192.0.2.100 now.disc.test", "192.0.2.101 later.disc.test"], "the legacy IngressRoute")
        assert "its API is served now" in open(c.log_path).read()
        assert c.starts == 1 and c.alive()
        assert c.http("/readyz")[0] == 200

        kube.delete(LEGACY_CRD, "later", NS)
        wait_block(path, ["192.0.2.100 now.disc.test"], "the legacy IngressRoute removed")
        assert block(path)[1] == ""
    finally:
        c.stop()
        # As the rest of the session expects it.
        kube.kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=zk-e2e", "-f", crd_file)
        kube.kubectl("wait", "--for", "condition=established", "--timeout=120s", f"crd/{LEGACY_CRD}")
        kube.delete("ingressroutes.traefik.io", "now", NS)
