#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Secure Boot chain in real boots (issue 6): OVMF with Secure Boot enforcing our keys,
# swtpm, the disk from `mos disk create`, the diagnostic init in the initramfs.
#   - a UKI signed by the keyset boots and the guest reports Secure Boot on;
#   - an unsigned UKI, one signed by another keyset and one with a byte changed after signing
#     are refused by the firmware (the refusal marker, not a timeout);
#   - `mos pcr7 predict` equals the PCR 7 the guest reads, for two keysets;
#   - a signed PCR 7 policy made from the prediction unseals a secret inside the guest.
# Every boot is stopped at its marker or after 120 s, by `mos vm run`, which stops qemu and
# swtpm by process id. Boots run two or three at a time.
. "$(dirname "$0")/../lib.sh"
MOS=$1
here=$(cd "$(dirname "$0")" && pwd)
diag_init=$(cd "$(dirname "$MOS")/../.." && pwd)/tests/vm/diag-init
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)

for tool in qemu-system-x86_64 swtpm mcopy; do
        command -v "$tool" >/dev/null || skip_all "$tool is not installed"
done
[ -n "$kernel" ] || skip_all "no Debian kernel in /boot"
[ -r /usr/share/OVMF/OVMF_CODE_4M.secboot.fd ] || skip_all "no OVMF with Secure Boot"
[ -x "$diag_init" ] || skip_all "diag-init not built"
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }
t_start=$(date +%s.%N)

mktemp_dir T
cmdline="console=ttyS0 panic=-1 quiet"
for k in a b; do
        "$here/make-test-keyset.sh" "$T/$k" "$MOS" >/dev/null 2>&1 || { not_ok "make keyset $k"; done_testing; exit 1; }
        "$MOS" firmware vars --keyset "$T/$k" --out "$T/$k.vars" --auth-dir "$T/$k" 2>/dev/null ||
                not_ok "firmware vars $k"
done
expect 0 'bytes zstd' -- "$MOS" initramfs build --init "$diag_init" --module efivarfs --out "$T/initrd"
echo "# initramfs: $(stat -c %s "$T/initrd") bytes"
for k in a b; do
        "$MOS" uki build --keyset "$T/$k" --kernel "$kernel" --initrd "$T/initrd" --cmdline "$cmdline" --out "$T/$k.efi" 2>/dev/null ||
                not_ok "uki build $k"
        "$MOS" disk create --keyset "$T/$k" --uki "$T/$k.efi" --boot-only --out "$T/$k.img" >/dev/null ||
                not_ok "disk create $k"
done
echo "# UKI: $(stat -c %s "$T/a.efi") bytes"
"$MOS" uki build --unsigned --kernel "$kernel" --initrd "$T/initrd" --cmdline "$cmdline" --out "$T/unsigned.efi" 2>/dev/null
cp "$T/a.efi" "$T/tampered.efi"
# One byte inside the .linux section, after signing.
printf '\x42' | dd of="$T/tampered.efi" bs=1 seek=$((2 * 1024 * 1024 + 17)) conv=notrunc status=none
cmp -s "$T/a.efi" "$T/tampered.efi" && not_ok "tampering changed nothing"
# Refusal disks: keyset a's disk (systemd-boot signed by a) with another UKI on its ESP.
esp_off=$((1024 * 1024))
for bad in unsigned tampered b; do
        cp --sparse=always "$T/a.img" "$T/bad-$bad.img"
        mcopy -o -i "$T/bad-$bad.img@@$esp_off" "$T/$bad.efi" ::/EFI/Linux/machineos+3.efi
done

run_vm() { # NAME IMAGE VARS [TPM-STATE]: runs in the background, result in $T/NAME.{rc,json,log}
        local name=$1 image=$2 vars=$3 tpm=${4:-$T/tpm-$1}
        mkdir -p "$tpm"
        ("$MOS" vm run "$image" --vars "$vars" --tpm-state "$tpm" --timeout 120 --snapshot \
                --log "$T/$name.log" --json >"$T/$name.json" 2>"$T/$name.err"
         echo $? >"$T/$name.rc") &
        track_pid $!
        pids+=($!)
}
wait_vms() { wait "${pids[@]}"; pids=(); }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$T/$1.json" "$2" 2>/dev/null; }
secs() { python3 -c "import json,sys; print('%.1f' % (json.load(open(sys.argv[1]))[sys.argv[2]] / 1000))" "$T/$1.json" "$2" 2>/dev/null; }
diag() { grep -a "MOS-DIAG:" "$T/$1.log" | tr -d '\r' | grep -o "[[:space:]]$2=[^ ]*" | head -1 | sed "s/.*$2=//"; }

