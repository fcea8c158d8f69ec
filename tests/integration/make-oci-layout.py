#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# make-oci-layout.py DIR NAME...: a small OCI image layout (image-spec v1.1) with one image
# per NAME: a config blob, one 12 KiB "layer" blob (content only; nothing here reads it as
# squashfs) and the image manifest. Prints, per image, a line for a manifest spec:
#   NAME MANIFEST-DIGEST MANIFEST-SIZE LAYER-DIGEST LAYER-SIZE
# Used to test `mos disk create` until images come from `mos image build`.
import hashlib, json, os, sys

out = sys.argv[1]
os.makedirs(f"{out}/blobs/sha256", exist_ok=True)

def blob(data):
    d = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{d}", "wb") as f:
        f.write(data)
    return f"sha256:{d}", len(data)

index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}
for name in sys.argv[2:]:
    layer = (name.encode() * 12288)[:12288]
    ld, ls = blob(layer)
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [ld]}}, sort_keys=True).encode()
    cd, cs = blob(config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}]},
                          sort_keys=True).encode()
    md, ms = blob(manifest)
    index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md,
                               "size": ms, "annotations": {"org.opencontainers.image.ref.name": name}})
    print(name, md, ms, ld, ls)
# One blob no image references: it must not reach the disk.
blob(b"unreferenced")
with open(f"{out}/index.json", "w") as f:
    json.dump(index, f, sort_keys=True)
with open(f"{out}/oci-layout", "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
