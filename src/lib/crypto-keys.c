/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "crypto-openssl.h"
#include "fileio.h"
#include "log.h"
#include "memory-util.h"

#define KEY_FILE_MAX (64u * 1024)

CryptoKey *crypto_key_free(CryptoKey *k) {
        if (!k)
                return NULL;
        EVP_PKEY_free(k->pkey);
        free(k);
        return NULL;
}

static int pkey_type(const EVP_PKEY *pkey, KeyType *ret) {
        if (EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) == 2048) {
                *ret = KEY_RSA_2048;
                return 0;
        }
        if (EVP_PKEY_is_a(pkey, "EC")) {
                char group[64];
                size_t n;
                if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                                   sizeof group, &n) == 1 &&
                    strcmp(group, "prime256v1") == 0) {
                        *ret = KEY_EC_P256;
                        return 0;
                }
        }
        return -EBADMSG;
}

int crypto_key_wrap(EVP_PKEY *pkey, CryptoKey **ret) {
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *p = pkey;
        KeyType t;
        CryptoKey *k;

        if (pkey_type(p, &t) < 0)
                return -EBADMSG;
        k = calloc(1, sizeof *k);
        if (!k)
                return -ENOMEM;
        k->pkey = TAKE_PTR(p);
        *ret = k;
        return 0;
}

int crypto_key_get_type(const CryptoKey *k, KeyType *ret) {
        return pkey_type(k->pkey, ret);
}

bool crypto_key_is_private(const CryptoKey *k) {
        BIGNUM *priv = NULL;
        bool r;

        /* Both RSA ("d") and EC ("priv") private parts are BIGNUM parameters. */
        r = EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1 ||
            EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_D, &priv) == 1;
        BN_clear_free(priv);
        ERR_clear_error();
        return r;
}

int crypto_key_generate(KeyType type, CryptoKey **ret) {
        EVP_PKEY *pkey;

        switch (type) {
        case KEY_RSA_2048:
                pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
                break;
        case KEY_EC_P256:
                pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
                break;
        default:
                return -EINVAL;
        }
        if (!pkey)
                return openssl_error("EVP_PKEY_Q_keygen");
        return crypto_key_wrap(pkey, ret);
}

int crypto_key_load_private_pem(const char *path, CryptoKey **ret) {
        _cleanup_(BIO_freep) BIO *b = NULL;
        char *buf = NULL;
        size_t n = 0;
        EVP_PKEY *pkey;
        int r;

        r = read_full_file_secret(path, KEY_FILE_MAX, &buf, &n);
        if (r < 0)
                return r;
        b = BIO_new_mem_buf(buf, (int) n);
        pkey = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
        erase_and_free(buf, n);
        if (!pkey)
                return openssl_error_errno(EBADMSG, "PEM_read_bio_PrivateKey");
        return crypto_key_wrap(pkey, ret);
}

int crypto_key_from_public_pem(const void *data, size_t size, CryptoKey **ret) {
        _cleanup_(BIO_freep) BIO *b = NULL;
        EVP_PKEY *pkey;

        if (size > KEY_FILE_MAX)
                return -EFBIG;
        b = BIO_new_mem_buf(data, (int) size);
        if (!b)
                return -ENOMEM;
        pkey = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
        if (!pkey)
                return openssl_error_errno(EBADMSG, "PEM_read_bio_PUBKEY");
        return crypto_key_wrap(pkey, ret);
}

int crypto_key_from_public_der(const void *data, size_t size, CryptoKey **ret) {
        const unsigned char *p = data;
        EVP_PKEY *pkey;

        if (size > KEY_FILE_MAX)
                return -EFBIG;
        pkey = d2i_PUBKEY(NULL, &p, (long) size);
        if (!pkey)
                return openssl_error_errno(EBADMSG, "d2i_PUBKEY");
        if (p != (const unsigned char *) data + size) {
                EVP_PKEY_free(pkey);
                return -EBADMSG; /* trailing bytes */
        }
        return crypto_key_wrap(pkey, ret);
}

int crypto_key_load_public_pem(const char *path, CryptoKey **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n;
        int r;

        r = read_full_file(path, KEY_FILE_MAX, &buf, &n);
        if (r < 0)
                return r;
        return crypto_key_from_public_pem(buf, n, ret);
}

int crypto_key_save_private_pem(const CryptoKey *k, const char *path) {
        _cleanup_(BIO_freep) BIO *b = NULL;
        char *data;
        long n;
        int r;

        b = BIO_new(BIO_s_secmem());
        if (!b)
                b = BIO_new(BIO_s_mem());
        if (!b)
                return -ENOMEM;
        if (PEM_write_bio_PKCS8PrivateKey(b, k->pkey, NULL, NULL, 0, NULL, NULL) != 1)
                return openssl_error("PEM_write_bio_PKCS8PrivateKey");
        n = BIO_get_mem_data(b, &data);
        if (n <= 0)
                return -EIO;
        r = write_file_atomic(path, data, (size_t) n, 0600, WRITE_NO_REPLACE);
        explicit_bzero(data, (size_t) n);
        return r;
}

int openssl_bio_to_buffer(BIO *b, char **ret, size_t *ret_size, bool nul) {
        char *data, *copy;
        long n;

        n = BIO_get_mem_data(b, &data);
        if (n < 0)
                return -EIO;
        copy = malloc((size_t) n + 1);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, data, (size_t) n);
        if (nul)
                copy[n] = '\0';
        *ret = copy;
        if (ret_size)
                *ret_size = (size_t) n;
        return 0;
}

