/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "fileio.h"
#include "path-util.h"
#include "string-util.h"
#include "tap.h"

static char dir[] = "/tmp/test-crypto-keys-XXXXXX";

TEST(generate_types) {
        _cleanup_(crypto_key_freep) CryptoKey *ec = NULL, *rsa = NULL;
        KeyType t;

        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &ec));
        ASSERT_OK(crypto_key_get_type(ec, &t));
        ASSERT_EQ(t, KEY_EC_P256);
        ASSERT_TRUE(crypto_key_is_private(ec));
        ASSERT_OK(crypto_key_generate(KEY_RSA_2048, &rsa));
        ASSERT_OK(crypto_key_get_type(rsa, &t));
        ASSERT_EQ(t, KEY_RSA_2048);
        ASSERT_TRUE(crypto_key_is_private(rsa));
}

TEST(private_save_load) {
        _cleanup_(crypto_key_freep) CryptoKey *k = NULL, *l = NULL;
        _cleanup_free_ char *p = path_join(dir, "k.key");
        struct stat st;

        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &k));
        ASSERT_OK(crypto_key_save_private_pem(k, p));
        ASSERT_OK(stat(p, &st));
        ASSERT_EQ(st.st_mode & 0777, 0600);
        ASSERT_ERRNO(crypto_key_save_private_pem(k, p), -EEXIST);
        ASSERT_OK(crypto_key_load_private_pem(p, &l));
        ASSERT_TRUE(crypto_key_is_private(l));
        ASSERT_OK(crypto_key_public_equal(k, l));
}

TEST(public_roundtrip_and_fingerprint) {
        _cleanup_(crypto_key_freep) CryptoKey *k = NULL, *pub = NULL, *pub2 = NULL, *other = NULL;
        _cleanup_free_ char *pem = NULL;
        _cleanup_free_ uint8_t *der = NULL;
        uint8_t f1[32], f2[32];
        size_t n, dn;

        ASSERT_OK(crypto_key_generate(KEY_RSA_2048, &k));
        ASSERT_OK(crypto_key_public_pem(k, &pem, &n));
        ASSERT_TRUE(startswith(pem, "-----BEGIN PUBLIC KEY-----") != NULL);
        ASSERT_OK(crypto_key_from_public_pem(pem, n, &pub));
        ASSERT_FALSE(crypto_key_is_private(pub));
        ASSERT_OK(crypto_key_public_equal(k, pub));
        ASSERT_OK(crypto_key_public_der(pub, &der, &dn));
        ASSERT_OK(crypto_key_from_public_der(der, dn, &pub2));
        ASSERT_OK(crypto_key_fingerprint(k, f1));
        ASSERT_OK(crypto_key_fingerprint(pub2, f2));
        ASSERT_TRUE(memcmp(f1, f2, 32) == 0);
        ASSERT_OK(crypto_key_generate(KEY_RSA_2048, &other));
        ASSERT_ERRNO(crypto_key_public_equal(k, other), -EKEYREJECTED);
}

TEST(malformed_keys_refused) {
        _cleanup_free_ char *p = path_join(dir, "junk.key");
        CryptoKey *k = NULL;
        const char junk[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";

        ASSERT_ERRNO(crypto_key_from_public_pem(junk, sizeof junk - 1, &k), -EBADMSG);
        ASSERT_ERRNO(crypto_key_from_public_der("\x30\x00", 2, &k), -EBADMSG);
        ASSERT_OK(write_file_atomic(p, junk, sizeof junk - 1, 0600, 0));
        ASSERT_ERRNO(crypto_key_load_private_pem(p, &k), -EBADMSG);
        ASSERT_ERRNO(crypto_key_load_private_pem("/nonexistent/x.key", &k), -ENOENT);
        ASSERT_NULL(k);
}

TEST(ec_point_roundtrip) {
        _cleanup_(crypto_key_freep) CryptoKey *k = NULL, *p = NULL, *rsa = NULL;
        uint8_t x[32], y[32], bad[32] = { 1 };

        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &k));
        ASSERT_OK(crypto_key_ec_point(k, x, y));
        ASSERT_OK(crypto_key_from_ec_point(x, y, &p));
        ASSERT_OK(crypto_key_public_equal(k, p));
        ASSERT_ERRNO(crypto_key_from_ec_point(bad, bad, &rsa), -EBADMSG); /* not on the curve */
        ASSERT_OK(crypto_key_generate(KEY_RSA_2048, &rsa));
        ASSERT_ERRNO(crypto_key_ec_point(rsa, x, y), -EINVAL);
}

TEST(ecdsa_raw) {
        _cleanup_(crypto_key_freep) CryptoKey *k = NULL, *pub = NULL, *other = NULL;
        uint8_t d[32], r[32], s[32], x[32], y[32];

        ASSERT_OK(crypto_sha256("policy", 6, d));
        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &k));
        ASSERT_OK(crypto_key_sign_digest_ecdsa(k, d, sizeof d, r, s));
        ASSERT_OK(crypto_key_ec_point(k, x, y));
        ASSERT_OK(crypto_key_from_ec_point(x, y, &pub));
        ASSERT_OK(crypto_key_verify_digest_ecdsa(pub, d, sizeof d, r, s));
        d[0] ^= 1;
        ASSERT_ERRNO(crypto_key_verify_digest_ecdsa(pub, d, sizeof d, r, s), -EKEYREJECTED);
        d[0] ^= 1;
        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &other));
        ASSERT_ERRNO(crypto_key_verify_digest_ecdsa(other, d, sizeof d, r, s), -EKEYREJECTED);
        s[5] ^= 0x40;
        ASSERT_ERRNO(crypto_key_verify_digest_ecdsa(pub, d, sizeof d, r, s), -EKEYREJECTED);
}

int main(void) {
        if (!mkdtemp(dir))
                tap_skip_all("cannot create a temporary directory");
        RUN(generate_types);
        RUN(private_save_load);
        RUN(public_roundtrip_and_fingerprint);
        RUN(malformed_keys_refused);
        RUN(ec_point_roundtrip);
        RUN(ecdsa_raw);
        {
                _cleanup_free_ char *cmd = strprintf("rm -rf '%s'", dir);
                if (cmd)
                        (void) system(cmd);
        }
        return tap_done();
}
