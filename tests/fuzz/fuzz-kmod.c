/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* modules.dep (the input) and a resolution of every module it names. */

#include "fuzz.h"
#include "kmod.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(kmod_index_freep) KmodIndex *k = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        char *names[] = { (char *) "dm_verity", (char *) "a", (char *) "vfat", NULL };

        if (kmod_index_parse((const char *) data, size, (const char *) data, size, &k) < 0)
                return 0;
        (void) kmod_resolve(k, names, &paths, NULL);
        return 0;
}
