/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Locates tests/unit/data for unit tests: $MOS_TEST_DATA, else the directory of this source
 * file as the compiler saw it (meson compiles "../tests/unit/x.c" from the build directory,
 * where meson test runs the tests). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline const char *test_data_dir(void) {
        static char dir[4096];
        const char *e = getenv("MOS_TEST_DATA");
        const char *slash;

        if (e)
                return e;
        if (dir[0])
                return dir;
        slash = strrchr(__FILE__, '/');
        snprintf(dir, sizeof dir, "%.*sdata", slash ? (int) (slash - __FILE__ + 1) : 0, __FILE__);
        return dir;
}

/* Writes into buf the path of a file under tests/unit/data. */
static inline const char *test_data(char *buf, size_t size, const char *name) {
        if (snprintf(buf, size, "%s/%s", test_data_dir(), name) >= (int) size)
                buf[0] = 0; /* too long: an empty path fails to open */
        return buf;
}
