/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The sealed secret file parser (TPM2B_PUBLIC and TPM2B_PRIVATE through tss2-mu). */

#include "fuzz.h"
#include "tpm2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        (void) tpm2_sealed_blob_check(data, size);
        return 0;
}
