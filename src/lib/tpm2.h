/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The tpm2 module: the only place that includes <tss2/...> (ESAPI, MU, RC, TCTI loader). It
 * implements MachineOS's TPM trust core on top of ESAPI (docs/tpm.md): provisioning, unlocking
 * sealed secrets through a vendor-signed policy, locking PCR 7, the policy-revision and
 * minimum-release counters, and the identity key and certificate. mos-init calls these
 * functions directly; the `mos tpm` verbs are thin wrappers.
 *
 * Every function returns >= 0 or -errno (docs/exit-codes.md):
 *   -ENXIO            no TPM reachable through the TCTI
 *   -ENOKEY           the TPM is not provisioned (or lacks the object asked for)
 *   -EEXIST           already provisioned (provisioning without force)
 *   -EPERM            the TPM refused: PCR 7 or policy mismatch, policy-only object
 *   -EKEYREJECTED     wrong signer, tampered policy, sealed blob of another TPM
 *   -ESTALE           policy revision below the counter (revoked), counter moved backwards
 *   -EACCES           owner authorization missing or wrong
 *   -EBADMSG          malformed sealed blob, certificate or layout record
 *   -ENOTRECOVERABLE  the TPM is unusable (lockout, failure mode, unexpected state)
 * and leaves a one-line reason in tpm2_context_last_error(). Every TPM handle and session is
 * flushed on every path. Secrets travel only inside sessions salted with the SRK (parameter
 * encryption) and are wiped from memory. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "macro.h"
#include "memory-util.h"
#include "tpm-policy.h"

#define TPM2_DEFAULT_TCTI "device:/dev/tpmrm0"
#define TPM2_SEALED_MAX (8u * 1024)
#define TPM2_CERTIFICATE_MAX 2048u /* one NV index (docs/tpm.md) */
#define TPM2_SECRET_SIZE 32u
#define TPM2_OWNER_AUTH_MAX 32u
#define TPM2_COUNTER_STEP_MAX 100000u /* increments per advance call */

typedef struct Tpm2Context Tpm2Context;

/* Connects through tcti (NULL: $MOS_TPM2_TCTI, else TPM2_DEFAULT_TCTI), e.g.
 * "swtpm:host=127.0.0.1,port=2321" or "device:/dev/tpmrm0". On a TCTI without a resource
 * manager (anything but /dev/tpmrm*), objects and sessions left loaded by an earlier process
 * are flushed first, because a TPM holds only three transient objects. On failure *ret_error
 * (may be NULL) gets the reason. */
int tpm2_context_new(const char *tcti, Tpm2Context **ret, char **ret_error);
Tpm2Context *tpm2_context_free(Tpm2Context *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Tpm2Context *, tpm2_context_free);
const char *tpm2_context_tcti(const Tpm2Context *c);
/* The reason of the last failure, one line ("" when none). */
const char *tpm2_context_last_error(const Tpm2Context *c);
/* Owner authorization for owner-authorized commands (provisioning, owner counter moves). The
 * bytes are copied and wiped at free. */
int tpm2_context_set_owner_auth(Tpm2Context *c, const void *auth, size_t size);
/* TSS2_RC -> -errno (exposed for tests). */
int tpm2_rc_to_errno(uint32_t rc);

/* ---- PCR 7 ---- */
int tpm2_pcr7_read(Tpm2Context *c, uint8_t ret[SHA256_DIGEST_SIZE]);
/* TPM2_PCR_Event(7, MOS_TPM_LOCK_EVENT): extends PCR 7 of every bank. */
int tpm2_lock(Tpm2Context *c);

/* ---- layout record ---- */
typedef enum Tpm2Stage {
        TPM2_STAGE_NONE = 0,     /* not provisioned */
        TPM2_STAGE_IDENTITY = 1, /* identity key and counters made, certificate pending */
        TPM2_STAGE_COMPLETE = 2, /* certificate stored, secrets sealed, ownership taken */
} Tpm2Stage;

typedef struct Tpm2Layout {
        uint32_t version;
        Tpm2Stage stage;
        uint8_t policy_key_name[TPM_NAME_SIZE];
} Tpm2Layout;

