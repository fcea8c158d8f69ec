/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The firmware-variable parsers: an OVMF vars image (and, when it parses, its serialization
 * must parse again to the same variables) and .auth files. */

#include <stdlib.h>
#include <string.h>

#include "efivars.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(efi_varstore_freep) EfiVarStore *s = NULL, *s2 = NULL;
        _cleanup_free_ uint8_t *out = NULL;
        const uint8_t *sig, *d;
        size_t on, sn, dn;
        EfiTime t;

        /* Signature lists are efi-siglist.c's (its own fuzz target); here the .auth wrapper. */
        (void) efi_auth_parse(data, size, &t, &sig, &sn, &d, &dn);
        if (efi_varstore_parse(data, size, &s) < 0)
                return 0;
        if (efi_varstore_serialize(s, &out, &on) < 0)
                return 0;
        if (efi_varstore_parse(out, on, &s2) < 0 || efi_varstore_count(s) != efi_varstore_count(s2))
                abort();
        return 0;
}
