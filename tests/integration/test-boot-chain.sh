#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The boot chain on the host (issue 6): firmware vars and .auth files against efitools, UKI
# signatures against sbsigntool, the initramfs closure against ldd, the disk against partx,
# mtools and fsck.fat. Everything that needs a VM is in tests/vm.
. "$(dirname "$0")/../lib.sh"
MOS=$1
here=$(cd "$(dirname "$0")" && pwd)
diag_init=$(cd "$(dirname "$MOS")/../.." && pwd)/tests/vm/diag-init
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub

for tool in sbsign sbverify sign-efi-sig-list cert-to-efi-sig-list openssl cpio zstd mdir fsck.fat partx; do
        command -v "$tool" >/dev/null || skip_all "$tool is not installed"
done
[ -n "$kernel" ] && [ -r "$stub" ] && [ -r /usr/share/OVMF/OVMF_VARS_4M.fd ] ||
        skip_all "no Debian kernel, systemd-stub or OVMF"

mktemp_dir T
"$here/../vm/make-test-keyset.sh" "$T/a" "$MOS" >/dev/null 2>&1 || { not_ok "make keyset a"; done_testing; exit 1; }
"$here/../vm/make-test-keyset.sh" "$T/b" "$MOS" >/dev/null 2>&1 || { not_ok "make keyset b"; done_testing; exit 1; }

