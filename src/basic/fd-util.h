/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"

/* Closes fd if >= 0, keeps errno, returns -1. */
int safe_close(int fd);
static inline void closep(int *fd) {
        *fd = safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline FILE *safe_fclose(FILE *f) {
        if (f)
                (void) fclose(f);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, safe_fclose);
#define _cleanup_fclose_ _cleanup_(safe_fclosep)

static inline DIR *safe_closedir(DIR *d) {
        if (d)
                (void) closedir(d);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, safe_closedir);
#define _cleanup_closedir_ _cleanup_(safe_closedirp)

/* Reads/writes exactly n bytes, retrying on EINTR and short transfers. loop_read returns the
 * number of bytes read (less than n only at end of file). */
ssize_t loop_read(int fd, void *buf, size_t n);
int loop_write(int fd, const void *buf, size_t n);

/* The same at a file offset (pread/pwrite), for images and blobs. pread_loop returns the number
 * of bytes read (less than n only at end of file); pread_full returns -EIO when the file ends
 * before n bytes (a short file is a damaged file); pwrite_full writes all n bytes. */
ssize_t pread_loop(int fd, void *buf, size_t n, uint64_t offset);
int pread_full(int fd, void *buf, size_t n, uint64_t offset);
int pwrite_full(int fd, const void *buf, size_t n, uint64_t offset);
