#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mos manifest build/sign/verify/show: canonical output, signatures that OpenSSL verifies (and
# OpenSSL signatures that mos verifies), and the tamper matrix of issue 3, each case asserting
# exit 3 and its reason.
. "$(dirname "$0")/../lib.sh"
MOS=$1
SRC=$(cd "$(dirname "$0")/../.." && pwd)
command -v openssl >/dev/null || skip_all "openssl not installed"
command -v python3 >/dev/null || skip_all "python3 not installed"
mktemp_dir T
K=$T/ks
K2=$T/ks2
OID=2.25.173743573590220047513977788639328625523
unset SOURCE_DATE_EPOCH

check() {
        local name=$1
        shift
        if OUT=$("$@" 2>&1); then ok "$name"; else
                not_ok "$name"
                printf '%s\n' "$OUT" | sed 's/^/# /' | head -20
        fi
}

# refused REASON FILE [SIG] [verify options...]: mos manifest verify exits 3 naming REASON.
refused() {
        local reason=$1
        shift
        expect 3 "Refusing manifest '[^']*': .*$reason" -- "$MOS" manifest verify --ca "$K/manifest-ca.crt" "$@"
}

# openssl_sign KEY CERT FILE SIG: a detached CMS signature made by OpenSSL, not by mos.
openssl_sign() {
        openssl cms -sign -binary -nosmimecap -in "$3" -signer "$2" -inkey "$1" -outform DER \
                -out "$4"
}

"$MOS" keyset create "$K" --org "Example Corp" 2>/dev/null || exit 1
"$MOS" keyset create "$K2" --org "Other Corp" 2>/dev/null || exit 1
U=$("$MOS" product add "$K" hello 2>/dev/null) || exit 1
UO=$("$MOS" product add "$K" other 2>/dev/null) || exit 1
"$MOS" product add "$K2" hello >/dev/null 2>&1 || exit 1
"$MOS" device add "$K" hello SN-1 --out "$T/dev" 2>/dev/null || exit 1

h() { printf "$1%.0s" $(seq 64); }
layer() { # DIGEST-CHAR ROOT-CHAR: one explicit layer (12 KiB: 2 data blocks, tree at 8 KiB)
        echo "{digest: \"sha256:$(h "$1")\", size: 12288, verity: {root-hash: \"$(h "$2")\", salt: \"00ff\", data-blocks: 2, hash-offset: 8192}}"
}
image() { # REF DIGEST-CHAR
        echo "{reference: \"$1\", digest: \"sha256:$(h "$2")\", size: 700, layers: [$(layer "$2" c)]}"
}

# ---- build ----
cat >"$T/spec.yaml" <<EOF
# A product description with explicit image digests.
release: 1
version: "1.0.0"
created: 2025-01-01T00:00:00Z
targets:
  - name: host
    type: hostfs
    image: $(image hostfs:1 a)
  - name: web
    type: container
    image: $(image hello-web:1 d)
    container:
      command: [/bin/busybox, httpd, -f, -p, "8080"]
      network: host
      restart: always
  - name: counter
    type: container
    image: $(image hello-counter:1 e)
    container:
      command: [/bin/counter]
      env: [STATE=/var/lib/counter/count]
      volumes:
        - {label: state, mount-path: /var/lib/counter, persistent: true, size: 1048576}
EOF
expect 2 "missing option '--out FILE'" -- "$MOS" manifest build "$T/spec.yaml"
expect 2 "missing argument: expected SPEC" -- "$MOS" manifest build --out "$T/m.json"
expect 2 "invalid --release '0'" -- "$MOS" manifest build "$T/spec.yaml" --out "$T/m.json" --release 0
expect 2 "invalid --product 'x'" -- "$MOS" manifest build "$T/spec.yaml" --out "$T/m.json" --product x
expect 3 "Invalid spec '$T/spec.yaml': field 'product': missing \(set it in the spec or use --product\)" -- \
        "$MOS" manifest build "$T/spec.yaml" --out "$T/m.json"
expect 0 "Wrote manifest '$T/m.json' \(release 1, 3 targets\)" -- \
        "$MOS" manifest build "$T/spec.yaml" --out "$T/m.json" --product "$U"