# ---- firmware vars and .auth files ----
mkdir -p "$T/auth"
expect 0 'Secure Boot enforcing' -- "$MOS" firmware vars --keyset "$T/a" --out "$T/a.vars" --auth-dir "$T/auth" --auth-time 1767225600
expect 0 'PK enrolled, SecureBootEnable 1, CustomMode 0' -- "$MOS" firmware vars --list "$T/a.vars"
expect 0 '"pk-enrolled":true' -- "$MOS" firmware vars --list "$T/a.vars" --json
n=$("$MOS" firmware vars --list "$T/a.vars" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print([len(v["signatures"]) for v in d["variables"] if v["name"] in ("PK","KEK","db")])')
[ "$n" = "[1, 1, 2]" ] && ok "vars hold 1 PK, 1 KEK and 2 db certificates" || not_ok "vars certificates: $n"
for v in PK:uefi-pk KEK:uefi-pk db:uefi-kek; do
        var=${v%%:*} key=${v#*:}
        sign-efi-sig-list -t "2026-01-01 00:00:00" -k "$T/a/$key.key" -c "$T/a/$key.crt" "$var" \
                "$T/a/efi/$var.esl" "$T/$var.efitools.auth" >/dev/null 2>&1
        cmp -s "$T/auth/$var.auth" "$T/$var.efitools.auth" &&
                ok "$var.auth is byte-identical to sign-efi-sig-list's" || not_ok "$var.auth differs from efitools"
done
"$MOS" firmware vars --keyset "$T/a" --out "$T/a2.vars" --auth-dir "$T/auth" --auth-time 1767225600 2>/dev/null
cmp -s "$T/a.vars" "$T/a2.vars" && ok "vars image is reproducible" || not_ok "vars image differs between runs"
expect 3 "keyset '$T/nope': efi/PK.esl, efi/KEK.esl or efi/db.esl is missing" -- "$MOS" firmware vars --keyset "$T/nope" --out "$T/x.vars"
expect 3 "a signature list of the keyset or the template is malformed" -- "$MOS" firmware vars --keyset "$T/a" --template /etc/hostname --out "$T/x.vars"
expect 3 "not an edk2 firmware volume" -- "$MOS" firmware vars --list /etc/hostname
expect 2 "--keyset and --out are required" -- "$MOS" firmware vars --keyset "$T/a"
expect 2 "invalid --auth-time" -- "$MOS" firmware vars --keyset "$T/a" --out "$T/x.vars" --auth-time yesterday
[ ! -e "$T/x.vars" ] && ok "nothing written on refusal" || not_ok "a refused run left $T/x.vars"

# ---- UKI ----
printf 'hello' >"$T/initrd"
expect 0 'signed with uefi-db' -- "$MOS" uki build --keyset "$T/a" --kernel "$kernel" --initrd "$T/initrd" --cmdline "console=ttyS0" --out "$T/a.efi"
expect 0 'Signature verification OK' -- sbverify --cert "$T/a/uefi-db.crt" "$T/a.efi"
expect 1 'verification failed' -- sbverify --cert "$T/b/uefi-db.crt" "$T/a.efi"
expect 0 'signature verified' -- "$MOS" uki verify --keyset "$T/a" "$T/a.efi"
expect 3 "does not verify against the db certificates of keyset" -- "$MOS" uki verify --keyset "$T/b" "$T/a.efi"
"$MOS" uki build --keyset "$T/a" --kernel "$kernel" --initrd "$T/initrd" --cmdline "console=ttyS0" --out "$T/a2.efi" 2>/dev/null
cmp -s "$T/a.efi" "$T/a2.efi" && ok "UKI is reproducible (no signing time)" || not_ok "UKI differs between builds"
objdump -h "$T/a.efi" | awk '$2 ~ /^\.(osrel|cmdline|linux|initrd)$/ { print $2, $4 }' >"$T/sections"
[ "$(awk '{print $1}' "$T/sections" | tr '\n' ' ')" = ".osrel .cmdline .linux .initrd " ] &&
        ok "UKI sections .osrel .cmdline .linux .initrd" || not_ok "UKI sections: $(cat "$T/sections")"
aligned=1
while read -r _ vma; do [ $((0x$vma % 4096)) = 0 ] || aligned=0; done <"$T/sections"
[ $aligned = 1 ] && ok "UKI sections 4 KiB-aligned" || not_ok "UKI sections not page-aligned"
cp "$T/a.efi" "$T/tampered.efi"
printf '\x55' | dd of="$T/tampered.efi" bs=1 seek=$((3 * 1024 * 1024)) conv=notrunc 2>/dev/null
expect 3 "tampered or signed by another key" -- "$MOS" uki verify --keyset "$T/a" "$T/tampered.efi"
expect 1 'verification failed' -- sbverify --cert "$T/a/uefi-db.crt" "$T/tampered.efi"
expect 0 'UNSIGNED' -- "$MOS" uki build --unsigned --kernel "$kernel" --initrd "$T/initrd" --cmdline "console=ttyS0" --out "$T/unsigned.efi"
expect 3 "it is not signed" -- "$MOS" uki verify --keyset "$T/a" "$T/unsigned.efi"
sbsign --key "$T/a/uefi-db.key" --cert "$T/a/uefi-db.crt" --output "$T/sbsign.efi" "$T/unsigned.efi" >/dev/null 2>&1
expect 0 'signature verified' -- "$MOS" uki verify --keyset "$T/a" "$T/sbsign.efi"
ours=$("$here/authenticode-content.py" "$T/a.efi")
theirs=$("$here/authenticode-content.py" "$T/sbsign.efi")
[ -n "$ours" ] && [ "$ours" = "$theirs" ] && ok "SpcIndirectDataContent (image digest) identical to sbsign's" ||
        not_ok "SpcIndirectDataContent differs from sbsign: $ours / $theirs"
expect 2 "--cmdline must be printable ASCII" -- "$MOS" uki build --keyset "$T/a" --kernel "$kernel" --cmdline $'a\tb' --out "$T/x.efi"
expect 3 "is not an x86 bzImage" -- "$MOS" uki build --keyset "$T/a" --kernel /etc/hostname --out "$T/x.efi"
expect 3 "uefi-db.key or uefi-db.crt is missing" -- "$MOS" uki build --keyset "$T/nope" --kernel "$kernel" --out "$T/x.efi"
expect 0 'signed copy' -- "$MOS" uki sign --keyset "$T/a" --out "$T/sd-boot.efi"
expect 0 'Signature verification OK' -- sbverify --cert "$T/a/uefi-db.crt" "$T/sd-boot.efi"

# ---- initramfs ----
if [ -x "$diag_init" ]; then
        expect 0 'bytes zstd' -- "$MOS" initramfs build --init "$diag_init" --module efivarfs --level 3 --out "$T/i1"
        "$MOS" initramfs build --init "$diag_init" --module efivarfs --level 3 --out "$T/i2" >/dev/null
        cmp -s "$T/i1" "$T/i2" && ok "initramfs is reproducible" || not_ok "initramfs differs between builds"
        zstd -dc "$T/i1" | cpio -it 2>/dev/null >"$T/list"
        for f in init dev/console etc/mos/modules.load lib64/ld-linux-x86-64.so.2 lib/x86_64-linux-gnu/libc.so.6; do
                grep -qx "$f" "$T/list" && ok "initramfs holds $f" || not_ok "initramfs lacks $f"
        done
        grep -q 'efivarfs.ko$' "$T/list" && ok "initramfs holds efivarfs.ko" || not_ok "initramfs lacks efivarfs.ko"
        SOURCE_DATE_EPOCH=1700000000 "$MOS" initramfs build --init "$diag_init" --level 3 --compress gzip --out "$T/i3" >/dev/null
        zcat "$T/i3" | cpio -itv --quiet 2>/dev/null | grep -q ' Nov 14  2023 init$' &&
                ok "entries dated \$SOURCE_DATE_EPOCH (gzip)" || not_ok "entry dates ignore SOURCE_DATE_EPOCH"
fi
# The closure against ldd, for a program with a deep one (tpm2-tss + libcrypto + curl...).
prog=$(command -v tpm2_pcrread || command -v openssl)
"$MOS" initramfs build --init "$prog" --level 1 --out "$T/i4" >/dev/null 2>&1
zstd -dc "$T/i4" | cpio -it 2>/dev/null | grep -E '\.so' | xargs -n1 basename | sort -u >"$T/ours"
ldd "$prog" | awk '/=>/ { print $1 } /ld-linux/ { print $1 }' | xargs -n1 basename | sort -u >"$T/ldd"
missing=$(comm -13 "$T/ours" "$T/ldd" | tr '\n' ' ')
[ -z "$missing" ] && ok "closure of $prog covers ldd's $(wc -l <"$T/ldd") libraries" || not_ok "closure misses: $missing"
extra=$(comm -23 "$T/ours" "$T/ldd" | tr '\n' ' ')
case "$prog" in
*tpm2_*) [ "$extra" = "libtss2-tcti-device.so.0 " ] && ok "dlopen()ed TCTI added: $extra" || not_ok "unexpected extra libraries: '$extra'" ;;
*) [ -z "$extra" ] && ok "no extra libraries" || not_ok "unexpected extra libraries: '$extra'" ;;
esac
# DT_RUNPATH / DT_RPATH with $ORIGIN, as ld.so resolves them.
if command -v gcc >/dev/null; then
        mkdir -p "$T/rp/lib" "$T/rp/bin" "$T/rp2/lib" "$T/rp2/bin"
        printf 'int mos_test_foo(void) { return 42; }\n' >"$T/rp/foo.c"
        printf 'int mos_test_foo(void);\nint main(void) { return mos_test_foo() != 42; }\n' >"$T/rp/main.c"
        gcc -shared -fPIC -o "$T/rp/lib/libmostestfoo.so" "$T/rp/foo.c"
        gcc -o "$T/rp/bin/prog" "$T/rp/main.c" -L"$T/rp/lib" -lmostestfoo -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib'
        cp "$T/rp/lib/libmostestfoo.so" "$T/rp2/lib/"
        gcc -o "$T/rp2/bin/prog" "$T/rp/main.c" -L"$T/rp2/lib" -lmostestfoo -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib'
        "$T/rp/bin/prog" && "$T/rp2/bin/prog" && ok "test programs run with their \$ORIGIN libraries" || not_ok "test programs do not run"
        for d in rp rp2; do
                tag=$( [ $d = rp ] && echo DT_RUNPATH || echo DT_RPATH)
                # Installed as /init, $ORIGIN is "/": the library belongs in /lib.
                "$MOS" initramfs build --init "$T/$d/bin/prog" --compress none --out "$T/$d.cpio" >/dev/null 2>&1
                cpio -it <"$T/$d.cpio" 2>/dev/null | grep -qx "lib/libmostestfoo.so" &&
                        ok "$d: $tag \$ORIGIN/../lib of /init resolved to /lib" || not_ok "$d: /lib/libmostestfoo.so missing"
                # Installed at its own path: the library stays beside it.
                "$MOS" initramfs build --init "$prog" --program "$T/$d/bin/prog" --compress none --out "$T/$d-p.cpio" >/dev/null 2>&1
                cpio -it <"$T/$d-p.cpio" 2>/dev/null | grep -qx "${T#/}/$d/lib/libmostestfoo.so" &&
                        ok "$d: $tag \$ORIGIN/../lib of a --program resolved beside it" || not_ok "$d: library beside the program missing"
        done
