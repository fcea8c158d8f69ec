/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "crypto.h"
#include "tap.h"
#include "test-data.h"

static char p1[4096], p2[4096];

static CryptoSigner *load(const char *name) {
        char k[64], c[64];
        CryptoSigner *s = NULL;
        snprintf(k, sizeof k, "uefi/%s.key", name);
        snprintf(c, sizeof c, "uefi/%s.crt", name);
        if (crypto_signer_load(test_data(p1, sizeof p1, k), test_data(p2, sizeof p2, c), &s) < 0)
                return NULL;
        return s;
}

static uint8_t *cert(const char *name, size_t *n) {
        _cleanup_(crypto_cert_freep) CryptoCert *x = NULL;
        char c[64];
        uint8_t *d = NULL;
        snprintf(c, sizeof c, "uefi/%s.crt", name);
        if (crypto_cert_load(test_data(p1, sizeof p1, c), &x) < 0 ||
            crypto_cert_to_der(x, &d, n) < 0)
                return NULL;
        return d;
}

TEST(signer_mismatch) {
        CryptoSigner *s = NULL;
        ASSERT_ERRNO(crypto_signer_load(test_data(p1, sizeof p1, "uefi/signer.key"),
                                        test_data(p2, sizeof p2, "uefi/other.crt"), &s),
                     -EKEYREJECTED);
        ASSERT_ERRNO(crypto_signer_load(test_data(p1, sizeof p1, "uefi/signer.crt"),
                                        test_data(p2, sizeof p2, "uefi/signer.crt"), &s),
                     -EBADMSG);
        ASSERT_ERRNO(crypto_signer_load(test_data(p1, sizeof p1, "uefi/missing.key"),
                                        test_data(p2, sizeof p2, "uefi/signer.crt"), &s),
                     -ENOENT);
}

TEST(uefi_variable_sign_verify) {
        _cleanup_(crypto_signer_freep) CryptoSigner *s = load("signer");
        _cleanup_free_ uint8_t *sig = NULL, *sig2 = NULL, *own = NULL, *other = NULL;
        static const char payload[] = "PK payload";
        size_t n, n2, on, xn;

        ASSERT_NOT_NULL(s);
        own = cert("signer", &on);
        other = cert("other", &xn);
        ASSERT_OK(crypto_pkcs7_sign_uefi_variable(s, payload, sizeof payload, &sig, &n));
        /* Bare SignedData: SEQUENCE with a two-byte length, then version 1, then the SHA-256
         * OID at offset 13 where edk2 looks for it. */
        ASSERT_EQ(sig[0], 0x30);
        ASSERT_EQ(sig[1], 0x82);
        ASSERT_EQ(sig[13], 0x60);
        ASSERT_EQ(sig[14], 0x86);
        ASSERT_OK(crypto_pkcs7_sign_uefi_variable(s, payload, sizeof payload, &sig2, &n2));
        ASSERT_EQ(n, n2);
        ASSERT_TRUE(memcmp(sig, sig2, n) == 0); /* deterministic */
        ASSERT_OK(crypto_pkcs7_verify_uefi_variable(sig, n, payload, sizeof payload, own, on));
        ASSERT_ERRNO(
                crypto_pkcs7_verify_uefi_variable(sig, n, payload, sizeof payload - 1, own, on),
                -EKEYREJECTED);
        ASSERT_ERRNO(crypto_pkcs7_verify_uefi_variable(sig, n, payload, sizeof payload, other, xn),
                     -EKEYREJECTED);
        sig[n - 5] ^= 1; /* the RSA signature */
        ASSERT_ERRNO(crypto_pkcs7_verify_uefi_variable(sig, n, payload, sizeof payload, own, on),
                     -EKEYREJECTED);
        ASSERT_ERRNO(crypto_pkcs7_verify_uefi_variable(sig, 10, payload, sizeof payload, own, on),
                     -EBADMSG);
}

TEST(authenticode_sign_verify) {
        _cleanup_(crypto_signer_freep) CryptoSigner *s = load("signer"), *leaf = load("leaf");
        _cleanup_free_ uint8_t *sig = NULL, *own = NULL, *other = NULL, *ca = NULL, *lsig = NULL;
        uint8_t digest[32], digest2[32];
        size_t n, on, xn, cn, ln;

        ASSERT_NOT_NULL(s);
        ASSERT_NOT_NULL(leaf);
        memset(digest, 0x5a, sizeof digest);
        memcpy(digest2, digest, sizeof digest);
        digest2[31] ^= 1;
        own = cert("signer", &on);
        other = cert("other", &xn);
        ca = cert("ca", &cn);
        ASSERT_OK(crypto_authenticode_sign(s, digest, &sig, &n));
        /* ContentInfo; edk2 finds the digest algorithm OID at offset 32. */
        ASSERT_EQ(sig[0], 0x30);
        ASSERT_EQ(sig[32], 0x60);
        ASSERT_OK(crypto_authenticode_verify(sig, n, digest, own, on));
        ASSERT_ERRNO(crypto_authenticode_verify(sig, n, digest2, own, on), -EKEYREJECTED);
        ASSERT_ERRNO(crypto_authenticode_verify(sig, n, digest, other, xn), -EKEYREJECTED);
        ASSERT_ERRNO(crypto_authenticode_verify(sig, n - 1, digest, own, on), -EBADMSG);
        /* A chain: the trusted certificate is the issuer (as db may hold a CA). */
        ASSERT_OK(crypto_authenticode_sign(leaf, digest, &lsig, &ln));
        ASSERT_OK(crypto_authenticode_verify(lsig, ln, digest, ca, cn));
        ASSERT_ERRNO(crypto_authenticode_verify(lsig, ln, digest, own, on), -EKEYREJECTED);
}

int main(void) {
        RUN(signer_mismatch);
        RUN(uefi_variable_sign_verify);
        RUN(authenticode_sign_verify);
        return tap_done();
}
