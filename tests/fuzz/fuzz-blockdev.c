/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* sysfs texts mos-init parses while it looks for its partitions: uevent files (KEY=VALUE) and
 * the modules.load list of the initramfs. */

#include <stdlib.h>
#include <string.h>

#include "blockdev.h"
#include "fuzz.h"
#include "init-system.h"
#include "macro.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const keys[] = { "PARTNAME", "DEVNAME", "MAJOR" };
        _cleanup_strv_free_ char **l = NULL;

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                _cleanup_free_ char *v = NULL;
                if (blockdev_uevent_get((const char *) data, size, keys[i], &v) > 0 &&
                    strlen(v) >= size)
                        abort();
        }
        if (init_module_list_parse((const char *) data, size, &l, NULL) >= 0)
                for (size_t i = 0; l[i]; i++)
                        if (l[i][0] != '/' || strstr(l[i], "/../"))
                                abort();
        return 0;
}