fi
# Compressed modules become plain .ko files.
kver=${kernel#/boot/vmlinuz-}
src=$(find "/lib/modules/$kver" -name 'efivarfs.ko*' | head -1)
if [ -n "$src" ]; then
        mkdir -p "$T/mods/kernel/fs/efivarfs"
        case "$src" in
        *.ko) cp "$src" "$T/efivarfs.ko"; xz -c "$src" >"$T/mods/kernel/fs/efivarfs/efivarfs.ko.xz" ;;
        *.ko.xz) xz -dc "$src" >"$T/efivarfs.ko"; cp "$src" "$T/mods/kernel/fs/efivarfs/" ;;
        esac
        echo "kernel/fs/efivarfs/efivarfs.ko.xz:" >"$T/mods/modules.dep"
        "$MOS" initramfs build --init "$prog" --module efivarfs --modules-dir "$T/mods" --compress none --out "$T/m.cpio" >/dev/null
        (cd "$T" && mkdir -p x && cd x && cpio -id --quiet <"$T/m.cpio" 2>/dev/null)
        cmp -s "$T/x$T/mods/kernel/fs/efivarfs/efivarfs.ko" "$T/efivarfs.ko" &&
                ok ".ko.xz decompressed to the plain .ko" || not_ok ".ko.xz not decompressed"
        grep -qx "$T/mods/kernel/fs/efivarfs/efivarfs.ko" "$T/x/etc/mos/modules.load" &&
                ok "modules.load lists it" || not_ok "modules.load: $(cat "$T/x/etc/mos/modules.load")"
