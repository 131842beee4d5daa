"""The two OCI archives scripts/image.sh writes: reproducible, small, non-root, no shell, and
working — each image's root file system is unpacked and its entry point run as uid 65532
(chroot): the controller answering --version and refusing a bad flag, named serving
a zone on loopback. Label "image"."""
import gzip
import hashlib
import io
import json
import os
import socket
import subprocess
import tarfile
import tempfile
import time

import pytest

REPO = os.environ.get("ZK_REPO", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("ZK_BUILD_DIR", os.path.join(REPO, "build"))


def build_images(out):
    r = subprocess.run(["bash", os.path.join(REPO, "scripts/image.sh"), BUILD],
                       env=dict(os.environ, ZK_IMAGE_OUT=out), capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return dict(line.split() for line in r.stdout.splitlines())


class Archive:
    """An OCI archive: index → manifest → config and the one gzip layer."""

    def __init__(self, path):
        with tarfile.open(path) as t:
            self.files = {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}
        index = json.loads(self.files["index.json"])
        self.ref = index["manifests"][0]["annotations"]["io.containerd.image.name"]
        self.manifest = json.loads(self.blob(index["manifests"][0]["digest"]))
        self.config = json.loads(self.blob(self.manifest["config"]["digest"]))["config"]
        (layer,) = self.manifest["layers"]
        self.layer_gz = self.blob(layer["digest"])
        assert hashlib.sha256(self.layer_gz).hexdigest() == layer["digest"].split(":")[1]

    def blob(self, digest):
        return self.files["blobs/sha256/" + digest.split(":")[1]]

    def members(self):
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(self.layer_gz))) as t:
            return {m.name.rstrip("/"): m for m in t.getmembers()}

    def unpack(self, dest):
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(self.layer_gz))) as t:
            t.extractall(dest, numeric_owner=True)


@pytest.fixture(scope="module")
def images():
    with tempfile.TemporaryDirectory(prefix="zk-image-") as d:
        first, second = os.path.join(d, "1"), os.path.join(d, "2")
        digests = [build_images(first), build_images(second)]
        yield {"dir": d, "first": first, "second": second, "digests": digests}


def test_two_builds_give_the_same_digests_and_bytes(images):
    a, b = images["digests"]
    assert set(a) == {"zonekeeper:dev", "zonekeeper-bind9:dev"}
    assert a == b
    for name in ("zonekeeper.tar", "zonekeeper-bind9.tar"):
        with open(os.path.join(images["first"], name), "rb") as f1, \
                open(os.path.join(images["second"], name), "rb") as f2:
            assert f1.read() == f2.read(), name


def test_controller_image_is_small_non_root_and_has_no_shell(images):
    img = Archive(os.path.join(images["first"], "zonekeeper.tar"))
    assert img.ref == "docker.io/library/zonekeeper:dev"  # as the CRI resolves `image: zonekeeper:dev`
    assert img.config["User"] == "65532:65532"
    assert img.config["Entrypoint"] == ["/usr/bin/zonekeeper"]
    assert img.config["Cmd"] == ["controller"]
    m = img.members()
    assert "bin/sh" not in m and "usr/bin/sh" not in m
    assert not any(n.endswith("/apt") or n.endswith("/dpkg") for n in m)
    assert m["usr/bin/zonekeeper"].mode & 0o111
    assert m["etc/ssl/certs/ca-certificates.crt"].size > 100_000
    assert m["home/nonroot"].uid == 65532
    # Everything else belongs to root: a read-only root file system, nothing for 65532 to write.
    assert all(v.uid == 0 for k, v in m.items() if not k.startswith("home/nonroot"))
    # Issue 11's target: ≤ 20 MB compressed.
    assert len(img.layer_gz) < 20 * 1024 * 1024


def test_bind9_image_runs_named_as_65532(images):
    img = Archive(os.path.join(images["first"], "zonekeeper-bind9.tar"))
    assert img.config["User"] == "65532:65532"
    assert img.config["Entrypoint"][0] == "/usr/sbin/named"
    m = img.members()
    for d in ("var/cache/bind", "run/named"):
        assert m[d].uid == 65532, d


def chroot_run(root, argv, **kw):
    return subprocess.Popen(["chroot", "--userspec=65532:65532", root] + argv, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_controller_from_the_image_runs_as_65532(images):
    root = os.path.join(images["dir"], "controller-root")
    Archive(os.path.join(images["first"], "zonekeeper.tar")).unpack(root)
    out = subprocess.run(["chroot", "--userspec=65532:65532", root, "/usr/bin/zonekeeper",
                          "--version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("zonekeeper ")
    # A bad flag: one clear line, exit 2, as from the build tree.
    out = subprocess.run(["chroot", "--userspec=65532:65532", root, "/usr/bin/zonekeeper",
                          "controller", "--zone", "bad zone"], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode != 0
    assert "zone" in out.stderr


def test_named_from_the_image_serves_a_zone(images):
    root = os.path.join(images["dir"], "bind9-root")
    Archive(os.path.join(images["first"], "zonekeeper-bind9.tar")).unpack(root)
    port = free_port()
    with open(os.path.join(root, "etc/bind/named.conf"), "w") as f:
        f.write(f"""options {{ directory "/var/cache/bind"; pid-file none;
  listen-on port {port} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }}; recursion no; }};
zone "image.test" {{ type primary; file "/etc/bind/image.test.db"; }};
""")
    with open(os.path.join(root, "etc/bind/image.test.db"), "w") as f:
        f.write("$TTL 60\n@ SOA ns1 hostmaster 1 60 60 600 60\n@ NS ns1\nns1 A 127.0.0.1\n"
                "www A 192.0.2.7\n")
    p = chroot_run(root, ["/usr/sbin/named", "-g", "-c", "/etc/bind/named.conf"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        answer = ""
        while time.monotonic() < deadline and p.poll() is None:
            r = subprocess.run(["dig", "+short", "+time=1", "+tries=1", "-p", str(port),
                                "@127.0.0.1", "www.image.test", "A"], capture_output=True,
                               text=True)
            answer = r.stdout.strip() if r.returncode == 0 else ""
            if answer:
                break
            time.sleep(0.2)
        assert answer == "192.0.2.7", p.stdout.read().decode() if p.poll() is not None else ""
    finally:
        p.terminate()
        p.wait(timeout=30)
