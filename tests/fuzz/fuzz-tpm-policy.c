/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The signed policy file parser: whatever it accepts has a verified signature over the
 * recomputed approved digest. */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tpm-policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(tpm_signed_policy_freep) TpmSignedPolicy *p = NULL;
        _cleanup_free_ char *err = NULL;
        uint8_t d[SHA256_DIGEST_SIZE];

        if (tpm_signed_policy_parse((const char *) data, size, &p, &err) < 0)
                return 0;
        tpm_policy_approved_digest(p->pcr7, p->revision, p->key_name, d);
        if (memcmp(d, p->approved, sizeof d) != 0)
                abort();
        return 0;
}
