# SPDX-License-Identifier: LGPL-2.1-or-later
# The vendor's and the factory's steps for the hello appliance, shared by `make demo`
# (tools/demo.sh) and the golden-path VM test (tests/vm/test-appliance.sh). Source it with
# MOS, MOS_INIT, MOSD and SRC (the repository) set, in the working directory. Functions are
# quiet on success; on failure they print what failed on stderr and return non-zero.
#
# Files they make in the working directory:
#   ks/                 keyset (offline vendor keys), products hello (and other)
#   layout/             OCI layout: hostfs:1, hello-web:1, hello-counter:1
#   hello/manifest.json(.sig)   the signed product manifest
#   production.policy   the signed PCR 7 policy
#   initrd.img, production.efi, factory.efi, vars.fd
#   factory.img         the factory disk (boot only), production.img the appliance's disk
#   tpm/                the device's TPM state (swtpm)

AL_MODULES="virtio_pci virtio_blk loop dm-mod dm-verity dm-crypt ecb xts algif_skcipher squashfs
            overlay vfat nls_cp437 nls_ascii ext4 crc32c_generic virtio_net efivarfs"
AL_CMDLINE="console=ttyS0 panic=-1 quiet"
AL_HELPER="python3 $SRC/tests/vm/boot-helper.py"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}

al_kernel() { ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1; }

al_run() { # CMD...: runs quietly, shows the output when it fails
        local out
        if ! out=$("$@" 2>&1); then
                printf '%s\n' "$out" >&2
                echo "failed: $*" >&2
                return 1
        fi
        AL_OUT=$out
}

al_uuid_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["uuid"])' "ks/products/$1/product.json"; }

# The vendor's keys: a keyset and the product (plus "other", a second product of the vendor,
# whose manifests must not run on hello devices).
al_keyset() {
        al_run "$MOS" keyset create ks --org "${1:-Hello Appliances Inc.}" &&
                al_run "$MOS" product add ks hello &&
                al_run "$MOS" product add ks other
}

# The signed PCR 7 policy: what the firmware will measure with Secure Boot on and these keys.
al_policy() {
        AL_PCR7=$("$MOS" pcr7 predict --keyset ks) &&
                al_run "$MOS" policy sign --keyset ks --pcr7 "$AL_PCR7" --revision 1 \
                        --out production.policy
}

# The images: the two services from Debian's busybox, the host image from this build's mosd,
# mos and Debian's crun. Extra arguments go to `mos hostfs build` (the VM test's debug image).
al_images() {
        cat >network.json <<'EOF'
{"version":1,"interfaces":[{"name":"eth0","address":"10.0.2.15/24","gateway":"10.0.2.2"}]}
EOF
        al_run "$SRC/examples/hello/build-images.sh" "$MOS" layout &&
                al_run "$MOS" hostfs build --layout layout --tag hostfs:1 --mosd "$MOSD" \
                        --program "$MOS:/usr/bin/mos" --file network.json:/etc/mos/network.json "$@"
}

# manifest PRODUCT [DIR [SPEC]]: the manifest of SPEC (default examples/hello/product.yaml) for
# PRODUCT, signed, in DIR/ (default PRODUCT/).
al_manifest() {
        local product=$1 dir=${2:-$1} spec=${3:-$SRC/examples/hello/product.yaml}
        mkdir -p "$dir" &&
                al_run "$MOS" manifest build "$spec" --layout layout \
                        --product "$(al_uuid_of "$product")" --out "$dir/manifest.json" &&
                al_run "$MOS" manifest sign --keyset ks --product "$product" "$dir/manifest.json"
}

# The boot chain: initramfs with mos-init (manifest-ca, tpm-policy key and the signed policy
# inside), the production UKI (db key) and the factory UKI (provisioning key), firmware vars.
al_boot_files() {
        local mods=() m kernel
        kernel=$(al_kernel)
        for m in $AL_MODULES; do mods+=(--module "$m"); done
        al_run "$MOS" initramfs build --init "$MOS_INIT" --program /usr/sbin/mke2fs "${mods[@]}" \
                --keyset ks --policy production.policy --level 3 --out initrd.img &&
                al_run "$MOS" uki build --keyset ks --kernel "$kernel" --initrd initrd.img \
                        --cmdline "$AL_CMDLINE" --out production.efi &&
                al_run "$MOS" uki build --provision --keyset ks --kernel "$kernel" \
                        --initrd initrd.img --cmdline "$AL_CMDLINE mos.mode=provision" \
                        --out factory.efi &&
                al_run "$MOS" firmware vars --keyset ks --out vars.fd
}

