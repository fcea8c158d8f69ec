#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Secure Boot chain in real boots (issue 6): OVMF with Secure Boot enforcing our keys,
# swtpm, the disk from `mos disk create`, the diagnostic init (diag-init.c) in the initramfs.
#   - a UKI signed by the keyset boots and the guest reports Secure Boot on;
#   - an unsigned UKI, one signed by another keyset and one with a byte changed after signing
#     are refused by the firmware (its refusal marker, not a timeout);
#   - `mos pcr7 predict` equals the PCR 7 the guest reads from the TPM, for two keysets, also
#     event by event against the firmware's event log;
#   - a signed PCR 7 policy made from the prediction unseals a secret inside the guest (and one
#     signed for another PCR 7 does not).
# Every boot is stopped at its marker or after 120 s by `mos vm run`, which stops qemu and swtpm
# by process id. Boots run three at a time.
. "$(dirname "$0")/../lib.sh"
MOS=$1
here=$(cd "$(dirname "$0")" && pwd)
diag_init=$(cd "$(dirname "$MOS")/../.." && pwd)/tests/vm/diag-init
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)

for tool in qemu-system-x86_64 swtpm mcopy python3; do
        command -v "$tool" >/dev/null || skip_all "$tool is not installed"
done
[ -n "$kernel" ] || skip_all "no Debian kernel in /boot"
[ -r /usr/share/OVMF/OVMF_CODE_4M.secboot.fd ] || skip_all "no OVMF with Secure Boot"
[ -x "$diag_init" ] || skip_all "diag-init not built"
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }
t_start=$(date +%s%N)

mktemp_dir T
cmdline="console=ttyS0 panic=-1 quiet"
for k in a b; do
        "$here/make-test-keyset.sh" "$T/$k" "$MOS" >/dev/null 2>&1 || { not_ok "make keyset $k"; done_testing; exit 1; }
        "$MOS" firmware vars --keyset "$T/$k" --out "$T/$k.vars" --auth-dir "$T/$k" 2>/dev/null ||
                not_ok "firmware vars $k"
done

