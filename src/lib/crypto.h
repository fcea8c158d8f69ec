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

/* ---- X.509 certificates (crypto-x509.c) ----
 *
 * The certificate profiles of docs/keyset.md. MachineOS-specific fields live under the private
 * OID arc 2.25.173743573590220047513977788639328625523 (a UUID-derived OID, ITU-T X.667
 * section 6.3, which needs no registration):
 *
 *   .1.1  extension "MachineOS product": UTF8String, the product UUID in canonical form
 *   .2.1  extended key usage "MachineOS manifest signing"
 *   .2.2  extended key usage "MachineOS device identity"
 *
 * The device serial number is the subject's X.520 serialNumber attribute (2.5.4.5). */

#define MOS_OID_ARC "2.25.173743573590220047513977788639328625523"
#define MOS_OID_PRODUCT MOS_OID_ARC ".1.1"
#define MOS_OID_EKU_MANIFEST_SIGNING MOS_OID_ARC ".2.1"
#define MOS_OID_EKU_DEVICE_IDENTITY MOS_OID_ARC ".2.2"

/* Longest device serial number: X.520 ub-serial-number. */
#define CERT_SERIAL_NUMBER_MAX 64
/* A device serial number: 1..64 of [A-Za-z0-9.-], starting with a letter or digit (a subset of
 * PrintableString that is also a safe file name). */
bool cert_serial_number_is_valid(const char *s);

typedef enum CertProfile {
        CERT_PROFILE_UEFI_PK,         /* RSA-2048 self-signed CA (firmware Platform Key) */
        CERT_PROFILE_UEFI_KEK,        /* RSA-2048 CA issued by the PK */
        CERT_PROFILE_UEFI_DB,         /* RSA-2048 leaf, EKU codeSigning (Authenticode) */
        CERT_PROFILE_CA,              /* EC P-256 self-signed CA, pathLen 0: manifest-ca, sudi-ca */
        CERT_PROFILE_MANIFEST_SIGNER, /* EC P-256 leaf, EKU manifest signing, product */
        CERT_PROFILE_DEVICE_IDENTITY, /* EC P-256 leaf, EKU device identity + clientAuth,
                                           product, subject serialNumber */
        _CERT_PROFILE_MAX,
} CertProfile;

const char *cert_profile_name(CertProfile p); /* "manifest signing" ... */

