#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: `mos tpm unlock` against the tpm2-tools command sequence a shell implementation
# runs for the same unseal (pcrread to pick the policy, loadexternal + verifysignature for the
# ticket, startauthsession salted with the SRK, policypcr, policynv, policyauthorize, load,
# unseal, flushcontext), in one run against the same swtpm. Prints the times, the ratio and the
# number of TPM commands each side sends (counted with tpm2-tss's pcap TCTI).
#   bench/tpm-unlock.sh [path/to/mos] [rounds]
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
MOS=$(realpath "${1:-build/src/mos/mos}")
ROUNDS=${2:-20}
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/integration/tpm-lib.sh"
for t in tpm2_unseal; do
        command -v $t >/dev/null || { echo "bench: $t is not installed"; exit 1; }
done

mktemp_dir W
cd "$W" || exit 1
make_test_keyset ks || { echo "bench: mos keyset create failed"; exit 1; }
start_swtpm TCTI "$W/tpm" || exit 1
"$MOS" tpm provision --policy-key ks/tpm-policy.pub --identity-out id.pem 2>/dev/null || exit 1
issue_device_cert ks id.pem id.crt
"$MOS" tpm provision --policy-key ks/tpm-policy.pub --certificate id.crt --secrets-dir sec \
        2>/dev/null || exit 1
PCR=$("$MOS" pcr7 predict --keyset ks)
"$MOS" pcr7 predict --keyset ks --json | python3 -c '
import json, sys
print("\n".join(e["digest"] for e in json.load(sys.stdin)["events"]))' >events
while read -r d; do tpm2_pcrextend "7:sha256=$d"; done <events
"$MOS" policy sign --keyset ks --pcr7 "$PCR" --revision 1 --out p1.policy || exit 1

# The tpm2-tools inputs: sealed object halves, signature, approved policy, aHash, operand.
python3 - <<'PY'
import hashlib, json, struct
b = open("sec/data-volume.sealed", "rb").read()
o = 12
n = struct.unpack_from(">H", b, o)[0]; open("sealed.pub", "wb").write(b[o:o + 2 + n]); o += 2 + n
n = struct.unpack_from(">H", b, o)[0]; open("sealed.priv", "wb").write(b[o:o + 2 + n])
d = json.load(open("p1.policy"))
approved = bytes.fromhex(d["policy-digest"])
open("approved.bin", "wb").write(approved)
open("ahash.bin", "wb").write(hashlib.sha256(approved).digest())
sig = bytes.fromhex(d["signature"])
open("policy.sig", "wb").write(struct.pack(">HHH", 0x18, 0x0B, 32) + sig[:32] +
                               struct.pack(">H", 32) + sig[32:])
open("operand.bin", "wb").write(struct.pack(">Q", d["revision"]))
PY

unlock_mos() {
        "$MOS" tpm unlock --sealed sec/data-volume.sealed --policies p1.policy --fd 3 3>mos.out
}
unlock_tools() {
        tpm2_pcrread sha256:7 -o pcr.bin >/dev/null &&
        tpm2_loadexternal -C o -G ecc -u ks/tpm-policy.pub -a 'decrypt|sign|userwithauth' \
                -c pkey.ctx -n pkey.name >/dev/null &&
        tpm2_verifysignature -c pkey.ctx -d ahash.bin -s policy.sig -t ticket.bin &&
        tpm2_flushcontext -t &&
        tpm2_startauthsession --policy-session -S session.ctx -c 0x81000001 2>/dev/null &&
        tpm2_policypcr -S session.ctx -l sha256:7 >/dev/null &&
        tpm2_policynv -S session.ctx -i operand.bin 0x01A0C001 ule >/dev/null &&
        tpm2_policyauthorize -S session.ctx -i approved.bin -n pkey.name -t ticket.bin \
                >/dev/null &&
        tpm2_load -C 0x81000001 -u sealed.pub -r sealed.priv -c seal.ctx >/dev/null &&
        tpm2_unseal -c seal.ctx -p session:session.ctx -o tools.out &&
        tpm2_flushcontext -t &&
        tpm2_flushcontext session.ctx
}

unlock_mos || { echo "bench: mos tpm unlock failed"; exit 1; }
unlock_tools || { echo "bench: the tpm2-tools sequence failed"; exit 1; }
cmp -s mos.out tools.out || { echo "bench: the two sides unsealed different bytes"; exit 1; }
[ "$(stat -c %s mos.out)" = 32 ] || { echo "bench: unexpected secret size"; exit 1; }

now() { date +%s%N; }
: >t-mos
: >t-tools
# Interleaved, so that load from other processes hits both sides alike.
for _ in $(seq 1 "$ROUNDS"); do
        s=$(now); unlock_tools; e=$(now); echo $(((e - s) / 1000)) >>t-tools
        for _ in 1 2 3; do
                s=$(now); unlock_mos; e=$(now); echo $(((e - s) / 1000)) >>t-mos
        done
done

# TPM commands per unlock, counted from a capture by tpm2-tss's pcap TCTI wrapped around the
# same swtpm TCTI (both sides load it through the TCTI loader): every TPM command is one
# pcapng packet sent to the TPM's port 2321.
count_commands() {
        python3 - "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
o = n = 0
while o + 12 <= len(b):
    btype, blen = struct.unpack_from("<II", b, o)
    if btype == 6:  # Enhanced Packet Block: IPv4 + TCP + TPM bytes
        pkt = b[o + 28:o + 28 + struct.unpack_from("<I", b, o + 20)[0]]
        ihl = (pkt[0] & 0x0F) * 4
        dport = struct.unpack_from(">H", pkt, ihl + 2)[0]
        payload = pkt[ihl + ((pkt[ihl + 12] >> 4) * 4):]
        if dport == 2321 and len(payload) >= 10:
            n += 1
    o += blen
print(n)
PY
}
export MOS_TPM2_TCTI="pcap:$TCTI" TPM2TOOLS_TCTI="pcap:$TCTI"
rm -f mos.pcap tools.pcap
TCTI_PCAP_FILE=$W/mos.pcap unlock_mos || { echo "bench: counting run of mos failed"; exit 1; }
TCTI_PCAP_FILE=$W/tools.pcap unlock_tools || { echo "bench: counting run of tools failed"; exit 1; }
CMD_MOS=$(count_commands mos.pcap)
CMD_TOOLS=$(count_commands tools.pcap)

python3 - "$CMD_MOS" "$CMD_TOOLS" <<'PY'
import statistics, sys
m = [int(x) for x in open("t-mos")]
t = [int(x) for x in open("t-tools")]
mm, tm = statistics.median(m), statistics.median(t)
print("mos tpm unlock:        median %6.2f ms  (min %6.2f, %d runs)" % (mm / 1000, min(m) / 1000, len(m)))
print("tpm2-tools sequence:   median %6.2f ms  (min %6.2f, %d runs, 12 tool invocations)" % (tm / 1000, min(t) / 1000, len(t)))
print("speed-up:              %.1fx (median), %.1fx (min)" % (tm / mm, min(t) / min(m)))
print("TPM commands:          mos %s, tpm2-tools %s" % (sys.argv[1], sys.argv[2]))
ok = tm / mm >= 20 and int(sys.argv[1]) <= int(sys.argv[2])
print("target (>= 20x, no more TPM commands): %s" % ("met" if ok else "NOT met"))
PY
