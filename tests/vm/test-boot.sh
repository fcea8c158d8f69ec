#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mos-init in real Secure Boot VMs (docs/boot.md): OVMF with our keys, swtpm, Debian's kernel,
# the signed UKI with mos-init. Two devices A and B go through factory provisioning (two
# factory boots each, the station in between); A boots production twice (first boot formats the
# data volume; the second reopens it and the probe's boot counter shows the data survived);
# then every refusal is mounted and its reason checked on the console:
#   a byte changed in the hostfs layer, in the manifest, in its signature; a manifest for
#   another product; a release below the TPM counter; the data volume of another device; a
#   crafted data volume carrying this device's sealed key.
# VMs run two at a time (one per core). Timings are printed as TAP comments for the report.
#   test-boot.sh MOS MOS-INIT HOSTFS-PROBE MOSD
. "$(dirname "$0")/../lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
MOS=$(realpath "$1")
INIT=$(realpath "$2")
PROBE=$(realpath "$3")
MOSD=$(realpath "$4")
HELPER="python3 $HERE/boot-helper.py"

[ "$(id -u)" = 0 ] || skip_all "needs root (a root-owned host image)"
[ -x /usr/bin/crun ] || skip_all "crun is not installed"
for c in qemu-system-x86_64 swtpm cryptsetup; do
        command -v $c >/dev/null || skip_all "$c is not installed"
done
[ -e /usr/share/OVMF/OVMF_CODE_4M.secboot.fd ] || skip_all "OVMF (Secure Boot build) is not installed"
[ -x /usr/sbin/mke2fs ] || skip_all "e2fsprogs is not installed"
KERNEL=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
[ -n "$KERNEL" ] || skip_all "no Debian kernel in /boot (linux-image-amd64)"
. "$HERE/../integration/tpm-lib.sh"

# Kernel modules mos-init needs (the initramfs builder adds their dependencies): the disk,
# loop and device-mapper (verity, crypt with XTS), squashfs, overlayfs, FAT32 with its code
# page and character set, ext4 with crc32c, and the kernel crypto API for libcryptsetup.
MODULES="virtio_pci virtio_blk loop dm-mod dm-verity dm-crypt ecb xts algif_skcipher squashfs
         overlay vfat nls_cp437 nls_ascii ext4 crc32c_generic"
CMDLINE="console=ttyS0 panic=-1 quiet mos.handover=/usr/lib/machineos/hostfs-probe"

mktemp_dir W
cd "$W" || exit 1
export SOURCE_DATE_EPOCH=1700000000
NPROC=$(nproc)

# ---- the vendor's side ----
"$MOS" keyset create ks --org "MachineOS boot test" >/dev/null 2>&1 &&
        "$MOS" product add ks demo >/dev/null 2>&1 &&
        "$MOS" product add ks other >/dev/null 2>&1 || { not_ok "keyset"; done_testing; exit; }
uuid_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["uuid"])' "ks/products/$1/product.json"; }

# The hostfs: `mos hostfs build` with mosd and crun, and the probe as the hand-over program.
expect 0 '^hostfs:1 sha256:' -- "$MOS" hostfs build --layout store --tag hostfs:1 --mosd "$MOSD" \
        --program "$PROBE:/usr/lib/machineos/hostfs-probe"

# The manifest names the image by its digests (from `mos image inspect`).
"$MOS" image inspect --layout store hostfs:1 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
v = lambda l: {"root-hash": l["verity"]["rootHash"], "salt": l["verity"]["salt"],
               "data-blocks": l["verity"]["dataBlocks"], "hash-offset": l["verity"]["hashOffset"]}
img = {"reference": d["name"], "digest": d["manifest"]["digest"], "size": d["manifest"]["size"],
       "layers": [{"digest": l["digest"], "size": l["size"], "verity": v(l)} for l in d["layers"]]}
print(json.dumps({"release": 1, "version": "1.0",
                  "targets": [{"name": "host", "type": "hostfs", "image": img}]}))' >spec.json
