#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mos image: build from every kind of source, list/inspect/rm/gc, reproducibility, verify
# catching tampering (exit 3, layer and offset), concurrent runs on one layout, and every kind
# of bad input refused with its message and nothing half-written.
. "$(dirname "$0")/../lib.sh"
MOS=$1
HELPER="$(dirname "$0")/image-helper.py"
export SOURCE_DATE_EPOCH=1700000000

mktemp_dir T
cd "$T" || exit 1

# ---- a source directory ----
mkdir -p src/etc src/usr/bin src/empty
printf 'hello\n' > src/etc/motd
head -c 200000 /dev/urandom > src/usr/bin/blob
ln src/usr/bin/blob src/usr/bin/blob-link
ln -s ../../etc/motd src/usr/bin/motd
chmod 4755 src/usr/bin/blob
python3 -c "import os; os.setxattr('src/etc/motd', 'user.note', b'xattr kept')" 2>/dev/null || true

# ---- usage errors ----
expect 2 "missing SOURCE" -- "$MOS" image build --layout L --tag a:1
expect 2 "missing --layout DIR" -- "$MOS" image build src --tag a:1
expect 2 "missing --tag NAME:TAG" -- "$MOS" image build src --layout L
expect 2 "invalid image name 'Bad:1'" -- "$MOS" image build src --layout L --tag Bad:1
expect 2 "invalid image name 'app'" -- "$MOS" image verify --layout L app
expect 2 "invalid --threads '0'" -- "$MOS" image build src --layout L --tag a:1 --threads 0
expect 2 "invalid --compression-level '23'" -- "$MOS" image build src --layout L --tag a:1 --compression-level 23
expect 2 "unknown option '--frob'" -- "$MOS" image list --layout L --frob
expect 2 "unknown option '--json'" -- "$MOS" image gc --layout L --json
expect 2 "Invalid \\\$SOURCE_DATE_EPOCH 'yesterday'" -- env SOURCE_DATE_EPOCH=yesterday "$MOS" image build src --layout L --tag a:1
expect 1 "cannot access source 'nothere'" -- "$MOS" image build nothere --layout L --tag a:1
expect 1 "Failed to open layout 'nolayout': cannot open 'nolayout': No such file or directory" -- "$MOS" image list --layout nolayout
mkdir notlayout && touch notlayout/x
expect 3 "'notlayout' is neither empty nor an OCI image layout" -- "$MOS" image build src --layout notlayout --tag a:1
expect 3 "'notlayout' is not an OCI image layout" -- "$MOS" image list --layout notlayout

