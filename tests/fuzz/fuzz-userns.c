/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The user-namespace allocation record mosd reads from the data volume at every boot. Whatever
 * parses must survive an allocation and a save/parse round trip. */

#include <errno.h>
#include <stdlib.h>

#include "fuzz.h"
#include "userns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(userns_db_freep) UsernsDb *db = NULL;
        _cleanup_free_ char *err = NULL;
        uint32_t base;
        int r;

        if (userns_db_parse((const char *) data, size, &db, &err) < 0)
                return 0;
        r = userns_db_get_base(db, "fuzz-group", &base, NULL);
        if (r < 0 && r != -ENOSPC)
                abort();
        if (r == 0 && (base < USERNS_FIRST_BASE ||
                       base > USERNS_FIRST_BASE + (USERNS_MAX_SLOTS - 1) * USERNS_RANGE_SIZE))
                abort();
        return 0;
}
