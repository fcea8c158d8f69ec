/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Private to the crypto module (crypto-*.c): shared OpenSSL helpers. Nothing outside
 * src/lib/crypto-*.c includes this header. */

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto.h"
#include "macro.h"

struct CryptoKey {
        EVP_PKEY *pkey;
};

/* Logs OpenSSL's error queue at debug level (with what failed), clears it, returns -EIO
 * (or the given errno for openssl_error_errno). */
int openssl_error_errno(int error, const char *what);
static inline int openssl_error(const char *what) {
        return openssl_error_errno(EIO, what);
}

/* Wraps an EVP_PKEY (taking ownership) into a CryptoKey after checking it is RSA-2048 or
 * EC P-256; frees it and returns -EBADMSG otherwise. */
int crypto_key_wrap(EVP_PKEY *pkey, CryptoKey **ret);

static inline void BIO_freep(BIO **b) {
        BIO_free(*b);
}
static inline void EVP_PKEY_freep(EVP_PKEY **p) {
        EVP_PKEY_free(*p);
}
static inline void EVP_PKEY_CTX_freep(EVP_PKEY_CTX **p) {
        EVP_PKEY_CTX_free(*p);
}
static inline void X509_freep(X509 **x) {
        X509_free(*x);
}

struct CryptoCert {
        X509 *x509;
};

/* Wraps an X509 (taking ownership). */
int crypto_cert_wrap(X509 *x, CryptoCert **ret);

/* Copies an OpenSSL-allocated buffer into a malloc()ed one and frees the original. */
int openssl_buffer_to_malloc(unsigned char *data, int n, uint8_t **ret, size_t *ret_size);

/* Copies a memory BIO's contents into a malloc()ed buffer (NUL-terminated when nul is set; the
 * NUL is not counted in *ret_size). */
int openssl_bio_to_buffer(BIO *b, char **ret, size_t *ret_size, bool nul);
