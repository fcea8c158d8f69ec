#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Whole image build of a ~200 MB directory of real files (from /usr) against mksquashfs (zstd,
# the same level) plus veritysetup format of its output.
. "$(dirname "$0")/lib.sh"
MB=${MB:-200}
LEVEL=${LEVEL:-3}
SRC=$BENCH_TMP/src
mkdir -p "$SRC"
# the first MB of regular files under /usr, in name order (reproducible on one machine)
find /usr/lib /usr/share /usr/bin -xdev -type f -size -20M -print0 2>/dev/null | sort -z |
        python3 -c '
import os, shutil, sys
limit, total = int(sys.argv[1]) << 20, 0
for p in sys.stdin.buffer.read().split(b"\0"):
    if not p or total >= limit:
        continue
    dst = os.path.join(sys.argv[2].encode(), p.lstrip(b"/"))
    try:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(p, dst)
        total += os.path.getsize(dst)
    except OSError:
        pass
print(f"source: {total >> 20} MiB", file=sys.stderr)' "$MB" "$SRC"
echo "image build of $(du -sm "$SRC" | cut -f1) MB ($(find "$SRC" -type f | wc -l) files), zstd level $LEVEL, $(nproc) CPUs"
tar -C "$SRC" -cf - . >/dev/null # page cache
export SOURCE_DATE_EPOCH=1700000000
for _ in $(seq "$REPEAT"); do
        run mksquashfs mksquashfs "$SRC" "$BENCH_TMP/ref.sqfs" -comp zstd -Xcompression-level "$LEVEL" -noappend -quiet -no-progress
        : >"$BENCH_TMP/ref.hash"
        run veritysetup_format veritysetup format "$BENCH_TMP/ref.sqfs" "$BENCH_TMP/ref.hash"
        rm -rf "$BENCH_TMP/layout"
        run mos_build "$MOS" image build "$SRC" --layout "$BENCH_TMP/layout" --tag bench:1 --compression-level "$LEVEL"
done
report
ref=$(python3 -c "import sys; print(float(sys.argv[1]) + float(sys.argv[2]))" "$mksquashfs_s" "$veritysetup_format_s")
printf '  %-28s %8.3f s\n' "mksquashfs + veritysetup" "$ref"
echo "  sizes: mksquashfs $(stat -c %s "$BENCH_TMP/ref.sqfs") bytes, mos layer $(du -cb "$BENCH_TMP"/layout/blobs/sha256/* | tail -1 | cut -f1) bytes (blobs)"
echo "ratio (mksquashfs+veritysetup)/mos  $(ratio "$ref" "$mos_build_s")  (target >= 1)"
