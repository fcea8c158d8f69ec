/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "macro.h"
#include "path-util.h"
#include "string-util.h"

int read_full_fd(int fd, size_t max_size, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > max_size)
                return -EFBIG;

        /* Regular files: size known up front. Pipes and devices: grow until EOF or the limit. */
        allocated = S_ISREG(st.st_mode) ? (size_t) st.st_size + 1 : 4096;
        for (;;) {
                ssize_t k;

                if (size + 1 >= allocated) {
                        char *n;
                        if (allocated > max_size + 1)
                                return -EFBIG;
                        allocated = MIN(allocated * 2, max_size + 2);
                        n = realloc(buf, allocated);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                } else if (!buf) {
                        buf = malloc(allocated);
                        if (!buf)
                                return -ENOMEM;
                }
                k = read(fd, buf + size, allocated - size - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > max_size)
                        return -EFBIG;
        }
        if (!buf) {
                buf = malloc(1);
                if (!buf)
                        return -ENOMEM;
        }
        buf[size] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_full_file_at(int dir_fd, const char *path, size_t max_size, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -1;

        fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, max_size, ret, ret_size);
}

int fsync_parent_at(int dir_fd, const char *path) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        r = path_dirname(path, &dir);
        if (r < 0)
                return r;
        fd = openat(dir_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

int open_tmpfile_beside_at(int dir_fd, const char *path, mode_t mode, char **ret_tmp_path) {
        _cleanup_free_ char *dir = NULL, *base = NULL;
        int r;

        r = path_dirname(path, &dir);
        if (r < 0)
                return r;
        r = path_basename(path, &base);
        if (r < 0)
                return r;

        for (unsigned attempt = 0; attempt < 16; attempt++) {
                _cleanup_free_ char *tmp = NULL;
                uint64_t rnd;
                int fd;

                if (getrandom(&rnd, sizeof rnd, 0) != sizeof rnd)
                        return -EIO;
                tmp = strprintf("%s/.#%s.%016llx", dir, base, (unsigned long long) rnd);
                if (!tmp)
                        return -ENOMEM;
                fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, mode);
                if (fd < 0) {
                        if (errno == EEXIST)
                                continue;
                        return -errno;
                }
                /* The umask must not widen or narrow what the caller asked for (keys are 0600). */
                if (fchmod(fd, mode) < 0) {
                        r = -errno;
                        (void) unlinkat(dir_fd, tmp, 0);
                        safe_close(fd);
                        return r;
                }
                *ret_tmp_path = TAKE_PTR(tmp);
                return fd;
        }
        return -EEXIST;
}

void unlink_tmpfile_at(int dir_fd, const char *tmp_path) {
        if (tmp_path)
                (void) unlinkat(dir_fd, tmp_path, 0);
}

int link_tmpfile_at(int fd, int dir_fd, const char *tmp_path, const char *path, WriteFlags flags) {
        if (fsync(fd) < 0)
                return -errno;
        if (flags & WRITE_NO_REPLACE) {
                /* link() fails with EEXIST instead of replacing. */
                if (linkat(dir_fd, tmp_path, dir_fd, path, 0) < 0)
                        return -errno;
                (void) unlinkat(dir_fd, tmp_path, 0);
        } else if (renameat(dir_fd, tmp_path, dir_fd, path) < 0)
                return -errno;
        return fsync_parent_at(dir_fd, path);
}

int write_file_atomic_at(int dir_fd, const char *path, const void *data, size_t size, mode_t mode,
                         WriteFlags flags) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        fd = open_tmpfile_beside_at(dir_fd, path, mode, &tmp);
        if (fd < 0)
                return fd;
        r = loop_write(fd, data, size);
        if (r >= 0)
                r = link_tmpfile_at(fd, dir_fd, tmp, path, flags);
        if (r < 0)
                unlink_tmpfile_at(dir_fd, tmp);
        return r;
}
