/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <time.h>

#include "crypto.h"
#include "string-util.h"
#include "tap.h"

static const uint8_t product[16] = { 1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16 };
static CryptoKey *ca_key, *key;
static CryptoCert *ca, *signer;
static const char doc[] = "{\"format\":1}";

TEST(setup) {
        int64_t now = (int64_t) time(NULL);
        CertRequest req = {
                .profile = CERT_PROFILE_CA,
                .common_name = "ca",
                .not_before = now - 60,
                .not_after = now + 3600,
        };

        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &ca_key));
        req.public_key = req.issuer_key = ca_key;
        ASSERT_OK(crypto_cert_issue(&req, &ca));
        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &key));
        req = (CertRequest){
                .profile = CERT_PROFILE_MANIFEST_SIGNER,
                .common_name = "signer",
                .product_uuid = product,
                .public_key = key,
                .issuer = ca,
                .issuer_key = ca_key,
                .not_before = now - 60,
                .not_after = now + 3600,
        };
        ASSERT_OK(crypto_cert_issue(&req, &signer));
}

TEST(sign_verify_roundtrip) {
        _cleanup_free_ uint8_t *sig = NULL;
        _cleanup_(crypto_cert_freep) CryptoCert *got = NULL;
        uint8_t f1[32], f2[32];
        size_t n;

        ASSERT_OK(crypto_cms_sign_detached(signer, key, doc, strlen(doc), &sig, &n));
        ASSERT_TRUE(n > 100 && n < 2048);
        ASSERT_OK(crypto_cms_verify_detached(sig, n, doc, strlen(doc), &got, NULL));
        ASSERT_OK(crypto_cert_fingerprint(got, f1));
        ASSERT_OK(crypto_cert_fingerprint(signer, f2));
        ASSERT_TRUE(memcmp(f1, f2, 32) == 0);
}

TEST(refuses_key_not_matching) {
        uint8_t *sig = NULL;
        size_t n;

        ASSERT_ERRNO(crypto_cms_sign_detached(signer, ca_key, doc, strlen(doc), &sig, &n), -EINVAL);
        ASSERT_NULL(sig);
}

TEST(refuses_changed_data) {
        _cleanup_free_ uint8_t *sig = NULL;
        _cleanup_free_ char *err = NULL;
        CryptoCert *got = NULL;
        char copy[sizeof doc];
        size_t n;

        ASSERT_OK(crypto_cms_sign_detached(signer, key, doc, strlen(doc), &sig, &n));
        memcpy(copy, doc, sizeof doc);
        for (size_t i = 0; i < strlen(doc); i++) {
                copy[i] ^= 1;
                ASSERT_ERRNO(crypto_cms_verify_detached(sig, n, copy, strlen(doc), &got, NULL),
                             -EKEYREJECTED);
                copy[i] ^= 1;
        }
        ASSERT_ERRNO(crypto_cms_verify_detached(sig, n, doc, strlen(doc) - 1, &got, &err),
                     -EKEYREJECTED);
        ASSERT_STREQ(err, "signature does not match the signed data");
        ASSERT_NULL(got);
}

TEST(refuses_changed_signature) {
        _cleanup_free_ uint8_t *sig = NULL, *longer = NULL;
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL;
        CryptoCert *got = NULL;
        size_t n;

        ASSERT_OK(crypto_cms_sign_detached(signer, key, doc, strlen(doc), &sig, &n));
        /* Every single flipped bit of the signature is refused, one way or another: by the
         * signature check, or (for bytes inside the included certificate) by the chain or
         * profile check that always follows it. */
        for (size_t i = 0; i < n; i++)
                for (uint8_t bit = 1; bit; bit <<= 1) {
                        int r;
                        sig[i] ^= bit;
                        r = crypto_cms_verify_detached(sig, n, doc, strlen(doc), &got, NULL);
                        if (r >= 0) {
                                r = crypto_cert_verify_issued(got, ca, (int64_t) time(NULL), NULL);
                                if (r >= 0)
                                        r = crypto_cert_check_profile(
                                                got, CERT_PROFILE_MANIFEST_SIGNER, NULL);
                                got = crypto_cert_free(got);
                        }
                        if (r != -EKEYREJECTED && r != -EBADMSG) {
                                tap_fail("byte %zu bit %u flipped: %s", i, bit, strerror(-r));
                                return;
                        }
                        sig[i] ^= bit;
                }
        for (size_t len = 0; len < n; len += 7)
                ASSERT_ERRNO(crypto_cms_verify_detached(sig, len, doc, strlen(doc), &got, NULL),
                             -EBADMSG);
        ASSERT_ERRNO(crypto_cms_verify_detached(sig, n - 1, doc, strlen(doc), &got, &e1), -EBADMSG);
        ASSERT_STREQ(e1, "signature is not a DER CMS structure");
        longer = malloc(n + 1);
        ASSERT_NOT_NULL(longer);
        memcpy(longer, sig, n);
        longer[n] = 0;
        ASSERT_ERRNO(crypto_cms_verify_detached(longer, n + 1, doc, strlen(doc), &got, &e2),
                     -EBADMSG);
        ASSERT_STREQ(e2, "signature has 1 bytes of trailing data");
        ASSERT_ERRNO(
                crypto_cms_verify_detached(sig, CMS_SIGNATURE_MAX + 1, doc, strlen(doc), &got, &e3),
                -EFBIG);
        ASSERT_NULL(got);
}

int main(void) {
        RUN(setup);
        RUN(sign_verify_roundtrip);
        RUN(refuses_key_not_matching);
        RUN(refuses_changed_data);
        RUN(refuses_changed_signature);
        crypto_cert_free(ca);
        crypto_cert_free(signer);
        crypto_key_free(ca_key);
        crypto_key_free(key);
        return tap_done();
}