fi
expect 1 "'nosuchmodule' not found" -- "$MOS" initramfs build --init "$prog" --module nosuchmodule --out "$T/x.img"
expect 1 "'$T/missing' not found" -- "$MOS" initramfs build --init "$T/missing" --out "$T/x.img"
expect 3 "'/etc/hostname': not an x86-64 ELF file" -- "$MOS" initramfs build --init /etc/hostname --out "$T/x.img"
# Every refusal names the file or argument it is about.
printf a >"$T/fa"; printf b >"$T/fb"
expect 1 "'/etc/x': a second, different file for the same path" -- "$MOS" initramfs build --init "$prog" --file "$T/fa:/etc/x" --file "$T/fb:/etc/x" --out "$T/x.img"
expect 1 "'$T/fa:etc/x': invalid, expected SOURCE:/DEST" -- "$MOS" initramfs build --init "$prog" --file "$T/fa:etc/x" --out "$T/x.img"
expect 1 "'/etc/../x': invalid" -- "$MOS" initramfs build --init "$prog" --file "$T/fa:/etc/../x" --out "$T/x.img"
expect 1 "'$T/nofile' not found" -- "$MOS" initramfs build --init "$prog" --file "$T/nofile:/x" --out "$T/x.img"
expect 2 "--init is required" -- "$MOS" initramfs build --out "$T/x.img"
expect 3 "lacks manifest-ca.crt, sudi-ca.crt or tpm-policy.pub" -- "$MOS" initramfs build --init "$prog" --keyset "$T/nope" --out "$T/x.img"

