#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make demo: the hello appliance (examples/hello) from the vendor's keys to a running device,
# with every trust step shown as it happens, then two attacks caught. Everything is real: the
# keys, the signatures, OVMF with Secure Boot, swtpm, dm-verity, LUKS2, crun in the guest.
#   tools/demo.sh BUILDDIR        (work files in BUILDDIR/demo, kept for inspection)
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
MOS=$BUILD/src/mos/mos
MOS_INIT=$BUILD/src/init/mos-init
MOSD=$BUILD/src/mosd/mosd
WORK=$BUILD/demo
T_BEGIN=$(date +%s.%N)

for f in "$MOS" "$MOS_INIT" "$MOSD"; do
        [ -x "$f" ] || { echo "demo: $f is missing: run 'make' first" >&2; exit 1; }
done
for c in qemu-system-x86_64 swtpm curl busybox python3; do
        command -v $c >/dev/null || { echo "demo: $c is not installed (make deps)" >&2; exit 1; }
done
[ -n "$(ls /boot/vmlinuz-* 2>/dev/null)" ] || { echo "demo: no Debian kernel in /boot (linux-image-amd64)" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 1
. "$SRC/tools/appliance-lib.sh"

# ---- output ----
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "${2:-$(now)}"; }
if [ -t 1 ]; then B=$'\033[1m' G=$'\033[32m' R=$'\033[31m' N=$'\033[0m'; else B= G= R= N=; fi
section() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
step() { printf '  %s\n' "$*"; }
RESULTS=()
pass() { printf '  %s[ok]%s %s\n' "$G" "$N" "$*"; RESULTS+=("ok|$*"); }
fail() { printf '  %s[FAILED]%s %s\n' "$R" "$N" "$*"; RESULTS+=("FAILED|$*"); }
die() { fail "$*"; summary; exit 1; }
check() { # WHAT CMD...: pass or fail by the command's status
        local what=$1
        shift
        if "$@"; then pass "$what"; else fail "$what"; fi
}

# The console lines of a VM that tell the trust story, as they arrive: mos-init's and mosd's
# own lines, what the services print, the status table, and the kernel's verity errors.
CONSOLE_RE='^(mos-init|mosd): |^[a-z][a-z0-9_.-]*\| |^(SERVICE|web|counter) |^boot: |device-mapper: verity|SQUASHFS error'
follow() { # LOG PID: prints the interesting console lines until the VM ends
        tail -n +1 -F --pid="$2" "$1" 2>/dev/null |
                grep --line-buffered -aE "$CONSOLE_RE" |
                grep --line-buffered -avE 'phase [a-z]+: started at|^mosd: Every service is up' |
                sed -u -e 's/^\[ *[0-9.]*\] //' -e 's/^/      | /'
}
vm_boot() { # NAME IMAGE TPM [mos vm run options]: starts a VM and follows its console
        al_vm_start "$@"
        VM_PID=$AL_VM_PID
        follow "$1.log" "$VM_PID" &
        FOLLOW_PID=$!
}
vm_end() { # waits for the VM and its console follower; returns mos vm run's exit code
        local rc
        wait "$VM_PID"
        rc=$?
        wait "$FOLLOW_PID" 2>/dev/null
        return $rc
}
summary() {
        local r n_ok=0 n=0
        section "Summary"
        for r in "${RESULTS[@]}"; do
                n=$((n + 1))
                [ "${r%%|*}" = ok ] && n_ok=$((n_ok + 1))
                printf '  %-8s %s\n' "${r%%|*}" "${r#*|}"
        done
        printf '\n  %d of %d checks passed; the demo took %s s. Work files: %s\n' "$n_ok" "$n" \
                "$(since "$T_BEGIN")" "$WORK"
        [ "$n_ok" = "$n" ]
}

echo "MachineOS demo: a vendor builds the 'hello' appliance (a web page and a boot counter),"
echo "a factory provisions a device, the device boots under Secure Boot, and two attacks fail."

# ---- 1. keys ----
section "1. The vendor's keys (kept offline; private keys are 0600 files)"
al_keyset "Hello Appliances Inc." || die "keyset"
step "mos keyset create ks   -> Secure Boot PK, KEK, db (+ db-provision for the factory),"
step "                          manifest CA, device-identity CA, TPM policy key"
step "mos product add ks hello -> product hello $(al_uuid_of hello)"
step "mos product add ks other -> product other $(al_uuid_of other) (another product of the vendor)"
pass "keyset and products created"

