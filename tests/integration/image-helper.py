#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Test data for the image integration tests: source images and reference listings.

  make-oci DIR            a three-layer OCI layout (ref "latest"): a deleted file and an
                          opaque directory in layer 2, gzip and plain layers
  make-index DIR          adds "multi": an image index with that image (linux/amd64) and an
                          arm64 sibling
  make-docker-oci DIR OUT a `docker save` archive (Docker 25 form, blobs/sha256/...) of it
  flatten DIR REF         the files an OCI image shows (layers applied in order with the
                          image-spec whiteout rules), one line per entry
  tree DIR                the same listing of a directory (e.g. an overlayfs mount)
  layer-paths BLOB        the paths of a layer tar as they appear once converted to squashfs
                          (whiteouts renamed, opaque markers dropped), one per line
  bad-tar KIND FILE       a tar archive that must be refused (see BAD below)
  set-json FILE KEY VALUE replace a top-level key of a JSON file (VALUE is JSON)
"""

import gzip
import hashlib
import io
import json
import os
import random
import stat
import sys
import tarfile

MTIME = 1600000000


def member(t, name, data=None, **kw):
    i = tarfile.TarInfo(name)
    i.mtime = kw.pop("mtime", MTIME)
    i.uid = kw.pop("uid", 0)
    i.gid = kw.pop("gid", 0)
    i.mode = kw.pop("mode", 0o644)
    pax = kw.pop("pax", None)
    if pax:
        i.pax_headers = pax
    for k, v in kw.items():
        setattr(i, k, v)
    if data is not None:
        i.size = len(data)
    t.addfile(i, io.BytesIO(data) if data is not None else None)


def layer1(t):
    for d in ["etc", "usr", "usr/bin", "var", "var/cache", "var/lib"]:
        member(t, d, type=tarfile.DIRTYPE, mode=0o755)
    member(t, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    member(t, "etc/motd", b"old motd\n")
    member(t, "usr/bin/tool", b"#!/bin/sh\necho tool\n", mode=0o4755)
    member(t, "usr/bin/tool2", type=tarfile.LNKTYPE, linkname="usr/bin/tool", mode=0o4755)
    member(t, "usr/bin/sh", type=tarfile.SYMTYPE, linkname="tool", mode=0o777)
    member(t, "var/cache/a", b"a\n", uid=1000, gid=1000)
    member(t, "var/cache/b", b"b\n")
    member(t, "var/lib/keep", b"keep\n", pax={"SCHILY.xattr.user.note": "kept"})
    # incompressible: a layer of many blocks, so that its hash tree has a level
    member(t, "var/lib/data", random.Random(1).randbytes(300000))


def layer2(t):
    member(t, "etc/.wh.motd", b"")
    member(t, "var/cache", type=tarfile.DIRTYPE, mode=0o700)
    member(t, "var/cache/.wh..wh..opq", b"")
    member(t, "var/cache/c", b"c\n")
    member(t, "usr/bin/new", b"new\n", mode=0o755)


def layer3(t):
    member(t, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
    member(t, "home", type=tarfile.DIRTYPE, mode=0o755)
    member(t, "home/app", type=tarfile.DIRTYPE, mode=0o750, uid=1000, gid=1000)
    member(t, "dev", type=tarfile.DIRTYPE, mode=0o755)
    member(t, "dev/null", type=tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666)
    member(t, "run", type=tarfile.DIRTYPE, mode=0o755)
    member(t, "run/fifo", type=tarfile.FIFOTYPE, mode=0o600)


def tar_bytes(build):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        build(t)
    return b.getvalue()


def write_blob(out, data):
    d = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{d}", "wb") as f:
        f.write(data)
    return "sha256:" + d


def make_oci(out):
    os.makedirs(out + "/blobs/sha256", exist_ok=True)
    layers, diff_ids = [], []
    for build, gz in [(layer1, True), (layer2, True), (layer3, False)]:
        raw = tar_bytes(build)
        blob = gzip.compress(raw, mtime=0) if gz else raw
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gz else ""),
                       "digest": write_blob(out, blob), "size": len(blob)})
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2020-09-13T12:26:40Z",
        "config": {"Entrypoint": ["/usr/bin/tool"], "Cmd": ["--help"], "Env": ["PATH=/usr/bin", "APP=1"],
                   "WorkingDir": "/home/app", "User": "1000:1000", "Labels": {"org.example": "yes"},
                   "Hostname": "dropped"},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "test"}]}).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": write_blob(out, config),
                   "size": len(config)},
        "layers": layers}).encode()
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": write_blob(out, manifest),
        "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}
    with open(f"{out}/index.json", "w") as f:
        json.dump(index, f)
    with open(f"{out}/oci-layout", "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')


def make_index(layout):
    """Puts the image tagged "latest" behind an image index with an arm64 sibling, tagged
    "multi"."""
    with open(f"{layout}/index.json") as f:
        index = json.load(f)
    amd64 = dict(index["manifests"][0])
    amd64.pop("annotations", None)
    amd64["platform"] = {"architecture": "amd64", "os": "linux"}
    other = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                   "digest": "sha256:" + "0" * 64, "size": 2}, "layers": []}).encode()
    arm64 = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": write_blob(layout, other),
             "size": len(other), "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}
    ii = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                     "manifests": [arm64, amd64]}).encode()
    index["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json",
                               "digest": write_blob(layout, ii), "size": len(ii),
                               "annotations": {"org.opencontainers.image.ref.name": "multi"}})
    with open(f"{layout}/index.json", "w") as f:
        json.dump(index, f)


def make_docker_oci(layout, out):
    """A `docker save` archive of Docker 25 and later: manifest.json naming blobs/sha256/<hex>."""
    with open(f"{layout}/index.json") as f:
        desc = json.load(f)["manifests"][0]
    with open(blob_path(layout, desc["digest"])) as f:
        manifest = json.load(f)
    names = lambda d: "blobs/sha256/" + d.split(":", 1)[1]
    with tarfile.open(out, "w") as t:
        for d in [manifest["config"]["digest"]] + [l["digest"] for l in manifest["layers"]]:
            t.add(blob_path(layout, d), arcname=names(d))
        data = json.dumps([{"Config": names(manifest["config"]["digest"]), "RepoTags": ["app:1"],
                            "Layers": [names(l["digest"]) for l in manifest["layers"]]}]).encode()
        i = tarfile.TarInfo("manifest.json")
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))


def blob_path(layout, digest):
    return os.path.join(layout, "blobs", *digest.split(":", 1))


def open_layer(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:")


def norm(name):
    while name.startswith("./"):
        name = name[2:]
    return name.rstrip("/")


def flatten(layout, ref):
    """image-spec layer.md: apply each layer's whiteouts to the layers below, then its files."""
    with open(f"{layout}/index.json") as f:
        index = json.load(f)
    desc = next(m for m in index["manifests"]
                if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref)
    with open(blob_path(layout, desc["digest"])) as f:
        manifest = json.load(f)
    files = {}  # path -> (type, mode, uid, gid, size, target, sha256)
    for layer in manifest["layers"]:
        t = open_layer(blob_path(layout, layer["digest"]))
        members = t.getmembers()
        for m in members:
            p = norm(m.name)
            d, b = os.path.split(p)
            if b == ".wh..wh..opq":
                for k in [k for k in files if k.startswith(d + "/")]:
                    del files[k]
            elif b.startswith(".wh."):
                gone = os.path.join(d, b[4:])
                for k in [k for k in files if k == gone or k.startswith(gone + "/")]:
                    del files[k]
        for m in members:
            p = norm(m.name)
            b = os.path.basename(p)
            if b.startswith(".wh.") or p == "":
                continue
            if m.islnk():
                files[p] = files[norm(m.linkname)]
                continue
            kind = "d" if m.isdir() else "l" if m.issym() else "c" if m.ischr() else "p" if m.isfifo() else "f"
            data = t.extractfile(m).read() if m.isfile() else b""
            files[p] = (kind, m.mode & 0o7777, m.uid, m.gid, len(data) if kind == "f" else 0,
                        m.linkname if m.issym() else "", hashlib.sha256(data).hexdigest()[:16] if kind == "f" else "")
    for p in sorted(files):
        print(p, *files[p])


