#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The dm-verity tree of 1 GiB: mos verity format against veritysetup format and against the
# SHA-256 floor of the machine (openssl speed -evp sha256 on all cores). Same data, same salt.
. "$(dirname "$0")/lib.sh"
SIZE=${SIZE:-$((1024 * 1024 * 1024))}
SALT=$(printf '%064d' 7)

echo "verity tree of $((SIZE >> 20)) MiB, $(nproc) CPUs"
head -c "$SIZE" /dev/urandom >"$BENCH_TMP/data"
cp "$BENCH_TMP/data" "$BENCH_TMP/mos"
cat "$BENCH_TMP/data" "$BENCH_TMP/mos" >/dev/null # both in the page cache
: >"$BENCH_TMP/hash"
for _ in $(seq "$REPEAT"); do
        run veritysetup veritysetup format "$BENCH_TMP/data" "$BENCH_TMP/hash" --salt="$SALT"
        run mos "$MOS" verity format "$BENCH_TMP/mos" --hash-offset="$SIZE" --salt="$SALT"
        run mos_1thread "$MOS" verity format "$BENCH_TMP/mos" --hash-offset="$SIZE" --salt="$SALT" --threads 1
done
report
floor=$(sha256_floor "$SIZE")
printf '  %-28s %8.3f s\n' "sha256 floor (openssl)" "$floor"
# the trees (after the superblock block, whose UUID is random on both sides)
cmp -s <(tail -c +$((SIZE + 4097)) "$BENCH_TMP/mos") <(tail -c +4097 "$BENCH_TMP/hash") &&
        echo "  trees identical: yes" || echo "  trees identical: NO"
echo "ratio veritysetup/mos      $(ratio "$veritysetup_s" "$mos_s")  (target >= 3)"
echo "ratio mos/sha256-floor     $(ratio "$mos_s" "$floor")  (target <= 1.3)"