typedef struct CryptoCert CryptoCert;
CryptoCert *crypto_cert_free(CryptoCert *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(CryptoCert *, crypto_cert_free);

typedef struct CertRequest {
        CertProfile profile;
        const char *common_name;       /* mandatory */
        const char *organization;      /* may be NULL */
        const char *serial_number;     /* subject serialNumber: device identity only */
        const uint8_t *product_uuid;   /* 16 bytes: manifest signer and device identity only */
        const CryptoKey *public_key;   /* the subject's key (a private key is fine too) */
        const CryptoCert *issuer;      /* NULL: self-signed, issuer_key must hold public_key */
        const CryptoKey *issuer_key;   /* private key that signs */
        int64_t not_before, not_after; /* seconds since the epoch */
} CertRequest;

/* Issues an X.509 v3 certificate for the profile (SHA-256 signature, random 127-bit serial,
 * subject and authority key identifiers). -EINVAL when the request does not fit the profile
 * (wrong key type, missing product, issuer key not matching the issuer certificate...). */
int crypto_cert_issue(const CertRequest *req, CryptoCert **ret);

/* Loading. crypto_cert_from_data() takes one PEM ("-----BEGIN CERTIFICATE-----") or DER
 * certificate, nothing after it; -EBADMSG otherwise, -EFBIG above 64 KiB. */
int crypto_cert_from_data(const void *data, size_t size, CryptoCert **ret);
int crypto_cert_load(const char *path, CryptoCert **ret);
/* Writes PEM atomically (mode 0644), refusing to replace an existing file (-EEXIST). */
int crypto_cert_save_pem(const CryptoCert *c, const char *path);
int crypto_cert_to_pem(const CryptoCert *c, char **ret, size_t *ret_size);
int crypto_cert_to_der(const CryptoCert *c, uint8_t **ret, size_t *ret_size);

/* Fields. */
int crypto_cert_fingerprint(const CryptoCert *c, uint8_t ret[SHA256_DIGEST_SIZE]); /* of DER */
int crypto_cert_subject(const CryptoCert *c, char **ret); /* "CN = x, O = y" */
int crypto_cert_issuer(const CryptoCert *c, char **ret);
int crypto_cert_serial(const CryptoCert *c, char **ret); /* lower-case hex */
int crypto_cert_validity(const CryptoCert *c, int64_t *ret_not_before, int64_t *ret_not_after);
int crypto_cert_public_key(const CryptoCert *c, CryptoKey **ret);
/* 0 when k (public or private) is the certificate's key, -EKEYREJECTED otherwise. */
int crypto_cert_matches_key(const CryptoCert *c, const CryptoKey *k);
/* The MachineOS product extension: -ENODATA when absent, -EBADMSG when malformed or present
 * twice. */
int crypto_cert_product_uuid(const CryptoCert *c, uint8_t ret[16]);
/* The subject's serialNumber: -ENODATA when absent, -EBADMSG when malformed or present twice. */
int crypto_cert_device_serial(const CryptoCert *c, char **ret);
/* One-shot forms for a certificate read from elsewhere (TPM NV holds DER): PEM or DER. */
int crypto_cert_data_product_uuid(const void *data, size_t size, uint8_t ret[16]);
int crypto_cert_data_device_serial(const void *data, size_t size, char **ret);

/* Checks that the certificate has exactly the shape of the profile (CA flag, key usage,
 * extended key usage, key type, MachineOS fields). -EKEYREJECTED otherwise; *ret_error (may be
 * NULL, set on failure) says what does not fit. */
int crypto_cert_check_profile(const CryptoCert *c, CertProfile p, char **ret_error);

/* Verifies that leaf was issued by ca, with ca as the ONLY trust anchor (no system store, no
 * intermediates), at time `at` (seconds since the epoch) for the validity periods of both.
 * ca must be a CA certificate. -EKEYEXPIRED when a certificate is outside its validity period,
 * -EKEYREJECTED for everything else; *ret_error (may be NULL, set on failure) says which. */
#define CRYPTO_NO_CHECK_TIME INT64_MIN /* as `at`: skip the validity periods */
int crypto_cert_verify_issued(const CryptoCert *leaf, const CryptoCert *ca, int64_t at,
                              char **ret_error);

/* ---- CMS detached signatures (crypto-cms.c) ----
 *
 * RFC 5652 SignedData over external content, DER encoded, with the signer's certificate
 * included, SHA-256 digest, signed attributes (content type, message digest, signing time).
 * What `openssl cms -sign -binary -outform DER` writes and `openssl cms -verify -binary
 * -inform DER -content FILE` checks. */

#define CMS_SIGNATURE_MAX (64u * 1024)

int crypto_cms_sign_detached(const CryptoCert *signer, const CryptoKey *key, const void *data,
                             size_t size, uint8_t **ret, size_t *ret_size);

/* Checks that sig is exactly one DER SignedData (nothing after it) without embedded content,
 * with exactly one signer whose certificate (and no other) it includes, ECDSA with a SHA-2
 * digest, versions and digest algorithm sets as RFC 5652 requires, and that the signature
 * verifies over data[0..size). Does NOT verify the signer certificate's chain or profile: do
 * that next with crypto_cert_verify_issued() and crypto_cert_check_profile() on *ret_signer.
 * Errors: -EFBIG (sig larger than CMS_SIGNATURE_MAX), -EBADMSG (malformed), -EKEYREJECTED (does
 * not verify); *ret_error (may be NULL, set on failure) says which. */
int crypto_cms_verify_detached(const void *sig, size_t sig_size, const void *data, size_t size,
                               CryptoCert **ret_signer, char **ret_error);

/* ---- UEFI signing: authenticated variables and Authenticode (crypto-authenticode.c) ---- */

/* A signing key with its X.509 certificate (the keyset's uefi-pk, uefi-kek, uefi-db...);
 * certificates themselves are CryptoCert (crypto-x509.c). */
typedef struct CryptoSigner CryptoSigner;
/* -EBADMSG when a file does not parse, -EKEYREJECTED when the certificate is not the key's. */
int crypto_signer_load(const char *key_path, const char *cert_path, CryptoSigner **ret);
CryptoSigner *crypto_signer_free(CryptoSigner *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(CryptoSigner *, crypto_signer_free);
int crypto_signer_cert_der(const CryptoSigner *s, uint8_t **ret, size_t *ret_size);

/* PKCS#7 SignedData (RFC 2315 section 9.1) over payload: SHA-256, RSA PKCS#1 v1.5, detached
 * content of type data, no authenticated attributes, the signer certificate included. DER of
 * the bare SignedData, the form the CertData of an EFI_VARIABLE_AUTHENTICATION_2 holds (edk2
 * checks the SHA-256 OID at its fixed offset) and efitools' sign-efi-sig-list writes.
 * Deterministic: the same key and payload give the same bytes. */
int crypto_pkcs7_sign_uefi_variable(const CryptoSigner *s, const void *payload, size_t size,
                                    uint8_t **ret, size_t *ret_size);
/* Verifies such a SignedData over payload against a trusted certificate (the signer itself or an
 * issuer of it): 0, -EKEYREJECTED when the signature or the chain does not verify, -EBADMSG when
 * malformed. Certificate validity periods are not checked (firmware has no trusted clock). */
int crypto_pkcs7_verify_uefi_variable(const uint8_t *signed_data, size_t signed_data_size,
                                      const void *payload, size_t size, const uint8_t *trusted_der,
                                      size_t trusted_size);

/* Authenticode (Microsoft "Windows Authenticode Portable Executable Signature Format" 1.0):
 * a PKCS#7 ContentInfo(SignedData) whose content is SpcIndirectDataContent carrying the
 * SHA-256 image digest (pe.h computes it), with the authenticated attributes contentType and
 * messageDigest only (no signing time: the same image and key give the same signature). The
 * bytes go into the PE certificate table as a WIN_CERTIFICATE of type PKCS_SIGNED_DATA. */
int crypto_authenticode_sign(const CryptoSigner *s, const uint8_t digest[SHA256_DIGEST_SIZE],
                             uint8_t **ret, size_t *ret_size);
/* Verifies a ContentInfo made by crypto_authenticode_sign() or sbsign: the signature chains to
 * the trusted certificate and its SpcIndirectDataContent names digest. 0, -EKEYREJECTED (bad
 * signature, untrusted signer, other digest) or -EBADMSG (malformed). */
int crypto_authenticode_verify(const uint8_t *sig, size_t size,
                               const uint8_t digest[SHA256_DIGEST_SIZE], const uint8_t *trusted_der,
                               size_t trusted_size);

/* ---- dm-verity block hashing (crypto-verity.c) ----
 *
 * SHA-256(salt || block) of many 4096-byte blocks: the inner loop of dm-verity hash trees.
 * With AVX-512F/BW (checked at run time) sixteen blocks are hashed at once, one per vector
 * lane; otherwise, or when the salt's size is not a multiple of 4, OpenSSL hashes one block
 * after the other. The digests are the same either way. A hasher is used by one thread. */

#define CRYPTO_VERITY_BLOCK_SIZE 4096U
#define CRYPTO_VERITY_SALT_MAX 256U

typedef struct CryptoVerityHasher CryptoVerityHasher;
int crypto_verity_hasher_new(const void *salt, size_t salt_size, CryptoVerityHasher **ret);
CryptoVerityHasher *crypto_verity_hasher_free(CryptoVerityHasher *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(CryptoVerityHasher *, crypto_verity_hasher_free);
/* out receives n * SHA256_DIGEST_SIZE bytes. */
int crypto_verity_hash_blocks(CryptoVerityHasher *h, const uint8_t *blocks, size_t n, uint8_t *out);

/* "avx512-16way" or "openssl": what hashers created from now on use. $MOS_VERITY_NO_AVX512
 * (any value) turns the vector code off, for comparisons; tests switch it with
 * crypto_verity_set_vectorized() (which cannot turn it on without the CPU support). */
const char *crypto_verity_implementation(void);
void crypto_verity_set_vectorized(bool enabled);
