/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* SHA-256(salt || block) for many 4096-byte blocks: the inner loop of dm-verity trees.
 *
 * SHA-256 is FIPS 180-4 (sections 5.1.1 padding, 6.2.2 computation). Each message here is
 * salt || block, of the same length for every block, so sixteen of them can run in the
 * sixteen 32-bit lanes of AVX-512 registers, one instruction stream for all: the round
 * function needs rotates (VPRORD) and three-input boolean functions (VPTERNLOGD), which
 * AVX-512F has. Message words are gathered from the sixteen blocks (VPGATHERDD) and
 * byte-swapped (VPSHUFB, AVX-512BW). Where AVX-512 is missing, or the salt's length is not a
 * multiple of 4 bytes (words would straddle salt and block), OpenSSL hashes one block after
 * the other. Both give the same bytes; tests/unit/test-crypto-verity.c checks the vector code
 * against OpenSSL on random input. */

#include <errno.h>
#include <immintrin.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "string-util.h"

#define BLOCK CRYPTO_VERITY_BLOCK_SIZE
#define LANES 16

struct CryptoVerityHasher {
        bool vector;
        size_t salt_size;
        uint32_t salt_words[CRYPTO_VERITY_SALT_MAX / 4]; /* big-endian words of the salt */
        EVP_MD_CTX *salted, *work;
};

static int vector_state = -1; /* -1: not decided, 0: off, 1: on */

static bool cpu_has_avx512(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
#else
        return false;
#endif
}

static bool vector_enabled(void) {
        if (vector_state < 0)
                vector_state = cpu_has_avx512() && !secure_getenv("MOS_VERITY_NO_AVX512");
        return vector_state > 0;
}

void crypto_verity_set_vectorized(bool enabled) {
        vector_state = enabled && cpu_has_avx512();
}

const char *crypto_verity_implementation(void) {
        return vector_enabled() ? "avx512-16way" : "openssl";
}

CryptoVerityHasher *crypto_verity_hasher_free(CryptoVerityHasher *h) {
        if (!h)
                return NULL;
        EVP_MD_CTX_free(h->salted);
        EVP_MD_CTX_free(h->work);
        free(h);
        return NULL;
}

int crypto_verity_hasher_new(const void *salt, size_t salt_size, CryptoVerityHasher **ret) {
        _cleanup_(crypto_verity_hasher_freep) CryptoVerityHasher *h = NULL;
        const uint8_t *s = salt;

        if (salt_size > CRYPTO_VERITY_SALT_MAX)
                return -EINVAL;
        h = calloc(1, sizeof *h);
        if (!h)
                return -ENOMEM;
        h->salt_size = salt_size;
        for (size_t i = 0; i + 4 <= salt_size; i += 4)
                h->salt_words[i / 4] = (uint32_t) s[i] << 24 | (uint32_t) s[i + 1] << 16 |
                                       (uint32_t) s[i + 2] << 8 | s[i + 3];
        h->vector = vector_enabled() && salt_size % 4 == 0;
        h->salted = EVP_MD_CTX_new();
        h->work = EVP_MD_CTX_new();
        if (!h->salted || !h->work)
                return -ENOMEM;
        if (EVP_DigestInit_ex(h->salted, EVP_sha256(), NULL) != 1 ||
            EVP_DigestUpdate(h->salted, salt, salt_size) != 1)
                return -EIO;
        *ret = TAKE_PTR(h);
        return 0;
}

