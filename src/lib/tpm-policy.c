/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "tpm-policy.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "fd-util.h"
#include "fileio.h"
#include "json.h"
#include "log.h"
#include "path-util.h"
#include "string-util.h"

/* A small big-endian writer for TPM marshalling (Part 1, 9 "Marshalling": integers are
 * big-endian, TPM2B are a 16-bit size followed by the bytes). */
typedef struct Buf {
        uint8_t *p;
        size_t n, max;
        bool overflow;
} Buf;

static void put(Buf *b, const void *d, size_t n) {
        if (b->n + n > b->max) {
                b->overflow = true;
                return;
        }
        memcpy(b->p + b->n, d, n);
        b->n += n;
}
static void put16(Buf *b, uint16_t v) {
        uint8_t x[2] = { v >> 8, v };
        put(b, x, 2);
}
static void put32(Buf *b, uint32_t v) {
        uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };
        put(b, x, 4);
}
static void put64(Buf *b, uint64_t v) {
        put32(b, (uint32_t) (v >> 32));
        put32(b, (uint32_t) v);
}
static void put2b(Buf *b, const void *d, size_t n) {
        put16(b, (uint16_t) n);
        put(b, d, n);
}

static void sha256(const void *d, size_t n, uint8_t ret[SHA256_DIGEST_SIZE]) {
        /* SHA-256 of a small in-memory buffer cannot fail short of OOM in OpenSSL's context
         * allocation; treat that as fatal rather than computing a wrong digest silently. */
        if (crypto_sha256(d, n, ret) < 0)
                abort();
}

static void name_of(const uint8_t *marshalled, size_t n, uint8_t ret[TPM_NAME_SIZE]) {
        ret[0] = TPM_ALG_SHA256 >> 8;
        ret[1] = TPM_ALG_SHA256 & 0xff;
        sha256(marshalled, n, ret + 2);
}

static void point_public(Buf *b, const uint8_t x[32], const uint8_t y[32]) {
        /* TPMT_PUBLIC (Part 2, 12.2.4) with TPMS_ECC_PARMS (12.2.3.6): symmetric NULL, scheme
         * NULL (the signature names its scheme), curve NIST P-256, kdf NULL. */
        put16(b, TPM_ALG_ECC);
        put16(b, TPM_ALG_SHA256);
        put32(b, MOS_TPM_POLICY_KEY_ATTRIBUTES);
        put16(b, 0); /* authPolicy: empty */
        put16(b, TPM_ALG_NULL);
        put16(b, TPM_ALG_NULL);
        put16(b, TPM_ECC_NIST_P256);
        put16(b, TPM_ALG_NULL);
        put2b(b, x, 32);
        put2b(b, y, 32);
}

int tpm_policy_key_public(const CryptoKey *k, uint8_t *ret, size_t *ret_size) {
        uint8_t x[32], y[32];
        Buf b = { .p = ret, .max = 256 };
        KeyType t;
        int r;

        r = crypto_key_get_type(k, &t);
        if (r < 0)
                return r;
        if (t != KEY_EC_P256)
                return -EBADMSG;
        r = crypto_key_ec_point(k, x, y);
        if (r < 0)
                return r;
        point_public(&b, x, y);
        *ret_size = b.n;
        return 0;
}

void tpm_policy_point_public(const uint8_t x[32], const uint8_t y[32], uint8_t *ret,
                             size_t *ret_size) {
        Buf b = { .p = ret, .max = 256 };

        point_public(&b, x, y);
        *ret_size = b.n;
}

static void point_name(const uint8_t x[32], const uint8_t y[32], uint8_t ret[TPM_NAME_SIZE]) {
        uint8_t m[256];
        Buf b = { .p = m, .max = sizeof m };

        point_public(&b, x, y);
        name_of(m, b.n, ret);
}

int tpm_policy_key_name(const CryptoKey *k, uint8_t ret[TPM_NAME_SIZE]) {
        uint8_t m[256];
        size_t n;
        int r;

        r = tpm_policy_key_public(k, m, &n);
        if (r < 0)
                return r;
        name_of(m, n, ret);
        return 0;
}

