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

/* The current file position (read/write) instead of an offset (pread/pwrite). */
#define AT_POSITION UINT64_MAX

static ssize_t read_loop_at(int fd, void *buf, size_t n, uint64_t offset) {
        unsigned char *p = buf;
        size_t done = 0;

        while (done < n) {
                ssize_t k = offset == AT_POSITION
                                    ? read(fd, p + done, n - done)
                                    : pread(fd, p + done, n - done, (off_t) (offset + done));
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

static int write_loop_at(int fd, const void *buf, size_t n, uint64_t offset) {
        const unsigned char *p = buf;
        size_t done = 0;

        while (done < n) {
                ssize_t k = offset == AT_POSITION
                                    ? write(fd, p + done, n - done)
                                    : pwrite(fd, p + done, n - done, (off_t) (offset + done));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO;
                done += (size_t) k;
        }
        return 0;
}

ssize_t loop_read(int fd, void *buf, size_t n) {
        return read_loop_at(fd, buf, n, AT_POSITION);
}

int loop_write(int fd, const void *buf, size_t n) {
        return write_loop_at(fd, buf, n, AT_POSITION);
}

ssize_t pread_loop(int fd, void *buf, size_t n, uint64_t offset) {
        if (offset > INT64_MAX)
                return -EINVAL;
        return read_loop_at(fd, buf, n, offset);
}

int pread_full(int fd, void *buf, size_t n, uint64_t offset) {
        ssize_t k = pread_loop(fd, buf, n, offset);
        if (k < 0)
                return (int) k;
        return (size_t) k == n ? 0 : -EIO;
}

int pwrite_full(int fd, const void *buf, size_t n, uint64_t offset) {
        if (offset > INT64_MAX)
                return -EINVAL;
        return write_loop_at(fd, buf, n, offset);
}