static int hash_blocks_openssl(CryptoVerityHasher *h, const uint8_t *blocks, size_t n,
                               uint8_t *out) {
        for (size_t i = 0; i < n; i++) {
                unsigned size;
                if (EVP_MD_CTX_copy_ex(h->work, h->salted) != 1 ||
                    EVP_DigestUpdate(h->work, blocks + i * BLOCK, BLOCK) != 1 ||
                    EVP_DigestFinal_ex(h->work, out + i * SHA256_DIGEST_SIZE, &size) != 1)
                        return -EIO;
        }
        return 0;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#define TARGET __attribute__((target("avx512f,avx512bw")))

/* FIPS 180-4 section 4.2.2 */
static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
};
/* section 5.3.3 */
static const uint32_t H0[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* VPTERNLOGD immediates: the truth table of f(a, b, c) over (a, b, c) = 111 ... 000 */
#define XOR3(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0x96)
#define CH(e, f, g) _mm512_ternarylogic_epi32(e, f, g, 0xca)  /* (e & f) ^ (~e & g) */
#define MAJ(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0xe8) /* majority */
#define ADD(a, b) _mm512_add_epi32(a, b)
#define ROR(x, n) _mm512_ror_epi32(x, n)

/* One 64-byte chunk of sixteen messages (section 6.2.2 steps 1-4). */
TARGET static void compress16(__m512i s[8], const __m512i w_in[16]) {
        __m512i a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
        __m512i w[16];

        for (unsigned t = 0; t < 16; t++)
                w[t] = w_in[t];
        for (unsigned t = 0; t < 64; t++) {
                __m512i wt, t1, t2;
                if (t < 16)
                        wt = w[t];
                else {
                        __m512i w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
                        __m512i s0 = XOR3(ROR(w15, 7), ROR(w15, 18), _mm512_srli_epi32(w15, 3));
                        __m512i s1 = XOR3(ROR(w2, 17), ROR(w2, 19), _mm512_srli_epi32(w2, 10));
                        wt = ADD(ADD(w[t & 15], s0), ADD(w[(t - 7) & 15], s1));
                        w[t & 15] = wt;
                }
                t1 = ADD(ADD(h, XOR3(ROR(e, 6), ROR(e, 11), ROR(e, 25))),
                         ADD(CH(e, f, g), ADD(_mm512_set1_epi32((int) K[t]), wt)));
                t2 = ADD(XOR3(ROR(a, 2), ROR(a, 13), ROR(a, 22)), MAJ(a, b, c));
                h = g;
                g = f;
                f = e;
                e = ADD(d, t1);
                d = c;
                c = b;
                b = a;
                a = ADD(t1, t2);
        }
        s[0] = ADD(s[0], a);
        s[1] = ADD(s[1], b);
        s[2] = ADD(s[2], c);
        s[3] = ADD(s[3], d);
        s[4] = ADD(s[4], e);
        s[5] = ADD(s[5], f);
        s[6] = ADD(s[6], g);
        s[7] = ADD(s[7], h);
}

/* Sixteen blocks at blocks + lane * 4096. The padded message (section 5.1.1) is
 * salt || block || 0x80 || zeros || 64-bit length; its words come from the salt (the same in
 * every lane), the blocks (gathered), or the padding. */
TARGET static void hash16(const CryptoVerityHasher *hs, const uint8_t *blocks, uint8_t *out) {
        const __m512i bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
        const __m512i lanes =
                _mm512_setr_epi32(0 * BLOCK, 1 * BLOCK, 2 * BLOCK, 3 * BLOCK, 4 * BLOCK, 5 * BLOCK,
                                  6 * BLOCK, 7 * BLOCK, 8 * BLOCK, 9 * BLOCK, 10 * BLOCK,
                                  11 * BLOCK, 12 * BLOCK, 13 * BLOCK, 14 * BLOCK, 15 * BLOCK);
        const size_t len = hs->salt_size + BLOCK;      /* bytes, a multiple of 4 */
        const size_t chunks = (len + 1 + 8 + 63) / 64; /* with the padding */
        const uint64_t bits = (uint64_t) len * 8;
        uint32_t lane_words[8][LANES];
        __m512i s[8], w[16];

        for (unsigned i = 0; i < 8; i++)
                s[i] = _mm512_set1_epi32((int) H0[i]);
        for (size_t k = 0; k < chunks; k++) {
                size_t first = 64 * k;
                if (first >= hs->salt_size && first + 64 <= len) {
                        /* all sixteen words from the blocks */
                        const uint8_t *p = blocks + (first - hs->salt_size);
                        for (unsigned i = 0; i < 16; i++)
                                w[i] = _mm512_shuffle_epi8(
                                        _mm512_i32gather_epi32(lanes, p + 4 * i, 1), bswap);
                } else
                        for (unsigned i = 0; i < 16; i++) {
                                size_t m = first + 4 * i;
                                if (m < hs->salt_size)
                                        w[i] = _mm512_set1_epi32((int) hs->salt_words[m / 4]);
                                else if (m < len)
                                        w[i] = _mm512_shuffle_epi8(
                                                _mm512_i32gather_epi32(
                                                        lanes, blocks + (m - hs->salt_size), 1),
                                                bswap);
                                else if (m == len)
                                        w[i] = _mm512_set1_epi32((int) 0x80000000u);
                                else if (k == chunks - 1 && i == 14)
                                        w[i] = _mm512_set1_epi32((int) (uint32_t) (bits >> 32));
                                else if (k == chunks - 1 && i == 15)
                                        w[i] = _mm512_set1_epi32((int) (uint32_t) bits);
                                else
                                        w[i] = _mm512_setzero_si512();
                        }
                compress16(s, w);
        }
        for (unsigned i = 0; i < 8; i++)
                _mm512_storeu_si512(lane_words[i], s[i]);
        for (unsigned l = 0; l < LANES; l++)
                for (unsigned i = 0; i < 8; i++) {
                        uint32_t v = lane_words[i][l];
                        uint8_t *o = out + l * SHA256_DIGEST_SIZE + 4 * i;
                        o[0] = (uint8_t) (v >> 24);
                        o[1] = (uint8_t) (v >> 16);
                        o[2] = (uint8_t) (v >> 8);
                        o[3] = (uint8_t) v;
                }
}
#endif

int crypto_verity_hash_blocks(CryptoVerityHasher *h, const uint8_t *blocks, size_t n,
                              uint8_t *out) {
        size_t done = 0;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        if (h->vector)
                for (; done + LANES <= n; done += LANES)
                        hash16(h, blocks + done * BLOCK, out + done * SHA256_DIGEST_SIZE);
#endif
        return hash_blocks_openssl(h, blocks + done * BLOCK, n - done,
                                   out + done * SHA256_DIGEST_SIZE);
}
