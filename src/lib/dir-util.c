/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "dir-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "path-util.h"
#include "string-util.h"

#define RM_RF_DEPTH_MAX 256

/* Empties the directory open as fd (taken over). dev: the file system it must stay on. */
static int remove_children_fd(int fd, dev_t dev, unsigned depth) {
        DIR *d;
        int r = 0;

        if (depth > RM_RF_DEPTH_MAX) {
                safe_close(fd);
                return -ELOOP;
        }
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                safe_close(fd);
                return r;
        }
        for (;;) {
                struct dirent *de;
                struct stat st;
                int q;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0 && r >= 0)
                                r = -errno;
                        break;
                }
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno != ENOENT && r >= 0)
                                r = -errno;
                        continue;
                }
                if (S_ISDIR(st.st_mode)) {
                        int sub;

                        if (st.st_dev != dev) {
                                if (r >= 0)
                                        r = -EXDEV;
                                continue;
                        }
                        sub = openat(dirfd(d), de->d_name,
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0) {
                                if (r >= 0)
                                        r = -errno;
                                continue;
                        }
                        q = remove_children_fd(sub, dev, depth + 1);
                        if (q < 0) {
                                if (r >= 0)
                                        r = q;
                                continue;
                        }
                        q = unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 ? -errno : 0;
                } else
                        q = unlinkat(dirfd(d), de->d_name, 0) < 0 ? -errno : 0;
                if (q < 0 && q != -ENOENT && r >= 0)
                        r = q;
        }
        closedir(d);
        return r;
}

int rm_rf_children(const char *path) {
        struct stat st;
        int fd;

        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ELOOP ? -ENOTDIR : -errno;
        if (fstat(fd, &st) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        return remove_children_fd(fd, st.st_dev, 0);
}

int rm_rf(const char *path) {
        struct stat st;
        int r;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
        r = rm_rf_children(path);
        if (r < 0)
                return r;
        if (rmdir(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);
        struct stat st;

        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) >= 0)
                return 0;
        if (errno != EEXIST)
                return -errno;
        if (stat(p, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}
