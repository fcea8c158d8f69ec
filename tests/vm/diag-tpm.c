/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The diagnostic init's TPM access, through the TPM module (src/lib/tpm2.h) on
 * device:/dev/tpmrm0, the way mos-init reaches the TPM. */

#include <errno.h>
#include <string.h>

#include "crypto.h"
#include "diag-tpm.h"
#include "fileio.h"
#include "memory-util.h"
#include "string-util.h"
#include "tpm-policy.h"
#include "tpm2.h"

#define DIAG_SEALED "/etc/mos/test/data-volume.sealed"
#define DIAG_POLICIES "/etc/mos/policies"

int diag_tpm_pcr_read(unsigned pcr, unsigned char ret[32]) {
        _cleanup_(tpm2_context_freep) Tpm2Context *c = NULL;
        int r;

        if (pcr != 7)
                return -EINVAL;
        r = tpm2_context_new("device:/dev/tpmrm0", &c, NULL);
        if (r < 0)
                return r;
        return tpm2_pcr7_read(c, ret);
}

void diag_tpm_unseal(void (*say)(const char *fmt, ...)) {
        _cleanup_(tpm2_context_freep) Tpm2Context *c = NULL;
        _cleanup_(tpm_policy_set_done) TpmPolicySet policies = { 0 };
        _cleanup_(secret_buffer_done) SecretBuffer secret = { 0 };
        _cleanup_free_ char *blob = NULL, *error = NULL, *hex = NULL;
        const TpmSignedPolicy *used = NULL;
        uint8_t digest[SHA256_DIGEST_SIZE];
        size_t n;
        int r;

        r = read_full_file(DIAG_SEALED, TPM2_SEALED_MAX, &blob, &n);
        if (r < 0) {
                say("unseal=error reading " DIAG_SEALED ": %s", strerror(-r));
                return;
        }
        r = tpm_policy_set_add_path(&policies, DIAG_POLICIES, &error);
        if (r < 0) {
                say("unseal=error policies: %s", error ?: strerror(-r));
                return;
        }
        r = tpm2_context_new("device:/dev/tpmrm0", &c, &error);
        if (r < 0) {
                say("unseal=error tpm: %s", error ?: strerror(-r));
                return;
        }
        r = tpm2_unseal(c, blob, n, &policies, &secret, &used);
        if (r < 0) {
                say("unseal=refused errno=%d reason=%s", -r, tpm2_context_last_error(c));
                return;
        }
        /* The secret itself is never printed: its SHA-256 lets the test compare it with what
         * the same sealed object gives on the host. */
        if (crypto_sha256(secret.data, secret.size, digest) < 0 ||
            !(hex = hexmem(digest, sizeof digest))) {
                say("unseal=error hashing");
                return;
        }
        say("unseal=ok revision=%llu secret-sha256=%s", (unsigned long long) used->revision, hex);
}