# ---- 2. images ----
section "2. The images: squashfs layers with a dm-verity hash tree, in an OCI layout"
T=$(now)
al_images || die "images"
while read -r ref desc; do
        step "$(printf '%-16s %s  %s' "$ref" "$("$MOS" image inspect --layout layout "$ref" --json |
                python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["manifest"]["digest"][:19] + "...", sum(l["size"] for l in d["layers"]), "bytes")')" "$desc")"
done <<'EOF'
hello-web:1 busybox httpd + examples/hello/web/www (Debian's busybox and its libraries)
hello-counter:1 busybox sh + examples/hello/counter/counter.sh
hostfs:1 the host: mosd, crun, mos and their library closure (no shell)
EOF
pass "3 images built in $(since "$T") s (reproducible: the same inputs give the same digests)"

# ---- 3. signatures ----
section "3. What the appliance may run, signed"
al_manifest hello || die "manifest"
step "manifest: $(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("release %d, version %s, targets %s" % (d["release"], d["version"], ", ".join(
      "%s (%s, %s)" % (t["name"], t["type"], t["image"]["reference"]) for t in d["targets"])))
' hello/manifest.json)"
step "mos manifest sign -> hello/manifest.json.sig (CMS, product hello's signing certificate)"
check "the manifest verifies against the vendor's manifest CA" \
        al_run "$MOS" manifest verify --ca ks/manifest-ca.crt --product "$(al_uuid_of hello)" hello/manifest.json
al_policy || die "policy"
step "PCR 7 predicted from the keyset: $AL_PCR7"
step "mos policy sign -> production.policy: the TPM releases secrets only for this PCR 7"
T=$(now)
al_boot_files || die "boot files"
step "initramfs: mos-init + manifest CA + TPM policy key + the signed policy ($(stat -c %s initrd.img) bytes)"
step "production.efi: UKI (kernel + initramfs + command line) signed by db ($(stat -c %s production.efi) bytes)"
step "factory.efi: the same, signed by db-provision: its PCR 7 differs, it can never unseal"
step "vars.fd: firmware variables with the vendor's PK, KEK and db, Secure Boot on"
al_disk hello hello production.img || die "disk"
step "production.img: GPT with ESP (systemd-boot + UKI+3 tries), config (manifest), store (images), data"
pass "boot chain signed in $(since "$T") s"

# ---- 4. factory ----
section "4. Manufacturing: the device's TPM is provisioned on the device"
factory_say() {
        case $1 in
        boot1) step "factory boot 1 (factory UKI): the TPM creates the identity key; only its public key leaves" ;;
        station) grep -a 'factory: identity public key' factory1.log | sed 's/^.*mos-init: /      | /'
                step "station: mos factory get identity; mos device add ks hello SN-0001 --pubkey identity.pem;"
                step "         mos factory put certificate (the private key never left the TPM)" ;;
        boot2) step "factory boot 2: certificate stored in TPM NV, data-volume key generated and sealed by the TPM" ;;
        esac
}
T=$(now)
al_factory SN-0001 production.img factory_say || die "factory provisioning"
grep -a 'factory: step 2 done' factory2.log | sed 's/^.*mos-init: /      | /'
pass "device SN-0001 provisioned in $(since "$T") s; its sealed key goes to the production disk"

# ---- 5. first boot ----
section "5. First boot: Secure Boot, TPM, LUKS2, manifest, dm-verity, containers"
PORT=$(al_free_port)
step "mos vm run production.img: qemu, OVMF with Secure Boot enforcing the vendor's PK/KEK/db,"
step "  swtpm as the device's TPM, 127.0.0.1:$PORT forwarded to the appliance's port 8080."
step "  The firmware verifies systemd-boot and the UKI before they run; then mos-init:"
T=$(now)
vm_boot boot1 production.img tpm --persist --keep-running --timeout 300 --forward "$PORT:8080" \
        --monitor "$WORK/monitor.sock"
