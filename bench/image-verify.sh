#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mos image verify of a 1 GiB image against veritysetup verify of the same layer blob. mos image
# verify does more (the layer's SHA-256 digest, manifest, config, squashfs superblock); the
# verity check alone (mos verity verify) is what veritysetup verify does.
. "$(dirname "$0")/lib.sh"
SIZE=${SIZE:-$((1024 * 1024 * 1024))}
mkdir -p "$BENCH_TMP/src"
head -c "$SIZE" /dev/urandom >"$BENCH_TMP/src/data"
SOURCE_DATE_EPOCH=1 "$MOS" image build "$BENCH_TMP/src" --layout "$BENCH_TMP/layout" --tag bench:1 >/dev/null
rm -rf "$BENCH_TMP/src"
read -r digest root offset < <("$MOS" image inspect --layout "$BENCH_TMP/layout" --json bench:1 |
        python3 -c 'import json, sys; l = json.load(sys.stdin)["layers"][0]; print(l["digest"][7:], l["verity"]["rootHash"], l["verity"]["hashOffset"])')
BLOB=$BENCH_TMP/layout/blobs/sha256/$digest
echo "verify of a $(($(stat -c %s "$BLOB") >> 20)) MiB layer, $(nproc) CPUs"
cat "$BLOB" >/dev/null
for _ in $(seq "$REPEAT"); do
        run veritysetup veritysetup verify "$BLOB" "$BLOB" "$root" --hash-offset="$offset"
        run mos_image_verify "$MOS" image verify --layout "$BENCH_TMP/layout" bench:1
        run mos_verity_verify "$MOS" verity verify "$BLOB" "$root" --hash-offset="$offset"
done
report
floor=$(sha256_floor "$(stat -c %s "$BLOB")")
single=$(python3 -c "import sys; print(float(sys.argv[1]) * $(nproc))" "$floor")
printf '  %-28s %8.3f s   (one core: %.3f s, the bound for the sequential layer digest)\n' "sha256 floor (openssl)" "$floor" "$single"
echo "ratio veritysetup/mos-image-verify   $(ratio "$veritysetup_s" "$mos_image_verify_s")  (target >= 3)"
echo "ratio veritysetup/mos-verity-verify  $(ratio "$veritysetup_s" "$mos_verity_verify_s")"
