#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The appliance's golden path in real Secure Boot VMs (docs/appliance.md): the hello product of
# examples/hello built by tools/appliance-lib.sh (the steps `make demo` runs), one device
# provisioned through the two factory boots, then:
#   boot 1  first boot: services running (console table, `mos status` from the ready hook of the
#           debug host image, --json), an fs-only target mounted read-only, the web page
#           fetched from the host through a forwarded port, boot counting and the
#           good-release record, unsealing from inside the running
#           system refused (PCR 7 locked), the web container sees neither the TPM nor the data
#           volume; a clean reboot by ctrl-alt-delete;
#   beside it, a copy of the disk with one byte changed in the web service's layer: web fails
#           with an I/O error and is reported failed with that reason, the counter runs;
#   boot 2  the counter's persistent value survived (2), the entry is already blessed.
# Two VMs run at a time (one per core). Timings are TAP comments for the report.
#   test-appliance.sh MOS MOS-INIT MOSD
. "$(dirname "$0")/../lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
MOS=$(realpath "$1")
MOS_INIT=$(realpath "$2")
MOSD=$(realpath "$3")

for c in qemu-system-x86_64 swtpm curl; do
        command -v $c >/dev/null || skip_all "$c is not installed"
done
[ -e /usr/share/OVMF/OVMF_CODE_4M.secboot.fd ] || skip_all "OVMF (Secure Boot build) is not installed"
[ -x /usr/sbin/mke2fs ] || skip_all "e2fsprogs is not installed"
[ -x /bin/busybox ] || skip_all "busybox is not installed"
[ -x /usr/bin/crun ] || skip_all "crun is not installed"
[ -n "$(ls /boot/vmlinuz-* 2>/dev/null)" ] || skip_all "no Debian kernel in /boot (linux-image-amd64)"
[ "$(id -u)" = 0 ] || skip_all "needs root (the host image's files are owned by root)"

mktemp_dir W
cd "$W" || exit 1
. "$SRC/tools/appliance-lib.sh"
T0=$(date +%s)

step() { # WHAT CMD...
        local what=$1
        shift
        if "$@"; then ok "$what"; else not_ok "$what"; done_testing; exit 1; fi
}
# console NAME REGEX WHAT: a line of NAME's console (without the serial line's CR) matches.
lines() { tr -d '\r' <"$1.log" 2>/dev/null; }
console() {
        if lines "$1" | grep -aEq -- "$2"; then ok "$1: $3"; else
                not_ok "$1: $3 (no /$2/ on the console)"
                grep -a 'mos-init\|mosd\|hook\||' "$1.log" 2>/dev/null | tail -25 | sed 's/^/# /'
        fi
}
no_console() { # NAME REGEX WHAT
        if lines "$1" | grep -aEq -- "$2"; then
                not_ok "$1: $3 (/$2/ on the console)"
                grep -aE -- "$2" "$1.log" | head -5 | sed 's/^/# /'
        else ok "$1: $3"; fi
}

# ---- the vendor: keys, images (the debug host image with the ready hook), signatures ----
step "keyset and products" al_keyset "MachineOS appliance test"
step "signed PCR 7 policy" al_policy
step "images: hello-web:1, hello-counter:1, hostfs:1 (debug: busybox, the ready hook, the policy)" \
        al_images --program /bin/busybox:/bin/busybox --file "$HERE/appliance-hook.sh:/etc/mos/ready-hook" \
        --file production.policy:/etc/mos/policies/production.policy
# examples/hello plus an fs-only target (the web image again, as a read-only tree for the host).
{ cat "$SRC/examples/hello/product.yaml"; printf '  - name: assets\n    type: fs-only\n    image: hello-web:1\n'; } |
        sed '/^storage:/,/^ *data-size/d' >spec.yaml
printf 'storage:\n  data-size: 268435456\n' >>spec.yaml
step "manifest built from examples/hello/product.yaml (+ an fs-only target) and signed" \
        al_manifest hello hello spec.yaml
step "initramfs, production and factory UKIs, firmware vars" al_boot_files
step "production disk" al_disk hello hello production.img
echo "# initramfs $(stat -c %s initrd.img) bytes, UKI $(stat -c %s production.efi) bytes, built in $(($(date +%s) - T0)) s"