expect 0 "" -- "$MOS" manifest build "$T/spec.yaml" --out "$T/m2.json" --product "$U"
check "the same spec gives the same bytes" cmp "$T/m.json" "$T/m2.json"
check "the manifest is canonical JSON (sorted keys, compact, no newline)" python3 -c '
import json, sys
data = open(sys.argv[1], "rb").read()
doc = json.loads(data)
assert data == json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
assert doc["format"] == 1 and doc["release"] == 1 and doc["product"] == sys.argv[2]
web = [t for t in doc["targets"] if t["name"] == "web"][0]
assert web["container"]["working-dir"] == "/" and web["container"]["userns-group"] == "web"
assert web["container"]["args"] == [] and web["container"]["env"] == []
' "$T/m.json" "$U"
# The same description as JSON (converted by Python) builds the same bytes.
python3 - "$T/m.json" "$T/spec.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
del doc["format"], doc["product"]
for t in doc["targets"]:
        c = t.get("container", {})
        for k, default in (("args", []), ("env", []), ("working-dir", "/"),
                           ("userns-group", t["name"])):
                if c.get(k) == default:
                        del c[k]
json.dump(doc, open(sys.argv[2], "w"), indent=4)
EOF
expect 0 "" -- "$MOS" manifest build "$T/spec.json" --out "$T/m3.json" --product "$U"
check "YAML and JSON specs give the same bytes" cmp "$T/m.json" "$T/m3.json"
expect 0 "" -- "$MOS" manifest build "$T/spec.yaml" --out "$T/m-r2.json" --product "$U" --release 2

sed '/^created:/d' "$T/spec.yaml" >"$T/nocreated.yaml"
expect 1 "Invalid spec '$T/nocreated.yaml': field 'created': missing \(set it in the spec or set \\\$SOURCE_DATE_EPOCH" -- \
        "$MOS" manifest build "$T/nocreated.yaml" --out "$T/x.json" --product "$U"
expect 0 "" -- env SOURCE_DATE_EPOCH=1735689600 "$MOS" manifest build "$T/nocreated.yaml" --out "$T/m4.json" --product "$U"
check "\$SOURCE_DATE_EPOCH gives the creation time" cmp "$T/m.json" "$T/m4.json"
sed 's/^version: .*/version: "1.0.0"\ncolour: red/' "$T/spec.yaml" >"$T/unknown.yaml"
expect 3 "Invalid spec '$T/unknown.yaml': field 'colour': unknown field" -- \
        "$MOS" manifest build "$T/unknown.yaml" --out "$T/x.json" --product "$U"
printf 'release: 1\nrelease: 2\n' >"$T/dup.yaml"
expect 3 "Invalid spec '$T/dup.yaml': line 2, column 1: duplicate key 'release'" -- \
        "$MOS" manifest build "$T/dup.yaml" --out "$T/x.json" --product "$U"
sed 's/^    image: {reference: "hostfs:1".*/    image: hostfs:1/' "$T/spec.yaml" >"$T/byname.yaml"
expect 1 "Invalid spec '$T/byname.yaml': field 'targets\[0\].image': 'hostfs:1' names an image in an OCI layout, but no layout was given \(--layout\)" -- \
        "$MOS" manifest build "$T/byname.yaml" --out "$T/x.json" --product "$U"
expect 1 "cannot resolve 'hostfs:1' in OCI layout '$T/layout'" -- \
        "$MOS" manifest build "$T/byname.yaml" --out "$T/x.json" --product "$U" --layout "$T/layout"
check "nothing written for a refused spec" test ! -e "$T/x.json"

# examples/hello: the product description the demo builds from. Its images are named NAME:TAG
# and resolved in an OCI layout (small stand-in images here; make demo builds the real ones).
for img in hostfs:1 hello-web:1 hello-counter:1; do
        mkdir -p "$T/src-${img%%:*}" && printf '%s\n' "$img" >"$T/src-${img%%:*}/name"
        expect 0 "" -- env SOURCE_DATE_EPOCH=1735689600 "$MOS" image build "$T/src-${img%%:*}" \
                --layout "$T/hello-layout" --tag "$img"
done
expect 0 "Wrote manifest" -- "$MOS" manifest build "$SRC/examples/hello/product.yaml" \
        --layout "$T/hello-layout" --out "$T/hello.json" --product "$U"
