/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The TPM trust layout and policy logic that needs no TPM: the handles and NV indices
 * MachineOS uses (docs/tpm.md), TPM object names computed in software, the enhanced
 * authorization policy digests (TCG TPM 2.0 Library Part 3, section 23), and the signed policy
 * file. The vendor side (`mos policy sign`) and the device side (`mos tpm unlock`, mos-init)
 * compute the same digests from here, so they cannot drift apart. tpm2.c (the ESAPI wrapper)
 * asserts at provisioning that the names the TPM reports equal the ones computed here. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "macro.h"

/* ---- the layout (docs/tpm.md, "Layout version 1") ---- */

#define MOS_TPM_LAYOUT_VERSION 1u

/* Persistent handles, in the owner range 0x81000000-0x817FFFFF (TCG Registry of Reserved TPM
 * 2.0 Handles and Localities). 0x81000001 is the SRK handle the TCG TPM v2.0 Provisioning
 * Guidance recommends. */
#define MOS_TPM_HANDLE_SRK UINT32_C(0x81000001)
#define MOS_TPM_HANDLE_IDENTITY UINT32_C(0x81000A01)

/* NV indices, in the owner range 0x01800000-0x01BFFFFF. */
#define MOS_TPM_NV_LAYOUT UINT32_C(0x01A0C000)
#define MOS_TPM_NV_POLICY_REVISION UINT32_C(0x01A0C001)
#define MOS_TPM_NV_MIN_RELEASE UINT32_C(0x01A0C002)
#define MOS_TPM_NV_CERTIFICATE UINT32_C(0x01A0C003)

/* TPM 2.0 constants (TCG TPM 2.0 Library Part 2), spelled out here so that this module needs
 * no tss2 header; tpm2.c checks them against tss2's with static assertions. */
#define TPM_ALG_SHA256 UINT16_C(0x000B)
#define TPM_ALG_NULL UINT16_C(0x0010)
#define TPM_ALG_ECC UINT16_C(0x0023)
#define TPM_ECC_NIST_P256 UINT16_C(0x0003)
#define TPM_CC_POLICY_NV UINT32_C(0x00000149)
#define TPM_CC_POLICY_AUTHORIZE UINT32_C(0x0000016A)
#define TPM_CC_POLICY_PCR UINT32_C(0x0000017F)
#define TPM_EO_UNSIGNED_LE UINT16_C(0x0009)

#define MOS_TPMA_NV_OWNERWRITE UINT32_C(0x00000002)
#define MOS_TPMA_NV_POLICYWRITE UINT32_C(0x00000008)
#define MOS_TPMA_NV_COUNTER UINT32_C(0x00000010) /* TPM_NT_COUNTER << 4 */
#define MOS_TPMA_NV_WRITEDEFINE UINT32_C(0x00002000)
#define MOS_TPMA_NV_AUTHREAD UINT32_C(0x00040000)
#define MOS_TPMA_NV_NO_DA UINT32_C(0x02000000)
#define MOS_TPMA_NV_WRITELOCKED UINT32_C(0x00000800)
#define MOS_TPMA_NV_WRITTEN UINT32_C(0x20000000)

#define MOS_TPMA_OBJECT_FIXEDTPM UINT32_C(0x00000002)
#define MOS_TPMA_OBJECT_FIXEDPARENT UINT32_C(0x00000010)
#define MOS_TPMA_OBJECT_SENSITIVEDATAORIGIN UINT32_C(0x00000020)
#define MOS_TPMA_OBJECT_USERWITHAUTH UINT32_C(0x00000040)
#define MOS_TPMA_OBJECT_ADMINWITHPOLICY UINT32_C(0x00000080)
#define MOS_TPMA_OBJECT_NODA UINT32_C(0x00000400)
#define MOS_TPMA_OBJECT_RESTRICTED UINT32_C(0x00010000)
#define MOS_TPMA_OBJECT_DECRYPT UINT32_C(0x00020000)
#define MOS_TPMA_OBJECT_SIGN_ENCRYPT UINT32_C(0x00040000)

/* The counters: 8-byte TPM_NT_COUNTER indices. Read with the (empty) index authorization;
 * incremented by the owner or through a policy session that satisfies the vendor's signed
 * policy (the same PolicyAuthorize as the sealed secrets). Not ORDERLY: an orderly counter
 * jumps forward after a power cut, which would revoke policies and releases by accident. */