LAYER=$(python3 -c 'import json; print(json.load(open("spec.json"))["targets"][0]["image"]["layers"][0]["digest"][7:])')
mkdir -p demo other
expect 0 '' -- "$MOS" manifest build spec.json --product "$(uuid_of demo)" --out demo/manifest.json
expect 0 '' -- "$MOS" manifest sign --keyset ks --product demo demo/manifest.json
expect 0 '' -- "$MOS" manifest build spec.json --product "$(uuid_of other)" --out other/manifest.json
expect 0 '' -- "$MOS" manifest sign --keyset ks --product other other/manifest.json

PCR7=$("$MOS" pcr7 predict --keyset ks)
expect 0 '' -- "$MOS" policy sign --keyset ks --pcr7 "$PCR7" --revision 1 --out production.policy
mods=()
for m in $MODULES; do mods+=(--module "$m"); done
expect 0 'bytes zstd' -- "$MOS" initramfs build --init "$INIT" --program /usr/sbin/mke2fs \
        "${mods[@]}" --keyset ks --policy production.policy --out initrd.img
echo "# initramfs: $OUT"
expect 0 '' -- "$MOS" uki build --keyset ks --kernel "$KERNEL" --initrd initrd.img \
        --cmdline "$CMDLINE" --out production.efi
expect 0 '' -- "$MOS" uki build --provision --keyset ks --kernel "$KERNEL" --initrd initrd.img \
        --cmdline "$CMDLINE mos.mode=provision" --out factory.efi
echo "# UKI: $(stat -c %s production.efi) bytes (production), $(stat -c %s factory.efi) (factory)"
expect 0 '' -- "$MOS" firmware vars --keyset ks --out vars.fd
for d in a b; do
        expect 0 '' -- "$MOS" disk create --keyset ks --uki factory.efi --boot-only \
                --out factory-$d.img
done
expect 0 '' -- "$MOS" disk create --keyset ks --uki production.efi --product demo \
        --manifest demo/manifest.json --layout store --out production.img
expect 0 '' -- "$MOS" disk create --keyset ks --uki production.efi --product other \
        --manifest other/manifest.json --layout store --out other-product.img

# ---- VMs ----
# vm NAME IMAGE TPM-STATE [--persist]: boots in the background; results in NAME.log (console)
# and NAME.json (outcome). Two at a time: `round` waits for the running ones.
_running=()
vm() {
        local name=$1 image=$2 tpm=$3
        shift 3
        "$MOS" vm run "$image" --vars vars.fd --tpm-state "$tpm" --timeout 240 --json \
                --log "$name.log" "$@" >"$name.json" 2>"$name.err" &
        _running+=($!)
        track_pid $!
        [ "$NPROC" -ge 2 ] || round
}
round() {
        local p
        for p in "${_running[@]}"; do wait "$p"; done
        _running=()
}
outcome() { $HELPER vm-json "$1.json" 2>/dev/null | cut -d' ' -f1; }
timing() { echo "# $1: $($HELPER vm-json "$1.json" 2>/dev/null | awk '{printf "%s after %s s (first initramfs line at %s s)", $1, $2, $3}')"; }
# console NAME REGEX WHAT: the console of NAME has a line matching REGEX.
console() {
        if grep -aEq -- "$2" "$1.log" 2>/dev/null; then ok "$1: $3"; else
                not_ok "$1: $3 (no /$2/ on the console)"
                grep -a 'mos-init\|hostfs-probe\|panic\|Access Denied' "$1.log" 2>/dev/null |
                        tail -15 | sed 's/^/# /'
        fi
}
# refused NAME REGEX: the appliance refused (mos vm run exit 3, outcome "refused") with exactly
# one "mos-init: refused: " line, matching REGEX.
refused() {
        local line
        line=$(grep -a 'mos-init: refused: ' "$1.log" 2>/dev/null)
        if [ "$(outcome "$1")" = refused ] && [ "$(printf '%s\n' "$line" | wc -l)" = 1 ] &&
                printf '%s\n' "$line" | grep -Eq -- "mos-init: refused: $2"; then
                ok "$1: refused: $2"
        else
                not_ok "$1: expected a refusal /$2/, outcome $(outcome "$1")"
                grep -a 'mos-init\|hostfs-probe' "$1.log" 2>/dev/null | tail -8 | sed 's/^/# /'
        fi
        timing "$1"
}
mkdir -p tpm-a tpm-b

