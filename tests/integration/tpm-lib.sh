# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the TPM integration tests and bench/: a private swtpm per test, a keyset and
# device certificates made by mos itself. Source after tests/lib.sh, with $MOS set.

command -v swtpm >/dev/null || skip_all "swtpm is not installed"
command -v openssl >/dev/null || skip_all "openssl is not installed"
[ -n "${MOS:-}" ] || { echo "tpm-lib.sh: set MOS before sourcing"; exit 1; }

# free_port: a TCP port on 127.0.0.1 nobody listens on, with the next one free too (swtpm
# takes PORT for commands and PORT+1 for control).
free_port() {
        python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randrange(20000, 60000, 2)
    ok = True
    for q in (p, p + 1):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", q))
        except OSError:
            ok = False
        finally:
            s.close()
    if ok:
        print(p)
        break
PY
}

# start_swtpm VAR STATEDIR: starts swtpm on a free port, waits until it answers, sets VAR to
# the TCTI string and exports MOS_TPM2_TCTI and TPM2TOOLS_TCTI. Stopped by PID at exit.
start_swtpm() {
        local var=$1 state=$2 port pid i
        mkdir -p "$state"
        for _ in 1 2 3 4 5; do
                port=$(free_port)
                swtpm socket --tpm2 --tpmstate dir="$state" \
                        --server type=tcp,port="$port",bindaddr=127.0.0.1 \
                        --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
                        --flags not-need-init,startup-clear >"$state/swtpm.log" 2>&1 &
                pid=$!
                track_pid "$pid"
                for i in $(seq 1 100); do
                        if ! kill -0 "$pid" 2>/dev/null; then
                                break
                        fi
                        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                                SWTPM_PID=$pid
                                printf -v "$var" 'swtpm:host=127.0.0.1,port=%s' "$port"
                                export MOS_TPM2_TCTI="swtpm:host=127.0.0.1,port=$port"
                                export TPM2TOOLS_TCTI="$MOS_TPM2_TCTI"
                                return 0
                        fi
                        sleep 0.05
                done
                kill "$pid" 2>/dev/null
        done
        echo "# swtpm did not start: $(cat "$state/swtpm.log")"
        return 1
}

# stop_swtpm: stops the current swtpm by its process id.
stop_swtpm() {
        kill "$SWTPM_PID" 2>/dev/null && wait "$SWTPM_PID" 2>/dev/null
        return 0
}

# make_test_keyset DIR: a keyset made by `mos keyset create` (docs/keyset.md) with one product,
# "appliance", for device certificates. Needs $MOS.
make_test_keyset() {
        "$MOS" keyset create "$1" --org "MachineOS tests" >/dev/null 2>&1 &&
                "$MOS" product add "$1" appliance >/dev/null 2>&1
}

# issue_device_cert KEYSET PUBKEY OUT: the identity certificate `mos device add --pubkey`
# issues for PUBKEY (PEM), copied to OUT.
_serial=0
issue_device_cert() {
        local d
        _serial=$((_serial + 1))
        d=$(mktemp -d "${TMPDIR:-/tmp}/mos-device.XXXXXX") || return 1
        "$MOS" device add "$1" appliance "SN$$-$_serial" --out "$d/out" --pubkey "$2" \
                >/dev/null 2>&1 && cp "$d/out/device.crt" "$3"
        local rc=$?
        rm -rf "$d"
        return $rc
}
