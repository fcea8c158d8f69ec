#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The TPM trust core against real swtpm instances (docs/tpm.md): provisioning, PCR 7
# prediction replayed into the TPM, signed policies, unlock, lock, counters, every refusal with
# its reason, and a tpm2-tools cross-check of the NV/handle layout.
. "$(dirname "$0")/../lib.sh"
MOS=$(realpath "$1")
. "$(dirname "$0")/tpm-lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
command -v tpm2_nvread >/dev/null || skip_all "tpm2-tools is not installed"

mktemp_dir W
cd "$W" || exit 1
make_test_keyset ks || { echo "Bail out! mos keyset create failed"; exit 1; }
printf 'factory-owner-secret' >owner.auth

# replay_pcr7 KEYSET: extends PCR 7 of the current TPM with the events an OVMF Secure Boot
# measures, computed by an independent model (pcr7-events.py).
replay_pcr7() {
        openssl x509 -in "$1/uefi-db.crt" -outform DER -out signer.der
        python3 "$HERE/pcr7-events.py" "$1" signer.der >events || return 1
        while read -r d; do tpm2_pcrextend "7:sha256=$d" || return 1; done <events
}
pcr7_now() { tpm2_pcrread sha256:7 | awk '/7 :/ {print tolower(substr($3, 3))}'; }

# ---- TPM A: the full flow ----
start_swtpm TCTI_A "$W/tpm-a" || exit 1

expect 0 '' -- "$MOS" tpm provision --policy-key ks/tpm-policy.pub --identity-out id.pem
issue_device_cert ks id.pem id.crt
expect 0 'TPM provisioned' -- "$MOS" tpm provision --policy-key ks/tpm-policy.pub \
        --certificate id.crt --secrets-dir sec --owner-auth owner.auth
[ "$(stat -c %a sec/data-volume.sealed)" = 600 ] && ok "sealed secret file is 0600" ||
        not_ok "sealed secret file mode $(stat -c %a sec/data-volume.sealed)"

PRED=$("$MOS" pcr7 predict --keyset ks)
replay_pcr7 ks
[ "$(pcr7_now)" = "$PRED" ] && ok "mos pcr7 predict equals the replayed PCR 7 ($PRED)" ||
        not_ok "prediction $PRED != replayed $(pcr7_now)"
"$MOS" pcr7 predict --keyset ks --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("\n".join(e["digest"] for e in d["events"]))' >mos-events
cmp -s mos-events events && ok "the predicted events equal the independent model event by event" ||
        not_ok "predicted events differ: $(diff mos-events events)"
PROV=$("$MOS" pcr7 predict --keyset ks --signer provision)
[ "$PROV" != "$PRED" ] && ok "the factory (uefi-db-provision) PCR 7 differs from production" ||
        not_ok "factory PCR 7 equals production"

expect 0 '' -- "$MOS" policy sign --keyset ks --pcr7 "$PRED" --revision 1 --out p1.policy
mkdir pol && cp p1.policy pol/
expect 0 '' -- "$MOS" tpm unlock --sealed sec/data-volume.sealed --policies pol --out secret1
[ "$(stat -c %s secret1)" = 32 ] && [ "$(stat -c %a secret1)" = 600 ] &&
        ok "unlock wrote the 32-byte secret to a 0600 file" || not_ok "bad secret file"
expect 0 '' -- "$MOS" tpm unlock --sealed sec/data-volume.sealed --policies p1.policy --fd 3 \
        3>secret2
cmp -s secret1 secret2 && ok "unlock through --fd gives the same secret" || not_ok "secret differs"
expect 2 'exactly one of --out FILE and --fd N' -- "$MOS" tpm unlock \
        --sealed sec/data-volume.sealed --policies pol
expect 0 '"state":"unlocked"' -- "$MOS" tpm status --policies pol --json
expect 0 '"counters":\{"minimum-release":1,"policy-revision":1\}' -- "$MOS" tpm status --json

# A new PCR 7 value signed later unseals the same blob without resealing.
expect 0 '' -- "$MOS" policy sign --keyset ks --pcr7 "$(printf '%064d' 7)" --revision 1 \
        --out pol/other.policy