void tpm_nv_name(uint32_t index, uint32_t attributes, const uint8_t *auth_policy,
                 size_t auth_policy_size, uint16_t data_size, uint8_t ret[TPM_NAME_SIZE]) {
        uint8_t m[128];
        Buf b = { .p = m, .max = sizeof m };

        /* TPMS_NV_PUBLIC (Part 2, 13.5) */
        put32(&b, index);
        put16(&b, TPM_ALG_SHA256);
        put32(&b, attributes);
        put2b(&b, auth_policy, auth_policy_size);
        put16(&b, data_size);
        name_of(m, b.n, ret);
}

/* PolicyUpdate(commandCode, arg2, arg3) of Part 3, 23.2.3: two hash steps. */
void tpm_policy_authorize_digest(const uint8_t key_name[TPM_NAME_SIZE],
                                 uint8_t ret[SHA256_DIGEST_SIZE]) {
        uint8_t m[SHA256_DIGEST_SIZE + 4 + TPM_NAME_SIZE], d[SHA256_DIGEST_SIZE];
        Buf b = { .p = m, .max = sizeof m };

        /* TPM2_PolicyAuthorize resets policyDigest to zero before the update. */
        memset(d, 0, sizeof d);
        put(&b, d, sizeof d);
        put32(&b, TPM_CC_POLICY_AUTHORIZE);
        put(&b, key_name, TPM_NAME_SIZE);
        sha256(m, b.n, d);
        /* ... then H(digest || policyRef), policyRef empty. */
        sha256(d, sizeof d, ret);
}

void tpm_counter_name(uint32_t index, const uint8_t key_name[TPM_NAME_SIZE],
                      uint8_t ret[TPM_NAME_SIZE]) {
        uint8_t auth_policy[SHA256_DIGEST_SIZE];

        tpm_policy_authorize_digest(key_name, auth_policy);
        tpm_nv_name(index, MOS_TPM_COUNTER_ATTRIBUTES | MOS_TPMA_NV_WRITTEN, auth_policy,
                    sizeof auth_policy, 8, ret);
}

void tpm_policy_approved_digest(const uint8_t pcr7[SHA256_DIGEST_SIZE], uint64_t revision,
                                const uint8_t key_name[TPM_NAME_SIZE],
                                uint8_t ret[SHA256_DIGEST_SIZE]) {
        uint8_t m[256], digest[SHA256_DIGEST_SIZE], pcr_digest[SHA256_DIGEST_SIZE],
                args[SHA256_DIGEST_SIZE], nv_name[TPM_NAME_SIZE];
        Buf b = { .p = m, .max = sizeof m };

        memset(digest, 0, sizeof digest);

        /* TPM2_PolicyPCR (Part 3, 23.7): H(policyDigest || TPM_CC_PolicyPCR || pcrs || digestTPM),
         * pcrs a TPML_PCR_SELECTION of sha256 with PCR 7 selected (3 octets of bitmap),
         * digestTPM the hash of the selected PCR values. */
        sha256(pcr7, SHA256_DIGEST_SIZE, pcr_digest);
        put(&b, digest, sizeof digest);
        put32(&b, TPM_CC_POLICY_PCR);
        put32(&b, 1);
        put16(&b, TPM_ALG_SHA256);
        put(&b, (const uint8_t[]){ 3, 0x80, 0x00, 0x00 }, 4);
        put(&b, pcr_digest, sizeof pcr_digest);
        sha256(m, b.n, digest);

        /* TPM2_PolicyNV (Part 3, 23.9): args = H(operandB || offset || operation);
         * H(policyDigest || TPM_CC_PolicyNV || args || nvIndex->Name). */
        b.n = 0;
        put64(&b, revision);
        put16(&b, 0);
        put16(&b, TPM_EO_UNSIGNED_LE);
        sha256(m, b.n, args);

        tpm_counter_name(MOS_TPM_NV_POLICY_REVISION, key_name, nv_name);
        b.n = 0;
        put(&b, digest, sizeof digest);
        put32(&b, TPM_CC_POLICY_NV);
        put(&b, args, sizeof args);
        put(&b, nv_name, sizeof nv_name);
        sha256(m, b.n, ret);
}

void tpm_policy_ahash(const uint8_t approved[SHA256_DIGEST_SIZE], uint8_t ret[SHA256_DIGEST_SIZE]) {
        sha256(approved, SHA256_DIGEST_SIZE, ret); /* policyRef is empty */
}

