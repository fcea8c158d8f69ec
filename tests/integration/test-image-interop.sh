#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mos image and the real tools: veritysetup verifies every tree mos writes; unsquashfs and
# sqfs2tar read every layer and list the files of the source layer; skopeo reads the layout;
# skopeo copy to Debian's docker-registry on 127.0.0.1 and back keeps every digest.
. "$(dirname "$0")/../lib.sh"
MOS=$1
HELPER="$(dirname "$0")/image-helper.py"
export SOURCE_DATE_EPOCH=1700000000

for tool in veritysetup unsquashfs sqfs2tar skopeo docker-registry curl; do
        command -v "$tool" >/dev/null || skip_all "$tool is not installed"
done

mktemp_dir T
cd "$T" || exit 1

python3 "$HELPER" make-oci src
skopeo copy -q oci:src:latest oci:exported:latest || skip_all "skopeo cannot copy between OCI layouts"
skopeo copy -q oci:src:latest "docker-archive:$T/saved.tar:example/app:1" ||
        skip_all "skopeo cannot write docker-archive"

expect 0 '^app:1 sha256:' -- "$MOS" image build oci:exported:latest --layout L --tag app:1
DIGEST=${OUT#* }
expect 0 "^app:docker $DIGEST\$" -- "$MOS" image build docker-archive:saved.tar --layout L --tag app:docker
expect 0 "^app:named $DIGEST\$" -- "$MOS" image build docker-archive:saved.tar:example/app:1 --layout L --tag app:named
expect 1 "'saved.tar' has no image 'example/other:1'" -- "$MOS" image build docker-archive:saved.tar:example/other:1 --layout L --tag x:1

# layers of the image, with their verity parameters; the source layers in the same order
"$MOS" image inspect --layout L --json app:1 | python3 -c '
import json, sys
for l in json.load(sys.stdin)["layers"]:
    v = l["verity"]
    print(l["digest"][7:], v["rootHash"], v["hashOffset"], v["salt"])' >layers
python3 -c '
import json
m = json.load(open("exported/index.json"))["manifests"][0]["digest"][7:]
for l in json.load(open("exported/blobs/sha256/" + m))["layers"]:
    print(l["digest"][7:])' >source-layers
[ "$(wc -l <layers)" = 3 ] && [ "$(wc -l <source-layers)" = 3 ] && ok "three layers on both sides" ||
        not_ok "three layers on both sides"

n=0
while read -r digest root offset salt; do
        n=$((n + 1))
        blob=L/blobs/sha256/$digest
        src=exported/blobs/sha256/$(sed -n "${n}p" source-layers)
        expect 0 "" -- veritysetup verify "$blob" "$blob" "$root" --hash-offset="$offset"
        expect 0 "Salt:[[:space:]]+$salt" -- veritysetup dump "$blob" --hash-offset="$offset"
        # a wrong root hash is refused (the check is real)
        expect 1 "" -- veritysetup verify "$blob" "$blob" "$(printf '%064d' 0)" --hash-offset="$offset"
        # veritysetup format of the same data, salt and UUID writes the same hash area
        head -c "$offset" "$blob" >data.img
        rm -f hash.img && touch hash.img
        uuid=$(veritysetup dump "$blob" --hash-offset="$offset" | awk '/^UUID:/ {print $2}')
        veritysetup format data.img hash.img --salt="$salt" --uuid="$uuid" >format.out
        grep -Eq "Root hash:[[:space:]]+$root" format.out && ok "layer $n: veritysetup format gives the same root hash" ||
                not_ok "layer $n: veritysetup format gives the same root hash"
        if tail -c +"$((offset + 1))" "$blob" | cmp -s - hash.img; then
                ok "layer $n: the hash area is byte for byte veritysetup's"
        else
                not_ok "layer $n: the hash area is byte for byte veritysetup's"
        fi
        # unsquashfs and sqfs2tar list the files of the source layer
        python3 "$HELPER" layer-paths "$src" >want
        unsquashfs -d '' -l "$blob" >/dev/null 2>&1 && ok "layer $n: unsquashfs -l reads it" ||
                not_ok "layer $n: unsquashfs -l reads it"
        unsquashfs -d '' -l "$blob" 2>/dev/null | sed 's|^/||' | grep -v '^$' | sort >got-unsquashfs
        diff want got-unsquashfs >/dev/null && ok "layer $n: unsquashfs lists the source's files" || {
                not_ok "layer $n: unsquashfs lists the source's files"
                diff want got-unsquashfs | sed 's/^/# /'
        }
        sqfs2tar "$blob" 2>/dev/null | tar -tf - | sed 's|/$||' | sort >got-sqfs2tar
        diff want got-sqfs2tar >/dev/null && ok "layer $n: sqfs2tar lists the source's files" || {
                not_ok "layer $n: sqfs2tar lists the source's files"
                diff want got-sqfs2tar | sed 's/^/# /'
        }
done <layers

# mos verity on a plain file, checked by veritysetup and the other way round
head -c $((256 * 4096 + 17 * 4096)) /dev/urandom >v.img
SALT=$(printf '%064d' 1)
expect 0 "^root-hash [0-9a-f]{64}\$" -- "$MOS" verity format v.img --salt "$SALT"
VROOT=$(sed -n 's/^root-hash //p' <<<"$OUT")
VOFF=$((273 * 4096))
expect 0 "" -- veritysetup verify v.img v.img "$VROOT" --hash-offset="$VOFF"
expect 0 "^root-hash $VROOT" -- "$MOS" verity verify v.img "$VROOT" --hash-offset "$VOFF" --threads 2
printf 'X' | dd of=v.img bs=1 seek=$((5 * 4096 + 7)) conv=notrunc status=none
expect 3 "Failed to verify 'v.img': data block at offset 20480 does not match the root hash" -- \
        "$MOS" verity verify v.img "$VROOT" --hash-offset "$VOFF"
expect 2 "Verification failed at position 20480" -- veritysetup verify v.img v.img "$VROOT" --hash-offset="$VOFF"
expect 2 "missing --hash-offset BYTES" -- "$MOS" verity verify v.img "$VROOT"
expect 2 "invalid --salt 'xyz'" -- "$MOS" verity format v.img --salt xyz
# A format that cannot write its hash area leaves the file as it was (the file size limit makes
# the append fail part way; SIGXFSZ ignored so the write returns EFBIG).
head -c $((273 * 4096)) /dev/urandom >w.img
cp w.img w.orig
expect 1 "Failed to format 'w.img': File too large" -- \
        bash -c 'trap "" XFSZ; ulimit -f 1100; exec "$0" verity format w.img' "$MOS"
cmp -s w.img w.orig && ok "a failed verity format leaves the file unchanged" ||
        not_ok "a failed verity format left $(stat -c %s w.img) bytes (was $(stat -c %s w.orig))"
expect 2 "invalid root hash 'abc'" -- "$MOS" verity verify v.img abc --hash-offset 4096
expect 3 "no sha256 verity superblock at offset 4096" -- "$MOS" verity verify v.img "$VROOT" --hash-offset 4096

# skopeo reads the layout
expect 0 "\"Digest\": \"$DIGEST\"" -- skopeo inspect oci:L:app:1
expect 0 '"Architecture": "amd64"' -- skopeo inspect oci:L:app:1

# a registry round trip keeps every digest
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir registry
cat >registry.yml <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $T/registry
http:
  addr: 127.0.0.1:$PORT
EOF
docker-registry serve registry.yml >registry.log 2>&1 &
track_pid $!
for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$PORT/v2/" >/dev/null && break
        sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/v2/" >/dev/null || skip_all "docker-registry did not start: $(cat registry.log)"

expect 0 "Writing manifest" -- skopeo copy --dest-tls-verify=false oci:L:app:1 "docker://127.0.0.1:$PORT/mos/app:1"
expect 0 "" -- skopeo copy --src-tls-verify=false "docker://127.0.0.1:$PORT/mos/app:1" oci:back:app:1
raw=$(skopeo inspect --tls-verify=false --raw "docker://127.0.0.1:$PORT/mos/app:1" | sha256sum | cut -d' ' -f1)
[ "sha256:$raw" = "$DIGEST" ] && ok "the registry serves the same manifest" || not_ok "the registry serves the same manifest"
expect 0 "\"digest\":\"$DIGEST\"" -- cat back/index.json
for d in $(cut -d' ' -f1 layers); do
        cmp -s "L/blobs/sha256/$d" "back/blobs/sha256/$d" && ok "layer $d came back unchanged" ||
                not_ok "layer $d came back unchanged"
done
expect 0 "app:1 $DIGEST verified: 3 layers" -- "$MOS" image verify --layout back app:1

done_testing
