#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mos keyset create/show, mos product add, mos device add: the layout of docs/keyset.md, every
# certificate checked with `openssl verify`, the ESLs against efitools, and every refusal.
. "$(dirname "$0")/../lib.sh"
MOS=$1
command -v openssl >/dev/null || skip_all "openssl not installed"
mktemp_dir T
K=$T/ks

# check NAME COMMAND...: one TAP line for a command that must succeed.
check() {
        local name=$1
        shift
        if OUT=$("$@" 2>&1); then ok "$name"; else
                not_ok "$name"
                printf '%s\n' "$OUT" | sed 's/^/# /' | head -20
        fi
}

mode() { stat -c %a "$1"; }

# ---- keyset create ----
expect 2 "missing argument: expected DIR" -- "$MOS" keyset create
expect 2 "unknown option '--frob'" -- "$MOS" keyset create --frob "$K"
expect 2 "option '--org' needs a value" -- "$MOS" keyset create "$K" --org
expect 2 "invalid --org ' x'" -- "$MOS" keyset create "$K" --org " x"
expect 2 "unexpected argument 'extra'" -- "$MOS" keyset create "$K" extra
expect 0 "Created keyset '$K' for 'Example Corp'" -- "$MOS" keyset create "$K" --org "Example Corp"
expect 1 "Refusing to create keyset '$K': the directory exists and is not empty" -- \
        "$MOS" keyset create "$K"
touch "$T/plainfile"
expect 1 "Refusing to create keyset '$T/plainfile': not a directory" -- \
        "$MOS" keyset create "$T/plainfile"
mkdir "$T/empty"
expect 0 "Created keyset" -- "$MOS" keyset create "$T/empty"
expect 1 "Failed to create keyset '$T/no/such': No such file or directory" -- \
        "$MOS" keyset create "$T/no/such"

for f in uefi-pk uefi-kek uefi-db uefi-db-provision manifest-ca sudi-ca tpm-policy; do
        check "$f.key has mode 0600" test "$(mode "$K/$f.key")" = 600
done
check "no temporary directory left" test -z "$(find "$T" -maxdepth 1 -name '.#*')"
check "keyset.json names format 1 and the org" \
        grep -q '"format":1,"org":"Example Corp","owner-guid":"[0-9a-f-]\{36\}"' "$K/keyset.json"

# Every certificate against its issuer, with OpenSSL's own verifier.
check "uefi-pk is a self-signed CA" openssl verify -x509_strict -CAfile "$K/uefi-pk.crt" "$K/uefi-pk.crt"
check "uefi-kek chains to uefi-pk" openssl verify -x509_strict -CAfile "$K/uefi-pk.crt" "$K/uefi-kek.crt"
check "uefi-db chains to uefi-pk via uefi-kek" openssl verify -x509_strict -CAfile "$K/uefi-pk.crt" \
        -untrusted "$K/uefi-kek.crt" "$K/uefi-db.crt"
check "uefi-db-provision chains to uefi-pk via uefi-kek" openssl verify -x509_strict \
        -CAfile "$K/uefi-pk.crt" -untrusted "$K/uefi-kek.crt" "$K/uefi-db-provision.crt"
check "manifest-ca is a self-signed CA" openssl verify -x509_strict -CAfile "$K/manifest-ca.crt" \
        "$K/manifest-ca.crt"
check "sudi-ca is a self-signed CA" openssl verify -x509_strict -CAfile "$K/sudi-ca.crt" "$K/sudi-ca.crt"
check "uefi-db has the codeSigning EKU" sh -c \
        "openssl x509 -in '$K/uefi-db.crt' -noout -ext extendedKeyUsage | grep -q 'Code Signing'"
check "uefi-db is RSA-2048" sh -c "openssl x509 -in '$K/uefi-db.crt' -noout -text | grep -q 'Public-Key: (2048 bit)'"
check "manifest-ca is EC P-256" sh -c "openssl x509 -in '$K/manifest-ca.crt' -noout -text | grep -q 'NIST CURVE: P-256'"
check "manifest-ca has CA:TRUE, pathlen:0" sh -c \
        "openssl x509 -in '$K/manifest-ca.crt' -noout -ext basicConstraints | grep -q 'CA:TRUE, pathlen:0'"
