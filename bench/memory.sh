#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Peak memory of mos image build and verify for a small and a large image, with 1 and 2
# threads: it must not grow with the image size (64 MiB plus a fixed amount per thread).
. "$(dirname "$0")/lib.sh"
for mb in 64 1024; do
        mkdir -p "$BENCH_TMP/src$mb"
        head -c $((mb << 20)) /dev/urandom >"$BENCH_TMP/src$mb/data"
done
echo "peak RSS, $(nproc) CPUs"
for t in 1 2; do
        for mb in 64 1024; do
                run "build_${mb}MiB_t$t" env SOURCE_DATE_EPOCH=1 "$MOS" image build "$BENCH_TMP/src$mb" \
                        --layout "$BENCH_TMP/l$mb" --tag "b:$t" --threads $t
                run "verify_${mb}MiB_t$t" "$MOS" image verify --layout "$BENCH_TMP/l$mb" "b:$t" --threads $t
        done
done
report
echo "growth from 64 MiB to 1 GiB (build, 2 threads): $((build_1024MiB_t2_kb - build_64MiB_t2_kb)) KiB"
echo "growth from 64 MiB to 1 GiB (verify, 2 threads): $((verify_1024MiB_t2_kb - verify_64MiB_t2_kb)) KiB"