# Factory boot 1 on both devices: identity key, public key out.
vm factory1-a factory-a.img tpm-a --persist
vm factory1-b factory-b.img tpm-b --persist
round
for d in a b; do
        console factory1-$d 'mos-init: factory: step 1 done' "factory boot 1 made the identity key"
        console factory1-$d 'mos-init: factory: -----BEGIN PUBLIC KEY-----' "the public key is on the console"
        timing factory1-$d
        expect 0 'BEGIN PUBLIC KEY' -- "$MOS" factory get factory-$d.img identity
        expect 0 '' -- "$MOS" factory get factory-$d.img identity --out id-$d.pem
        expect 0 '' -- "$MOS" device add ks demo "SN-$d" --out dev-$d --pubkey id-$d.pem
        expect 0 '' -- "$MOS" factory put factory-$d.img certificate dev-$d/device.der
done
expect 1 'no sealed-data-volume record' -- "$MOS" factory get factory-a.img sealed-data-volume --out x

# Device C (a copy of B after boot 1, the same TPM key) gets a certificate for that key from
# another vendor's device CA, with the same product UUID: factory boot 2 must not store it.
cp factory-b.img factory-c.img
cp -a tpm-b tpm-c
expect 0 '' -- "$MOS" keyset create ks-foreign --org "Another vendor"
expect 0 '' -- "$MOS" product add ks-foreign demo --uuid "$(uuid_of demo)"
expect 0 '' -- "$MOS" device add ks-foreign demo SN-c --out dev-c --pubkey id-b.pem
expect 0 '' -- "$MOS" factory put factory-c.img certificate dev-c/device.der

# Factory boot 2: certificate stored, data-volume key sealed, ownership taken.
vm factory2-a factory-a.img tpm-a --persist
vm factory2-b factory-b.img tpm-b --persist
vm factory2-c factory-c.img tpm-c --persist
round
refused factory2-c "the certificate in the factory exchange area was not issued by the vendor's device CA: "
for d in a b; do
        console factory2-$d "certificate for device SN-$d stored in the TPM, data-volume key sealed" \
                "factory boot 2 stored the certificate and sealed the key"
        timing factory2-$d
done
expect 0 '' -- "$MOS" factory get factory-a.img sealed-data-volume --out sealed-a.bin
# The station installs the production disk with the device's sealed key (not a secret: only
# that TPM loads it, only under the vendor's signed PCR 7 policy).
expect 0 '' -- "$MOS" factory put production.img sealed-data-volume sealed-a.bin
expect 0 '' -- "$MOS" factory put other-product.img sealed-data-volume sealed-a.bin
cp -a tpm-a tpm-a-provisioned

# A crafted data volume: LUKS2 with another key, carrying A's sealed key in its token.
cp production.img crafted.img
truncate -s 32M crafted-part.img
head -c 32 /dev/urandom >other.key
cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
        --sector-size 4096 --subsystem machineos --key-file other.key crafted-part.img
printf '{"type":"machineos-tpm2","keyslots":["0"],"version":1,"sealed":"%s"}' \
        "$(od -An -v -tx1 sealed-a.bin | tr -d ' \n')" >token.json
cryptsetup token import crafted-part.img --json-file token.json
$HELPER write-part crafted.img mos-data crafted-part.img

# ---- production ----
# The golden first boot (formats the data volume) beside the foreign product's manifest.
cp -a tpm-a-provisioned tpm-other
vm first-boot production.img tpm-a --persist
vm other-product other-product.img tpm-other
round
console first-boot 'first boot: the data volume is empty' "first boot found the sealed key in the exchange area"
console first-boot 'data volume /dev/vda4 formatted as LUKS2 \(aes-xts-plain64, PBKDF2 1000 iterations' "first boot formatted the data volume"
console first-boot 'unsealed the data-volume key through the signed policy' "unsealed through the signed PCR 7 policy"
console first-boot 'PCR 7 locked' "PCR 7 locked"
console first-boot 'manifest release 1 \(version 1.0\) verified' "manifest verified"
console first-boot 'hostfs: 1 layer\(s\), [0-9]+ bytes read and checked through dm-verity' "hostfs read through dm-verity"
console first-boot 'mos-init: handing over to /usr/lib/machineos/hostfs-probe' "hand-over marker"
for kv in pid=1 root=overlay mosd=yes crun=yes config=vfat store=vfat data=ext4 'run-manifest=[1-9]' \
        'run-identity=[1-9]' 'run-boot-json=[1-9]' initramfs-gone=yes store-writable=no boots=1; do
        console first-boot "hostfs-probe: $kv" "after the hand-over: $kv"
