#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# An independent model of what OVMF measures into PCR 7 (TCG PC Client PFP; edk2 Tcg2Dxe
# MeasureAllSecureVariables + DxeImageVerificationLib), written without the C code, to cross-
# check `mos pcr7 predict`. Prints the SHA-256 digest of each event, one per line.
#   pcr7-events.py KEYSET SIGNER_CERT_DER
import hashlib, struct, sys, uuid, os

keyset, signer_der_path = sys.argv[1], sys.argv[2]
GLOBAL = uuid.UUID("8be4df61-93ca-11d2-aa0d-00e098032b8c").bytes_le
IMAGE_DB = uuid.UUID("d719b2cb-3d3a-4596-a3bc-dad00e67656f").bytes_le
X509 = uuid.UUID("a5c059a1-94e4-4aa7-87b5-ab155c2bf072").bytes_le


def var(guid, name, data):
    n = name.encode("utf-16-le")
    return guid + struct.pack("<QQ", len(name), len(data)) + n + data


def read(p):
    with open(os.path.join(keyset, p), "rb") as f:
        return f.read()


db = read("efi/db.esl")
signer = open(signer_der_path, "rb").read()
entry = None
off = 0
while off < len(db):
    stype = db[off:off + 16]
    lsize, hsize, ssize = struct.unpack_from("<III", db, off + 16)
    o = off + 28 + hsize
    while o < off + lsize:
        if stype == X509 and db[o + 16:o + ssize] == signer:
            entry = db[o:o + ssize]
        o += ssize
    off += lsize
assert entry is not None, "signer certificate not in db.esl"

dbx = read("efi/dbx.esl") if os.path.exists(os.path.join(keyset, "efi/dbx.esl")) else b""
events = [
    var(GLOBAL, "SecureBoot", b"\x01"),
    var(GLOBAL, "PK", read("efi/PK.esl")),
    var(GLOBAL, "KEK", read("efi/KEK.esl")),
    var(IMAGE_DB, "db", db),
    var(IMAGE_DB, "dbx", dbx),
    b"\0\0\0\0",
    var(IMAGE_DB, "db", entry),
]
for e in events:
    print(hashlib.sha256(e).hexdigest())
