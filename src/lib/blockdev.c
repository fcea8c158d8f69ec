/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blockdev.h"
#include "fd-util.h"
#include "fileio.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

int blockdev_uevent_get(const char *text, size_t size, const char *key, char **ret) {
        const char *p = text, *end = text + size;
        size_t klen = strlen(key);
        char *found = NULL;

        if (size > BLOCKDEV_UEVENT_MAX)
                return -EFBIG;
        if (memchr(text, 0, size))
                return -EBADMSG;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p)), *eol = nl ?: end;
                const char *eq = memchr(p, '=', (size_t) (eol - p));

                if (eol == p) { /* empty line */
                        p = eol + 1;
                        continue;
                }
                if (!eq) {
                        free(found);
                        return -EBADMSG;
                }
                if ((size_t) (eq - p) == klen && memcmp(p, key, klen) == 0) {
                        free(found); /* the last one wins, as for the kernel's env lists */
                        found = strndup(eq + 1, (size_t) (eol - eq - 1));
                        if (!found)
                                return -ENOMEM;
                }
                p = nl ? nl + 1 : end;
        }
        if (!found)
                return 0;
        if (ret)
                *ret = found;
        else
                free(found);
        return 1;
}

/* 1 and the DEVNAME when the uevent of entry names a partition called name. */
static int entry_matches(int dir_fd, const char *entry, const char *name, char **ret_devname) {
        _cleanup_free_ char *path = path_join(entry, "uevent"), *text = NULL, *partname = NULL,
                            *devname = NULL;
        size_t size;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_full_file_at(dir_fd, path, BLOCKDEV_UEVENT_MAX, &text, &size);
        if (r < 0)
                return r == -ENOENT ? 0 : r; /* a device that just went away */
        r = blockdev_uevent_get(text, size, "PARTNAME", &partname);
        if (r <= 0 || !streq(partname, name))
                return r < 0 ? r : 0;
        r = blockdev_uevent_get(text, size, "DEVNAME", &devname);
        if (r < 0)
                return r;
        if (r == 0 || !filename_is_valid(devname))
                return -EBADMSG;
        *ret_devname = TAKE_PTR(devname);
        return 1;
}

int blockdev_find_partition(const char *sysfs_dir, const char *dev_dir, const char *name,
                            char **ret, char **ret_other) {
        _cleanup_closedir_ DIR *d = opendir(sysfs_dir ?: BLOCKDEV_SYSFS_DIR);
        _cleanup_free_ char *first = NULL;
        struct dirent *de;
        int r;

        if (!d)
                return -errno;
        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *devname = NULL;

                if (de->d_name[0] == '.')
                        continue;
                r = entry_matches(dirfd(d), de->d_name, name, &devname);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                if (first) {
                        if (ret_other) {
                                /* Sorted, so the message does not depend on readdir order. */
                                bool swap = strcmp(first, devname) > 0;
                                *ret_other = strjoin(swap ? devname : first, " and ",
                                                     swap ? first : devname);
                        }
                        return -ENOTUNIQ;
                }
                first = TAKE_PTR(devname);
        }
        if (errno != 0)
                return -errno;
        if (!first)
                return -ENOENT;
        *ret = path_join(dev_dir ?: "/dev", first);
        return *ret ? 0 : -ENOMEM;
}

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* Frees an array of n strings, some of which may still be NULL. */
typedef struct PathArray {
        char **v;
        size_t n;
} PathArray;

static void path_array_done(PathArray *a) {
        for (size_t i = 0; a->v && i < a->n; i++)
                free(a->v[i]);
        a->v = mfree(a->v);
}

int blockdev_wait_partitions(const char *sysfs_dir, const char *dev_dir, char *const *names,
                             uint64_t timeout_usec, char ***ret_paths, char **ret_missing) {
        size_t n = strv_length(names);
        _cleanup_(path_array_done) PathArray a = { .v = calloc(n + 1, sizeof(char *)), .n = n };
        char **paths = a.v;
        uint64_t deadline = now_usec() + timeout_usec;
        int r;

        if (!paths)
                return -ENOMEM;
        for (;;) {
                size_t missing = n;

                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *other = NULL, *p = NULL;

                        if (paths[i])
                                continue;
                        r = blockdev_find_partition(sysfs_dir, dev_dir, names[i], &p, &other);
                        if (r == -ENOTUNIQ) {
                                if (ret_missing)
                                        *ret_missing =
                                                strjoin(names[i], " (", strempty(other), ")");
                                return r;
                        }
                        if (r < 0 && r != -ENOENT)
                                return r;
                        /* devtmpfs creates the node when the device is added; check anyway. */
                        if (r == 0 && access(p, F_OK) == 0)
                                paths[i] = TAKE_PTR(p);
                        else if (missing == n)
                                missing = i;
                }
                if (missing == n)
                        break;
                if (now_usec() >= deadline) {
                        if (ret_missing)
                                *ret_missing = strdup(names[missing]);
                        return -ETIMEDOUT;
                }
                (void) nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
        }
        *ret_paths = TAKE_PTR(a.v);
        return 0;
}

int blockdev_get_size(int fd, uint64_t *ret) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISREG(st.st_mode)) {
                *ret = (uint64_t) st.st_size;
                return 0;
        }
        if (!S_ISBLK(st.st_mode))
                return -ENOTBLK;
        if (ioctl(fd, BLKGETSIZE64, ret) < 0)
                return -errno;
        return 0;
}

static int loop_configure(int loop_fd, int backing_fd, bool read_only) {
        struct loop_config c = {
                .fd = (uint32_t) backing_fd,
                .info.lo_flags = LO_FLAGS_AUTOCLEAR | (read_only ? LO_FLAGS_READ_ONLY : 0),
        };

        if (ioctl(loop_fd, LOOP_CONFIGURE, &c) >= 0)
                return 0;
        if (errno != EINVAL && errno != ENOTTY)
                return -errno;
        /* Kernels before 5.8: two steps. */
        if (ioctl(loop_fd, LOOP_SET_FD, backing_fd) < 0)
                return -errno;
        if (ioctl(loop_fd, LOOP_SET_STATUS64, &c.info) < 0) {
                int r = -errno;
                (void) ioctl(loop_fd, LOOP_CLR_FD);
                return r;
        }
        return 0;
}

int loop_attach(const char *path, bool read_only, int *ret_fd, char **ret_path) {
        int mode = (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
        _cleanup_close_ int backing = open(path, mode), ctl = -EBADF;
        int r;

        if (backing < 0)
                return -errno;
        ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
        if (ctl < 0)
                return -errno;
        /* Another process may take the free device between GET_FREE and CONFIGURE: retry. */
        for (unsigned attempt = 0; attempt < 64; attempt++) {
                _cleanup_close_ int loop = -EBADF;
                char node[32];
                int nr = ioctl(ctl, LOOP_CTL_GET_FREE);

                if (nr < 0)
                        return -errno;
                (void) snprintf(node, sizeof node, "/dev/loop%d", nr);
                loop = open(node, mode);
                if (loop < 0)
                        return -errno;
                r = loop_configure(loop, backing, read_only);
                if (r == -EBUSY)
                        continue;
                if (r < 0)
                        return r;
                if (ret_path) {
                        *ret_path = strdup(node);
                        if (!*ret_path)
                                return -ENOMEM; /* autoclear detaches it when loop closes */
                }
                *ret_fd = TAKE_FD(loop);
                return 0;
        }
        return -EBUSY;
}
