#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `mos hostfs build` (docs/boot.md, "The hostfs image"): mosd, crun and their library closure
# from this machine's binaries in a verity image; the layer's squashfs listed with unsquashfs;
# the build reproduced bit for bit; refusals.
#   test-hostfs.sh MOS MOSD
. "$(dirname "$0")/../lib.sh"
MOS=$(realpath "$1")
MOSD=$(realpath "$2")
command -v unsquashfs >/dev/null || skip_all "squashfs-tools is not installed"
[ -x /usr/bin/crun ] || skip_all "crun is not installed"
[ "$(id -u)" = 0 ] || skip_all "needs root (files owned by root in the image)"

mktemp_dir W
cd "$W" || exit 1
export SOURCE_DATE_EPOCH=1700000000

expect 0 '^host:1 sha256:[0-9a-f]{64}$' -- "$MOS" hostfs build --layout a --tag host:1 --mosd "$MOSD"
DIGEST=${OUT##* }
expect 0 "^host:1 $DIGEST\$" -- "$MOS" hostfs build --layout b --tag host:1 --mosd "$MOSD"
ok "the same inputs give the same image ($DIGEST)"

LAYER=$("$MOS" image inspect --layout a host:1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"][7:])')
unsquashfs -lln "a/blobs/sha256/$LAYER" >list 2>/dev/null || not_ok "unsquashfs cannot read the layer"
for f in /usr/sbin/mosd /usr/bin/crun /lib64/ld-linux-x86-64.so.2 /usr/lib/os-release \
        /etc/os-release /config /store /data /run /proc /sys /dev /tmp; do
        grep -q " squashfs-root$f\( \|$\)" list && ok "the image has $f" || not_ok "no $f in the image"
done
for lib in $(ldd "$MOSD" /usr/bin/crun | awk '/=> \// {print $1}' | sort -u); do
        grep -q "/$lib\( \|$\)" list && ok "closure: $lib" || not_ok "closure lacks $lib"
done
if grep -q ' squashfs-root/bin/sh' list; then not_ok "a shell in a production image"; else ok "no shell without --debug-shell"; fi
grep -q ' 0/0 .* squashfs-root/usr/sbin/mosd$' list && ok "files are owned by root" ||
        not_ok "mosd is not root-owned: $(grep usr/sbin/mosd list)"

expect 0 '' -- "$MOS" hostfs build --layout c --tag host:dbg --mosd "$MOSD" --debug-shell \
        --program /usr/bin/true:/usr/lib/machineos/probe --file /etc/hostname:/etc/hostname
LAYER=$("$MOS" image inspect --layout c host:dbg --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"][7:])')
unsquashfs -lln "c/blobs/sha256/$LAYER" >list2 2>/dev/null
for f in /bin/sh /usr/lib/machineos/probe /etc/hostname; do
        grep -q " squashfs-root$f\( \|$\)" list2 && ok "debug image has $f" || not_ok "no $f in the debug image"
done

expect 2 '--layout, --tag and --mosd are required' -- "$MOS" hostfs build --layout x --tag h:1
expect 1 'missing file: /nonexistent' -- "$MOS" hostfs build --layout x --tag h:1 --mosd /nonexistent
expect 1 'SRC:DEST is malformed' -- "$MOS" hostfs build --layout x --tag h:1 --mosd "$MOSD" \
        --file /etc/hostname:relative
expect 3 'is not an x86-64 ELF file' -- "$MOS" hostfs build --layout x --tag h:1 --mosd /etc/hostname

done_testing
