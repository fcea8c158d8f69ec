#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make-test-keyset.sh DIR [MOS]: a keyset for tests, in the layout of docs/keyset.md.
# With a `mos` that has `keyset create`, that makes it; otherwise the UEFI part (uefi-pk,
# uefi-kek, uefi-db, uefi-db-provision, efi/*.esl, keyset.json) is made here with the openssl
# CLI and efitools' cert-to-efi-sig-list, following docs/keyset.md exactly.
set -eu
dir=$1
mos=${2:-}
if [ -n "$mos" ] && "$mos" keyset create --help >/dev/null 2>&1; then
        exec "$mos" keyset create "$dir" --org "MachineOS test"
fi

mkdir -p "$dir/efi"
cd "$dir"
guid=$(cat /proc/sys/kernel/random/uuid)
days=3650
ext() { # NAME: extensions per docs/keyset.md
        case $1 in
        uefi-pk | uefi-kek) printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' ;;
        *) printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' ;;
        esac
}
mk() { # NAME CN ISSUER
        local name=$1 cn=$2 issuer=$3
        (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" 2>/dev/null)
        ext "$name" >"$name.ext"
        if [ "$issuer" = self ]; then
                openssl req -new -x509 -key "$name.key" -out "$name.crt" -days $days -sha256 \
                        -subj "/O=MachineOS test/CN=$cn" -extensions v3 \
                        -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; ext "$name") 2>/dev/null
        else
                openssl req -new -key "$name.key" -subj "/O=MachineOS test/CN=$cn" -out "$name.csr" 2>/dev/null
                openssl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" \
                        -CAcreateserial -days $days -sha256 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
                rm -f "$name.csr"
        fi
        rm -f "$name.ext"
}
mk uefi-pk "MachineOS test Platform Key" self
mk uefi-kek "MachineOS test Key Exchange Key" uefi-pk
mk uefi-db "MachineOS test Signature Database" uefi-kek
mk uefi-db-provision "MachineOS test Provisioning" uefi-kek
rm -f ./*.srl
esl() { cert-to-efi-sig-list -g "$guid" "$1.crt" "$2" >/dev/null; }
esl uefi-pk efi/PK.esl
esl uefi-kek efi/KEK.esl
esl uefi-db efi/db.1
esl uefi-db-provision efi/db.2
cat efi/db.1 efi/db.2 >efi/db.esl
rm -f efi/db.1 efi/db.2
printf '{"created":"%s","format":1,"org":"MachineOS test","owner-guid":"%s"}\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$guid" >keyset.json
