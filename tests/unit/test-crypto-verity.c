/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The sixteen-lane AVX-512 SHA-256 against OpenSSL, on random blocks and salts of every kind
 * of length (no salt, shorter than a chunk, exactly one, more, the maximum, and lengths that
 * are not a multiple of 4, which take the OpenSSL path). */

#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "string-util.h"
#include "tap.h"

static void reference(const uint8_t *salt, size_t salt_size, const uint8_t *blocks, size_t n,
                      uint8_t *out) {
        uint8_t *m = malloc(salt_size + CRYPTO_VERITY_BLOCK_SIZE);
        for (size_t i = 0; i < n; i++) {
                memcpy(m, salt, salt_size);
                memcpy(m + salt_size, blocks + i * CRYPTO_VERITY_BLOCK_SIZE,
                       CRYPTO_VERITY_BLOCK_SIZE);
                crypto_sha256(m, salt_size + CRYPTO_VERITY_BLOCK_SIZE, out + i * 32);
        }
        free(m);
}

static void check(bool vector) {
        static const size_t salts[] = { 0, 4, 28, 32, 55, 56, 60, 64, 68, 100, 120, 128, 255, 256 };
        static const size_t counts[] = { 1, 15, 16, 17, 33, 64 };
        _cleanup_free_ uint8_t *blocks = malloc(64 * CRYPTO_VERITY_BLOCK_SIZE),
                               *a = malloc(64 * 32), *b = malloc(64 * 32);
        uint8_t salt[256];

        crypto_verity_set_vectorized(vector);
        ASSERT_OK(crypto_random_bytes(blocks, 64 * CRYPTO_VERITY_BLOCK_SIZE));
        ASSERT_OK(crypto_random_bytes(salt, sizeof salt));
        for (size_t s = 0; s < ELEMENTSOF(salts); s++)
                for (size_t c = 0; c < ELEMENTSOF(counts); c++) {
                        _cleanup_(crypto_verity_hasher_freep) CryptoVerityHasher *h = NULL;
                        ASSERT_OK(crypto_verity_hasher_new(salt, salts[s], &h));
                        ASSERT_OK(crypto_verity_hash_blocks(h, blocks, counts[c], a));
                        reference(salt, salts[s], blocks, counts[c], b);
                        if (memcmp(a, b, counts[c] * 32) != 0) {
                                tap_fail("salt %zu bytes, %zu blocks, %s: digests differ", salts[s],
                                         counts[c], crypto_verity_implementation());
                                return;
                        }
                }
}

TEST(openssl_path) {
        check(false);
        ASSERT_STREQ(crypto_verity_implementation(), "openssl");
}

TEST(vector_path) {
        crypto_verity_set_vectorized(true);
        if (!streq(crypto_verity_implementation(), "avx512-16way"))
                SKIP_TEST("this CPU has no AVX-512F/BW");
        check(true);
}

TEST(known_answer) {
        /* sha256("\0" * 4096) with an empty salt, from sha256sum */
        _cleanup_free_ uint8_t *zero = calloc(16, CRYPTO_VERITY_BLOCK_SIZE), *out = malloc(16 * 32);
        _cleanup_(crypto_verity_hasher_freep) CryptoVerityHasher *h = NULL;
        _cleanup_free_ char *hex = NULL;

        crypto_verity_set_vectorized(true);
        ASSERT_OK(crypto_verity_hasher_new("", 0, &h));
        ASSERT_OK(crypto_verity_hash_blocks(h, zero, 16, out));
        hex = hexmem(out + 15 * 32, 32);
        ASSERT_STREQ(hex, "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7");
        ASSERT_ERRNO(crypto_verity_hasher_new("", 257, &h), -EINVAL);
}

int main(void) {
        RUN(openssl_path);
        RUN(vector_path);
        RUN(known_answer);
        return tap_done();
}