# The TPM of keyset a's device, provisioned on the host through swtpm (mos tpm provision in two
# steps, the identity certificate in between), then stopped: the VMs get copies of its state.
have_tpm=0
if "$MOS" tpm provision --help >/dev/null 2>&1 && command -v tpm2_pcrextend >/dev/null; then
        have_tpm=1
        . "$here/../integration/tpm-lib.sh"
        "$MOS" product add "$T/a" appliance >/dev/null 2>&1
        start_swtpm TCTI "$T/tpm-prov" &&
                "$MOS" tpm provision --policy-key "$T/a/tpm-policy.pub" --identity-out "$T/id.pem" 2>"$T/prov.err" &&
                "$MOS" device add "$T/a" appliance SN-VM-1 --out "$T/dev" --pubkey "$T/id.pem" >/dev/null 2>>"$T/prov.err" &&
                "$MOS" tpm provision --policy-key "$T/a/tpm-policy.pub" --certificate "$T/dev/device.crt" \
                        --secrets-dir "$T/secrets" 2>>"$T/prov.err" &&
                ok "TPM of the test device provisioned (identity, certificate, sealed data-volume secret)" ||
                { not_ok "TPM provisioning"; sed 's/^/# /' "$T/prov.err"; }
        stop_swtpm
        rm -f "$T/tpm-prov"/*.log "$T/tpm-prov"/*.lock
        for k in a b; do "$MOS" pcr7 predict --keyset "$T/$k" >"$T/predicted-$k" 2>/dev/null; done
        mkdir -p "$T/policies-good" "$T/policies-other"
        "$MOS" policy sign --keyset "$T/a" --pcr7 "$(cat "$T/predicted-a")" --revision 1000 \
                --out "$T/policies-good/boot.policy" 2>/dev/null || not_ok "policy sign"
        # Signed by the right key, but for another boot state (keyset b's PCR 7).
        "$MOS" policy sign --keyset "$T/a" --pcr7 "$(cat "$T/predicted-b")" --revision 1000 \
                --out "$T/policies-other/other.policy" 2>/dev/null || not_ok "policy sign (other)"
fi

initrd() { # OUT [options]: the diagnostic initramfs
        local out=$1
        shift
        "$MOS" initramfs build --init "$diag_init" --module efivarfs "$@" --out "$out" >"$out.txt" 2>&1
}
expect 0 '' -- initrd "$T/initrd"
echo "# initramfs: $(cat "$T/initrd.txt")"
a_initrd=$T/initrd a_cmdline=$cmdline
if [ $have_tpm = 1 ]; then
        for v in good other; do
                initrd "$T/initrd-$v" --file "$T/secrets/data-volume.sealed:/etc/mos/test/data-volume.sealed" \
                        --policy "$T/policies-$v/"*.policy || not_ok "initramfs $v: $(cat "$T/initrd-$v.txt")"
        done
        a_initrd=$T/initrd-good a_cmdline="$cmdline mos.diag.unseal"
        "$MOS" uki build --keyset "$T/a" --kernel "$kernel" --initrd "$T/initrd-other" \
                --cmdline "$a_cmdline" --out "$T/other.efi" 2>/dev/null &&
                "$MOS" disk create --keyset "$T/a" --uki "$T/other.efi" --boot-only --out "$T/other.img" >/dev/null ||
                not_ok "disk for the other policy"
fi
"$MOS" uki build --keyset "$T/a" --kernel "$kernel" --initrd "$a_initrd" --cmdline "$a_cmdline" --out "$T/a.efi" 2>/dev/null ||
        not_ok "uki build a"
"$MOS" uki build --keyset "$T/b" --kernel "$kernel" --initrd "$T/initrd" --cmdline "$cmdline" --out "$T/b.efi" 2>/dev/null ||
        not_ok "uki build b"
for k in a b; do
        "$MOS" disk create --keyset "$T/$k" --uki "$T/$k.efi" --boot-only --out "$T/$k.img" >/dev/null ||
                not_ok "disk create $k"
done
echo "# UKI: $(stat -c %s "$T/b.efi") bytes (diagnostic init), $(stat -c %s "$T/a.efi") bytes (with the TPM module)"
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

pids=()
run_vm() { # NAME IMAGE VARS [TPM-STATE]: in the background; result in $T/NAME.{rc,json,log,err}
        local name=$1 image=$2 vars=$3 tpm=${4:-$T/tpm-$1}
        mkdir -p "$tpm"
        ("$MOS" vm run "$image" --vars "$vars" --tpm-state "$tpm" --timeout 120 --snapshot \
                --log "$T/$name.log" --json >"$T/$name.json" 2>"$T/$name.err"
         echo $? >"$T/$name.rc") &
        track_pid $!
        pids+=($!)
}
wait_vms() { wait "${pids[@]}"; pids=(); }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/$1.json" "$2" 2>/dev/null; }
secs() { python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))[sys.argv[2]] / 1000))' "$T/$1.json" "$2" 2>/dev/null; }
diag() { grep -a "MOS-DIAG:" "$T/$1.log" | tr -d '\r' | grep -o "[[:space:]]$2=[^ ]*" | head -1 | sed "s/.*$2=//"; }

# ---- the refusals, three at a time ----
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

# ---- the good boots: keyset a (its provisioned TPM), keyset b, and keyset a with a policy for
# another PCR 7 ----
if [ $have_tpm = 1 ]; then
        run_vm good-a "$T/a.img" "$T/a.vars" "$T/tpm-prov"
        run_vm unseal-other "$T/other.img" "$T/a.vars" "$T/tpm-prov"
else
        run_vm good-a "$T/a.img" "$T/a.vars"
fi
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
                ok "keyset $k: guest reports SecureBoot=1, SetupMode=0" ||
                not_ok "keyset $k: secure boot state: $(grep -a secureboot "$T/good-$k.log")"
        [ "$(diag "good-$k" lockdown)" = integrity ] && ok "keyset $k: kernel lockdown integrity" ||
                not_ok "keyset $k: lockdown: $(diag "good-$k" lockdown)"
        pcr=$(diag "good-$k" pcr7)
        echo "$pcr" | grep -Eq '^[0-9a-f]{64}$' && ok "keyset $k: guest read PCR 7 from /dev/tpmrm0: $pcr" ||
                not_ok "keyset $k: no PCR 7 from the guest: $(grep -a 'MOS-DIAG' "$T/good-$k.log" | tail -3)"
        echo "$pcr" >"$T/pcr7-$k"
        echo "# keyset $k: first initramfs line $(secs "good-$k" first-initramfs-line-ms) s after qemu start ($(field "good-$k" accel), 3 VMs on $(nproc) cores)"
done
[ "$(cat "$T/pcr7-a")" != "$(cat "$T/pcr7-b")" ] && ok "PCR 7 differs between the keysets" ||
        not_ok "PCR 7 is the same for both keysets"

# ---- PCR 7 prediction against the guest, value and events ----
if [ $have_tpm = 1 ]; then
        for k in a b; do
                [ "$(cat "$T/predicted-$k")" = "$(cat "$T/pcr7-$k")" ] &&
                        ok "keyset $k: mos pcr7 predict equals the PCR 7 the guest read" ||
                        not_ok "keyset $k: predicted '$(cat "$T/predicted-$k")', guest read '$(cat "$T/pcr7-$k")'"
                "$MOS" pcr7 predict --keyset "$T/$k" --json |
                        python3 -c 'import json,sys; print("\n".join(e["digest"] for e in json.load(sys.stdin)["events"]))' \
                                >"$T/events-predicted-$k"
                grep -a "pcr7-event=" "$T/good-$k.log" | tr -d '\r' | sed 's/.*pcr7-event=0x[0-9a-f]*://' >"$T/events-guest-$k"
                cmp -s "$T/events-predicted-$k" "$T/events-guest-$k" &&
                        ok "keyset $k: the firmware's PCR 7 events equal the prediction event by event ($(wc -l <"$T/events-guest-$k") events)" ||
                        not_ok "keyset $k: PCR 7 events differ: $(diff "$T/events-predicted-$k" "$T/events-guest-$k" | tr '\n' ' ')"
        done

        # ---- unseal inside the guest ----
        line=$(grep -a "unseal=" "$T/good-a.log" | tr -d '\r' | head -1)
        guest_hash=$(echo "$line" | grep -o 'secret-sha256=[0-9a-f]*' | cut -d= -f2)
        case "$line" in
        *unseal=ok*) ok "the signed PCR 7 policy unseals the secret inside the guest ($(echo "$line" | grep -o 'revision=[0-9]*'))" ;;
        *) not_ok "unseal in the guest: ${line:-no unseal line}" ;;
        esac
        # The same sealed object on the host, with PCR 7 replayed to the predicted events, gives
        # the same secret: the guest unsealed the real thing.
        cp -r "$T/tpm-prov" "$T/tpm-host"
        if start_swtpm TCTI "$T/tpm-host"; then
                while read -r d; do tpm2_pcrextend "7:sha256=$d" >/dev/null 2>&1 || break; done <"$T/events-predicted-a"
                "$MOS" tpm unlock --sealed "$T/secrets/data-volume.sealed" --policies "$T/policies-good" \
                        --out "$T/secret" 2>"$T/unlock.err"
                stop_swtpm
        fi
        host_hash=$(sha256sum "$T/secret" 2>/dev/null | cut -d' ' -f1)
        [ -n "$guest_hash" ] && [ "$guest_hash" = "$host_hash" ] &&
                ok "the guest's secret is the sealed one (same SHA-256 as a host unlock after replaying PCR 7)" ||
                not_ok "secret hashes: guest '$guest_hash', host '$host_hash' $(cat "$T/unlock.err" 2>/dev/null)"
        line=$(grep -a "unseal=" "$T/unseal-other.log" | tr -d '\r' | head -1)
        case "$line" in
        *"unseal=refused errno=1 "*) ok "a policy signed for another PCR 7 does not unseal in the guest (EPERM)" ;;
        *) not_ok "unseal with the other policy: ${line:-no unseal line} (exit $(cat "$T/unseal-other.rc"))" ;;
        esac
else
        skip "mos pcr7 predict equals the guest's PCR 7 (keysets a and b)" "no mos tpm/pcr7 verbs or tpm2-tools"
        skip "a signed PCR 7 policy unseals a secret inside the guest" "no mos tpm/pcr7 verbs or tpm2-tools"
fi

echo "# vm suite: $((($(date +%s%N) - t_start) / 1000000)) ms"
done_testing