int crypto_key_public_pem(const CryptoKey *k, char **ret, size_t *ret_size) {
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());

        if (!b)
                return -ENOMEM;
        if (PEM_write_bio_PUBKEY(b, k->pkey) != 1)
                return openssl_error("PEM_write_bio_PUBKEY");
        return openssl_bio_to_buffer(b, ret, ret_size, true);
}

int crypto_key_public_der(const CryptoKey *k, uint8_t **ret, size_t *ret_size) {
        unsigned char *der = NULL;
        int n;

        uint8_t *copy;

        n = i2d_PUBKEY(k->pkey, &der);
        if (n <= 0)
                return openssl_error("i2d_PUBKEY");
        copy = malloc((size_t) n);
        if (copy)
                memcpy(copy, der, (size_t) n);
        OPENSSL_free(der);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        *ret_size = (size_t) n;
        return 0;
}

int crypto_key_fingerprint(const CryptoKey *k, uint8_t ret[SHA256_DIGEST_SIZE]) {
        _cleanup_free_ uint8_t *der = NULL;
        size_t n;
        int r;

        r = crypto_key_public_der(k, &der, &n);
        if (r < 0)
                return r;
        return crypto_sha256(der, n, ret);
}

int crypto_key_public_equal(const CryptoKey *a, const CryptoKey *b) {
        return EVP_PKEY_eq(a->pkey, b->pkey) == 1 ? 0 : -EKEYREJECTED;
}

static int ec_key_check(const CryptoKey *k) {
        KeyType t;
        if (crypto_key_get_type(k, &t) < 0 || t != KEY_EC_P256)
                return -EINVAL;
        return 0;
}

int crypto_key_ec_point(const CryptoKey *k, uint8_t x[32], uint8_t y[32]) {
        uint8_t pt[65];
        size_t n;

        if (ec_key_check(k) < 0)
                return -EINVAL;
        /* Uncompressed SEC1 point: 0x04 || X || Y. */
        if (EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
                                            sizeof pt, &n) != 1 ||
            n != sizeof pt || pt[0] != 0x04)
                return openssl_error("EVP_PKEY_get_octet_string_param");
        memcpy(x, pt + 1, 32);
        memcpy(y, pt + 33, 32);
        return 0;
}

int crypto_key_from_ec_point(const uint8_t x[32], const uint8_t y[32], CryptoKey **ret) {
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        OSSL_PARAM_BLD *bld = NULL;
        OSSL_PARAM *params = NULL;
        EVP_PKEY *pkey = NULL;
        uint8_t pt[65];
        int ok;

        pt[0] = 0x04;
        memcpy(pt + 1, x, 32);
        memcpy(pt + 33, y, 32);

        bld = OSSL_PARAM_BLD_new();
        ok = bld &&
             OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
             OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt) &&
             (params = OSSL_PARAM_BLD_to_param(bld));
        if (ok) {
                ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
                ok = ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
                     EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
        }
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
        if (!ok)
                return openssl_error_errno(EBADMSG, "EVP_PKEY_fromdata");
        return crypto_key_wrap(pkey, ret);
}

int crypto_key_sign_digest_ecdsa(const CryptoKey *k, const uint8_t *digest, size_t digest_size,
                                 uint8_t r[32], uint8_t s[32]) {
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        unsigned char der[80];
        const unsigned char *p = der;
        size_t n = sizeof der;
        ECDSA_SIG *sig;
        int ok;

        if (ec_key_check(k) < 0)
                return -EINVAL;
        ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
        if (!ctx || EVP_PKEY_sign_init(ctx) != 1 ||
            EVP_PKEY_sign(ctx, der, &n, digest, digest_size) != 1)
                return openssl_error("EVP_PKEY_sign");
        sig = d2i_ECDSA_SIG(NULL, &p, (long) n);
        if (!sig)
                return openssl_error("d2i_ECDSA_SIG");
        ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), r, 32) == 32 &&
             BN_bn2binpad(ECDSA_SIG_get0_s(sig), s, 32) == 32;
        ECDSA_SIG_free(sig);
        return ok ? 0 : openssl_error("BN_bn2binpad");
}

int crypto_key_verify_digest_ecdsa(const CryptoKey *k, const uint8_t *digest, size_t digest_size,
                                   const uint8_t r[32], const uint8_t s[32]) {
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        unsigned char *der = NULL;
        ECDSA_SIG *sig;
        BIGNUM *br, *bs;
        int n, v;

        if (ec_key_check(k) < 0)
                return -EINVAL;
        sig = ECDSA_SIG_new();
        br = BN_bin2bn(r, 32, NULL);
        bs = BN_bin2bn(s, 32, NULL);
        if (!sig || !br || !bs || ECDSA_SIG_set0(sig, br, bs) != 1) {
                ECDSA_SIG_free(sig);
                BN_free(br);
                BN_free(bs);
                return -ENOMEM;
        }
        n = i2d_ECDSA_SIG(sig, &der);
        ECDSA_SIG_free(sig);
        if (n <= 0)
                return openssl_error("i2d_ECDSA_SIG");
        ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
        v = ctx && EVP_PKEY_verify_init(ctx) == 1
                    ? EVP_PKEY_verify(ctx, der, (size_t) n, digest, digest_size)
                    : -1;
        OPENSSL_free(der);
        ERR_clear_error();
        return v == 1 ? 0 : -EKEYREJECTED;
}
