"""Fixtures of the node suite: one real single-node cluster (tools/testbed/node.sh) for the
session, our images (scripts/image.sh) imported into it, and BIND 9 primary + secondary running
as Pods from zonekeeper-bind9 (plain StatefulSets with PVCs, until managed servers exist)."""
import os
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import cluster  # noqa: E402


@pytest.fixture(scope="session")
def node():
    d = tempfile.mkdtemp(prefix="zk-node-e2e-")
    images = os.path.join(d, "images")
    r = subprocess.run(["bash", os.path.join(cluster.REPO, "scripts/image.sh"), cluster.BUILD],
                       env=dict(os.environ, ZK_IMAGE_OUT=images), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    c = cluster.Cluster(d)
    try:
        c.start()
        c.import_images(os.path.join(images, "zonekeeper.tar"),
                        os.path.join(images, "zonekeeper-bind9.tar"))
        yield c
    finally:
        c.stop()
        if os.environ.get("ZK_E2E_KEEP") != "1":
            subprocess.run(["rm", "-rf", d])


@pytest.fixture(scope="session")
def bind(node):
    """The BIND 9 pair of examples/cluster/, as Pods; the DNSServers point at their pod IPs."""
    return cluster.BindPair(node).start()
