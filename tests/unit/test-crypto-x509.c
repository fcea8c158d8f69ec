/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "fileio.h"
#include "path-util.h"
#include "string-util.h"
#include "tap.h"
#include "uuid-util.h"

#define DAY 86400
static char dir[] = "/tmp/test-crypto-x509-XXXXXX";
static int64_t now;
static const uint8_t product[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x47, 0x88,
                                     0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00 };

/* A self-signed EC CA and its key, made once. */
static CryptoKey *ca_key, *other_ca_key;
static CryptoCert *ca, *other_ca;

static int make(CertProfile p, const CryptoCert *issuer, const CryptoKey *issuer_key, int64_t nb,
                int64_t na, CryptoKey **ret_key, CryptoCert **ret) {
        _cleanup_(crypto_key_freep) CryptoKey *k = NULL;
        bool rsa = p == CERT_PROFILE_UEFI_PK || p == CERT_PROFILE_UEFI_KEK ||
                   p == CERT_PROFILE_UEFI_DB;
        CertRequest req = {
                .profile = p,
                .common_name = "test",
                .organization = "Example Org",
                .serial_number = p == CERT_PROFILE_DEVICE_IDENTITY ? "SN-0001.a" : NULL,
                .product_uuid =
                        (p == CERT_PROFILE_MANIFEST_SIGNER || p == CERT_PROFILE_DEVICE_IDENTITY)
                                ? product
                                : NULL,
                .issuer = issuer,
                .not_before = nb,
                .not_after = na,
        };
        int r;

        r = crypto_key_generate(rsa ? KEY_RSA_2048 : KEY_EC_P256, &k);
        if (r < 0)
                return r;
        req.public_key = k;
        req.issuer_key = issuer_key ?: k;
        r = crypto_cert_issue(&req, ret);
        if (r < 0)
                return r;
        if (ret_key)
                *ret_key = TAKE_PTR(k);
        return 0;
}

TEST(setup) {
        now = (int64_t) time(NULL);
        ASSERT_OK(make(CERT_PROFILE_CA, NULL, NULL, now - DAY, now + 365 * DAY, &ca_key, &ca));
        ASSERT_OK(make(CERT_PROFILE_CA, NULL, NULL, now - DAY, now + 365 * DAY, &other_ca_key,
                       &other_ca));
}

TEST(every_profile_issues_and_checks) {
        for (CertProfile p = 0; p < _CERT_PROFILE_MAX; p++) {
                _cleanup_(crypto_cert_freep) CryptoCert *c = NULL, *pk = NULL;
                _cleanup_(crypto_key_freep) CryptoKey *pk_key = NULL;
                bool self = p == CERT_PROFILE_UEFI_PK || p == CERT_PROFILE_CA;
                bool rsa = p == CERT_PROFILE_UEFI_PK || p == CERT_PROFILE_UEFI_KEK ||
                           p == CERT_PROFILE_UEFI_DB;

                if (rsa && !self)
                        ASSERT_OK(make(CERT_PROFILE_UEFI_PK, NULL, NULL, now, now + DAY, &pk_key,
                                       &pk));
                ASSERT_OK(make(p,
                               self  ? NULL
                               : rsa ? pk
                                     : ca,
                               self  ? NULL
                               : rsa ? pk_key
                                     : ca_key,
                               now, now + DAY, NULL, &c));
                for (CertProfile q = 0; q < _CERT_PROFILE_MAX; q++) {
                        _cleanup_free_ char *err = NULL;
                        int r = crypto_cert_check_profile(c, q, &err);
                        /* The PK and KEK profiles have the same shape. */
                        bool same = p == q ||
                                    (p == CERT_PROFILE_UEFI_PK && q == CERT_PROFILE_UEFI_KEK) ||
                                    (p == CERT_PROFILE_UEFI_KEK && q == CERT_PROFILE_UEFI_PK);
                        if (same)
                                ASSERT_OK(r);
                        else {
                                ASSERT_ERRNO(r, -EKEYREJECTED);
                                ASSERT_TRUE(startswith(err, "not a ") != NULL);
                        }
                }
                if (!self)
                        ASSERT_OK(crypto_cert_verify_issued(c, rsa ? pk : ca, now, NULL));
        }
}