check "uefi-db has CA:FALSE" sh -c \
        "openssl x509 -in '$K/uefi-db.crt' -noout -ext basicConstraints | grep -q 'CA:FALSE'"
check "tpm-policy.pub is the public half of tpm-policy.key" sh -c \
        "openssl pkey -in '$K/tpm-policy.key' -pubout | cmp - '$K/tpm-policy.pub'"

# The ESLs are byte-identical to what efitools makes from the same certificates and GUID.
if command -v cert-to-efi-sig-list >/dev/null; then
        guid=$(sed 's/.*"owner-guid":"\([0-9a-f-]*\)".*/\1/' "$K/keyset.json")
        for v in PK:uefi-pk KEK:uefi-kek db:uefi-db; do
                cert-to-efi-sig-list -g "$guid" "$K/${v#*:}.crt" "$T/${v%%:*}.esl" >/dev/null
        done
        cert-to-efi-sig-list -g "$guid" "$K/uefi-db-provision.crt" "$T/prov.esl" >/dev/null
        cat "$T/prov.esl" >>"$T/db.esl"
        for v in PK KEK db; do
                check "efi/$v.esl matches cert-to-efi-sig-list" cmp "$T/$v.esl" "$K/efi/$v.esl"
        done
else
        ok "# SKIP efitools not installed: ESLs not compared"
fi