#define MOS_TPM_COUNTER_ATTRIBUTES                                                                 \
        (MOS_TPMA_NV_COUNTER | MOS_TPMA_NV_OWNERWRITE | MOS_TPMA_NV_POLICYWRITE |                  \
         MOS_TPMA_NV_AUTHREAD | MOS_TPMA_NV_NO_DA)
/* The layout record and the identity certificate: written by the owner once, then write-locked
 * (TPM2_NV_WriteLock); anybody may read them. */
#define MOS_TPM_RECORD_ATTRIBUTES                                                                  \
        (MOS_TPMA_NV_OWNERWRITE | MOS_TPMA_NV_WRITEDEFINE | MOS_TPMA_NV_AUTHREAD |                 \
         MOS_TPMA_NV_NO_DA)

/* Sealed secrets: policy only (no userWithAuth, so neither an empty authValue nor the owner
 * authorization can unseal; adminWithPolicy, so no ObjectChangeAuth either), bound to this TPM
 * and parent. */
#define MOS_TPM_SEALED_ATTRIBUTES                                                                  \
        (MOS_TPMA_OBJECT_FIXEDTPM | MOS_TPMA_OBJECT_FIXEDPARENT |                                  \
         MOS_TPMA_OBJECT_ADMINWITHPOLICY | MOS_TPMA_OBJECT_NODA)

/* The external tpm-policy public key as it is loaded into the TPM (same template as systemd's
 * for PolicyAuthorize keys): its TPM name enters every policy digest. */
#define MOS_TPM_POLICY_KEY_ATTRIBUTES                                                              \
        (MOS_TPMA_OBJECT_DECRYPT | MOS_TPMA_OBJECT_SIGN_ENCRYPT | MOS_TPMA_OBJECT_USERWITHAUTH)

#define TPM_NAME_SIZE (2 + SHA256_DIGEST_SIZE) /* nameAlg + SHA-256 digest */

/* The "locked" measurement: `mos tpm lock` runs TPM2_PCR_Event(7, MOS_TPM_LOCK_EVENT), which
 * extends PCR 7 of every bank with the bank's hash of these bytes (no NUL). */
#define MOS_TPM_LOCK_EVENT "MachineOS: TPM locked by mos-init; no secret is unsealed after this"

/* ---- names and digests ---- */

/* Name of the tpm-policy key as loaded with TPM2_LoadExternal: nameAlg || SHA-256(TPMT_PUBLIC)
 * (Part 1, 16 "Names"). k must be an EC P-256 key. */
int tpm_policy_key_name(const CryptoKey *k, uint8_t ret[TPM_NAME_SIZE]);
/* Marshalled TPMT_PUBLIC of that key (for TPM2_LoadExternal in tpm2.c); ret holds 256 bytes. */
int tpm_policy_key_public(const CryptoKey *k, uint8_t *ret, size_t *ret_size);
void tpm_policy_point_public(const uint8_t x[32], const uint8_t y[32], uint8_t *ret,
                             size_t *ret_size);

/* Name of an NV index: nameAlg || SHA-256(TPMS_NV_PUBLIC). */
void tpm_nv_name(uint32_t index, uint32_t attributes, const uint8_t *auth_policy,
                 size_t auth_policy_size, uint16_t data_size, uint8_t ret[TPM_NAME_SIZE]);

/* PolicyAuthorize(key) with an empty policyRef (Part 3, 23.16): the authPolicy of every sealed
 * secret and of both counters. */
void tpm_policy_authorize_digest(const uint8_t key_name[TPM_NAME_SIZE],
                                 uint8_t ret[SHA256_DIGEST_SIZE]);

/* The name of a counter once written, given the policy key name. */
void tpm_counter_name(uint32_t index, const uint8_t key_name[TPM_NAME_SIZE],
                      uint8_t ret[TPM_NAME_SIZE]);

/* The approved policy the vendor signs:
 *   PolicyPCR(sha256:7 = pcr7)  (Part 3, 23.7)
 *   PolicyNV(policy-revision counter <= revision, unsigned, offset 0)  (Part 3, 23.9)
 * key_name fixes the counter's name (its authPolicy depends on the key). */
void tpm_policy_approved_digest(const uint8_t pcr7[SHA256_DIGEST_SIZE], uint64_t revision,
                                const uint8_t key_name[TPM_NAME_SIZE],
                                uint8_t ret[SHA256_DIGEST_SIZE]);

/* aHash = SHA-256(approvedPolicy || policyRef) with an empty policyRef: what the key signs and
 * TPM2_VerifySignature checks (Part 3, 23.16). */
