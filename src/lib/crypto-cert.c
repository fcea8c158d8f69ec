/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <openssl/pem.h>

#include "crypto-openssl.h"

#define CERT_MAX (64u * 1024)

static int cert_parse(const void *data, size_t size, X509 **ret) {
        const unsigned char *p = data;
        X509 *x;

        if (size > CERT_MAX)
                return -EFBIG;
        if (size == 0)
                return -EBADMSG;
        /* DER first: a DER certificate starts with a SEQUENCE tag, never with '-'. */
        x = d2i_X509(NULL, &p, (long) size);
        if (x && p != (const unsigned char *) data + size) {
                X509_free(x); /* trailing bytes after the certificate */
                x = NULL;
        }
        if (!x) {
                _cleanup_(BIO_freep) BIO *b = BIO_new_mem_buf(data, (int) size);
                if (!b)
                        return -ENOMEM;
                x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        }
        if (!x)
                return openssl_error_errno(EBADMSG, "d2i_X509/PEM_read_bio_X509");
        *ret = x;
        return 0;
}

int crypto_cert_to_der(const void *data, size_t size, uint8_t **ret, size_t *ret_size) {
        _cleanup_(X509_freep) X509 *x = NULL;
        unsigned char *der = NULL;
        uint8_t *copy;
        int n, r;

        r = cert_parse(data, size, &x);
        if (r < 0)
                return r;
        n = i2d_X509(x, &der);
        if (n <= 0)
                return openssl_error("i2d_X509");
        copy = malloc((size_t) n);
        if (!copy) {
                OPENSSL_free(der);
                return -ENOMEM;
        }
        memcpy(copy, der, (size_t) n);
        OPENSSL_free(der);
        *ret = copy;
        *ret_size = (size_t) n;
        return 0;
}

int crypto_cert_public_key(const void *der, size_t size, CryptoKey **ret) {
        _cleanup_(X509_freep) X509 *x = NULL;
        EVP_PKEY *pkey;
        int r;

        r = cert_parse(der, size, &x);
        if (r < 0)
                return r;
        pkey = X509_get_pubkey(x);
        if (!pkey)
                return openssl_error_errno(EBADMSG, "X509_get_pubkey");
        return crypto_key_wrap(pkey, ret);
}
