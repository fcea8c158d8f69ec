/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "fileio.h"

#include <errno.h>
#include <stdbool.h>
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

/* Grows buf to allocated bytes; for a secret, through a fresh buffer so the old one can be wiped
 * (realloc() would free it with the bytes still in it). */
static char *grow(char *buf, size_t old_allocated, size_t allocated, size_t used, bool secret) {
        char *n;

        if (!secret)
                return realloc(buf, allocated);
        n = malloc(allocated);
        if (!n)
                return NULL;
        if (buf) {
                memcpy(n, buf, used);
                explicit_bzero(buf, old_allocated);
                free(buf);
        }
        return n;
}

static int read_full_fd_internal(int fd, size_t max_size, bool secret, char **ret,
                                 size_t *ret_size) {
        char *buf = NULL;
        size_t size = 0, allocated = 0, want;
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > max_size)
                return -EFBIG;

        /* Regular files: size known up front (one byte more for the NUL and one to see the end
         * without growing). Pipes and devices: grow until EOF or the limit. */
        want = S_ISREG(st.st_mode) ? (size_t) st.st_size + 2 : 4096;
        for (;;) {
                ssize_t k;

                if (size + 1 >= allocated) {
                        char *n;
                        if (allocated > max_size + 1) {
                                r = -EFBIG;
                                goto fail;
                        }
                        if (allocated > 0)
                                want = MIN(allocated * 2, max_size + 2);
                        n = grow(buf, allocated, want, size, secret);
                        if (!n) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        buf = n;
                        allocated = want;
                }
                k = read(fd, buf + size, allocated - size - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        goto fail;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > max_size) {
                        r = -EFBIG;
                        goto fail;
                }
        }
        buf[size] = '\0';
        *ret = buf;
        if (ret_size)
                *ret_size = size;
        return 0;
fail:
        if (buf && secret)
                explicit_bzero(buf, allocated);
        free(buf);
        return r;
}

int read_full_fd(int fd, size_t max_size, char **ret, size_t *ret_size) {
        return read_full_fd_internal(fd, max_size, false, ret, ret_size);
}

int read_full_fd_secret(int fd, size_t max_size, char **ret, size_t *ret_size) {
        return read_full_fd_internal(fd, max_size, true, ret, ret_size);
}

int read_full_file_at(int dir_fd, const char *path, size_t max_size, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -1;

        fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, max_size, ret, ret_size);
}

int read_full_file_secret(const char *path, size_t max_size, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -1;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd_secret(fd, max_size, ret, ret_size);
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
