/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The crypto module: the only place that includes OpenSSL. It is split by concern into
 * crypto-<concern>.c files (hash, keys, x509, cms, ...) that share this header; no OpenSSL
 * type appears here, so callers never touch OpenSSL directly. OpenSSL errors are turned into
 * -errno once, inside these files (with the OpenSSL reason logged at debug level). */

#include <stdbool.h>
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

/* ---- keys (crypto-keys.c) ---- */

typedef enum KeyType {
        KEY_RSA_2048, /* UEFI PK/KEK/db: firmware verifies RSA only */
        KEY_EC_P256,  /* everything else; the TPM verifies ECDSA P-256 */
} KeyType;

/* A private or public key. */
typedef struct CryptoKey CryptoKey;
CryptoKey *crypto_key_free(CryptoKey *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(CryptoKey *, crypto_key_free);

int crypto_key_generate(KeyType type, CryptoKey **ret);
int crypto_key_get_type(const CryptoKey *k, KeyType *ret); /* -EBADMSG for other key kinds */
bool crypto_key_is_private(const CryptoKey *k);

/* PEM (PKCS#8 for private keys, SubjectPublicKeyInfo for public ones). Buffers that held
 * private key bytes are wiped. Only RSA-2048 and EC P-256 keys load: anything else, and
 * anything that does not parse, is -EBADMSG. */
int crypto_key_load_private_pem(const char *path, CryptoKey **ret);
int crypto_key_load_public_pem(const char *path, CryptoKey **ret);
int crypto_key_from_public_pem(const void *data, size_t size, CryptoKey **ret);
int crypto_key_from_public_der(const void *data, size_t size, CryptoKey **ret);
/* Writes the private key atomically with mode 0600, refusing to replace an existing file. */
int crypto_key_save_private_pem(const CryptoKey *k, const char *path);
int crypto_key_public_pem(const CryptoKey *k, char **ret, size_t *ret_size);
int crypto_key_public_der(const CryptoKey *k, uint8_t **ret, size_t *ret_size);
/* SHA-256 of the DER SubjectPublicKeyInfo. */
int crypto_key_fingerprint(const CryptoKey *k, uint8_t ret[SHA256_DIGEST_SIZE]);
/* 0 when both hold the same public key, -EKEYREJECTED otherwise. */
int crypto_key_public_equal(const CryptoKey *a, const CryptoKey *b);

/* EC P-256 public point as two 32-byte big-endian coordinates (TPM2B_ECC_POINT form). */
int crypto_key_ec_point(const CryptoKey *k, uint8_t x[32], uint8_t y[32]);
int crypto_key_from_ec_point(const uint8_t x[32], const uint8_t y[32], CryptoKey **ret);

/* ECDSA over a precomputed digest with raw 32-byte r and s (TPMT_SIGNATURE form), and its
 * verification: -EKEYREJECTED when the signature does not verify. */
int crypto_key_sign_digest_ecdsa(const CryptoKey *k, const uint8_t *digest, size_t digest_size,
                                 uint8_t r[32], uint8_t s[32]);
int crypto_key_verify_digest_ecdsa(const CryptoKey *k, const uint8_t *digest, size_t digest_size,
                                   const uint8_t r[32], const uint8_t s[32]);

/* ---- certificate helpers for the TPM trust core (crypto-cert.c) ---- */

/* Reads one X.509 certificate given as PEM or DER and returns its DER encoding; -EBADMSG when
 * it does not parse, -EFBIG above 64 KiB. */
int crypto_cert_to_der(const void *data, size_t size, uint8_t **ret, size_t *ret_size);
/* The subject public key of a DER certificate. */
int crypto_cert_public_key(const void *der, size_t size, CryptoKey **ret);