/* -ENOKEY when the TPM holds no layout record. */
int tpm2_layout_read(Tpm2Context *c, Tpm2Layout *ret);

/* ---- provisioning (docs/tpm.md, "Provisioning") ----
 * Factory boot 1: tpm2_provision_identity() -> public key for `mos device add --pubkey`.
 * Factory boot 2: tpm2_provision_store_certificate(), tpm2_seal_new_secret() for each secret
 * (the caller stores the blobs durably), tpm2_provision_finish(). Each step can be run again
 * after an interruption; a complete TPM is refused without force. */
int tpm2_provision_identity(Tpm2Context *c, const CryptoKey *policy_key, bool force,
                            CryptoKey **ret_identity);
int tpm2_provision_store_certificate(Tpm2Context *c, const CryptoKey *policy_key, const void *cert,
                                     size_t cert_size, bool force);
/* Generates size bytes with the TPM's RNG and seals them under PolicyAuthorize(policy key);
 * returns the sealed blob (docs/tpm.md, "Sealed secret file"). */
int tpm2_seal_new_secret(Tpm2Context *c, const CryptoKey *policy_key, size_t size,
                         uint8_t **ret_blob, size_t *ret_blob_size);
/* Takes ownership (owner and, when unset, lockout authorization become new_owner_auth, or a
 * random value nobody keeps when NULL) and marks the layout complete. */
int tpm2_provision_finish(Tpm2Context *c, const void *new_owner_auth, size_t new_owner_auth_size);

/* ---- unlocking ---- */

/* Reads PCR 7 and the policy-revision counter, picks the signed policy that matches (a policy
 * signed by the key the blob is sealed to, for this PCR 7, not revoked), builds the policy
 * session (PolicyPCR, PolicyNV, VerifySignature ticket, PolicyAuthorize) salted with the SRK
 * and unseals with response encryption. ret_used (may be NULL) is the policy used, borrowed
 * from policies. */
int tpm2_unseal(Tpm2Context *c, const void *blob, size_t blob_size, const TpmPolicySet *policies,
                SecretBuffer *ret_secret, const TpmSignedPolicy **ret_used);

/* Checks a sealed blob's syntax (exposed for fuzzing and tests): -EBADMSG, -EFBIG. */
int tpm2_sealed_blob_check(const void *blob, size_t size);

/* ---- counters ---- */
typedef enum Tpm2Counter {
        TPM2_COUNTER_POLICY_REVISION,
        TPM2_COUNTER_MIN_RELEASE,
} Tpm2Counter;

const char *tpm2_counter_name(Tpm2Counter which);
int tpm2_counter_read(Tpm2Context *c, Tpm2Counter which, uint64_t *ret);
/* Moves the counter forward to target (never back: -ESTALE; equal: nothing to do). Authorized
 * by the vendor's signed policy for the current PCR 7 (policies != NULL), i.e. only mos-init
 * before it locks PCR 7, or by the owner authorization set on the context (policies == NULL).
 * Moving the policy revision counter past the revision of the policy that authorizes it is
 * refused (-ESTALE): a policy cannot revoke itself. */
int tpm2_counter_advance(Tpm2Context *c, Tpm2Counter which, uint64_t target,
                         const TpmPolicySet *policies);

static inline int tpm2_min_release_read(Tpm2Context *c, uint64_t *ret) {
        return tpm2_counter_read(c, TPM2_COUNTER_MIN_RELEASE, ret);
}
static inline int tpm2_min_release_advance(Tpm2Context *c, uint64_t release,
                                           const TpmPolicySet *policies) {
        return tpm2_counter_advance(c, TPM2_COUNTER_MIN_RELEASE, release, policies);
}

/* ---- identity ---- */
int tpm2_identity_public(Tpm2Context *c, CryptoKey **ret);
/* The identity certificate (DER) from NV; -ENOKEY when not stored yet. */
int tpm2_certificate_read(Tpm2Context *c, uint8_t **ret, size_t *ret_size);