check "the manifest has the layout's digests and verity parameters" python3 -c '
import json, subprocess, sys
doc = json.load(open(sys.argv[1]))
for t in doc["targets"]:
    ref = t["image"]["reference"]
    i = json.loads(subprocess.check_output([sys.argv[2], "image", "inspect", "--layout", sys.argv[3], ref, "--json"]))
    assert t["image"]["digest"] == i["manifest"]["digest"] and t["image"]["size"] == i["manifest"]["size"], ref
    for ml, il in zip(t["image"]["layers"], i["layers"], strict=True):
        assert ml["digest"] == il["digest"] and ml["size"] == il["size"], ref
        assert ml["verity"]["root-hash"] == il["verity"]["rootHash"] and ml["verity"]["salt"] == il["verity"]["salt"], ref
        assert ml["verity"]["data-blocks"] == il["verity"]["dataBlocks"] and ml["verity"]["hash-offset"] == il["verity"]["hashOffset"], ref
' "$T/hello.json" "$MOS" "$T/hello-layout"
expect 1 "cannot resolve 'hello-web:1' in OCI layout '$T/hello-layout': .*hello-web:1" -- sh -c \
        "\"$MOS\" image rm --layout '$T/hello-layout' hello-web:1 >/dev/null && \"$MOS\" manifest build '$SRC/examples/hello/product.yaml' --layout '$T/hello-layout' --out '$T/x.json' --product '$U'"
check "examples/hello names hostfs:1, hello-web:1, hello-counter:1" python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
refs = sorted(t["image"]["reference"] for t in doc["targets"])
assert refs == ["hello-counter:1", "hello-web:1", "hostfs:1"], refs
counter = [t for t in doc["targets"] if t["name"] == "counter"][0]
assert any(v["persistent"] for v in counter["container"]["volumes"])
' "$T/hello.json"

# ---- sign ----
expect 2 "missing option '--keyset DIR'" -- "$MOS" manifest sign --product hello "$T/m.json"
expect 2 "missing option '--product NAME'" -- "$MOS" manifest sign --keyset "$K" "$T/m.json"
expect 1 "Keyset '$K' has no product 'nope'" -- "$MOS" manifest sign --keyset "$K" --product nope "$T/m.json"
expect 3 "Refusing to sign '$T/m.json' as product 'other': the manifest is for product $U, 'other' is $UO" -- \
        "$MOS" manifest sign --keyset "$K" --product other "$T/m.json"
check "nothing written for a refused signature" test ! -e "$T/m.json.sig"
printf '{"format":1}' >"$T/bad.json"
expect 3 "Refusing to sign '$T/bad.json': malformed manifest: field 'product': missing" -- \
        "$MOS" manifest sign --keyset "$K" --product hello "$T/bad.json"
expect 0 "Signed '$T/m.json' as product 'hello': '$T/m.json.sig'" -- \
        "$MOS" manifest sign --keyset "$K" --product hello "$T/m.json"
expect 0 "" -- "$MOS" manifest sign --keyset "$K" --product hello "$T/m-r2.json"

# OpenSSL accepts our signature with exactly the command of issue 3 ...
check "openssl cms -verify accepts the signature" openssl cms -verify -binary -inform DER \
        -in "$T/m.json.sig" -content "$T/m.json" -CAfile "$K/manifest-ca.crt" -purpose any -out /dev/null
check "the signature includes the signer certificate" sh -c \
        "openssl cms -cmsout -print -inform DER -in '$T/m.json.sig' | grep -q 'hello manifest signing'"
check "openssl cms -verify refuses it against another keyset's CA" sh -c \
        "! openssl cms -verify -binary -inform DER -in '$T/m.json.sig' -content '$T/m.json' -CAfile '$K2/manifest-ca.crt' -purpose any -out /dev/null"
# ... and mos accepts OpenSSL's.
openssl_sign "$K/products/hello/manifest.key" "$K/products/hello/manifest.crt" "$T/m.json" "$T/openssl.sig"
expect 0 "Manifest '$T/m.json' is trusted: product $U, release 1, version 1.0.0" -- \
        "$MOS" manifest verify --ca "$K/manifest-ca.crt" "$T/m.json" "$T/openssl.sig"

# ---- verify: accepted ----
expect 2 "missing option '--ca CA.pem'" -- "$MOS" manifest verify "$T/m.json"
expect 2 "invalid --min-release 'x'" -- "$MOS" manifest verify --ca "$K/manifest-ca.crt" --min-release x "$T/m.json"
expect 2 "invalid --product 'x'" -- "$MOS" manifest verify --ca "$K/manifest-ca.crt" --product x "$T/m.json"
expect 1 "Failed to read signature '$T/m2.json.sig': No such file or directory" -- \
        "$MOS" manifest verify --ca "$K/manifest-ca.crt" "$T/m2.json"