# ---- keyset show ----
expect 2 "missing argument: expected DIR" -- "$MOS" keyset show
expect 1 "Failed to open keyset '$T/empty-dir'" -- "$MOS" keyset show "$T/empty-dir"
fp=$(openssl x509 -in "$K/uefi-db.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
expect 0 "sha256 +$fp" -- "$MOS" keyset show "$K"
expect 0 "sudi-ca .*Device Identity CA" -- "$MOS" keyset show "$K"
check "keyset show: every status is ok" sh -c "'$MOS' keyset show '$K' | grep status | grep -vq -w ok && exit 1 || exit 0"
expect 2 "option '--json' takes no value" -- "$MOS" keyset show --json=yes "$K"
expect 2 "unknown option '-x'" -- "$MOS" keyset show -x "$K"
expect 0 "" -- "$MOS" keyset show --json "$K"
check "keyset show --json: one document with six certificates" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert [c["name"] for c in d["certificates"]] == ["uefi-pk", "uefi-kek", "uefi-db",
        "uefi-db-provision", "manifest-ca", "sudi-ca"], d
assert all(c["status"] == "ok" for c in d["certificates"])
assert d["certificates"][2]["sha256"] == sys.argv[2]
assert d["org"] == "Example Corp" and d["format"] == 1
' "$OUT" "$fp"
cp -r "$K" "$T/ks-extra"
sed -i 's/}$/,"extra":1}/' "$T/ks-extra/keyset.json"
expect 3 "Failed to open keyset '$T/ks-extra': keyset.json is malformed" -- "$MOS" keyset show "$T/ks-extra"

# ---- product add ----
expect 2 "missing argument: expected DIR NAME" -- "$MOS" product add "$K"
expect 2 "invalid product name 'Hello'" -- "$MOS" product add "$K" Hello
expect 2 "invalid --uuid 'nope'" -- "$MOS" product add "$K" hello --uuid nope
expect 0 "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" -- \
        "$MOS" --log-level warning product add "$K" hello
hello_uuid=$OUT
expect 1 "Refusing to add product 'hello' to keyset '$K': a product with that name exists" -- \
        "$MOS" product add "$K" hello
expect 0 "^2f0b3c0e-8d55-4b5e-9a57-0c6c1a7f3a11$" -- \
        "$MOS" --log-level warning product add "$K" other --uuid 2F0B3C0E-8D55-4B5E-9A57-0C6C1A7F3A11
expect 1 "another product has UUID" -- \
        "$MOS" product add "$K" third --uuid 2f0b3c0e-8d55-4b5e-9a57-0c6c1a7f3a11
expect 1 "Failed to open keyset '$T/nokeyset'" -- "$MOS" product add "$T/nokeyset" hello
check "manifest.key has mode 0600" test "$(mode "$K/products/hello/manifest.key")" = 600
check "product certificate chains to manifest-ca" openssl verify -x509_strict \
        -CAfile "$K/manifest-ca.crt" "$K/products/hello/manifest.crt"
check "product certificate carries the product UUID" sh -c \
        "openssl x509 -in '$K/products/hello/manifest.crt' -noout -text | grep -q '$hello_uuid'"
check "product certificate has the manifest-signing EKU" sh -c \
        "openssl x509 -in '$K/products/hello/manifest.crt' -noout -ext extendedKeyUsage | grep -q '2.25.173743573590220047513977788639328625523.2.1'"
expect 0 "product hello .*manifest signing" -- "$MOS" keyset show "$K"
expect 0 "product uuid $hello_uuid" -- "$MOS" keyset show "$K"

# ---- device add ----
expect 2 "missing option '--out OUTDIR'" -- "$MOS" device add "$K" hello SN-1
expect 2 "invalid serial number 'a b'" -- "$MOS" device add "$K" hello "a b" --out "$T/d"
expect 2 "missing argument: expected DIR PRODUCT SERIAL" -- "$MOS" device add "$K" hello --out "$T/d"
expect 0 "Issued device identity certificate for 'SN-1' of product 'hello'" -- \
        "$MOS" device add "$K" hello SN-1 --out "$T/dev1"
check "device.key has mode 0600" test "$(mode "$T/dev1/device.key")" = 600
check "device certificate chains to sudi-ca" openssl verify -x509_strict -CAfile "$K/sudi-ca.crt" \
        "$T/dev1/device.crt"
check "device.der is device.crt in DER" sh -c \
        "openssl x509 -in '$T/dev1/device.crt' -outform DER | cmp - '$T/dev1/device.der'"
check "device certificate names the serial number" sh -c \
        "openssl x509 -in '$T/dev1/device.crt' -noout -subject | grep -q 'serialNumber = SN-1'"
check "device certificate carries the product UUID" sh -c \
        "openssl x509 -in '$T/dev1/device.crt' -noout -text | grep -q '$hello_uuid'"
check "device key matches the certificate" sh -c \
        "test \"\$(openssl pkey -in '$T/dev1/device.key' -pubout)\" = \"\$(openssl x509 -in '$T/dev1/device.crt' -noout -pubkey)\""
check "device certificate does not chain to manifest-ca" sh -c \
        "! openssl verify -CAfile '$K/manifest-ca.crt' '$T/dev1/device.crt'"

# A key made elsewhere (stands in for the TPM-resident key).
openssl ecparam -name prime256v1 -genkey -noout -out "$T/tpm.key" 2>/dev/null
openssl pkey -in "$T/tpm.key" -pubout -out "$T/tpm.pub"
expect 0 "Issued" -- "$MOS" device add "$K" hello SN-2 --out "$T/dev2" --pubkey "$T/tpm.pub"
check "no device.key with --pubkey" test ! -e "$T/dev2/device.key"
check "--pubkey: the certificate certifies that key" sh -c \
        "test \"\$(cat '$T/tpm.pub')\" = \"\$(openssl x509 -in '$T/dev2/device.crt' -noout -pubkey)\""
expect 1 "Refusing to issue a second device certificate for serial number 'SN-1' of product 'hello'" -- \
        "$MOS" device add "$K" hello SN-1 --out "$T/dev3"
expect 1 "Refusing to write device files into '$T/dev1': a device file exists there" -- \
        "$MOS" device add "$K" hello SN-9 --out "$T/dev1"
expect 1 "Keyset '$K' has no product 'nope'" -- "$MOS" device add "$K" nope SN-3 --out "$T/dev3"
openssl genrsa -out "$T/rsa.key" 2048 2>/dev/null
openssl rsa -in "$T/rsa.key" -pubout -out "$T/rsa.pub" 2>/dev/null
expect 1 "Refusing public key '$T/rsa.pub': device identity keys are EC P-256" -- \
        "$MOS" device add "$K" hello SN-3 --out "$T/dev3" --pubkey "$T/rsa.pub"
expect 3 "Failed to load public key '$T/tpm.key': not a PEM public key" -- \
        "$MOS" device add "$K" hello SN-3 --out "$T/dev3" --pubkey "$T/tpm.key"
expect 1 "Failed to load public key '$T/missing.pub': No such file or directory" -- \
        "$MOS" device add "$K" hello SN-3 --out "$T/dev3" --pubkey "$T/missing.pub"

done_testing
