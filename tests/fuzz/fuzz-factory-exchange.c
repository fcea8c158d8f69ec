/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A slot of the factory exchange area, as the factory mos-init and `mos factory get` read it.
 * The first byte picks the record type; the rest is the slot. */

#include <stdlib.h>
#include <string.h>

#include "factory-exchange.h"
#include "fuzz.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static uint8_t again[FACTORY_SLOT_SIZE];
        _cleanup_free_ uint8_t *p = NULL;
        FactoryRecord t;
        size_t n;

        if (size < 1)
                return 0;
        t = (FactoryRecord) (data[0] % _FACTORY_RECORD_MAX);
        if (factory_record_decode(data + 1, size - 1, t, &p, &n) < 0)
                return 0;
        /* What decodes must encode to the same bytes (the slot is fully determined). */
        if (factory_record_encode(t, p, n, again) < 0)
                abort();
        if (size - 1 > FACTORY_SLOT_SIZE || memcmp(again, data + 1, size - 1) != 0)
                abort();
        return 0;
}