void tpm_policy_ahash(const uint8_t approved[SHA256_DIGEST_SIZE], uint8_t ret[SHA256_DIGEST_SIZE]);

/* TPM2_PCR_Extend arithmetic: ret = SHA-256(pcr || digest). */
void tpm_pcr_extend_sha256(const uint8_t pcr[SHA256_DIGEST_SIZE],
                           const uint8_t digest[SHA256_DIGEST_SIZE],
                           uint8_t ret[SHA256_DIGEST_SIZE]);

/* PCR 7 after `mos tpm lock` when it was pcr7 before. */
void tpm_pcr7_locked(const uint8_t pcr7[SHA256_DIGEST_SIZE], uint8_t ret[SHA256_DIGEST_SIZE]);

/* ---- the signed policy file (docs/tpm.md, "Signed policy") ---- */

#define TPM_POLICY_FILE_MAX (16u * 1024)

typedef struct TpmSignedPolicy {
        uint8_t pcr7[SHA256_DIGEST_SIZE];
        uint64_t revision;
        uint8_t approved[SHA256_DIGEST_SIZE]; /* recomputed and checked on parse */
        uint8_t key_x[32], key_y[32];         /* the signing key's public point */
        uint8_t key_name[TPM_NAME_SIZE];      /* derived from the point */
        uint8_t sig_r[32], sig_s[32];         /* ECDSA over aHash */
        char *path; /* where it was read from, for messages; may be NULL */
} TpmSignedPolicy;

TpmSignedPolicy *tpm_signed_policy_free(TpmSignedPolicy *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(TpmSignedPolicy *, tpm_signed_policy_free);

/* Signs PolicyPCR(7 = pcr7) AND PolicyNV(revision counter <= revision) with the private
 * tpm-policy key and returns the canonical JSON document. */
int tpm_signed_policy_make(const CryptoKey *key, const uint8_t pcr7[SHA256_DIGEST_SIZE],
                           uint64_t revision, char **ret, size_t *ret_size);

/* Parses a policy document (size limit, strict JSON, no unknown fields), recomputes the
 * approved digest from pcr-value and revision and verifies the signature with the embedded
 * key: -EFBIG, -EBADMSG (malformed; *ret_error says which field), -EKEYREJECTED (the signature
 * does not verify: the file was changed after signing). It does NOT say whether the key is
 * the one the TPM trusts: that is tpm_signed_policy_check_key(). */
int tpm_signed_policy_parse(const char *data, size_t size, TpmSignedPolicy **ret, char **ret_error);
int tpm_signed_policy_load(const char *path, TpmSignedPolicy **ret, char **ret_error);

/* 0 when p is signed by the key whose PolicyAuthorize digest is expected_auth_policy (the
 * authPolicy of a sealed secret or counter), -EKEYREJECTED otherwise. */
int tpm_signed_policy_check_key(const TpmSignedPolicy *p,
                                const uint8_t expected_auth_policy[SHA256_DIGEST_SIZE]);

/* A set of policies (the files of a directory or given one by one). */
typedef struct TpmPolicySet {
        TpmSignedPolicy **policies;
        size_t n;
} TpmPolicySet;

void tpm_policy_set_done(TpmPolicySet *s);
/* Adds FILE, or every "*.policy" file of DIR (sorted by name). Fails on the first file that
 * does not parse or verify, naming it in *ret_error. */
int tpm_policy_set_add_path(TpmPolicySet *s, const char *path, char **ret_error);

typedef enum TpmPolicyChoice {
        TPM_POLICY_MATCH,     /* a usable policy was found */
        TPM_POLICY_NO_PCR,    /* none is signed for this PCR 7 value */
        TPM_POLICY_WRONG_KEY, /* some match PCR 7 but are signed by another key */
        TPM_POLICY_REVOKED,   /* some match PCR 7 and key but their revision is too low */
} TpmPolicyChoice;

/* Picks the policy for the current PCR 7 value, the expected authPolicy (key) and the current
 * revision counter: among matching ones the highest revision. *ret_policy is the chosen one
 * (MATCH) or the best near miss (WRONG_KEY, REVOKED), borrowed from s. */
TpmPolicyChoice tpm_policy_set_choose(const TpmPolicySet *s, const uint8_t pcr7[SHA256_DIGEST_SIZE],
                                      const uint8_t auth_policy[SHA256_DIGEST_SIZE],
                                      uint64_t revision_counter,
                                      const TpmSignedPolicy **ret_policy);
