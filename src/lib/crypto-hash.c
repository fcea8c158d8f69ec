/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <limits.h>
#include <openssl/rand.h>

#include "crypto-openssl.h"
#include "log.h"
#include "string-util.h"

struct CryptoHash {
        EVP_MD_CTX *ctx;
        size_t size;
};

static const struct {
        const char *name;
        size_t size;
} hash_info[] = {
        [HASH_SHA1] = { "sha1", 20 },
        [HASH_SHA256] = { "sha256", SHA256_DIGEST_SIZE },
        [HASH_SHA384] = { "sha384", SHA384_DIGEST_SIZE },
        [HASH_SHA512] = { "sha512", SHA512_DIGEST_SIZE },
};

static const EVP_MD *hash_md(HashAlgorithm a) {
        switch (a) {
        case HASH_SHA1:
                return EVP_sha1();
        case HASH_SHA256:
                return EVP_sha256();
        case HASH_SHA384:
                return EVP_sha384();
        case HASH_SHA512:
                return EVP_sha512();
        }
        return NULL;
}

size_t hash_algorithm_size(HashAlgorithm a) {
        return (size_t) a < ELEMENTSOF(hash_info) ? hash_info[a].size : 0;
}

const char *hash_algorithm_name(HashAlgorithm a) {
        return (size_t) a < ELEMENTSOF(hash_info) ? hash_info[a].name : NULL;
}

int hash_algorithm_from_name(const char *name, HashAlgorithm *ret) {
        for (size_t i = 0; i < ELEMENTSOF(hash_info); i++)
                if (streq(name, hash_info[i].name)) {
                        *ret = (HashAlgorithm) i;
                        return 0;
                }
        return -EINVAL;
}

int openssl_error_errno(int error, const char *what) {
        unsigned long e = ERR_get_error();
        log_debug("OpenSSL: %s failed: %s", what, e ? ERR_reason_error_string(e) : "unknown");
        ERR_clear_error();
        return -(error < 0 ? -error : error);
}

int crypto_hash(HashAlgorithm a, const void *data, size_t n, uint8_t *ret) {
        const EVP_MD *md = hash_md(a);
        unsigned size;

        if (!md)
                return -EINVAL;
        if (EVP_Digest(data, n, ret, &size, md, NULL) != 1)
                return openssl_error("EVP_Digest");
        return 0;
}

int crypto_hash_new(HashAlgorithm a, CryptoHash **ret) {
        const EVP_MD *md = hash_md(a);
        _cleanup_(crypto_hash_freep) CryptoHash *h = NULL;

        if (!md)
                return -EINVAL;
        h = calloc(1, sizeof *h);
        if (!h)
                return -ENOMEM;
        h->size = hash_algorithm_size(a);
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx)
                return -ENOMEM;
        if (EVP_DigestInit_ex(h->ctx, md, NULL) != 1)
                return openssl_error("EVP_DigestInit_ex");
        *ret = TAKE_PTR(h);
        return 0;
}

int crypto_hash_update(CryptoHash *h, const void *data, size_t n) {
        if (EVP_DigestUpdate(h->ctx, data, n) != 1)
                return openssl_error("EVP_DigestUpdate");
        return 0;
}

int crypto_hash_final(CryptoHash *h, uint8_t *ret) {
        unsigned size;

        if (EVP_DigestFinal_ex(h->ctx, ret, &size) != 1)
                return openssl_error("EVP_DigestFinal_ex");
        return 0;
}

int crypto_hash_copy(const CryptoHash *h, CryptoHash **ret) {
        _cleanup_(crypto_hash_freep) CryptoHash *c = NULL;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->size = h->size;
        c->ctx = EVP_MD_CTX_new();
        if (!c->ctx)
                return -ENOMEM;
        if (EVP_MD_CTX_copy_ex(c->ctx, h->ctx) != 1)
                return openssl_error("EVP_MD_CTX_copy_ex");
        *ret = TAKE_PTR(c);
        return 0;
}

int crypto_hash_copy_into(CryptoHash *dst, const CryptoHash *src) {
        if (dst->size != src->size)
                return -EINVAL;
        if (EVP_MD_CTX_copy_ex(dst->ctx, src->ctx) != 1)
                return openssl_error("EVP_MD_CTX_copy_ex");
        return 0;
}

size_t crypto_hash_size(const CryptoHash *h) {
        return h->size;
}

CryptoHash *crypto_hash_free(CryptoHash *h) {
        if (!h)
                return NULL;
        EVP_MD_CTX_free(h->ctx);
        free(h);
        return NULL;
}

int crypto_random_bytes(void *p, size_t n) {
        unsigned char *b = p;

        while (n > 0) {
                int chunk = (int) MIN(n, (size_t) INT_MAX);
                if (RAND_bytes(b, chunk) != 1)
                        return openssl_error("RAND_bytes");
                b += chunk;
                n -= (size_t) chunk;
        }
        return 0;
}
