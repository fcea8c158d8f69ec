/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "fd-util.h"

#include <errno.h>
#include <unistd.h>

int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -1;
}

ssize_t loop_read(int fd, void *buf, size_t n) {
        unsigned char *p = buf;
        size_t done = 0;

        while (done < n) {
                ssize_t k = read(fd, p + done, n - done);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                done += (size_t) k;
        }
        return (ssize_t) done;
}

int loop_write(int fd, const void *buf, size_t n) {
        const unsigned char *p = buf;

        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

ssize_t pread_loop(int fd, void *buf, size_t n, uint64_t offset) {
        unsigned char *p = buf;
        size_t done = 0;

        while (done < n) {
                ssize_t k = pread(fd, p + done, n - done, (off_t) (offset + done));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                done += (size_t) k;
        }
        return (ssize_t) done;
}

int pread_full(int fd, void *buf, size_t n, uint64_t offset) {
        ssize_t k = pread_loop(fd, buf, n, offset);
        if (k < 0)
                return (int) k;
        return (size_t) k == n ? 0 : -EIO;
}

int pwrite_full(int fd, const void *buf, size_t n, uint64_t offset) {
        const unsigned char *p = buf;

        while (n > 0) {
                ssize_t k = pwrite(fd, p, n, (off_t) offset);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO;
                p += k;
                n -= (size_t) k;
                offset += (uint64_t) k;
        }
        return 0;
}