# disk PRODUCT MANIFEST-DIR OUT: the appliance's installable disk.
al_disk() {
        al_run "$MOS" disk create --keyset ks --uki production.efi --product "$1" \
                --manifest "$2/manifest.json" --layout layout --out "$3"
}

# ---- VMs ----

# vm_start NAME IMAGE TPM-DIR [mos vm run options]: boots in the background; the console goes
# to NAME.log, the outcome to NAME.json; $AL_VM_PID is `mos vm run`.
al_vm_start() {
        local name=$1 image=$2 tpm=$3
        shift 3
        "$MOS" vm run "$image" --vars vars.fd --tpm-state "$tpm" --json --log "$name.log" "$@" \
                >"$name.json" 2>"$name.err" &
        AL_VM_PID=$!
}

# vm_wait PID: waits for `mos vm run` and returns its exit code.
al_vm_wait() { wait "$1"; }

al_outcome() { $AL_HELPER vm-json "$1.json" 2>/dev/null | cut -d' ' -f1; }
al_seconds() { $AL_HELPER vm-json "$1.json" 2>/dev/null | cut -d' ' -f2; }

# wait_line LOG REGEX SECONDS [PID]: polls the console log until a line matches (0), the VM
# process PID ends (1) or the time is up (1).
al_wait_line() {
        local log=$1 re=$2 end=$((SECONDS + $3)) pid=${4:-}
        while [ $SECONDS -lt "$end" ]; do
                grep -aEq -- "$re" "$log" 2>/dev/null && return 0
                [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && {
                        grep -aEq -- "$re" "$log" 2>/dev/null
                        return
                }
                sleep 0.2
        done
        return 1
}

# monitor SOCKET COMMAND: one command to qemu's human monitor (mos vm run --monitor).
al_monitor() {
        python3 - "$1" "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(2)
try:
    s.recv(4096)  # the banner and prompt
except OSError:
    pass
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(0.3)
s.close()
PY
}

al_free_port() {
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Factory provisioning of the device whose TPM state is in tpm/, on the factory disk: boot 1
# makes the identity key in the TPM and hands out its public key; the station issues the
# certificate; boot 2 stores it and seals the data-volume key; the station carries the sealed
# key (not a secret: only this TPM can load it) to the production disk DISK.
#   al_factory SERIAL DISK [callback]: callback STEP is called between the steps (the demo's
#   narration).
al_factory() {
        local serial=$1 disk=$2 say=${3:-:}
        mkdir -p tpm
        al_run "$MOS" disk create --keyset ks --uki factory.efi --boot-only --out factory.img ||
                return 1
        $say boot1
        al_vm_start factory1 factory.img tpm --persist --timeout 240 --quiet
        al_vm_wait $AL_VM_PID
        grep -aq 'mos-init: factory: step 1 done' factory1.log ||
                { echo "factory boot 1 did not make the identity key ($(al_outcome factory1)):" >&2; tail -5 factory1.log >&2; return 1; }
        $say station
        al_run "$MOS" factory get factory.img identity --out identity.pem &&
                al_run "$MOS" device add ks hello "$serial" --out device --pubkey identity.pem &&
                al_run "$MOS" factory put factory.img certificate device/device.der || return 1
        $say boot2
        al_vm_start factory2 factory.img tpm --persist --timeout 240 --quiet
        al_vm_wait $AL_VM_PID
        grep -aq 'mos-init: factory: step 2 done' factory2.log ||
                { echo "factory boot 2 did not complete ($(al_outcome factory2)):" >&2; tail -5 factory2.log >&2; return 1; }
        al_run "$MOS" factory get factory.img sealed-data-volume --out sealed-data-volume.bin &&
                al_run "$MOS" factory put "$disk" sealed-data-volume sealed-data-volume.bin
}
