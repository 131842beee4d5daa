#!/usr/bin/env python3
"""Write a single-layer OCI image archive from a root file system folder, reproducibly,
with nothing but Python's standard library: no daemon, no registry.

  oci_archive.py --name zonekeeper:dev --rootfs DIR --out zonekeeper.tar \
      [--owner UID:GID=PATH ...] [--user 65532:65532] [--env K=V ...] [--workdir /] \
      [--label K=V ...] [--expose 8080/tcp ...] [--cmd JSON-OR-ARG] [--entrypoint JSON-OR-ARG]

The archive is an OCI image layout in one tar (oci-layout, index.json, blobs/sha256/...),
importable with `ctr -n k8s.io images import` (index.json carries io.containerd.image.name)
and readable by any OCI tool. The same folder gives the same bytes, and so the same digest:
entries are sorted, every time stamp is SOURCE_DATE_EPOCH (default 0), owners are 0:0 unless
an --owner rule (longest matching path prefix wins) says otherwise, and gzip carries no name
and no time. The last line printed is `NAME sha256:MANIFEST_DIGEST`.
"""
import argparse
import datetime
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def owner_of(path, rules):
    """The UID:GID for an archive path ("etc/passwd"): the longest matching --owner prefix."""
    best = (0, 0, -1)
    for uid, gid, prefix in rules:
        if (path == prefix or path.startswith(prefix + "/") or prefix == "") and len(prefix) > best[2]:
            best = (uid, gid, len(prefix))
    return best[0], best[1]


def layer_tar(root, rules, mtime):
    """The uncompressed layer: every entry under root, sorted, with fixed owners and times."""
    raw = io.BytesIO()
    entries = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in dirnames + filenames:
            entries.append(os.path.join(dirpath, name))
    entries.sort(key=lambda p: os.path.relpath(p, root).split(os.sep))
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for full in entries:
            arc = os.path.relpath(full, root)
            ti = tf.gettarinfo(full, arcname=arc)
            if not (ti.isreg() or ti.isdir() or ti.issym() or ti.islnk()):
                sys.exit(f"oci_archive: {arc}: only files, folders and links go into an image")
            ti.uid, ti.gid = owner_of(arc, rules)
            ti.uname = ti.gname = ""
            ti.mtime = mtime
            ti.pax_headers = {}
            if ti.isreg():
                with open(full, "rb") as f:
                    tf.addfile(ti, f)
            else:
                tf.addfile(ti)
    return raw.getvalue()


def add_blob(out, data, media_type, mtime):
    digest = hashlib.sha256(data).hexdigest()
    ti = tarfile.TarInfo("blobs/sha256/" + digest)
    ti.size, ti.mode, ti.mtime = len(data), 0o644, mtime
    out.addfile(ti, io.BytesIO(data))
    return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}


def add_file(out, name, data, mtime):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mode, ti.mtime = len(data), 0o644, mtime
    out.addfile(ti, io.BytesIO(data))


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def parse_owner(text):
    ids, sep, path = text.partition("=")
    uid, sep2, gid = ids.partition(":")
    if not sep or not sep2 or not uid.isdigit() or not gid.isdigit():
        raise argparse.ArgumentTypeError(f"--owner {text!r}: expected UID:GID=PATH")
    return int(uid), int(gid), path.strip("/")


def normalized(ref):
    """The reference as the CRI resolves what a Pod names: Docker's normalization, so that
    `image: zonekeeper:dev` finds the imported docker.io/library/zonekeeper:dev without a pull."""
    first, _, rest = ref.partition("/")
    if not rest:
        return "docker.io/library/" + ref
    if "." not in first and ":" not in first and first != "localhost":
        return "docker.io/" + ref
    return ref


def argv_list(text):
    """--cmd/--entrypoint: a JSON list of strings, or one word."""
    if not text.startswith("["):
        return [text]
    try:
        v = json.loads(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not a JSON list: {e}")
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise argparse.ArgumentTypeError("expected a JSON list of strings")
    return v


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--name", required=True, help="image reference, e.g. zonekeeper:dev")
    p.add_argument("--rootfs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--owner", type=parse_owner, action="append", default=[])
    p.add_argument("--user", default="")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--workdir", default="/")
    p.add_argument("--label", action="append", default=[])
    p.add_argument("--expose", action="append", default=[])
    # One argument each: a JSON list (["/usr/sbin/named", "-g"]) or a single word, so that
    # arguments starting with "-" never read as options of this script.
    p.add_argument("--cmd", type=argv_list)
    p.add_argument("--entrypoint", type=argv_list)
    p.add_argument("--arch", default="amd64")
    a = p.parse_args()
    if not os.path.isdir(a.rootfs):
        sys.exit(f"oci_archive: --rootfs {a.rootfs}: not a folder")
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))

    raw = layer_tar(a.rootfs, a.owner, mtime)
    gz = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=gz, mode="wb", compresslevel=9, mtime=0) as g:
        g.write(raw)
    gz = gz.getvalue()

    config = {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] + a.env,
              "WorkingDir": a.workdir}
    if a.user:
        config["User"] = a.user
    if a.entrypoint:
        config["Entrypoint"] = a.entrypoint
    if a.cmd:
        config["Cmd"] = a.cmd
    if a.label:
        config["Labels"] = dict(kv.split("=", 1) for kv in a.label)
    if a.expose:
        config["ExposedPorts"] = {port: {} for port in a.expose}
    created = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    image_config = {"architecture": a.arch, "os": "linux", "created": created, "config": config,
                    "rootfs": {"type": "layers",
                               "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
                    "history": [{"created": created, "created_by": "tools/oci/oci_archive.py"}]}

    tag = a.name.rsplit(":", 1)[1] if ":" in a.name.rsplit("/", 1)[-1] else "latest"
    tmp = a.out + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.USTAR_FORMAT) as out:
        config_desc = add_blob(out, canonical(image_config),
                               "application/vnd.oci.image.config.v1+json", mtime)
        layer_desc = add_blob(out, gz, "application/vnd.oci.image.layer.v1.tar+gzip", mtime)
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": config_desc, "layers": [layer_desc]}
        manifest_desc = add_blob(out, canonical(manifest),
                                 "application/vnd.oci.image.manifest.v1+json", mtime)
        manifest_desc["annotations"] = {"io.containerd.image.name": normalized(a.name),
                                        "org.opencontainers.image.ref.name": tag}
        manifest_desc["platform"] = {"architecture": a.arch, "os": "linux"}
        add_file(out, "oci-layout", canonical({"imageLayoutVersion": "1.0.0"}), mtime)
        add_file(out, "index.json",
                 canonical({"schemaVersion": 2,
                            "mediaType": "application/vnd.oci.image.index.v1+json",
                            "manifests": [manifest_desc]}), mtime)
    os.replace(tmp, a.out)
    print(a.name, manifest_desc["digest"])


if __name__ == "__main__":
    main()
