# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the TPM integration tests and bench/: a private swtpm per test, a test keyset
# laid out as docs/keyset.md says, and device certificates. Source after tests/lib.sh.

command -v swtpm >/dev/null || skip_all "swtpm is not installed"
command -v openssl >/dev/null || skip_all "openssl is not installed"

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

# make_test_keyset DIR: the files of docs/keyset.md that the TPM verbs use (uefi-pk/kek/db/
# db-provision, efi/*.esl, sudi-ca, tpm-policy), made with openssl and efitools.
make_test_keyset() {
        local d=$1 guid
        guid=$(python3 -c 'import uuid; print(uuid.uuid4())')
        mkdir -p "$d/efi"
        (
                cd "$d" || exit 1
                umask 077
                openssl req -x509 -newkey rsa:2048 -nodes -keyout uefi-pk.key \
                        -out uefi-pk.crt -subj "/CN=test PK" -days 3650 2>/dev/null
                for n in kek:pk db:kek db-provision:kek; do
                        local me=${n%%:*} ca=${n##*:}
                        openssl req -newkey rsa:2048 -nodes -keyout "uefi-$me.key" \
                                -out "uefi-$me.csr" -subj "/CN=test $me" 2>/dev/null
                        openssl x509 -req -in "uefi-$me.csr" -CA "uefi-$ca.crt" \
                                -CAkey "uefi-$ca.key" -CAcreateserial -days 3650 \
                                -out "uefi-$me.crt" 2>/dev/null
                        rm -f "uefi-$me.csr"
                done
                for n in pk:PK kek:KEK db:db db-provision:dbp; do
                        cert-to-efi-sig-list -g "$guid" "uefi-${n%%:*}.crt" "efi/${n##*:}.esl" \
                                >/dev/null
                done
                cat efi/db.esl efi/dbp.esl >efi/db.tmp && mv efi/db.tmp efi/db.esl
                rm -f efi/dbp.esl
                openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
                        -out tpm-policy.key 2>/dev/null
                openssl pkey -in tpm-policy.key -pubout -out tpm-policy.pub 2>/dev/null
                openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
                        -keyout sudi-ca.key -out sudi-ca.crt -subj "/CN=test SUDI CA" \
                        -days 3650 2>/dev/null
                printf '{"format":1,"org":"test","owner-guid":"%s","created":"2024-01-01T00:00:00Z"}' \
                        "$guid" >keyset.json
        )
}

# issue_device_cert KEYSET PUBKEY OUT: an identity certificate for PUBKEY signed by sudi-ca.
issue_device_cert() {
        openssl x509 -new -subj "/CN=test device/serialNumber=0001" -force_pubkey "$2" \
                -CA "$1/sudi-ca.crt" -CAkey "$1/sudi-ca.key" \
                -days 3650 -out "$3" 2>/dev/null
}