expect 0 '' -- "$MOS" tpm unlock --sealed sec/data-volume.sealed --policies pol --out secret3
cmp -s secret1 secret3 && ok "several signed policies: the matching one is chosen" ||
        not_ok "secret differs with several policies"

# ---- refusals, each with its reason ----
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out evil.key 2>/dev/null
mkdir evil && cp evil.key evil/tpm-policy.key
expect 0 '' -- "$MOS" policy sign --keyset evil --pcr7 "$PRED" --revision 1 --out evil.policy
expect 3 'signed by a key other than the tpm-policy key' -- "$MOS" tpm unlock \
        --sealed sec/data-volume.sealed --policies evil.policy --out x
sed 's/"revision":1/"revision":9/' p1.policy >tampered.policy
expect 3 "tampered.policy: policy-digest: does not match pcr7 and revision" -- "$MOS" tpm unlock \
        --sealed sec/data-volume.sealed --policies tampered.policy --out x
python3 - p1.policy >badsig.policy <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["signature"]
d["signature"] = s[:-2] + ("00" if s[-2:] != "00" else "01")
print(json.dumps(d, separators=(",", ":"), sort_keys=True), end="")
PY
expect 3 'badsig.policy: signature: does not verify' -- "$MOS" tpm unlock \
        --sealed sec/data-volume.sealed --policies badsig.policy --out x
printf '{"format":1' >broken.policy
expect 3 'broken.policy: line 1' -- "$MOS" tpm unlock --sealed sec/data-volume.sealed \
        --policies broken.policy --out x
expect 0 '' -- "$MOS" policy sign --keyset ks --pcr7 "$(printf '%064d' 1)" --revision 1 \
        --out wrongpcr.policy
expect 3 'PCR 7 is [0-9a-f]{64}: none of the 1 signed policies is for this boot state' -- \
        "$MOS" tpm unlock --sealed sec/data-volume.sealed --policies wrongpcr.policy --out x
head -c 100 sec/data-volume.sealed >truncated.sealed
expect 3 'not a MachineOS sealed secret' -- "$MOS" tpm unlock --sealed truncated.sealed \
        --policies pol --out x
[ ! -e x ] && ok "no secret file was written by any refused unlock" || not_ok "x exists"

# Revocation: revision 2 is signed, the device moves its counter to 2, revision 1 is dead.
expect 0 '' -- "$MOS" policy sign --keyset ks --pcr7 "$PRED" --revision 2 --out p2.policy
expect 3 'revision 1; it cannot move the policy revision counter past itself to 2' -- \
        "$MOS" tpm advance --policy-revision 2 --policies p1.policy
expect 0 '' -- "$MOS" tpm advance --policy-revision 2 --policies p2.policy
expect 3 'revision 1, below the TPM.s policy revision counter 2 \(revoked\)' -- "$MOS" tpm unlock \
        --sealed sec/data-volume.sealed --policies p1.policy --out x
expect 0 '' -- "$MOS" tpm unlock --sealed sec/data-volume.sealed --policies p2.policy \
        --out secret4
cmp -s secret1 secret4 && ok "revision 2 unseals the same secret" || not_ok "secret differs"
expect 3 'policy revision counter is 2; it never moves back to 1' -- "$MOS" tpm advance \
        --policy-revision 1 --policies p2.policy

# Minimum release: forward through the signed policy, never back.
expect 0 '' -- "$MOS" tpm advance --min-release 5 --policies p2.policy
expect 0 '"minimum-release":5' -- "$MOS" tpm status --json
expect 3 'minimum release counter is 5; it never moves back to 3' -- "$MOS" tpm advance \
        --min-release 3 --policies p2.policy
expect 0 '' -- "$MOS" tpm advance --min-release 6 --owner-auth owner.auth
printf 'not-the-owner-pw' >wrong.auth
expect 1 'authorization failure' -- "$MOS" tpm advance --min-release 7 --owner-auth wrong.auth

