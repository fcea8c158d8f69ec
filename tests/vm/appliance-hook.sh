#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ready hook of test-appliance.sh's debug host image (/etc/mos/ready-hook, run by mosd once
# the boot is good, output on the console). From inside the running appliance, as root of the
# host, it shows `mos status` and mounts two attacks of THREATS.md ("compromise a running
# service"): unsealing the TPM secrets after mos-init locked PCR 7, and a service reaching the
# TPM or another service's volume. Every line starts with "hook: " for the test to match.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
bb=/bin/busybox
say() { echo "hook: $*"; }

say "mos status:"
/usr/bin/mos status 2>&1 | $bb sed 's/^/hook:   /'
say "status-json $(/usr/bin/mos status --json 2>&1)"

# The fs-only target: readable by the host, read-only.
f=/run/mos/fs/assets/www/index.html
say "fs-only assets: www/index.html has $($bb wc -c <$f 2>/dev/null) bytes, writing refused: $( (echo x >>$f) 2>&1)"

# The sealed data-volume key, as an attacker with root on the host finds it: the LUKS2 token of
# the data partition (docs/boot.md). The signed policies are public (the debug image has them).
dev=
for d in /sys/class/block/*; do
        $bb grep -q '^PARTNAME=mos-data$' "$d/uevent" 2>/dev/null && dev=/dev/${d##*/}
done
hex=$($bb dd if="$dev" bs=4096 skip=1 count=3 2>/dev/null | $bb tr -c '0-9a-z":' '\n' |
        $bb grep -o '"sealed":"[0-9a-f]*"' | $bb head -1 | $bb cut -d'"' -f4)
say "sealed key from $dev: ${#hex} hex digits"
echo "$hex" | $bb xxd -r -p >/tmp/sealed
/usr/bin/mos tpm unlock --sealed /tmp/sealed --policies /etc/mos/policies --out /tmp/secret \
        >/tmp/unlock.out 2>&1
rc=$?
say "unlock exit $rc: $($bb head -1 /tmp/unlock.out)"
[ -e /tmp/secret ] && say "unlock wrote a secret (MUST NOT HAPPEN)"
say "tpm status: $(/usr/bin/mos tpm status --policies /etc/mos/policies 2>&1 | $bb grep -i 'pcr 7\|lock' | $bb tr '\n' ' ')"

# Inside the web service's container: no TPM device, no data volume, no other volume.
for p in /dev/tpmrm0 /dev/tpm0 /data /var/lib/counter; do
        if /usr/bin/crun --root /run/mos/crun exec web /bin/busybox ls -d "$p" >/dev/null 2>&1; then
                say "web sees $p"
        else
                say "web cannot see $p"
        fi
done
say "web reads the counter's state: $(/usr/bin/crun --root /run/mos/crun exec web /bin/busybox cat /data/mos/volumes/counter/state/boots 2>&1 | $bb head -1)"
say "done"
