/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the unit tests of the runtime modules. */

#define _XOPEN_SOURCE_EXTENDED 1
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

static inline int rm_rf_one(const char *path, const struct stat *st, int type, struct FTW *f) {
        return remove(path) < 0 ? -1 : 0;
}

/* Removes a directory tree without following symlinks (tests' temporary directories). */
static inline int rm_rf(const char *path) {
        return nftw(path, rm_rf_one, 16, FTW_DEPTH | FTW_PHYS);
}
