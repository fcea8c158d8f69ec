/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The decoders for compressed kernel modules, with a small output limit. */

#include <stdlib.h>

#include "compress.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const Compression algs[] = { COMPRESSION_XZ, COMPRESSION_ZSTD, COMPRESSION_GZIP };
        for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
                uint8_t *out = NULL;
                size_t n;
                if (decompress_buffer(algs[i], data, size, 1 << 20, &out, &n) >= 0)
                        free(out);
        }
        return 0;
}
