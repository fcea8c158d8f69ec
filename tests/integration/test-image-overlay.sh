#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An image exported by skopeo from a multi-layer source (a deleted file and an opaque directory
# in an upper layer) is imported; its layers, loop-mounted and stacked with overlayfs, show
# exactly the files of the source (image-spec whiteout semantics applied by a reference
# implementation in image-helper.py). Needs root, loop devices, squashfs and overlayfs.
. "$(dirname "$0")/../lib.sh"
MOS=$1
HELPER="$(dirname "$0")/image-helper.py"
export SOURCE_DATE_EPOCH=1700000000

[ "$(id -u)" = 0 ] || skip_all "needs root to mount"
[ -e /dev/loop-control ] || skip_all "no loop devices"
command -v skopeo >/dev/null || skip_all "skopeo is not installed"
grep -qw squashfs /proc/filesystems || modprobe squashfs 2>/dev/null || skip_all "no squashfs in this kernel"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip_all "no overlayfs in this kernel"

mktemp_dir T
cd "$T" || exit 1
mounts=()
unmount_all() {
        local i
        for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[$i]}" 2>/dev/null; done
}
trap 'unmount_all; cleanup_all' EXIT

python3 "$HELPER" make-oci src
skopeo copy -q oci:src:latest oci:exported:latest || skip_all "skopeo cannot copy between OCI layouts"
expect 0 '^app:1 ' -- "$MOS" image build oci:exported:latest --layout L --tag app:1
expect 0 "verified: 3 layers" -- "$MOS" image verify --layout L app:1

lower=""
n=0
for d in $("$MOS" image inspect --layout L --json app:1 |
        python3 -c 'import json, sys; print(" ".join(l["digest"][7:] for l in json.load(sys.stdin)["layers"]))'); do
        n=$((n + 1))
        mkdir "layer$n"
        # the kernel's squashfs ignores the verity hash area after bytes_used
        if ! mount -t squashfs -o loop,ro "L/blobs/sha256/$d" "layer$n" 2>mount.err; then
                grep -qi 'loop' mount.err && skip_all "cannot set up a loop device: $(cat mount.err)"
                not_ok "mount layer $n: $(cat mount.err)"
                done_testing
                exit 1
        fi
        mounts+=("$T/layer$n")
        lower="layer$n${lower:+:$lower}"
done
[ $n = 3 ] && ok "three layers mounted" || not_ok "three layers mounted"
mkdir merged
mount -t overlay overlay -o "ro,lowerdir=$lower" merged || skip_all "cannot mount overlayfs"
mounts+=("$T/merged")

python3 "$HELPER" flatten exported latest >want
python3 "$HELPER" tree merged >got
if diff want got >diff.out; then
        ok "the stacked layers show exactly the files of the source image"
else
        not_ok "the stacked layers show exactly the files of the source image"
        sed 's/^/# /' diff.out
fi
[ ! -e merged/etc/motd ] && ok "the deleted file is gone" || not_ok "the deleted file is gone"
[ "$(ls merged/var/cache)" = c ] && ok "the opaque directory hides the lower layer" ||
        not_ok "the opaque directory hides the lower layer"
expect 0 "app:x:1000" -- cat merged/etc/passwd
v=$(python3 -c "import os; print(os.getxattr('merged/var/lib/keep', 'user.note').decode())")
[ "$v" = kept ] && ok "xattrs survive" || not_ok "xattrs survive"
[ "$(stat -c %h merged/usr/bin/tool)" = 2 ] && ok "hard links survive" || not_ok "hard links survive"
[ "$(stat -c '%t:%T' merged/dev/null)" = 1:3 ] && ok "device nodes survive" || not_ok "device nodes survive"

done_testing