# ---- the factory: two boots of the factory UKI on the device ----
T=$(date +%s)
step "factory provisioning on the device (identity key, certificate, sealed data-volume key)" \
        al_factory SN-T1 production.img
echo "# factory boots: $(al_seconds factory1) s and $(al_seconds factory2) s"

# The attacker's copy: one bit of the web layer's busybox (8 KiB in, a block mosd does not read
# at mount time) flipped on the installed disk, booted by the same device.
LAYER=$("$MOS" image inspect --layout layout hello-web:1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"][7:])')
cp production.img tampered.img
step "one byte of the web layer changed on a copy of the disk" \
        $AL_HELPER tamper tampered.img "layout/blobs/sha256/$LAYER" 8192
cp -a tpm tpm-tampered

# ---- boot 1 (golden, first boot) beside the tampered copy ----
PORT=$(al_free_port)
T=$(date +%s.%N)
al_vm_start boot1 production.img tpm --persist --keep-running --timeout 300 \
        --forward "$PORT:8080" --monitor "$W/monitor.sock"
P1=$AL_VM_PID
track_pid $P1
al_vm_start tampered tampered.img tpm-tampered --timeout 240 --forward "$(al_free_port):8080"
P2=$AL_VM_PID
track_pid $P2

if al_wait_line boot1.log 'mosd: (ready|refused)' 240 $P1 && grep -aq 'mosd: ready' boot1.log; then
        ok "boot1: mosd: ready"
        TR=$(date +%s.%N)
        read -r RUN_AT GOOD_AT < <(grep -a 'mosd: ready' boot1.log | sed -E 's/.*running since ([0-9.]+) s, boot good at ([0-9.]+) s.*/\1 \2/')
        echo "# boot1: qemu start -> every service running $(python3 -c "import sys; a=[float(x) for x in sys.argv[1:]]; print(f'{a[1]-a[0]-(a[3]-a[2]):.1f}')" "$T" "$TR" "$RUN_AT" "$GOOD_AT") s, -> ready $(python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$T" "$TR") s (two VMs running)"
        if PAGE=$(curl -fsS -m 20 "http://127.0.0.1:$PORT/") && [ "$PAGE" = "$(cat "$SRC/examples/hello/web/www/index.html")" ]; then
                ok "boot1: the web page fetched from the host through 127.0.0.1:$PORT is examples/hello/web/www/index.html"
        else
                not_ok "boot1: the web page from 127.0.0.1:$PORT: '$PAGE'"
        fi
        al_wait_line boot1.log '^hook: done' 60 $P1 || not_ok "boot1: the ready hook did not finish"
        al_monitor "$W/monitor.sock" "sendkey ctrl-alt-delete"
else
        not_ok "boot1: no 'mosd: ready' ($(grep -a 'mosd: refused\|mos-init: refused' boot1.log | head -1))"
fi
wait $P1
RC1=$?
wait $P2
RC2=$?

[ "$RC1" = 0 ] && [ "$(al_outcome boot1)" = success ] && ok "boot1: mos vm run succeeded" ||
        not_ok "boot1: mos vm run exit $RC1, outcome $(al_outcome boot1)"
console boot1 '^mosd: Target .web. \(container, hello-web:1\): 1 layer\(s\) through dm-verity' "web's layer mounted through dm-verity"
console boot1 '^mosd: Network: eth0 10\.0\.2\.15/24 via 10\.0\.2\.2, up\.' "eth0 configured for qemu user networking"
console boot1 '^web +running ' "status table: web running"
console boot1 '^counter +running ' "status table: counter running"
console boot1 '^boot: good' "status table: boot good"
console boot1 '^counter\| hello-counter: boot 1$' "counter: first boot counted"
console boot1 '^mosd: Boot counting: /EFI/Linux/machineos\+2-1\.efi is good, renamed to /EFI/Linux/machineos\.efi\.' "boot counting: the UKI's counter removed"
console boot1 '^mosd: Release 1 recorded as booted good in /config/state/good-release\.json\.' "release 1 recorded as booted good"
console boot1 '^hook:   web +running ' "mos status inside: web running"
console boot1 '^hook:   counter +running ' "mos status inside: counter running"
if grep -a '^hook: status-json ' boot1.log | sed 's/^hook: status-json //' | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["boot_good"] is True, d
assert sorted(s["name"] for s in d["services"]) == ["counter", "web"], d
assert all(s["state"] == "running" and s["kind"] == "container" for s in d["services"]), d
' 2>/dev/null; then ok "boot1: mos status --json inside: every target running, boot good"; else
        not_ok "boot1: mos status --json inside: $(grep -a '^hook: status-json' boot1.log)"; fi
