/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The "release R booted good" record of the configuration partition (mos-init reads it before
 * it locks PCR 7): a record that parses formats back to the same canonical bytes. */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "good-release.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *err = NULL, *text = NULL;
        GoodRelease g, h;
        size_t n;

        if (good_release_parse((const char *) data, size, &g, &err) < 0)
                return 0;
        if (g.release == 0 || good_release_format(&g, &text, &n) < 0)
                abort();
        if (good_release_parse(text, n, &h, NULL) < 0 || memcmp(&g, &h, sizeof g) != 0)
                abort();
        return 0;
}
