/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* PE/COFF parsing, the Authenticode digest and the certificate table walk. */

#include "crypto.h"
#include "fuzz.h"
#include "pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(pe_image_freep) PeImage *img = NULL;
        uint8_t digest[SHA256_DIGEST_SIZE];
        const uint8_t *sig, *sec;
        size_t n;

        if (pe_image_parse(data, size, &img) < 0)
                return 0;
        (void) pe_image_get_signature(img, &sig, &n);
        (void) pe_image_find_section(img, ".linux", &sec, &n, NULL);
        (void) pe_image_authenticode_digest(img, digest);
        return 0;
}