done
grep -a 'mos-init: phases:' first-boot.log | sed 's/^/# first boot /'
timing first-boot
refused other-product "manifest /config/manifest.json: manifest is for product $(uuid_of other), expected product $(uuid_of demo)"

# What the first boot left on the disk: LUKS2 with the TPM token, no exchange area.
read -r DATA_OFF _ < <($HELPER part production.img mos-data)
dd if=production.img of=header.img bs=1M skip=$((DATA_OFF / 1048576)) count=16 status=none
DUMP=$(cryptsetup luksDump header.img 2>&1)
for re in 'Subsystem:[[:space:]]+machineos$' 'cipher: aes-xts-plain64' 'PBKDF:[[:space:]]+pbkdf2' \
        'Iterations:[[:space:]]+1000' '0: machineos-tpm2'; do
        printf '%s\n' "$DUMP" | grep -Eq -- "$re" && ok "data volume header: /$re/" ||
                not_ok "data volume header lacks /$re/"
done
expect 3 'sealed-data-volume record in the factory exchange area of .production.img. is corrupt' -- "$MOS" factory get production.img sealed-data-volume --out x

# The second boot reopens the volume; the data of the first is there. Beside it: device B
# boots A's disk (a data volume of another device).
cp production.img foreign.img
cp -a tpm-b tpm-foreign
vm second-boot production.img tpm-a --persist
vm foreign-data foreign.img tpm-foreign
round
console second-boot 'data volume /dev/vda4 open as /dev/dm-[0-9]+, mounted on /data' "second boot opened the data volume"
if grep -aq 'first boot' second-boot.log; then not_ok "second boot formatted again"; else ok "second boot did not format"; fi
console second-boot 'hostfs-probe: boots=2' "data written in the first boot survived (boots=2)"
grep -a 'mos-init: phases:' second-boot.log | sed 's/^/# second boot /'
timing second-boot
refused foreign-data "the TPM did not unseal the data-volume key from /dev/vda4 \(LUKS2 token\): the sealed secret was not made by this TPM"

# Tampering with the installed disk of A (copies of it after the two boots).
for t in hostfs manifest signature release crafted; do cp -a tpm-a tpm-$t; done
cp production.img hostfs.img
$HELPER tamper hostfs.img "store/blobs/sha256/$LAYER" 20000
cp production.img manifest.img
$HELPER tamper manifest.img demo/manifest.json 100
cp production.img signature.img
$HELPER tamper signature.img demo/manifest.json.sig $(($(stat -c %s demo/manifest.json.sig) - 3))
cp production.img release.img
# The vendor's signed policy moves the minimum release to 2 (on the host, through swtpm with A's
# TPM state: a policy signed for this swtpm's PCR 7, zeros).
start_swtpm _ "$W/tpm-release" || exit 1
expect 0 '' -- "$MOS" policy sign --keyset ks --pcr7 "$(printf '%064d' 0)" --revision 1 --out zero.policy
expect 0 '' -- "$MOS" tpm advance --min-release 2 --policies zero.policy
stop_swtpm
unset MOS_TPM2_TCTI TPM2TOOLS_TCTI

vm hostfs-layer hostfs.img tpm-hostfs
vm manifest-byte manifest.img tpm-manifest
round
refused hostfs-layer "hostfs layer 0 \(sha256:$LAYER\): the block at offset 16384 does not match the verity root hash of the manifest"
refused manifest-byte "manifest /config/manifest.json: signature does not match the signed data"
vm signature-byte signature.img tpm-signature
vm release-below release.img tpm-release
round
refused signature-byte "manifest /config/manifest.json: signature does not match the signed data"
refused release-below "manifest /config/manifest.json: manifest release 1 is below the minimum release 2"
vm crafted-data crafted.img tpm-crafted
round
refused crafted-data "the data volume /dev/vda4 does not open with this device's key"

done_testing
