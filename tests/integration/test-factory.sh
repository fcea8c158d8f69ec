#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `mos factory get/put`: the station's side of the factory exchange area (docs/boot.md) on a
# disk image written by `mos disk create --boot-only`; every refusal with its exit code and
# message. The device's side runs in tests/vm/test-boot.sh.
. "$(dirname "$0")/../lib.sh"
MOS=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
KERNEL=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
[ -n "$KERNEL" ] || skip_all "no kernel in /boot to build a UKI with"
[ -e /usr/lib/systemd/boot/efi/linuxx64.efi.stub ] || skip_all "systemd-boot-efi is not installed"

mktemp_dir W
cd "$W" || exit 1
export SOURCE_DATE_EPOCH=1700000000
"$MOS" keyset create ks >/dev/null 2>&1 || { not_ok "keyset create"; done_testing; exit; }
"$MOS" uki build --keyset ks --kernel "$KERNEL" --out uki.efi >/dev/null 2>&1 &&
        "$MOS" disk create --keyset ks --uki uki.efi --boot-only --out disk.img >/dev/null 2>&1 ||
        { not_ok "disk create"; done_testing; exit; }

expect 1 "Disk 'disk.img' holds no identity record in its factory exchange area" -- \
        "$MOS" factory get disk.img identity
printf -- '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n' >id.pem
expect 0 '' -- "$MOS" factory put disk.img identity id.pem
expect 0 'BEGIN PUBLIC KEY' -- "$MOS" factory get disk.img identity
head -c 1500 /dev/urandom >cert.der
expect 0 '' -- "$MOS" factory put disk.img certificate cert.der
expect 0 '' -- "$MOS" factory get disk.img certificate --out back.der
cmp -s cert.der back.der && ok "a record reads back byte for byte" || not_ok "record differs"
# A shorter record over a longer one leaves no old bytes behind.
head -c 10 /dev/urandom >short.der
expect 0 '' -- "$MOS" factory put disk.img certificate short.der
expect 0 '' -- "$MOS" factory get disk.img certificate --out back.der
cmp -s short.der back.der && ok "a shorter record replaces a longer one" || not_ok "short record differs"

# Refusals.
expect 2 "unknown record 'secret': expected identity, certificate or sealed-data-volume" -- \
        "$MOS" factory get disk.img secret
expect 2 "missing|IMAGE RECORD" -- "$MOS" factory put disk.img certificate
: >empty
expect 1 "File 'empty' is empty" -- "$MOS" factory put disk.img certificate empty
head -c 70000 /dev/zero >big
expect 3 "File 'big' is larger than a record \(65472 bytes\)" -- \
        "$MOS" factory put disk.img certificate big
expect 1 "Failed to read 'nonexistent'" -- "$MOS" factory put disk.img certificate nonexistent
head -c 1048576 /dev/zero >nogpt.img
expect 3 "Disk 'nogpt.img' has no valid GPT" -- "$MOS" factory get nogpt.img identity
expect 1 "Failed to open disk 'missing.img'" -- "$MOS" factory get missing.img identity

# A flipped byte in a record (its payload, after the 64-byte header of slot 1).
read -r OFF _ < <(python3 "$HERE/../vm/boot-helper.py" part disk.img mos-data)
printf '\xff' | dd of=disk.img bs=1 seek=$((OFF + 65536 + 64 + 3)) conv=notrunc status=none
expect 3 "The certificate record in the factory exchange area of 'disk.img' is corrupt" -- \
        "$MOS" factory get disk.img certificate
expect 0 'BEGIN PUBLIC KEY' -- "$MOS" factory get disk.img identity

done_testing
