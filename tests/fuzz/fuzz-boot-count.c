/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The boot loader's LoaderBootCountPath variable (firmware data, read by mosd) and the
 * boot-counting file names derived from it. */

#include <stdlib.h>
#include <string.h>

#include "boot-count.h"
#include "fuzz.h"
#include "macro.h"
#include "path-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *path = NULL, *base = NULL, *blessed = NULL;

        if (boot_count_parse_loader_path(data, size, &path) < 0)
                return 0;
        if (path[0] != '/' || strstr(path, "/../") || strchr(path, '\\'))
                abort();
        if (path_basename(path, &base) < 0)
                abort();
        if (boot_count_blessed_name(base, &blessed) < 0)
                abort();
        if (blessed && strlen(blessed) >= strlen(base))
                abort();
        return 0;
}