TEST(refuses_bad_requests) {
        _cleanup_(crypto_key_freep) CryptoKey *ec = NULL, *rsa = NULL;
        CryptoCert *c = NULL;
        CertRequest req = {
                .profile = CERT_PROFILE_MANIFEST_SIGNER,
                .common_name = "x",
                .issuer = ca,
                .issuer_key = ca_key,
                .not_before = now,
                .not_after = now + DAY,
        };

        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &ec));
        ASSERT_OK(crypto_key_generate(KEY_RSA_2048, &rsa));
        req.public_key = ec;
        ASSERT_ERRNO(crypto_cert_issue(&req, &c), -EINVAL); /* no product */
        req.product_uuid = product;
        req.public_key = rsa;
        ASSERT_ERRNO(crypto_cert_issue(&req, &c), -EINVAL); /* RSA for an EC profile */
        req.public_key = ec;
        req.issuer_key = ec;
        ASSERT_ERRNO(crypto_cert_issue(&req, &c), -EINVAL); /* issuer key does not match */
        req.issuer_key = ca_key;
        req.not_after = now - 1;
        ASSERT_ERRNO(crypto_cert_issue(&req, &c), -EINVAL); /* empty validity */
        req.not_after = now + DAY;
        req.profile = CERT_PROFILE_DEVICE_IDENTITY;
        ASSERT_ERRNO(crypto_cert_issue(&req, &c), -EINVAL); /* no serial */
        req.serial_number = "bad serial";
        ASSERT_ERRNO(crypto_cert_issue(&req, &c), -EINVAL);
        req.serial_number = "-leading-dash";
        ASSERT_ERRNO(crypto_cert_issue(&req, &c), -EINVAL);
        req.serial_number = "ok-1";
        ASSERT_OK(crypto_cert_issue(&req, &c));
        c = crypto_cert_free(c);
}

TEST(fields_roundtrip_pem_and_der) {
        _cleanup_(crypto_cert_freep) CryptoCert *dev = NULL, *from_pem = NULL, *from_der = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *key = NULL, *pub = NULL;
        _cleanup_free_ char *pem = NULL, *subject = NULL, *issuer = NULL, *serial = NULL,
                            *dserial = NULL, *serial2 = NULL, *path = NULL, *junk = NULL;
        _cleanup_free_ uint8_t *der = NULL;
        uint8_t u[16], f1[32], f2[32];
        int64_t nb, na;
        size_t pn, dn;
        struct stat st;

        ASSERT_OK(make(CERT_PROFILE_DEVICE_IDENTITY, ca, ca_key, now, 253402300799, &key, &dev));
        ASSERT_OK(crypto_cert_to_pem(dev, &pem, &pn));
        ASSERT_OK(crypto_cert_to_der(dev, &der, &dn));
        ASSERT_OK(crypto_cert_from_data(pem, pn, &from_pem));
        ASSERT_OK(crypto_cert_from_data(der, dn, &from_der));
        ASSERT_OK(crypto_cert_fingerprint(from_pem, f1));
        ASSERT_OK(crypto_cert_fingerprint(from_der, f2));
        ASSERT_TRUE(memcmp(f1, f2, 32) == 0);

        ASSERT_OK(crypto_cert_data_product_uuid(der, dn, u));
        ASSERT_TRUE(memcmp(u, product, 16) == 0);
        ASSERT_OK(crypto_cert_data_product_uuid(pem, pn, u));
        ASSERT_TRUE(memcmp(u, product, 16) == 0);
        ASSERT_OK(crypto_cert_data_device_serial(der, dn, &dserial));
        ASSERT_STREQ(dserial, "SN-0001.a");
        ASSERT_ERRNO(crypto_cert_product_uuid(ca, u), -ENODATA);
        ASSERT_ERRNO(crypto_cert_device_serial(ca, &serial2), -ENODATA);

        ASSERT_OK(crypto_cert_subject(dev, &subject));
        ASSERT_STREQ(subject, "O = Example Org, serialNumber = SN-0001.a, CN = test");
        ASSERT_OK(crypto_cert_issuer(dev, &issuer));
        ASSERT_STREQ(issuer, "O = Example Org, CN = test");
        ASSERT_OK(crypto_cert_serial(dev, &serial));
        ASSERT_EQ(strlen(serial), 32);
        ASSERT_OK(crypto_cert_validity(dev, &nb, &na));
        ASSERT_EQ(nb, now);
        ASSERT_EQ(na, 253402300799); /* 9999-12-31T23:59:59Z, GeneralizedTime */
        ASSERT_OK(crypto_cert_public_key(dev, &pub));
        ASSERT_OK(crypto_key_public_equal(pub, key));
        ASSERT_OK(crypto_cert_matches_key(dev, key));
        ASSERT_ERRNO(crypto_cert_matches_key(dev, ca_key), -EKEYREJECTED);

        path = path_join(dir, "dev.crt");
        ASSERT_OK(crypto_cert_save_pem(dev, path));
        ASSERT_OK(stat(path, &st));
        ASSERT_EQ(st.st_mode & 0777, 0644);
        ASSERT_ERRNO(crypto_cert_save_pem(dev, path), -EEXIST);

        /* Trailing data after one certificate is refused, in both encodings. */
        junk = strjoin(pem, "x");
        ASSERT_ERRNO(crypto_cert_from_data(junk, pn + 1, &from_pem), -EBADMSG);
        der[dn - 1] ^= 1;
        {
                CryptoCert *c = NULL;
                uint8_t *longer = malloc(dn + 1);
                ASSERT_NOT_NULL(longer);
                der[dn - 1] ^= 1;
                memcpy(longer, der, dn);
                longer[dn] = 0;
                ASSERT_ERRNO(crypto_cert_from_data(longer, dn + 1, &c), -EBADMSG);
                ASSERT_ERRNO(crypto_cert_from_data(longer, dn - 1, &c), -EBADMSG);
                ASSERT_ERRNO(crypto_cert_from_data(longer, 0, &c), -EBADMSG);
                free(longer);
        }
}