def tree(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            full = os.path.join(dirpath, n)
            p = os.path.relpath(full, root)
            st = os.lstat(full)
            kind = ("d" if stat.S_ISDIR(st.st_mode) else "l" if stat.S_ISLNK(st.st_mode) else
                    "c" if stat.S_ISCHR(st.st_mode) else "p" if stat.S_ISFIFO(st.st_mode) else "f")
            data = b""
            if kind == "f":
                with open(full, "rb") as f:
                    data = f.read()
            out.append((p, kind, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, len(data) if kind == "f" else 0,
                        os.readlink(full) if kind == "l" else "",
                        hashlib.sha256(data).hexdigest()[:16] if kind == "f" else ""))
    for e in sorted(out):
        print(*e)


def layer_paths(blob):
    t = open_layer(blob)
    paths = set()
    for m in t.getmembers():
        p = norm(m.name)
        if p == "":
            continue
        d, b = os.path.split(p)
        if b == ".wh..wh..opq":
            p = d
        elif b.startswith(".wh."):
            p = os.path.join(d, b[4:])
        while p:
            paths.add(p)
            p = os.path.dirname(p)
    for p in sorted(paths):
        print(p)


def bad_tar(kind, out):
    def plain(build):
        with open(out, "wb") as f:
            f.write(tar_bytes(build))

    if kind == "dotdot":
        plain(lambda t: member(t, "../escape", b"x"))
    elif kind == "absolute":
        plain(lambda t: member(t, "/etc/passwd", b"x"))
    elif kind == "hardlink-outside":
        plain(lambda t: member(t, "passwd", type=tarfile.LNKTYPE, linkname="../../etc/passwd"))
    elif kind == "symlink-outside":
        plain(lambda t: member(t, "a/link", type=tarfile.SYMTYPE, linkname="../../../etc/shadow"))
    elif kind == "duplicate":
        plain(lambda t: (member(t, "etc/hosts", b"1"), member(t, "etc/hosts", b"2")))
    elif kind == "huge":
        plain(lambda t: member(t, "huge", b"x", pax={"size": str(1 << 50)}))
    elif kind == "overlay-xattr":
        plain(lambda t: member(t, "x", b"x", pax={"SCHILY.xattr.trusted.overlay.redirect": "/etc"}))
    else:
        raise SystemExit(f"unknown kind {kind}")


def set_json(path, key, value):
    with open(path) as f:
        j = json.load(f)
    j[key] = json.loads(value)
    with open(path, "w") as f:
        json.dump(j, f)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"make-oci": make_oci, "make-index": make_index, "make-docker-oci": make_docker_oci, "flatten": flatten, "tree": tree, "layer-paths": layer_paths,
     "bad-tar": bad_tar, "set-json": set_json}[cmd](*args)