expect 1 "Failed to load CA certificate '$T/none.pem'" -- "$MOS" manifest verify --ca "$T/none.pem" "$T/m.json"
expect 0 "Manifest '$T/m.json' is trusted: product $U, release 1, version 1.0.0" -- \
        "$MOS" manifest verify --ca "$K/manifest-ca.crt" --product "$U" --min-release 1 "$T/m.json"
expect 0 "is trusted" -- "$MOS" manifest verify --ca "$K/manifest-ca.crt" --product "${U^^}" "$T/m.json" "$T/m.json.sig"

# ---- the tamper matrix: each refused with exit 3 and its reason ----
# One byte of the manifest changed, at several places.
size=$(stat -c %s "$T/m.json")
for pos in 0 1 $((size / 3)) $((size / 2)) $((size - 2)) $((size - 1)); do
        cp "$T/m.json" "$T/t.json"
        printf '%s' "$(dd if="$T/t.json" bs=1 skip=$pos count=1 2>/dev/null | tr 'a-z0-9{}":,' 'b-za1-90}{:",' )" |
                dd of="$T/t.json" bs=1 seek=$pos conv=notrunc 2>/dev/null
        if cmp -s "$T/m.json" "$T/t.json"; then printf 'X' | dd of="$T/t.json" bs=1 seek=$pos conv=notrunc 2>/dev/null; fi
        refused "signature does not match the signed data" "$T/t.json" "$T/m.json.sig"
done
# Each field changed (a valid manifest again, only not the signed one).
python3 - "$T/m.json" "$T/fields" <<'EOF'
import json, os, sys
doc = json.load(open(sys.argv[1]))
os.makedirs(sys.argv[2])
n = 0
def leaves(v, path):
        if isinstance(v, dict):
                for k in v: yield from leaves(v[k], path + [k])
        elif isinstance(v, list) and v and not isinstance(v[0], str):
                for i, e in enumerate(v): yield from leaves(e, path + [i])
        else:
                yield path
def change(v):
        if isinstance(v, bool): return not v
        if isinstance(v, int): return v + 4096 if v > 4096 else v + 1
        if isinstance(v, list): return v + ["x"]
        if v.startswith("sha256:"): return "sha256:" + ("0" if v[7] != "0" else "1") + v[8:]
        if len(v) == 36 and v.count("-") == 4: return ("0" if v[0] != "0" else "1") + v[1:]
        if v == "hostfs": return "fs-only"
        return v[:-1] + ("0" if v[-1] != "0" else "1") if v else "0"
for path in leaves(doc, []):
        d = json.loads(json.dumps(doc))
        parent = d
        for p in path[:-1]: parent = parent[p]
        parent[path[-1]] = change(parent[path[-1]])
        with open(os.path.join(sys.argv[2], "%03d" % n), "w") as f:
                f.write(json.dumps(d, sort_keys=True, separators=(",", ":")))
        with open(os.path.join(sys.argv[2], "%03d.path" % n), "w") as f:
                f.write(".".join(map(str, path)))
        n += 1
EOF
nfields=0
for f in "$T"/fields/[0-9][0-9][0-9]; do
        nfields=$((nfields + 1))
        out=$("$MOS" manifest verify --ca "$K/manifest-ca.crt" "$f" "$T/m.json.sig" 2>&1)
        rc=$?
        if [ $rc = 3 ] && printf '%s' "$out" | grep -q "signature does not match the signed data"; then
                ok "field $(cat "$f.path") changed -> exit 3, signature does not match"
        else
                not_ok "field $(cat "$f.path") changed -> exit $rc: $out"
        fi
done
check "the field matrix covered every field ($nfields)" test "$nfields" -ge 40

# Signature bytes flipped: in the ECDSA value at the end, and in the middle (certificate).
# Each bit of the byte is inverted (writing a fixed value changed nothing when the random ECDSA
# value already had it there).
sigsize=$(stat -c %s "$T/m.json.sig")
flip() { python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0xff]))' "$1" "$2"; }
for pos in $((sigsize - 5)) $((sigsize - 40)); do
        cp "$T/m.json.sig" "$T/flip.sig"
        flip "$T/flip.sig" $pos
        refused "signature (does not match the signed data|is not a DER CMS structure)" "$T/m.json" "$T/flip.sig"
