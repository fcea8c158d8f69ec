/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The crypto module: the only place that includes OpenSSL. It is split by concern into
 * crypto-<concern>.c files (hash, keys, x509, cms, ...) that share this header; no OpenSSL
 * type appears here, so callers never touch OpenSSL directly. OpenSSL errors are turned into
 * -errno once, inside these files (with the OpenSSL reason logged at debug level). */

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define SHA256_DIGEST_SIZE 32
#define SHA384_DIGEST_SIZE 48
#define SHA512_DIGEST_SIZE 64
#define CRYPTO_MAX_DIGEST_SIZE 64

/* ---- hashing (crypto-hash.c) ---- */

typedef enum HashAlgorithm {
        HASH_SHA1,
        HASH_SHA256,
        HASH_SHA384,
        HASH_SHA512,
} HashAlgorithm;

size_t hash_algorithm_size(HashAlgorithm a);
const char *hash_algorithm_name(HashAlgorithm a); /* "sha256" ... */
int hash_algorithm_from_name(const char *name, HashAlgorithm *ret);

/* One-shot digest; ret must hold hash_algorithm_size(a) bytes. */
int crypto_hash(HashAlgorithm a, const void *data, size_t n, uint8_t *ret);
static inline int crypto_sha256(const void *data, size_t n, uint8_t ret[SHA256_DIGEST_SIZE]) {
        return crypto_hash(HASH_SHA256, data, n, ret);
}

/* Incremental digest. crypto_hash_copy() duplicates the state (used to hash a common prefix,
 * such as a verity salt, once). */
typedef struct CryptoHash CryptoHash;
int crypto_hash_new(HashAlgorithm a, CryptoHash **ret);
int crypto_hash_update(CryptoHash *h, const void *data, size_t n);
/* Writes the digest and resets nothing: a finished context must be freed or re-copied. */
int crypto_hash_final(CryptoHash *h, uint8_t *ret);
int crypto_hash_copy(const CryptoHash *h, CryptoHash **ret);
/* Copies src's state into an existing dst (no allocation; for per-block loops). */
int crypto_hash_copy_into(CryptoHash *dst, const CryptoHash *src);
size_t crypto_hash_size(const CryptoHash *h);
CryptoHash *crypto_hash_free(CryptoHash *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(CryptoHash *, crypto_hash_free);

/* Cryptographically secure random bytes (OpenSSL's DRBG seeded from getrandom()). */
int crypto_random_bytes(void *p, size_t n);
