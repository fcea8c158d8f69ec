/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "siphash.h"

#include "byte-buffer.h"

static uint64_t rotl(uint64_t x, unsigned b) {
        return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                                                   \
        do {                                                                                       \
                v0 += v1;                                                                          \
                v1 = rotl(v1, 13);                                                                 \
                v1 ^= v0;                                                                          \
                v0 = rotl(v0, 32);                                                                 \
                v2 += v3;                                                                          \
                v3 = rotl(v3, 16);                                                                 \
                v3 ^= v2;                                                                          \
                v0 += v3;                                                                          \
                v3 = rotl(v3, 21);                                                                 \
                v3 ^= v0;                                                                          \
                v2 += v1;                                                                          \
                v1 = rotl(v1, 17);                                                                 \
                v1 ^= v2;                                                                          \
                v2 = rotl(v2, 32);                                                                 \
        } while (0)

/* The paper's section 2: initialisation, compression (c = 2), finalisation (d = 4). */
uint64_t siphash24(const uint8_t key[static 16], const void *data, size_t size) {
        const uint8_t *p = data;
        uint64_t k0 = le64_read(key), k1 = le64_read(key + 8);
        uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL,
                 v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
        uint64_t b = (uint64_t) size << 56;
        size_t full = size - size % 8;

        for (size_t i = 0; i < full; i += 8) {
                uint64_t m = le64_read(p + i);
                v3 ^= m;
                SIPROUND;
                SIPROUND;
                v0 ^= m;
        }
        for (size_t i = full; i < size; i++)
                b |= (uint64_t) p[i] << (8 * (i - full));
        v3 ^= b;
        SIPROUND;
        SIPROUND;
        v0 ^= b;
        v2 ^= 0xff;
        SIPROUND;
        SIPROUND;
        SIPROUND;
        SIPROUND;
        return v0 ^ v1 ^ v2 ^ v3;
}