void tpm_pcr_extend_sha256(const uint8_t pcr[SHA256_DIGEST_SIZE],
                           const uint8_t digest[SHA256_DIGEST_SIZE],
                           uint8_t ret[SHA256_DIGEST_SIZE]) {
        uint8_t m[2 * SHA256_DIGEST_SIZE];

        memcpy(m, pcr, SHA256_DIGEST_SIZE);
        memcpy(m + SHA256_DIGEST_SIZE, digest, SHA256_DIGEST_SIZE);
        sha256(m, sizeof m, ret);
}

void tpm_pcr7_locked(const uint8_t pcr7[SHA256_DIGEST_SIZE], uint8_t ret[SHA256_DIGEST_SIZE]) {
        uint8_t d[SHA256_DIGEST_SIZE];

        sha256(MOS_TPM_LOCK_EVENT, strlen(MOS_TPM_LOCK_EVENT), d);
        tpm_pcr_extend_sha256(pcr7, d, ret);
}

/* ---- signed policy file ---- */

#define POLICY_FORMAT 1

TpmSignedPolicy *tpm_signed_policy_free(TpmSignedPolicy *p) {
        if (!p)
                return NULL;
        free(p->path);
        free(p);
        return NULL;
}

int tpm_signed_policy_make(const CryptoKey *key, const uint8_t pcr7[SHA256_DIGEST_SIZE],
                           uint64_t revision, char **ret, size_t *ret_size) {
        uint8_t name[TPM_NAME_SIZE], approved[SHA256_DIGEST_SIZE], ahash[SHA256_DIGEST_SIZE],
                point[65], sig[64];
        _cleanup_free_ char *pcr_hex = NULL, *approved_hex = NULL, *point_hex = NULL,
                            *sig_hex = NULL;
        _cleanup_json_ json_t *j = NULL;
        int r;

        if (revision > INT64_MAX)
                return -ERANGE;
        if (!crypto_key_is_private(key))
                return -ENOKEY;
        r = tpm_policy_key_name(key, name);
        if (r < 0)
                return r;
        r = crypto_key_ec_point(key, point + 1, point + 33);
        if (r < 0)
                return r;
        point[0] = 0x04; /* SEC 1 uncompressed point */

        tpm_policy_approved_digest(pcr7, revision, name, approved);
        tpm_policy_ahash(approved, ahash);
        r = crypto_key_sign_digest_ecdsa(key, ahash, sizeof ahash, sig, sig + 32);
        if (r < 0)
                return r;

        pcr_hex = hexmem(pcr7, SHA256_DIGEST_SIZE);
        approved_hex = hexmem(approved, sizeof approved);
        point_hex = hexmem(point, sizeof point);
        sig_hex = hexmem(sig, sizeof sig);
        if (!pcr_hex || !approved_hex || !point_hex || !sig_hex)
                return -ENOMEM;

        j = json_pack("{s:i, s:s, s:s, s:I, s:s, s:s, s:s}", "format", POLICY_FORMAT, "pcr-bank",
                      "sha256", "pcr7", pcr_hex, "revision", (json_int_t) revision, "policy-digest",
                      approved_hex, "public-key", point_hex, "signature", sig_hex);
        if (!j)
                return -ENOMEM;
        return json_dump_canonical(j, ret, ret_size);
}

typedef struct PolicyFields {
        uint64_t format;
        char *pcr_bank, *pcr7, *policy_digest, *public_key, *signature;
        uint64_t revision;
} PolicyFields;

static void policy_fields_done(PolicyFields *f) {
        free(f->pcr_bank);
        free(f->pcr7);
        free(f->policy_digest);
        free(f->public_key);
        free(f->signature);
}

static int hex_field(JsonDispatchContext *c, const char *name, const char *s, void *buf, size_t n) {
        if (strlen(s) != 2 * n || unhexmem_fixed(s, buf, n) < 0)
                return json_dispatch_error(c, name, "expected %zu bytes as %zu hex digits", n,
                                           2 * n);
        return 0;
}