# ---- disk ----
expect 0 'esp 64 MiB' -- "$MOS" disk create --keyset "$T/a" --uki "$T/a.efi" --boot-only --out "$T/disk.img"
"$MOS" disk create --keyset "$T/a" --uki "$T/a.efi" --boot-only --out "$T/disk2.img" >/dev/null 2>&1
cmp -s "$T/disk.img" "$T/disk2.img" && ok "disk image is reproducible" || not_ok "disk image differs between runs"
labels=$(partx --show -g -o NAME "$T/disk.img" | tr '\n' ' ')
[ "$labels" = "mos-esp mos-config mos-store mos-data " ] && ok "GPT labels: $labels" || not_ok "GPT labels: $labels"
types=$(partx --show -g -o TYPE "$T/disk.img" | tr '\n' ' ')
[ "$types" = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b 0fc63daf-8483-4772-8e79-3d69d8477de4 0fc63daf-8483-4772-8e79-3d69d8477de4 ca7d7ccb-63ed-4c53-861c-1742536059cc " ] &&
        ok "GPT types: ESP, Linux data x2, LUKS" || not_ok "GPT types: $types"
start=$(partx --show -g -o START -n 1 "$T/disk.img")
sectors=$(partx --show -g -o SECTORS -n 1 "$T/disk.img")
expect 0 'machineos\+3\.efi' -- mdir -i "$T/disk.img@@$((start * 512))" ::/EFI/Linux
mcopy -i "$T/disk.img@@$((start * 512))" ::/EFI/Linux/machineos+3.efi "$T/from-disk.efi"
cmp -s "$T/from-disk.efi" "$T/a.efi" && ok "UKI on the ESP is the signed UKI" || not_ok "UKI on the ESP differs"
mcopy -i "$T/disk.img@@$((start * 512))" ::/EFI/BOOT/BOOTX64.EFI "$T/from-disk-boot.efi"
expect 0 'Signature verification OK' -- sbverify --cert "$T/a/uefi-db.crt" "$T/from-disk-boot.efi"
dd if="$T/disk.img" of="$T/esp.img" bs=512 skip="$start" count="$sectors" conv=sparse status=none
expect 0 '' -- fsck.fat -n "$T/esp.img"
expect 3 "it is not signed by the db keys of keyset" -- "$MOS" disk create --keyset "$T/a" --uki "$T/unsigned.efi" --boot-only --out "$T/x.img"
expect 3 "it is not signed by the db keys of keyset" -- "$MOS" disk create --keyset "$T/b" --uki "$T/a.efi" --boot-only --out "$T/x.img"
expect 2 "--boot-only excludes" -- "$MOS" disk create --keyset "$T/a" --uki "$T/a.efi" --boot-only --manifest m --out "$T/x.img"
expect 1 "outside FAT32's range" -- "$MOS" disk create --keyset "$T/a" --uki "$T/a.efi" --boot-only --esp-size 16M --out "$T/x.img"
[ ! -e "$T/x.img" ] && ok "nothing written on refusal" || not_ok "a refused disk create left $T/x.img"

# ---- disk with a signed manifest and the images it references ----
U=$("$MOS" product add "$T/a" hello 2>/dev/null)
"$MOS" product add "$T/a" other >/dev/null 2>&1
# Two small images from `mos image build` (one layer each), named in the spec by their digests
# and verity parameters as `mos image inspect` prints them.
export SOURCE_DATE_EPOCH=1700000000
for n in hostfs web; do
        mkdir -p "$T/src-$n/etc" && echo "$n" >"$T/src-$n/etc/name"
        "$MOS" image build "$T/src-$n" --layout "$T/layout" --tag "$n:1" >/dev/null 2>&1 || not_ok "image build $n"
done
printf unreferenced >"$T/layout/blobs/sha256/$(printf unreferenced | sha256sum | cut -d' ' -f1)"
spec_image() { # NAME:TAG [ROOT-HASH]: the image object of the spec (JSON, which YAML reads too)
        "$MOS" image inspect --layout "$T/layout" "$1" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
v = lambda l: {"root-hash": sys.argv[1] or l["verity"]["rootHash"], "salt": l["verity"]["salt"],
               "data-blocks": l["verity"]["dataBlocks"], "hash-offset": l["verity"]["hashOffset"]}
print(json.dumps({"reference": d["name"], "digest": d["manifest"]["digest"], "size": d["manifest"]["size"],
                  "layers": [{"digest": l["digest"], "size": l["size"], "verity": v(l)} for l in d["layers"]]}))' "${2:-}"
}
layer_of() { "$MOS" image inspect --layout "$T/layout" "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])'; }
make_spec() { # FILE [ROOT-HASH of web's layer]
cat >"$1" <<EOS
release: 1
version: "1.0.0"
created: 2025-01-01T00:00:00Z
storage: {data-size: 300000000}
targets:
  - name: host
    type: hostfs
    image: $(spec_image hostfs:1)
  - name: web
    type: container
    image: $(spec_image web:1 "${2:-}")
    container:
      command: [/bin/busybox, httpd, -f]
EOS
}
make_spec "$T/spec.yaml"
"$MOS" manifest build "$T/spec.yaml" --product "$U" --out "$T/m.json" 2>/dev/null &&
        "$MOS" manifest sign --keyset "$T/a" --product hello "$T/m.json" 2>/dev/null || not_ok "manifest build/sign"
expect 0 'store 64 MiB, data 287 MiB' -- "$MOS" disk create --keyset "$T/a" --product hello --manifest "$T/m.json" --layout "$T/layout" --uki "$T/a.efi" --out "$T/full.img"
"$MOS" disk create --keyset "$T/a" --product hello --manifest "$T/m.json" --layout "$T/layout" --uki "$T/a.efi" --out "$T/full2.img" >/dev/null 2>&1
cmp -s "$T/full.img" "$T/full2.img" && ok "disk with manifest and images is reproducible" || not_ok "disk with manifest differs between runs"
off() { echo $(($(partx --show -g -o START -n "$1" "$T/full.img") * 512)); }
mcopy -i "$T/full.img@@$(off 2)" ::/manifest.json "$T/m.back" && cmp -s "$T/m.back" "$T/m.json" &&
        ok "config partition holds the manifest as signed" || not_ok "manifest on the config partition differs"
mcopy -i "$T/full.img@@$(off 2)" ::/manifest.json.sig "$T/sig.back" && cmp -s "$T/sig.back" "$T/m.json.sig" &&
        ok "config partition holds the signature" || not_ok "signature on the config partition differs"
mdir -b -i "$T/full.img@@$(off 3)" ::/blobs/sha256 2>/dev/null | xargs -n1 basename | sort >"$T/store-blobs"
ls "$T/layout/blobs/sha256" | sort >"$T/layout-blobs"
unref=$(printf unreferenced | sha256sum | cut -d' ' -f1)
[ "$(wc -l <"$T/store-blobs")" = 6 ] && ! grep -q "$unref" "$T/store-blobs" &&
        [ -z "$(comm -23 "$T/store-blobs" "$T/layout-blobs")" ] &&
        ok "store holds exactly the 6 referenced blobs" || not_ok "store blobs: $(tr '\n' ' ' <"$T/store-blobs")"
mcopy -i "$T/full.img@@$(off 3)" ::/index.json "$T/index.back"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [m["annotations"]["org.machineos.target"] for m in d["manifests"]] == ["host","web"]' "$T/index.back" &&
        ok "store index.json names the targets' manifests" || not_ok "store index.json: $(cat "$T/index.back")"
command -v skopeo >/dev/null && {
        mkdir -p "$T/store" && mcopy -s -i "$T/full.img@@$(off 3)" ::/ "$T/store/" 2>/dev/null
        expect 0 '"schemaVersion": ?2' -- skopeo inspect --raw "oci:$T/store:hostfs:1"
}
# Refusals: a layout blob changed, no signature, another product's manifest, a foreign keyset.
cp -r "$T/layout" "$T/layout-bad"
ld=$(layer_of web:1)
printf 'X' | dd of="$T/layout-bad/blobs/sha256/${ld#sha256:}" bs=1 seek=100 conv=notrunc status=none
expect 3 "target 'web': blob $ld: digest mismatch" -- "$MOS" disk create --keyset "$T/a" --product hello --manifest "$T/m.json" --layout "$T/layout-bad" --uki "$T/a.efi" --out "$T/x.img"
rm "$T/layout-bad/blobs/sha256/${ld#sha256:}"
expect 1 "target 'web': blob $ld: missing" -- "$MOS" disk create --keyset "$T/a" --product hello --manifest "$T/m.json" --layout "$T/layout-bad" --uki "$T/a.efi" --out "$T/x.img"
# The image manifest blob changed: refused from the bytes read, never parsed.
md=$(spec_image web:1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])')
cp -r "$T/layout" "$T/layout-bad2"
sed -i 's/"size"/"Size"/' "$T/layout-bad2/blobs/sha256/${md#sha256:}"
expect 3 "target 'web': 'web:1': manifest blob $md: digest mismatch" -- "$MOS" disk create --keyset "$T/a" --product hello --manifest "$T/m.json" --layout "$T/layout-bad2" --uki "$T/a.efi" --out "$T/x.img"
# A signed manifest whose verity parameters are not the layout's.
make_spec "$T/spec-verity.yaml" "$(printf 'c%.0s' $(seq 64))"
"$MOS" manifest build "$T/spec-verity.yaml" --product "$U" --out "$T/mv.json" 2>/dev/null &&
        "$MOS" manifest sign --keyset "$T/a" --product hello "$T/mv.json" 2>/dev/null || not_ok "manifest build/sign (verity)"
expect 3 "target 'web': layer 1 \($ld\): the verity parameters of the layout differ from the signed manifest's" -- "$MOS" disk create --keyset "$T/a" --product hello --manifest "$T/mv.json" --layout "$T/layout" --uki "$T/a.efi" --out "$T/x.img"
expect 3 "'$T/src-web' is not an OCI image layout" -- "$MOS" disk create --keyset "$T/a" --product hello --manifest "$T/m.json" --layout "$T/src-web" --uki "$T/a.efi" --out "$T/x.img"
cp "$T/m.json" "$T/nosig.json"
expect 3 "the signature $T/nosig.json.sig is missing" -- "$MOS" disk create --keyset "$T/a" --product hello --manifest "$T/nosig.json" --layout "$T/layout" --uki "$T/a.efi" --out "$T/x.img"
expect 3 "Refused manifest .* for product 'other'" -- "$MOS" disk create --keyset "$T/a" --product other --manifest "$T/m.json" --layout "$T/layout" --uki "$T/a.efi" --out "$T/x.img"
cp "$T/m.json" "$T/tampered.json"; cp "$T/m.json.sig" "$T/tampered.json.sig"
sed -i 's/"release":1/"release":2/' "$T/tampered.json"
expect 3 "Refused manifest" -- "$MOS" disk create --keyset "$T/a" --product hello --manifest "$T/tampered.json" --layout "$T/layout" --uki "$T/a.efi" --out "$T/x.img"
expect 2 "are required \(or --boot-only\)" -- "$MOS" disk create --keyset "$T/a" --product hello --uki "$T/a.efi" --out "$T/x.img"
[ ! -e "$T/x.img" ] && ok "nothing written on refusal" || not_ok "a refused disk create left $T/x.img"

done_testing
