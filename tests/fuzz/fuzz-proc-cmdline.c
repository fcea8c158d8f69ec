/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The kernel command line as mos-init reads it: the word splitter and mos-init's options. */

#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "fuzz.h"
#include "macro.h"
#include "proc-cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const keys[] = { "mos.mode", "mos.handover", "mos.debug", "console" };
        _cleanup_free_ char *error = NULL;
        BootOptions o;

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                _cleanup_free_ char *v = NULL;
                int r = proc_cmdline_get((const char *) data, size, keys[i], &v);
                if (r > 0 && (!v || strlen(v) > size))
                        abort(); /* a value is never longer than the line */
        }
        if (boot_options_parse((const char *) data, size, &o, &error) >= 0) {
                if (!o.handover || o.handover[0] != '/')
                        abort();
                boot_options_done(&o);
        }
        return 0;
}
