/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Positioned whole-buffer I/O for the image writers and readers (GPT, FAT): pread()/pwrite()
 * retried on EINTR and short transfers. pread_full_at() returns -EBADMSG when the file ends
 * first (a truncated image). */

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

static inline int pwrite_full_at(int fd, const void *p, size_t n, uint64_t off) {
        const uint8_t *b = p;
        while (n > 0) {
                ssize_t k = pwrite(fd, b, n, (off_t) off);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                b += k;
                n -= (size_t) k;
                off += (uint64_t) k;
        }
        return 0;
}

static inline int pread_full_at(int fd, void *p, size_t n, uint64_t off) {
        uint8_t *b = p;
        while (n > 0) {
                ssize_t k = pread(fd, b, n, (off_t) off);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EBADMSG;
                b += k;
                n -= (size_t) k;
                off += (uint64_t) k;
        }
        return 0;
}