# ---- build, list, inspect, verify ----
expect 0 '^app/dir:1 sha256:[0-9a-f]{64}$' -- "$MOS" image build src --layout L --tag app/dir:1
DIR_DIGEST=${OUT#* }
expect 0 "^app/dir:1 $DIR_DIGEST [0-9]+$" -- "$MOS" image list --layout L
expect 0 '"images":\[\{"digest":"sha256:' -- "$MOS" image list --layout L --json
expect 0 'Layers:' -- "$MOS" image inspect --layout L app/dir:1
expect 0 '"hashOffset":' -- "$MOS" image inspect --layout L --json app/dir:1
python3 -c '
import json, sys
j = json.loads(sys.stdin.read())
l = j["layers"][0]
assert l["mediaType"] == "application/vnd.machineos.image.layer.v1.squashfs+verity", l
v = l["verity"]
assert v["hashOffset"] == v["dataBlocks"] * 4096 and len(v["rootHash"]) == 64 and len(v["salt"]) == 64
assert j["config"]["created"] == "2023-11-14T22:13:20Z"
' <<<"$OUT" && ok "inspect --json has the verity annotations" || not_ok "inspect --json has the verity annotations"
expect 0 "app/dir:1 $DIR_DIGEST verified: 1 layers" -- "$MOS" image verify --layout L app/dir:1
expect 1 "Failed to verify image 'app/dir:2': no image 'app/dir:2' in 'L'" -- "$MOS" image verify --layout L app/dir:2

# ---- progress: shown on a terminal, quiet otherwise ----
if command -v script >/dev/null; then
        out=$(script -qec "'$MOS' image build src --layout P --tag p:1" /dev/null 2>&1)
        grep -q 'layer 1/1: ' <<<"$out" && ok "progress is shown on a terminal" ||
                not_ok "progress is shown on a terminal"
fi
out=$("$MOS" image build src --layout P2 --tag p:1 2>&1)
grep -q 'layer 1/1:' <<<"$out" && not_ok "no progress when stdout is not a terminal" ||
        ok "no progress when stdout is not a terminal"

# ---- tar sources; the same content gives the same image whatever the compression ----
tar -C src -cf src.tar . && gzip -c src.tar > src.tar.gz && zstd -q -c src.tar > src.tar.zst
expect 0 '^app/tar:1 ' -- "$MOS" image build src.tar --layout L --tag app/tar:1
TAR_DIGEST=${OUT#* }
expect 0 "^app/tgz:1 $TAR_DIGEST\$" -- "$MOS" image build src.tar.gz --layout L --tag app/tgz:1
expect 0 "^app/tzst:1 $TAR_DIGEST\$" -- "$MOS" image build src.tar.zst --layout L --tag app/tzst:1 --threads 1

# ---- reproducible: thread count, file times after SOURCE_DATE_EPOCH, another layout ----
expect 0 "^app/dir:1 $DIR_DIGEST\$" -- "$MOS" image build src --layout L2 --tag app/dir:1 --threads 1
touch -d '2030-01-01' src/etc/motd
expect 0 "^app/dir:1 $DIR_DIGEST\$" -- "$MOS" image build src --layout L3 --tag app/dir:1 --threads 3
expect 0 "^app/dir:1 sha256:" -- "$MOS" image build src --layout L4 --tag app/dir:1 --compression-level 19
[ "${OUT#* }" != "$DIR_DIGEST" ] && ok "another compression level is another image" ||
        not_ok "another compression level is another image"
unset SOURCE_DATE_EPOCH
expect 0 "^a:1 " -- "$MOS" image build src --layout L5 --tag a:1
D1=${OUT#* }
expect 0 "^a:1 $D1\$" -- "$MOS" image build src --layout L6 --tag a:1 --threads 1
export SOURCE_DATE_EPOCH=1700000000

# ---- OCI layout and docker save sources (three layers, whiteouts) ----
python3 "$HELPER" make-oci oci-src
expect 0 '^app/oci:1 ' -- "$MOS" image build oci:oci-src:latest --layout L --tag app/oci:1
OCI_DIGEST=${OUT#* }
expect 0 "Entrypoint: +\[\"/usr/bin/tool\"\]" -- "$MOS" image inspect --layout L app/oci:1
expect 0 'User: +1000:1000' -- "$MOS" image inspect --layout L app/oci:1
[ "$(grep -c 'root-hash' <<<"$("$MOS" image inspect --layout L app/oci:1)")" = 3 ] && ok "three layers" ||
        not_ok "three layers"
expect 0 "app/oci:1 $OCI_DIGEST verified: 3 layers" -- "$MOS" image verify --layout L app/oci:1
# an image index: the manifest for this machine's platform
if [ "$(uname -m)" = x86_64 ]; then
        cp -r oci-src oci-multi && python3 "$HELPER" make-index oci-multi
        expect 0 "^app/multi:1 $OCI_DIGEST\$" -- "$MOS" image build oci:oci-multi:multi --layout L --tag app/multi:1
        expect 1 "'oci-multi' holds several images, name one" -- "$MOS" image build oci:oci-multi --layout L --tag x:1
fi
# a `docker save` archive of Docker 25 (an OCI layout inside)
python3 "$HELPER" make-docker-oci oci-src docker-oci.tar
expect 0 "^app/docker:1 $OCI_DIGEST\$" -- "$MOS" image build docker-archive:docker-oci.tar --layout L --tag app/docker:1
expect 0 "^app/docker:2 $OCI_DIGEST\$" -- "$MOS" image build docker-archive:docker-oci.tar:app:1 --layout L --tag app/docker:2
# an image built from one of our own images is refused: its layers are not tar
expect 3 "layer 1 has media type application/vnd.machineos.image.layer.v1.squashfs\+verity, not a tar layer" -- \
        "$MOS" image build oci:L:app/oci:1 --layout L --tag app/again:1

# ---- tampering: verify names the layer and the first bad block ----
layer_blob() { # REF N -> path of layer N's blob
        "$MOS" image inspect --layout L --json "$1" |
                python3 -c "import json,sys; print('L/blobs/sha256/' + json.load(sys.stdin)['layers'][$2]['digest'][7:])"
}
flip() { # FILE OFFSET
        python3 -c "
import sys
with open(sys.argv[1], 'r+b') as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0x20]))" "$1" "$2"
}
BLOB=$(layer_blob app/dir:1 0)
cp "$BLOB" saved
flip "$BLOB" 8200
expect 3 "layer 1 \(sha256:[0-9a-f]{64}\): data block at offset 8192 does not match the verity root hash" -- \
        "$MOS" image verify --layout L app/dir:1
cp saved "$BLOB"
flip "$BLOB" 5
expect 3 "data block at offset 0 does not match" -- "$MOS" image verify --layout L app/dir:1
cp saved "$BLOB"
SIZE=$(stat -c %s "$BLOB")
flip "$BLOB" $((SIZE - 100))
expect 3 "hash block at offset $((SIZE - 4096)) does not match" -- "$MOS" image verify --layout L app/dir:1
cp saved "$BLOB"
truncate -s -4096 "$BLOB"
expect 3 "layer 1 \(sha256:[0-9a-f]{64}\): size mismatch" -- "$MOS" image verify --layout L app/dir:1
cp saved "$BLOB"
MANIFEST=L/blobs/sha256/${DIR_DIGEST#sha256:}
cp "$MANIFEST" saved-manifest
sed -i 's/"schemaVersion":2/"schemaVersion":2 /' "$MANIFEST"
expect 3 "manifest blob $DIR_DIGEST: (digest|size) mismatch" -- "$MOS" image verify --layout L app/dir:1
cp saved-manifest "$MANIFEST"
expect 0 "verified" -- "$MOS" image verify --layout L app/dir:1

# ---- rm and gc: unreferenced blobs go, referenced ones never ----
expect 0 "Removed app/tgz:1" -- "$MOS" image rm --layout L app/tgz:1
expect 1 "Failed to remove image 'app/tgz:1': no image 'app/tgz:1' in 'L'" -- "$MOS" image rm --layout L app/tgz:1
expect 0 "Removed 0 unreferenced blobs" -- "$MOS" image gc --layout L # app/tar:1 shares everything
for t in app/tar:1 app/tzst:1; do "$MOS" image rm --layout L $t >/dev/null; done
touch "L/blobs/sha256/.#blob.0123456789abcdef"
expect 0 "Removed 4 unreferenced blobs" -- "$MOS" image gc --layout L
expect 0 "verified: 1 layers" -- "$MOS" image verify --layout L app/dir:1
expect 0 "verified: 3 layers" -- "$MOS" image verify --layout L app/oci:1

# ---- concurrent runs on one layout ----
expect 0 "^app/c:1 " -- "$MOS" image build oci:oci-src:latest --layout C --tag app/c:1
pids=()
for i in 2 3 4; do
        "$MOS" image build oci:oci-src:latest --layout C --tag "app/c:$i" --threads 1 >"c$i.out" 2>&1 &
        pids+=($!)
done
"$MOS" image gc --layout C >gc.out 2>&1 &
pids+=($!)
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ $failed = 0 ] && ok "three builds and a gc at once succeed" || not_ok "three builds and a gc at once succeed"
expect 0 "app/c:4" -- "$MOS" image list --layout C
[ "$("$MOS" image list --layout C | wc -l)" = 4 ] && ok "all tags are there" || not_ok "all tags are there"
expect 0 "^Removed 0 unreferenced" -- "$MOS" image gc --layout C
for i in 1 2 3 4; do expect 0 "app/c:$i $OCI_DIGEST verified" -- "$MOS" image verify --layout C "app/c:$i"; done

# ---- bad input: refused with a message, exit 3, nothing half-written ----
snapshot() { (cd L && sha256sum index.json && ls -A blobs/sha256) >"$1"; }
refused() { # REGEX SOURCE [EXIT]
        snapshot before
        expect "${3:-3}" "$1" -- "$MOS" image build "$2" --layout L --tag app/bad:1
        snapshot after
        if cmp -s before after; then ok "nothing written for $2"; else not_ok "nothing written for $2"; fi
}
for kind in dotdot absolute hardlink-outside symlink-outside duplicate huge overlay-xattr; do
        python3 "$HELPER" bad-tar "$kind" "$kind.tar"
done
refused "member '../escape' is absolute or leaves the archive" dotdot.tar
refused "member '/etc/passwd' is absolute or leaves the archive" absolute.tar
refused "hard link 'passwd' points outside the archive" hardlink-outside.tar
refused "symlink 'a/link' points outside the image \('../../../etc/shadow'\)" symlink-outside.tar
refused "duplicate member 'etc/hosts'" duplicate.tar
refused "'huge': size 1125899906842624 is larger than the limit" huge.tar
refused "xattr 'trusted.overlay.redirect' is reserved for overlayfs" overlay-xattr.tar
head -c 3000 src.tar.gz >truncated.tar.gz
refused "truncated or corrupt archive: gzip: truncated gzip input" truncated.tar.gz
head -c 3000 src.tar.zst >truncated.tar.zst
refused "truncated, corrupt or not a tar archive \(plain, gzip or zstd\): Truncated zstd input" truncated.tar.zst
cp src.tar.gz corrupt.tar.gz && flip corrupt.tar.gz 2000
refused "truncated or corrupt archive: gzip: (incorrect data check|invalid)" corrupt.tar.gz
head -c 5000 /dev/urandom >random.bin
refused "not a tar archive \(plain, gzip or zstd\): Unrecognized archive format" random.bin

cp -r oci-src bad-oci
BAD_LAYER=$(python3 -c "import json; m=json.load(open('bad-oci/index.json'))['manifests'][0]['digest'][7:]; \
print(json.load(open('bad-oci/blobs/sha256/'+m))['layers'][1]['digest'][7:])")
cp "bad-oci/blobs/sha256/$BAD_LAYER" saved-layer
flip "bad-oci/blobs/sha256/$BAD_LAYER" 40
refused "layer 2 \(sha256:$BAD_LAYER\): digest mismatch" oci:bad-oci:latest
cp saved-layer "bad-oci/blobs/sha256/$BAD_LAYER"
printf 'x' >>"bad-oci/blobs/sha256/$BAD_LAYER"
refused "layer 2 \(sha256:$BAD_LAYER\): size mismatch" oci:bad-oci:latest
cp saved-layer "bad-oci/blobs/sha256/$BAD_LAYER"
rm "bad-oci/blobs/sha256/$BAD_LAYER"
refused "layer 2: blob missing" oci:bad-oci:latest 1
cp saved-layer "bad-oci/blobs/sha256/$BAD_LAYER"
refused "has no image 'nope'" oci:bad-oci:nope 1
cp bad-oci/index.json saved-index
printf '{"schemaVersion":2,"manifests":[' >bad-oci/index.json
refused "bad-oci/index.json' is malformed: line 1" oci:bad-oci:latest
cp saved-index bad-oci/index.json && python3 "$HELPER" set-json bad-oci/index.json schemaVersion 1
refused "field 'schemaVersion': must be 2" oci:bad-oci:latest
cp saved-index bad-oci/index.json
MAN=$(python3 -c "import json; print(json.load(open('bad-oci/index.json'))['manifests'][0]['digest'][7:])")
python3 "$HELPER" set-json "bad-oci/blobs/sha256/$MAN" layers '"nope"'
refused "manifest blob sha256:$MAN: (digest|size) mismatch" oci:bad-oci:latest

mkdir da && printf '[{"Config":"x.json","Layers":"notalist"}]' >da/manifest.json && tar -C da -cf docker.tar manifest.json
refused "manifest.json: field '\[0\].Layers': expected an array" docker-archive:docker.tar
printf '[{"Config":"../x.json","Layers":["a/layer.tar"]}]' >da/manifest.json && tar -C da -cf docker2.tar manifest.json
refused "the config name is not a relative path" docker-archive:docker2.tar
ls -A L/blobs/sha256 | grep -q '^\.#' && not_ok "no temporary files left" || ok "no temporary files left"

done_testing