done
cp "$T/m.json.sig" "$T/flip.sig"
flip "$T/flip.sig" $((sigsize / 2))
refused "" "$T/m.json" "$T/flip.sig"
# Truncated, extended, empty signatures.
head -c $((sigsize - 1)) "$T/m.json.sig" >"$T/trunc.sig"
refused "signature is not a DER CMS structure" "$T/m.json" "$T/trunc.sig"
head -c $((sigsize / 2)) "$T/m.json.sig" >"$T/half.sig"
refused "signature is not a DER CMS structure" "$T/m.json" "$T/half.sig"
{ cat "$T/m.json.sig"; printf 'x'; } >"$T/long.sig"
refused "signature has 1 bytes of trailing data" "$T/m.json" "$T/long.sig"
: >"$T/empty.sig"
refused "signature is empty" "$T/m.json" "$T/empty.sig"
head -c 70000 /dev/zero >"$T/huge.sig"
expect 3 "Refusing manifest '$T/m.json': signature '$T/huge.sig' is larger than 65536 bytes" -- \
        "$MOS" manifest verify --ca "$K/manifest-ca.crt" "$T/m.json" "$T/huge.sig"
# Another manifest's valid signature.
refused "signature does not match the signed data" "$T/m.json" "$T/m-r2.json.sig"

# Signed by another product's key (same CA).
openssl_sign "$K/products/other/manifest.key" "$K/products/other/manifest.crt" "$T/m.json" "$T/other.sig"
refused "manifest is for product $U but its signer certificate is for product $UO" "$T/m.json" "$T/other.sig"
# Signed by a key from another keyset (a product of the same name).
openssl_sign "$K2/products/hello/manifest.key" "$K2/products/hello/manifest.crt" "$T/m.json" "$T/ks2.sig"
refused "signer: certificate '.*hello manifest signing' does not chain to CA '.*Example Corp Manifest CA'" \
        "$T/m.json" "$T/ks2.sig"
# Signed by the sudi-ca leaf (a device identity): verified against sudi-ca it chains, and is
# still refused for what it is.
openssl_sign "$T/dev/device.key" "$T/dev/device.crt" "$T/m.json" "$T/dev.sig"
refused "signer: certificate 'O = Example Corp, serialNumber = SN-1, CN = SN-1' does not chain to CA" "$T/m.json" "$T/dev.sig"
expect 3 "signer certificate 'O = Example Corp, serialNumber = SN-1, CN = SN-1' is not a manifest signing certificate" -- \
        "$MOS" manifest verify --ca "$K/sudi-ca.crt" "$T/m.json" "$T/dev.sig"
# Signed by the manifest CA itself, and by a UEFI key.
openssl_sign "$K/manifest-ca.key" "$K/manifest-ca.crt" "$T/m.json" "$T/ca.sig"
refused "is not a manifest signing certificate: it is a CA certificate" "$T/m.json" "$T/ca.sig"
openssl_sign "$K/uefi-db.key" "$K/uefi-db.crt" "$T/m.json" "$T/db.sig"
refused "signature algorithm 'rsaEncryption' is not ECDSA" "$T/m.json" "$T/db.sig"

# Expired and not-yet-valid signer certificates, issued by the real manifest-ca with OpenSSL's
# own CA tool (mos never issues such certificates).
mkdir "$T/ca"
: >"$T/ca/index.txt"
cat >"$T/ca.cnf" <<EOF
[ca]
default_ca = d
[d]
database = $T/ca/index.txt
new_certs_dir = $T/ca
default_md = sha256
policy = p
unique_subject = no
rand_serial = yes
[p]
commonName = supplied
EOF
cat >"$T/ext.cnf" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = $OID.2.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
$OID.1.1 = ASN1:UTF8String:$U
EOF
issue() { # NAME START END
        openssl ecparam -name prime256v1 -genkey -noout -out "$T/$1.key" 2>/dev/null
        openssl req -new -key "$T/$1.key" -subj "/CN=$1" -out "$T/$1.csr" 2>/dev/null
        openssl ca -batch -config "$T/ca.cnf" -cert "$K/manifest-ca.crt" -keyfile "$K/manifest-ca.key" \
                -in "$T/$1.csr" -out "$T/$1.crt" -startdate "$2" -enddate "$3" -extfile "$T/ext.cnf" \
                -notext >/dev/null 2>&1
}
now=$(date -u +%s)
issue current "$(date -u -d @$((now - 86400)) +%Y%m%d%H%M%SZ)" "$(date -u -d @$((now + 86400)) +%Y%m%d%H%M%SZ)"
issue expired 20200101000000Z 20210101000000Z
issue future "$(date -u -d @$((now + 86400 * 365)) +%Y%m%d%H%M%SZ)" "$(date -u -d @$((now + 86400 * 730)) +%Y%m%d%H%M%SZ)"
for c in current expired future; do
        openssl_sign "$T/$c.key" "$T/$c.crt" "$T/m.json" "$T/$c.sig"