# Owner authorization alone cannot read a secret: the sealed object is policy-only.
python3 - sec/data-volume.sealed <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"MOS-SEAL"
o = 12
n = struct.unpack_from(">H", b, o)[0]
open("sealed.pub", "wb").write(b[o:o + 2 + n]); o += 2 + n
n = struct.unpack_from(">H", b, o)[0]
open("sealed.priv", "wb").write(b[o:o + 2 + n]); o += 2 + n
assert o == len(b)
PY
OWNER_HEX=$(xxd -p owner.auth | tr -d '\n')
expect 0 '' -- tpm2_nvdefine -C o -P "hex:$OWNER_HEX" -s 8 0x01500000
expect 0 '' -- tpm2_nvundefine -C o -P "hex:$OWNER_HEX" 0x01500000
expect 0 '' -- tpm2_load -C 0x81000001 -u sealed.pub -r sealed.priv -c sealed.ctx
expect 0 'fixedtpm\|fixedparent\|adminwithpolicy\|noda' -- tpm2_readpublic -c sealed.ctx
tpm2_flushcontext -t
expect 1 '0x12f|authValue or authPolicy is not available' -- tpm2_unseal -c sealed.ctx \
        -p "hex:$OWNER_HEX"
expect 1 '0x12f|authValue or authPolicy is not available' -- tpm2_unseal -c sealed.ctx
# Without a resource manager, objects another process left loaded fill the TPM's three slots:
# unlock flushes them and succeeds.
# (tpm2-tools left one copy of the sealed object loaded per command above: the slots are full.)
expect 0 '0x80000001' -- tpm2_getcap handles-transient
expect 0 '' -- "$MOS" tpm unlock --sealed sec/data-volume.sealed --policies p2.policy --out secret5
cmp -s secret1 secret5 && ok "unlock flushed leftover objects and unsealed" || not_ok "secret5"

# tpm2-tools read the layout docs/tpm.md describes.
expect 0 '' -- tpm2_nvread -C 0x01A0C003 -o nv-cert.der 0x01A0C003
openssl x509 -in id.crt -outform DER -out id.der
cmp -s nv-cert.der id.der && ok "tpm2_nvread: NV 0x01A0C003 holds the identity certificate (DER)" ||
        not_ok "certificate in NV differs"
expect 0 '' -- tpm2_nvread -C 0x01A0C001 -o nv-rev 0x01A0C001
[ "$(xxd -p nv-rev)" = 0000000000000002 ] && ok "tpm2_nvread: policy revision counter is 2" ||
        not_ok "policy revision counter $(xxd -p nv-rev)"
expect 0 '' -- tpm2_nvread -C 0x01A0C002 -o nv-rel 0x01A0C002
[ "$(xxd -p nv-rel)" = 0000000000000006 ] && ok "tpm2_nvread: minimum release counter is 6" ||
        not_ok "minimum release counter $(xxd -p nv-rel)"
expect 0 'value: 0x2204001A' -- tpm2_nvreadpublic 0x01A0C001
expect 0 'value: 0x2204001A' -- tpm2_nvreadpublic 0x01A0C002
expect 0 'value: 0x22042802' -- tpm2_nvreadpublic 0x01A0C003
expect 0 '' -- tpm2_nvread -C 0x01A0C000 -o nv-layout 0x01A0C000
[ "$(head -c 8 nv-layout | xxd -p)" = 4d4f532d54504d00 ] &&
        [ "$(tail -c +9 nv-layout | head -c 8 | xxd -p)" = 0000000100000002 ] &&
        ok "tpm2_nvread: layout record MOS-TPM, version 1, stage complete" ||
        not_ok "layout record $(xxd -p nv-layout)"
expect 0 '' -- tpm2_readpublic -c 0x81000A01 -f pem -o tpm-id.pem
cmp -s <(openssl pkey -pubin -in tpm-id.pem -outform DER) <(openssl pkey -pubin -in id.pem -outform DER) &&
        ok "tpm2_readpublic: 0x81000A01 is the identity key provisioning printed" ||
        not_ok "identity key differs"
expect 0 'fixedtpm\|fixedparent\|sensitivedataorigin\|userwithauth\|noda\|sign' -- \
        tpm2_readpublic -c 0x81000A01
cmp -s <(openssl x509 -in id.crt -noout -pubkey | openssl pkey -pubin -outform DER) \
        <(openssl pkey -pubin -in tpm-id.pem -outform DER) &&
        ok "the identity certificate from 'mos device add --pubkey' holds the key inside the TPM" ||
        not_ok "cert key differs"
