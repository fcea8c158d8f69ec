#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# authenticode-content.py PE: prints, in hex, the SpcIndirectDataContent of the first
# signature in a PE image's certificate table (ContentInfo -> SignedData -> contentInfo ->
# [0] content), so two signers' outputs can be compared byte for byte.
import struct, sys

def tlv(d, o):
    tag = d[o]; l = d[o + 1]; h = 2
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(d[o + 2:o + 2 + n], 'big'); h = 2 + n
    return tag, o + h, l

d = open(sys.argv[1], 'rb').read()
pe = struct.unpack_from('<I', d, 0x3c)[0]
magic = struct.unpack_from('<H', d, pe + 24)[0]
dirs = pe + 24 + (112 if magic == 0x20b else 96)
off, size = struct.unpack_from('<II', d, dirs + 8 * 4)
if size == 0:
    sys.exit("unsigned")
sig = d[off + 8:off + struct.unpack_from('<I', d, off)[0]]
_, c, _ = tlv(sig, 0)            # ContentInfo SEQUENCE
_, c, l = tlv(sig, c)            # OID
c += l
_, c, _ = tlv(sig, c)            # [0]
_, c, _ = tlv(sig, c)            # SignedData SEQUENCE
for _ in range(2):               # version, digestAlgorithms
    _, s, l = tlv(sig, c); c = s + l
_, c, _ = tlv(sig, c)            # contentInfo SEQUENCE
_, s, l = tlv(sig, c); c = s + l  # contentType OID
_, c, _ = tlv(sig, c)            # [0]
_, s, l = tlv(sig, c)            # SpcIndirectDataContent
print(sig[c:s + l].hex())