done
expect 0 "is trusted" -- "$MOS" manifest verify --ca "$K/manifest-ca.crt" "$T/m.json" "$T/current.sig"
refused "signer: certificate 'CN = expired' expired at 2021-01-01T00:00:00Z" "$T/m.json" "$T/expired.sig"
refused "signer: certificate 'CN = future' is not valid before" "$T/m.json" "$T/future.sig"
# The same signer certificate without the manifest-signing EKU.
sed -i "s/^extendedKeyUsage = .*/extendedKeyUsage = codeSigning/" "$T/ext.cnf"
issue noeku "$(date -u -d @$((now - 86400)) +%Y%m%d%H%M%SZ)" "$(date -u -d @$((now + 86400)) +%Y%m%d%H%M%SZ)"
openssl_sign "$T/noeku.key" "$T/noeku.crt" "$T/m.json" "$T/noeku.sig"
refused "is not a manifest signing certificate: extended key usage lacks the MachineOS purpose" "$T/m.json" "$T/noeku.sig"

# Product and release.
refused "manifest is for product $U, expected product $UO" "$T/m.json" --product "$UO"
refused "manifest release 1 is below the minimum release 2" "$T/m.json" --min-release 2
expect 0 "release 2" -- "$MOS" manifest verify --ca "$K/manifest-ca.crt" --min-release 2 "$T/m-r2.json"

# Validly signed, but malformed: duplicate key, unknown field.
python3 -c 'import sys; d = open(sys.argv[1]).read(); open(sys.argv[2], "w").write("{\"release\":1," + d[1:])' \
        "$T/m.json" "$T/dupkey.json"
openssl_sign "$K/products/hello/manifest.key" "$K/products/hello/manifest.crt" "$T/dupkey.json" "$T/dupkey.json.sig"
refused "malformed manifest: line 1, column [0-9]+: duplicate object key" "$T/dupkey.json"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d["extra"] = 1; open(sys.argv[2], "w").write(json.dumps(d, sort_keys=True, separators=(",", ":")))' \
        "$T/m.json" "$T/unknown.json"
openssl_sign "$K/products/hello/manifest.key" "$K/products/hello/manifest.crt" "$T/unknown.json" "$T/unknown.json.sig"
refused "malformed manifest: field 'extra': unknown field" "$T/unknown.json"

# Size: 100 MB (sparse, refused before it is read) and empty.
truncate -s 100M "$T/big.json"
expect 3 "Refusing manifest '$T/big.json': larger than 1048576 bytes" -- \
        "$MOS" manifest verify --ca "$K/manifest-ca.crt" "$T/big.json" "$T/m.json.sig"
: >"$T/empty.json"
refused "manifest is empty" "$T/empty.json" "$T/m.json.sig"

# ---- show ----
expect 0 "product +$U" -- "$MOS" manifest show "$T/m.json"
expect 0 "web +container +hello-web:1 sha256:d{64} \(1 layer\)" -- "$MOS" manifest show "$T/m.json"
expect 0 "volume +state -> /var/lib/counter \(persistent, 1 MiB\)" -- "$MOS" manifest show "$T/m.json"
check "show --json prints the document as signed" sh -c "'$MOS' manifest show --json '$T/m.json' | head -c $size | cmp - '$T/m.json'"
expect 3 "Malformed manifest '$T/unknown.json': field 'extra': unknown field" -- "$MOS" manifest show "$T/unknown.json"
expect 3 "Refusing manifest '$T/big.json': larger than 1048576 bytes" -- "$MOS" manifest show "$T/big.json"

done_testing
