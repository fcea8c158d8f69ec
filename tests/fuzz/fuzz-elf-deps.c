/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* ELF dynamic sections and ld.so.cache files. */

#include "elf-deps.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(ldcache_freep) LdCache *c = NULL;
        ElfDynamicInfo info;

        if (elf_parse_dynamic(data, size, &info) >= 0)
                elf_dynamic_info_done(&info);
        if (ldcache_parse(data, size, &c) >= 0)
                (void) ldcache_lookup(c, "libc.so.6");
        return 0;
}