TEST(verify_issued_refusals) {
        _cleanup_(crypto_cert_freep) CryptoCert *leaf = NULL, *expired = NULL, *future = NULL;
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL;

        ASSERT_OK(
                make(CERT_PROFILE_MANIFEST_SIGNER, ca, ca_key, now - DAY, now + DAY, NULL, &leaf));
        ASSERT_OK(crypto_cert_verify_issued(leaf, ca, now, NULL));

        ASSERT_ERRNO(crypto_cert_verify_issued(leaf, other_ca, now, &e1), -EKEYREJECTED);
        ASSERT_TRUE(strstr(e1, "does not chain to CA") != NULL);
        /* The leaf is not a CA, so it cannot be the anchor. */
        ASSERT_ERRNO(crypto_cert_verify_issued(leaf, leaf, now, &e2), -EKEYREJECTED);
        ASSERT_TRUE(strstr(e2, "is not a CA") != NULL);

        /* Validity at other times: the leaf and the CA. */
        ASSERT_ERRNO(crypto_cert_verify_issued(leaf, ca, now + 2 * DAY, &e3), -EKEYEXPIRED);
        ASSERT_TRUE(strstr(e3, "expired at") != NULL);
        ASSERT_ERRNO(crypto_cert_verify_issued(leaf, ca, now - 2 * DAY, &e4), -EKEYEXPIRED);
        ASSERT_TRUE(strstr(e4, "is not valid before") != NULL);
        ASSERT_ERRNO(crypto_cert_verify_issued(leaf, ca, now + 400 * DAY, NULL), -EKEYEXPIRED);

        ASSERT_OK(make(CERT_PROFILE_MANIFEST_SIGNER, ca, ca_key, now - 2 * DAY, now - DAY, NULL,
                       &expired));
        ASSERT_ERRNO(crypto_cert_verify_issued(expired, ca, now, &e5), -EKEYEXPIRED);
        ASSERT_OK(make(CERT_PROFILE_MANIFEST_SIGNER, ca, ca_key, now + DAY, now + 2 * DAY, NULL,
                       &future));
        ASSERT_ERRNO(crypto_cert_verify_issued(future, ca, now, NULL), -EKEYEXPIRED);
}

TEST(intermediate_is_not_enough) {
        /* A CA issued by the CA cannot issue manifest signers that chain to the root: only
         * leaf -> CA chains are accepted, and the CA's pathLen 0 forbids it anyway. */
        _cleanup_(crypto_cert_freep) CryptoCert *leaf = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *k = NULL;
        _cleanup_free_ char *err = NULL;

        ASSERT_OK(make(CERT_PROFILE_MANIFEST_SIGNER, other_ca, other_ca_key, now - DAY, now + DAY,
                       &k, &leaf));
        ASSERT_ERRNO(crypto_cert_verify_issued(leaf, ca, now, &err), -EKEYREJECTED);
        ASSERT_OK(crypto_cert_verify_issued(leaf, other_ca, now, NULL));
}

int main(void) {
        if (!mkdtemp(dir))
                tap_skip_all("cannot create a temporary directory");
        RUN(setup);
        RUN(every_profile_issues_and_checks);
        RUN(refuses_bad_requests);
        RUN(fields_roundtrip_pem_and_der);
        RUN(verify_issued_refusals);
        RUN(intermediate_is_not_enough);
        crypto_cert_free(ca);
        crypto_cert_free(other_ca);
        crypto_key_free(ca_key);
        crypto_key_free(other_ca_key);
        {
                _cleanup_free_ char *cmd = strprintf("rm -rf '%s'", dir);
                if (cmd)
                        (void) system(cmd);
        }
        return tap_done();
}
