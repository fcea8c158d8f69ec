/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* efi_siglist_parse(): every signature it returns lies inside the input. */

#include <stdlib.h>

#include "efi-siglist.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ EfiSignature *s = NULL;
        size_t n;

        if (efi_siglist_parse(data, size, &s, &n) < 0)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (s[i].data < data || s[i].data + s[i].size > data + size)
                        abort();
        return 0;
}
