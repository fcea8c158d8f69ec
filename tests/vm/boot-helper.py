#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers of test-boot.sh that act as an attacker with the disk in hand, independent of the
# code under test (its own GPT reader):
#   tamper IMAGE FILE OFFSET   flip the byte at OFFSET of FILE's copy inside IMAGE (found by
#                              content: the 4 KiB around it, or the whole FILE when smaller;
#                              the file's first 4 KiB when those are not unique)
#   part IMAGE NAME            print "OFFSET SIZE" of the GPT partition called NAME
#   copy-part SRC DST NAME     copy partition NAME of disk SRC over the one of disk DST
#   write-part IMAGE NAME FILE write FILE at the start of partition NAME
#   vm-json FILE               print "OUTCOME SECONDS FIRST-INITRAMFS" of a `mos vm run --json`
import json, mmap, struct, sys, zlib


def part(image, name):
    with open(image, "rb") as f:
        hdr = f.read(1024)[512:]
        if hdr[:8] != b"EFI PART":
            sys.exit(f"{image}: no GPT")
        lba, n, size = struct.unpack_from("<QII", hdr, 72)
        f.seek(lba * 512)
        entries = f.read(n * size)
    for i in range(n):
        e = entries[i * size:(i + 1) * size]
        first, last = struct.unpack_from("<QQ", e, 32)
        label = e[56:128].decode("utf-16-le").rstrip("\0")
        if label == name and first:
            return first * 512, (last - first + 1) * 512
    sys.exit(f"{image}: no partition {name}")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "tamper":
        image, src, off = args[0], args[1], int(args[2])
        data = open(src, "rb").read()
        start = 0 if len(data) <= 4096 else max(0, min(off - 2048, len(data) - 4096))
        needle = data[start:start + 4096]
        with open(image, "r+b") as f:
            m = mmap.mmap(f.fileno(), 0)
            pos = m.find(needle)
            if pos >= 0 and m.find(needle, pos + 1) >= 0:
                # The 4 KiB are in another file too (two images sharing a binary): anchor on
                # the file's first 4 KiB instead and check that the file lies contiguously
                # there (mos disk create allocates clusters in order).
                head = data[:4096]
                base = m.find(head)
                if base < 0 or m.find(head, base + 1) >= 0 or \
                        m[base + start:base + start + len(needle)] != needle:
                    sys.exit(f"{src} is not found exactly once (contiguous) in {image}")
                pos = base + start
            if pos < 0:
                sys.exit(f"{src} is not found exactly once in {image}")
            m[pos + off - start] ^= 0x01
            m.flush()
    elif cmd == "part":
        print(*part(args[0], args[1]))
    elif cmd == "copy-part":
        so, ss = part(args[0], args[2])
        do, ds = part(args[1], args[2])
        if ss != ds:
            sys.exit("partition sizes differ")
        with open(args[0], "rb") as s, open(args[1], "r+b") as d:
            s.seek(so)
            d.seek(do)
            left = ss
            while left:
                b = s.read(min(left, 1 << 20))
                d.write(b)
                left -= len(b)
    elif cmd == "write-part":
        o, s = part(args[0], args[1])
        data = open(args[2], "rb").read()
        if len(data) > s:
            sys.exit("too large")
        with open(args[0], "r+b") as d:
            d.seek(o)
            d.write(data)
    elif cmd == "vm-json":
        j = json.loads(open(args[0]).read().strip().splitlines()[-1])
        sec = j.get("seconds", j.get("milliseconds", 0) / 1000)
        first = j.get("first-initramfs-line", -1)
        if "first-initramfs-line-ms" in j:
            first = j["first-initramfs-line-ms"] / 1000
        print(j["outcome"], f"{sec:.1f}", f"{first:.1f}")
    else:
        sys.exit(f"unknown command {cmd}")


main()