if al_wait_line boot1.log 'mosd: (ready|refused)' 240 "$VM_PID" && grep -aq 'mosd: ready' boot1.log; then
        T_READY=$(now)
        read -r RUN_AT GOOD_AT < <(grep -a 'mosd: ready' boot1.log | sed -E 's/.*running since ([0-9.]+) s, boot good at ([0-9.]+) s.*/\1 \2/')
        BOOT_S=$(python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]) - (float(sys.argv[4]) - float(sys.argv[3])):.1f}')" "$T_READY" "$T" "$RUN_AT" "$GOOD_AT")
        sleep 0.5
        pass "firmware verified the signed UKI; mos-init unsealed, locked PCR 7, verified; mosd runs the services"
        step "qemu start -> every service running: $BOOT_S s; -> boot marked good: $(since "$T" "$T_READY") s"
        PAGE=$(curl -fsS -m 10 "http://127.0.0.1:$PORT/" 2>&1)
        step "from the host: curl http://127.0.0.1:$PORT/"
        printf '%s\n' "$PAGE" | sed 's/^/      > /'
        check "the web service answers from inside the appliance" grep -q 'Hello from a MachineOS appliance' <<<"$PAGE"
        check "boot counting: the UKI's +tries counter removed after the good boot" grep -aq 'Boot counting: .* is good, renamed to' boot1.log
        step "reboot: ctrl-alt-delete (mosd stops the services, syncs, reboots)"
        al_monitor "$WORK/monitor.sock" "sendkey ctrl-alt-delete"
else
        fail "the first boot did not reach 'mosd: ready'"
fi
vm_end || fail "first boot: mos vm run exited with $?"
check "counter: boot 1 stored in its persistent volume" grep -aq 'counter| hello-counter: boot 1' boot1.log

# ---- 6. second boot ----
section "6. Second boot: the data volume is reopened with the TPM-sealed key"
vm_boot boot2 production.img tpm --persist --timeout 240 --forward "$(al_free_port):8080"
vm_end
RC=$?
check "second boot reached 'mosd: ready'" [ "$RC" = 0 ]
check "the counter kept its value across the reboot (boot 2)" grep -aq 'counter| hello-counter: boot 2' boot2.log

# ---- 7. attacks ----
section "7. Attacks: the disk changed while the device is off"
cp production.img tampered-layer.img
LAYER=$("$MOS" image inspect --layout layout hello-web:1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"][7:])')
$AL_HELPER tamper tampered-layer.img "layout/blobs/sha256/$LAYER" 8192 || die "tamper"
step "a) one bit flipped in the web service's layer (the busybox binary, 8 KiB in)"
al_manifest other other || die "other manifest"
al_disk other other other.img || die "other disk"
cp production.img foreign-manifest.img
$AL_HELPER copy-part other.img foreign-manifest.img mos-config || die "copy-part"
step "b) the configuration partition replaced by product 'other''s: a manifest validly signed"
step "   by the same vendor, for another product"
cp -a tpm tpm-a
cp -a tpm tpm-b
step "booting both (two VMs at once):"
al_vm_start tampered-layer tampered-layer.img tpm-a --timeout 240 --forward "$(al_free_port):8080"
PA=$AL_VM_PID
al_vm_start foreign-manifest foreign-manifest.img tpm-b --timeout 240 --forward "$(al_free_port):8080"
PB=$AL_VM_PID
wait "$PA"
RA=$?
wait "$PB"
RB=$?
step "a) tampered layer:"
grep -aE "$CONSOLE_RE" tampered-layer.log | grep -aE 'verity|SQUASHFS|web|counter|refused|^boot' | sed -e 's/^\[ *[0-9.]*\] //' -e 's/^/      | /'
check "a) web refused: I/O error, its layer does not match the verity hash (exit $RA)" \
        grep -aq "mosd: refused: service 'web': I/O error: layer 0 (sha256:$LAYER) does not match its verity hash" tampered-layer.log
check "a) the counter kept running beside it" grep -aEq '^counter +running' tampered-layer.log
step "b) foreign manifest:"
grep -a 'mos-init: refused' foreign-manifest.log | sed 's/^/      | /'
check "b) refused before anything of the image ran: manifest for another product (exit $RB)" \
        grep -aq "mos-init: refused: manifest /config/manifest.json: manifest is for product $(al_uuid_of other), expected product $(al_uuid_of hello)" foreign-manifest.log

summary