int tpm_signed_policy_parse(const char *data, size_t size, TpmSignedPolicy **ret,
                            char **ret_error) {
        static const JsonField fields[] = {
                { "format", JSON_INTEGER, json_parse_field_uint64, offsetof(PolicyFields, format),
                  JSON_MANDATORY },
                { "pcr-bank", JSON_STRING, json_parse_field_string,
                  offsetof(PolicyFields, pcr_bank), JSON_MANDATORY },
                { "pcr7", JSON_STRING, json_parse_field_string, offsetof(PolicyFields, pcr7),
                  JSON_MANDATORY },
                { "revision", JSON_INTEGER, json_parse_field_uint64,
                  offsetof(PolicyFields, revision), JSON_MANDATORY },
                { "policy-digest", JSON_STRING, json_parse_field_string,
                  offsetof(PolicyFields, policy_digest), JSON_MANDATORY },
                { "public-key", JSON_STRING, json_parse_field_string,
                  offsetof(PolicyFields, public_key), JSON_MANDATORY },
                { "signature", JSON_STRING, json_parse_field_string,
                  offsetof(PolicyFields, signature), JSON_MANDATORY },
                { NULL },
        };
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_(policy_fields_done) PolicyFields f = {};
        _cleanup_(tpm_signed_policy_freep) TpmSignedPolicy *p = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *key = NULL;
        _cleanup_json_ json_t *j = NULL;
        uint8_t approved[SHA256_DIGEST_SIZE], ahash[SHA256_DIGEST_SIZE], point[65], sig[64];
        int r;

        r = json_parse_strict(data, size, TPM_POLICY_FILE_MAX, &j, ret_error);
        if (r < 0)
                return r;
        c = json_dispatch_context_new();
        if (!c)
                return -ENOMEM;
        p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;

        r = json_dispatch(c, NULL, j, fields, 0, &f);
        if (r >= 0 && f.format != POLICY_FORMAT)
                r = json_dispatch_error(c, "format", "unsupported format %" PRIu64 ", expected %d",
                                        f.format, POLICY_FORMAT);
        if (r >= 0 && !streq(f.pcr_bank, "sha256"))
                r = json_dispatch_error(c, "pcr-bank", "expected \"sha256\"");
        if (r >= 0 && f.revision > INT64_MAX)
                r = json_dispatch_error(c, "revision", "out of range");
        if (r >= 0)
                r = hex_field(c, "pcr7", f.pcr7, p->pcr7, sizeof p->pcr7);
        if (r >= 0)
                r = hex_field(c, "policy-digest", f.policy_digest, p->approved, sizeof p->approved);
        if (r >= 0)
                r = hex_field(c, "public-key", f.public_key, point, sizeof point);
        if (r >= 0 && point[0] != 0x04)
                r = json_dispatch_error(c, "public-key", "expected an uncompressed point (04...)");
        if (r >= 0)
                r = hex_field(c, "signature", f.signature, sig, sizeof sig);
        if (r < 0) {
                if (ret_error)
                        *ret_error = strdup(strempty(json_dispatch_error_message(c)));
                return r;
        }
        p->revision = f.revision;
        memcpy(p->key_x, point + 1, 32);
        memcpy(p->key_y, point + 33, 32);
        memcpy(p->sig_r, sig, 32);
        memcpy(p->sig_s, sig + 32, 32);

        r = crypto_key_from_ec_point(p->key_x, p->key_y, &key);
        if (r < 0) {
                if (ret_error)
                        *ret_error = strdup("public-key: not a point on P-256");
                return -EBADMSG;
        }
        point_name(p->key_x, p->key_y, p->key_name);

        /* The signature covers pcr7 and revision only through the approved digest: recompute
         * it, never trust the stored one. */
        tpm_policy_approved_digest(p->pcr7, p->revision, p->key_name, approved);
        if (memcmp(approved, p->approved, sizeof approved) != 0) {
                if (ret_error)
                        *ret_error = strdup("policy-digest: does not match pcr7 and revision");
                return -EKEYREJECTED;
        }
        tpm_policy_ahash(approved, ahash);
        r = crypto_key_verify_digest_ecdsa(key, ahash, sizeof ahash, p->sig_r, p->sig_s);
        if (r < 0) {
                if (ret_error)
                        *ret_error = strdup("signature: does not verify with public-key");
                return r == -EKEYREJECTED ? r : -EKEYREJECTED;
        }
        *ret = TAKE_PTR(p);
        return 0;
}

