/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "crypto.h"
#include "string-util.h"
#include "tap.h"

/* FIPS 180-2 test vectors. */
TEST(sha256_known_answer) {
        uint8_t d[SHA256_DIGEST_SIZE];
        _cleanup_free_ char *h = NULL;

        ASSERT_OK(crypto_sha256("abc", 3, d));
        h = hexmem(d, sizeof d);
        ASSERT_STREQ(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(sha1_sha384_known_answer) {
        uint8_t d[SHA384_DIGEST_SIZE];
        _cleanup_free_ char *a = NULL, *b = NULL;

        ASSERT_OK(crypto_hash(HASH_SHA1, "abc", 3, d));
        a = hexmem(d, 20);
        ASSERT_STREQ(a, "a9993e364706816aba3e25717850c26c9cd0d89d");
        ASSERT_OK(crypto_hash(HASH_SHA384, "", 0, d));
        b = hexmem(d, 8);
        ASSERT_STREQ(b, "38b060a751ac9638");
}

TEST(incremental_and_copy) {
        _cleanup_(crypto_hash_freep) CryptoHash *h = NULL, *c = NULL, *c2 = NULL;
        uint8_t one[SHA256_DIGEST_SIZE], inc[SHA256_DIGEST_SIZE], cp[SHA256_DIGEST_SIZE];

        ASSERT_OK(crypto_sha256("saltdata", 8, one));
        ASSERT_OK(crypto_hash_new(HASH_SHA256, &h));
        ASSERT_EQ(crypto_hash_size(h), 32);
        ASSERT_OK(crypto_hash_update(h, "salt", 4));
        ASSERT_OK(crypto_hash_copy(h, &c));
        ASSERT_OK(crypto_hash_new(HASH_SHA256, &c2));
        ASSERT_OK(crypto_hash_copy_into(c2, h));
        ASSERT_OK(crypto_hash_update(h, "data", 4));
        ASSERT_OK(crypto_hash_final(h, inc));
        ASSERT_TRUE(memcmp(one, inc, sizeof one) == 0);
        ASSERT_OK(crypto_hash_update(c, "data", 4));
        ASSERT_OK(crypto_hash_final(c, cp));
        ASSERT_TRUE(memcmp(one, cp, sizeof one) == 0);
        ASSERT_OK(crypto_hash_update(c2, "data", 4));
        ASSERT_OK(crypto_hash_final(c2, cp));
        ASSERT_TRUE(memcmp(one, cp, sizeof one) == 0);
}

TEST(names) {
        HashAlgorithm a;
        ASSERT_OK(hash_algorithm_from_name("sha512", &a));
        ASSERT_EQ(a, HASH_SHA512);
        ASSERT_EQ(hash_algorithm_size(a), 64);
        ASSERT_ERRNO(hash_algorithm_from_name("md5", &a), -EINVAL);
}

TEST(random) {
        uint8_t a[32] = { 0 }, b[32] = { 0 };
        ASSERT_OK(crypto_random_bytes(a, sizeof a));
        ASSERT_OK(crypto_random_bytes(b, sizeof b));
        ASSERT_TRUE(memcmp(a, b, sizeof a) != 0);
}

int main(void) {
        RUN(sha256_known_answer);
        RUN(sha1_sha384_known_answer);
        RUN(incremental_and_copy);
        RUN(names);
        RUN(random);
        return tap_done();
}
