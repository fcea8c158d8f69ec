/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The EFI_SIGNATURE_LIST walker of the PCR 7 prediction (efi_siglist_find_x509). The first input byte chooses how
 * long the certificate to look for is; it is taken from the end of the input. */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pcr7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *entry;
        size_t n, entry_size;

        if (size < 1)
                return 0;
        n = data[0] % 64;
        if (n > size - 1)
                n = size - 1;
        if (efi_siglist_find_x509(data + 1, size - 1, data + size - n, n, &entry, &entry_size) < 0)
                return 0;
        if (entry < data + 1 || entry + entry_size > data + size || entry_size != n + 16 ||
            memcmp(entry + 16, data + size - n, n) != 0)
                abort();
        return 0;
}