console boot1 "^mosd: Target 'assets' \(fs-only\): 1 layer\(s\) through dm-verity, read-only on /run/mos/fs/assets\." "fs-only target mounted read-only"
console boot1 '^hook: fs-only assets: www/index.html has [1-9][0-9]* bytes, writing refused: .*Read-only file system' "the fs-only tree is readable and read-only for the host"
console boot1 '^hook: sealed key from /dev/vda4: [1-9][0-9]* hex digits' "the hook found the sealed key in the LUKS2 token"
console boot1 "^hook: unlock exit 3: mos: Failed to unlock '/tmp/sealed': PCR 7 is [0-9a-f]{64}: none of the 1 signed policies is for this boot state\$" "unsealing from inside the running system is refused (exit 3, PCR 7 locked)"
grep -a '^hook: unlock exit' boot1.log | sed 's/^/# /'
no_console boot1 'unlock wrote a secret' "no secret was written"
console boot1 '^hook: tpm status: .*locked' "mos tpm status inside: PCR 7 locked"
for p in /dev/tpmrm0 /dev/tpm0 /data /var/lib/counter; do
        console boot1 "^hook: web cannot see $p\$" "the web container cannot see $p"
done
console boot1 '^hook: web reads the counter.s state: .*No such file or directory' "the web container cannot read the counter's volume"
console boot1 '^counter\| hello-counter: stopping' "reboot: the counter got SIGTERM"
console boot1 '^mosd: Rebooting\.' "reboot: mosd rebooted after ctrl-alt-delete"

# The tampered copy.
[ "$RC2" = 3 ] && [ "$(al_outcome tampered)" = refused ] && ok "tampered: mos vm run exit 3 (refused)" ||
        not_ok "tampered: mos vm run exit $RC2, outcome $(al_outcome tampered)"
console tampered "^mosd: refused: service 'web': I/O error: layer 0 \(sha256:$LAYER\) does not match its verity hash \(dm-verity rejected a block\)$" "web refused with the I/O error and its layer"
console tampered 'device-mapper: verity: [0-9]+:[0-9]+: data block 2 is corrupted' "the kernel's dm-verity rejected block 2"
console tampered "^web +failed +- +0 .* I/O error: layer 0 \(sha256:$LAYER\)" "status table: web failed with the reason, not restarted"
console tampered '^counter +running ' "status table: the counter runs beside it"
console tampered '^counter\| hello-counter: boot 1$' "the counter did its work"
no_console tampered '^mosd: ready' "the boot was not marked good"
no_console tampered 'Boot counting: .* is good' "the boot entry was not blessed"

# ---- boot 2: the data survived ----
al_vm_start boot2 production.img tpm --persist --timeout 240 --forward "$(al_free_port):8080"
track_pid $AL_VM_PID
wait $AL_VM_PID
RC=$?
[ "$RC" = 0 ] && ok "boot2: mosd: ready" || not_ok "boot2: mos vm run exit $RC, outcome $(al_outcome boot2)"
console boot2 '^counter\| hello-counter: boot 2$' "the counter's persistent volume kept its value (boot 2)"
console boot2 '^mosd: Boot counting: the boot loader reports no counted entry' "boot counting: the entry stays blessed"
no_console boot2 'mos-init: .*formatted' "the data volume was not formatted again"
grep -a 'mos-init: phases:' boot2.log | sed 's/^/# boot2 /'
echo "# boot2: ready after $(al_seconds boot2) s (qemu start to 'mosd: ready', one VM)"
echo "# test-appliance.sh: $(($(date +%s) - T0)) s"
done_testing