int tpm_signed_policy_load(const char *path, TpmSignedPolicy **ret, char **ret_error) {
        _cleanup_free_ char *data = NULL;
        TpmSignedPolicy *p;
        size_t n;
        int r;

        r = read_full_file(path, TPM_POLICY_FILE_MAX, &data, &n);
        if (r < 0)
                return r;
        r = tpm_signed_policy_parse(data, n, &p, ret_error);
        if (r < 0)
                return r;
        p->path = strdup(path);
        if (!p->path) {
                tpm_signed_policy_free(p);
                return -ENOMEM;
        }
        *ret = p;
        return 0;
}

int tpm_signed_policy_check_key(const TpmSignedPolicy *p,
                                const uint8_t expected_auth_policy[SHA256_DIGEST_SIZE]) {
        uint8_t d[SHA256_DIGEST_SIZE];

        tpm_policy_authorize_digest(p->key_name, d);
        return memcmp(d, expected_auth_policy, sizeof d) == 0 ? 0 : -EKEYREJECTED;
}

void tpm_policy_set_done(TpmPolicySet *s) {
        for (size_t i = 0; i < s->n; i++)
                tpm_signed_policy_free(s->policies[i]);
        s->policies = mfree(s->policies);
        s->n = 0;
}

#define POLICY_SET_MAX 1024

static int set_add_file(TpmPolicySet *s, const char *path, char **ret_error) {
        TpmSignedPolicy *p, **a;
        _cleanup_free_ char *e = NULL;
        int r;

        if (s->n >= POLICY_SET_MAX)
                return -EFBIG;
        r = tpm_signed_policy_load(path, &p, &e);
        if (r < 0) {
                if (ret_error)
                        *ret_error = strprintf("%s: %s", path, e ?: strerror(-r));
                return r;
        }
        a = realloc(s->policies, (s->n + 1) * sizeof *a);
        if (!a) {
                tpm_signed_policy_free(p);
                return -ENOMEM;
        }
        a[s->n++] = p;
        s->policies = a;
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int tpm_policy_set_add_path(TpmPolicySet *s, const char *path, char **ret_error) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_strv_free_ char **names = NULL;
        struct dirent *de;
        int r;

        d = opendir(path);
        if (!d) {
                if (errno != ENOTDIR)
                        return -errno;
                return set_add_file(s, path, ret_error);
        }
        while ((errno = 0, de = readdir(d))) {
                if (!endswith(de->d_name, ".policy") || de->d_name[0] == '.')
                        continue;
                r = strv_extend(&names, de->d_name);
                if (r < 0)
                        return r;
        }
        if (errno != 0)
                return -errno;
        if (names)
                qsort(names, strv_length(names), sizeof(char *), cmp_str);
        for (char **n = names; n && *n; n++) {
                _cleanup_free_ char *p = path_join(path, *n);
                if (!p)
                        return -ENOMEM;
                r = set_add_file(s, p, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

TpmPolicyChoice tpm_policy_set_choose(const TpmPolicySet *s, const uint8_t pcr7[SHA256_DIGEST_SIZE],
                                      const uint8_t auth_policy[SHA256_DIGEST_SIZE],
                                      uint64_t revision_counter,
                                      const TpmSignedPolicy **ret_policy) {
        const TpmSignedPolicy *best = NULL, *wrong_key = NULL, *revoked = NULL;

        for (size_t i = 0; i < s->n; i++) {
                const TpmSignedPolicy *p = s->policies[i];

                if (memcmp(p->pcr7, pcr7, SHA256_DIGEST_SIZE) != 0)
                        continue;
                if (tpm_signed_policy_check_key(p, auth_policy) < 0) {
                        wrong_key = wrong_key ?: p;
                        continue;
                }
                /* PolicyNV(counter <= revision): a lower revision was revoked. */
                if (p->revision < revision_counter) {
                        if (!revoked || p->revision > revoked->revision)
                                revoked = p;
                        continue;
                }
                if (!best || p->revision > best->revision)
                        best = p;
        }
        if (best) {
                *ret_policy = best;
                return TPM_POLICY_MATCH;
        }
        if (revoked) {
                *ret_policy = revoked;
                return TPM_POLICY_REVOKED;
        }
        if (wrong_key) {
                *ret_policy = wrong_key;
                return TPM_POLICY_WRONG_KEY;
        }
        *ret_policy = NULL;
        return TPM_POLICY_NO_PCR;
}