# ---- the refusals, three at a time ----
pids=()
for bad in unsigned tampered b; do run_vm "refused-$bad" "$T/bad-$bad.img" "$T/a.vars"; done
wait_vms
for bad in unsigned tampered b; do
        rc=$(cat "$T/refused-$bad.rc") outcome=$(field "refused-$bad" outcome)
        if [ "$rc" = 3 ] && [ "$outcome" = firmware-refused ] && grep -aq "Access Denied" "$T/refused-$bad.log"; then
                ok "UKI '$bad' refused by the firmware ('Access Denied') after $(secs "refused-$bad" milliseconds) s"
        else
                not_ok "UKI '$bad': exit $rc, outcome '$outcome'"
                sed 's/^/# /' "$T/refused-$bad.err"
        fi
        grep -aq "MOS-DIAG" "$T/refused-$bad.log" && not_ok "UKI '$bad' reached the initramfs"
done

# ---- the good boots, two at a time: keyset a and keyset b ----
run_vm good-a "$T/a.img" "$T/a.vars"
run_vm good-b "$T/b.img" "$T/b.vars"
wait_vms
for k in a b; do
        rc=$(cat "$T/good-$k.rc")
        if [ "$rc" = 0 ] && [ "$(field "good-$k" outcome)" = success ]; then
                ok "keyset $k: signed UKI boots to the success marker in $(secs "good-$k" milliseconds) s"
        else
                not_ok "keyset $k: signed UKI did not boot (exit $rc)"
                sed 's/^/# /' "$T/good-$k.err"
                tail -20 "$T/good-$k.log" | sed 's/^/# /'
        fi
        [ "$(diag "good-$k" secureboot)" = 1 ] && [ "$(diag "good-$k" setupmode)" = 0 ] &&
                ok "keyset $k: guest reports SecureBoot=1, SetupMode=0" || not_ok "keyset $k: secure boot state: $(grep -a secureboot "$T/good-$k.log")"
        [ "$(diag "good-$k" lockdown)" = integrity ] && ok "keyset $k: kernel lockdown integrity" ||
                not_ok "keyset $k: lockdown: $(diag "good-$k" lockdown)"
        pcr=$(diag "good-$k" pcr7)
        echo "$pcr" | grep -Eq '^[0-9a-f]{64}$' && ok "keyset $k: guest read PCR 7 from /dev/tpmrm0: $pcr" ||
                not_ok "keyset $k: no PCR 7 from the guest: $(grep -a 'MOS-DIAG' "$T/good-$k.log" | tail -3)"
        echo "$pcr" >"$T/pcr7-$k"
        echo "# keyset $k: first initramfs line $(secs "good-$k" first-initramfs-line-ms) s after qemu start ($(field "good-$k" accel))"
done
[ "$(cat "$T/pcr7-a")" != "$(cat "$T/pcr7-b")" ] && ok "PCR 7 differs between the keysets" || not_ok "PCR 7 is the same for both keysets"

# ---- PCR 7 prediction (mos pcr7 predict, issue 5) ----
if "$MOS" pcr7 predict --help >/dev/null 2>&1; then
        for k in a b; do
                predicted=$("$MOS" pcr7 predict --keyset "$T/$k" 2>"$T/predict-$k.err" | tr -d '\n')
                [ "$predicted" = "$(cat "$T/pcr7-$k")" ] && ok "keyset $k: mos pcr7 predict equals the guest's PCR 7" ||
                        not_ok "keyset $k: predicted '$predicted', guest read '$(cat "$T/pcr7-$k")'"
        done
else
        skip "mos pcr7 predict equals the guest's PCR 7 (keysets a and b)" "mos pcr7 predict is not in this build (issue 5)"
fi
skip "a signed PCR 7 policy unseals a secret inside the guest" "needs the TPM module of issue 5"

echo "# vm suite: $(echo "$(date +%s.%N) - $t_start" | bc | cut -c1-6) s"
done_testing