expect 0 'OK' -- openssl verify -CAfile ks/sudi-ca.crt nv-cert.der

# Provisioning again is refused unless forced.
expect 1 'already provisioned \(stage complete\).*needs force' -- "$MOS" tpm provision \
        --policy-key ks/tpm-policy.pub --identity-out id2.pem --owner-auth owner.auth
expect 1 'owner authorization is set' -- "$MOS" tpm provision --policy-key ks/tpm-policy.pub \
        --identity-out id2.pem --force

# Lock: PCR 7 moves on, nothing unseals any more, the status says locked.
expect 0 '' -- "$MOS" tpm lock
expect 3 'none of the 1 signed policies is for this boot state' -- "$MOS" tpm unlock \
        --sealed sec/data-volume.sealed --policies p2.policy --out x
expect 0 '"state":"locked"' -- "$MOS" tpm status --policies p2.policy --json
expect 3 'none of the 1 signed policies' -- "$MOS" tpm advance --min-release 9 \
        --policies p2.policy
stop_swtpm

# ---- TPM B: interrupted provisioning, a blob from another TPM ----
start_swtpm TCTI_B "$W/tpm-b" || exit 1
expect 3 'not provisioned: no storage root key at handle 0x81000001' -- "$MOS" tpm unlock \
        --sealed sec/data-volume.sealed --policies pol --out x
expect 0 'Provisioned: +no' -- "$MOS" tpm status
tpm2_nvdefine -C o -s 8 -a "nt=counter|ownerwrite|authread" 0x01A0C001 >/dev/null
expect 0 '' -- "$MOS" tpm provision --policy-key ks/tpm-policy.pub --identity-out idb.pem
issue_device_cert ks id.pem wrong.crt
expect 3 'certificate is for another key' -- "$MOS" tpm provision --policy-key ks/tpm-policy.pub \
        --certificate wrong.crt --secrets-dir secb
issue_device_cert ks idb.pem idb.crt
: >not-a-dir
expect 1 "Failed to create 'not-a-dir/x'" -- "$MOS" tpm provision \
        --policy-key ks/tpm-policy.pub --certificate idb.crt --secrets-dir not-a-dir/x
expect 0 'TPM provisioned' -- "$MOS" tpm provision --policy-key ks/tpm-policy.pub \
        --certificate idb.crt --secrets-dir secb
replay_pcr7 ks
expect 3 'sealed secret was not made by this TPM' -- "$MOS" tpm unlock \
        --sealed sec/data-volume.sealed --policies p1.policy --out x
expect 0 '' -- "$MOS" tpm unlock --sealed secb/data-volume.sealed --policies p1.policy \
        --out secretb
cmp -s secret1 secretb && not_ok "two TPMs generated the same secret" ||
        ok "each TPM generates its own secret"
stop_swtpm

# ---- no TPM ----
PORT=$(free_port)
expect 1 "no TPM reachable through TCTI 'swtpm:host=127.0.0.1,port=$PORT'" -- \
        env MOS_TPM2_TCTI="swtpm:host=127.0.0.1,port=$PORT" "$MOS" tpm status
expect 1 "no TPM reachable" -- env MOS_TPM2_TCTI="device:/dev/nonexistent-tpm" "$MOS" tpm lock

# Usage errors.
expect 2 "invalid --pcr7 'xyz', expected 64 hex digits" -- "$MOS" policy sign --keyset ks \
        --pcr7 xyz --revision 1 --out x
expect 2 "invalid --revision '-1'" -- "$MOS" policy sign --keyset ks --pcr7 "$PRED" \
        --revision -1 --out x
expect 2 "missing --keyset DIR" -- "$MOS" pcr7 predict
expect 2 "invalid --signer 'nope'" -- "$MOS" pcr7 predict --keyset ks --signer nope
cp -r ks ks-other && cp ks/sudi-ca.crt ks-other/uefi-db.crt
expect 3 "uefi-db.crt is not in efi/db.esl" -- "$MOS" pcr7 predict --keyset ks-other
expect 2 "exactly one of --min-release N and --policy-revision N" -- "$MOS" tpm advance
expect 2 "unknown option '--frob'" -- "$MOS" tpm status --frob

done_testing
