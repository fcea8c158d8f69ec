/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "init-system.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

int init_mount_api_filesystems(char **ret_failed) {
        static const struct {
                const char *type, *where, *options;
                unsigned long flags;
        } table[] = {
                { "proc", "/proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
                { "sysfs", "/sys", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
                { "devtmpfs", "/dev", "mode=0755", MS_NOSUID | MS_NOEXEC },
                { "tmpfs", "/run", "mode=0755", MS_NOSUID | MS_NODEV },
                { "securityfs", "/sys/kernel/security", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                if (mkdir(table[i].where, 0755) < 0 && errno != EEXIST)
                        goto fail;
                if (mount(table[i].type, table[i].where, table[i].type, table[i].flags,
                          table[i].options) < 0 &&
                    errno != EBUSY)
                        goto fail;
                continue;
fail:
                if (ret_failed)
                        *ret_failed = strdup(table[i].where);
                return -errno;
        }
        return 0;
}

int init_module_list_parse(const char *text, size_t size, char ***ret, unsigned *ret_line) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = text, *end = text + size;
        unsigned line = 0;
        int r;

        if (size > INIT_MODULE_LIST_MAX)
                return -EFBIG;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p)), *eol = nl ?: end;
                size_t len = (size_t) (eol - p);
                _cleanup_free_ char *s = NULL;

                line++;
                if (memchr(p, 0, len)) {
                        if (ret_line)
                                *ret_line = line;
                        return -EBADMSG;
                }
                s = strndup(p, len);
                p = nl ? nl + 1 : end;
                if (!s)
                        return -ENOMEM;
                if (isempty(s) || s[0] == '#')
                        continue;
                if (s[0] != '/' || !endswith(s, ".ko") || !path_is_safe_relative(s + 1)) {
                        if (ret_line)
                                *ret_line = line;
                        return -EBADMSG;
                }
                r = strv_extend(&l, s);
                if (r < 0)
                        return r;
        }
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int init_load_modules(const char *list_path, char **ret_failed) {
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r, n = 0;

        r = read_full_file(list_path, INIT_MODULE_LIST_MAX, &text, &size);
        if (r == -ENOENT)
                return 0; /* nothing to load: all built in */
        if (r < 0)
                goto fail_list;
        r = init_module_list_parse(text, size, &paths, NULL);
        if (r < 0)
                goto fail_list;

        for (size_t i = 0; paths[i]; i++) {
                _cleanup_close_ int fd = open(paths[i], O_RDONLY | O_CLOEXEC);

                if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)) {
                        r = -errno;
                        if (ret_failed)
                                *ret_failed = strdup(paths[i]);
                        return r;
                }
                n++;
        }
        return n;

fail_list:
        if (ret_failed)
                *ret_failed = strdup(list_path);
        return r;
}

int init_move_mount(const char *from, const char *to) {
        if (mkdir(to, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mount(from, to, NULL, MS_MOVE, NULL) < 0)
                return -errno;
        return 0;
}

/* Removes everything below dir_fd that lives on device dev (the initramfs), depth first;
 * directories that are mount points (another device) are left alone. Best effort: what cannot
 * be removed just keeps its memory. */
static void remove_initramfs_contents(int dir_fd, dev_t dev) {
        _cleanup_closedir_ DIR *d = fdopendir(dir_fd);
        struct dirent *de;

        if (!d) {
                safe_close(dir_fd);
                return;
        }
        while ((de = readdir(d))) {
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int sub = openat(dirfd(d), de->d_name,
                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                remove_initramfs_contents(sub, dev);
                        (void) unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
                } else
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        }
}

int init_switch_root(const char *new_root) {
        struct statfs sfs;
        struct stat root, target;
        int fd;

        if (stat("/", &root) < 0 || stat(new_root, &target) < 0)
                return -errno;
        if (root.st_dev == target.st_dev)
                return -EINVAL; /* new_root must be a mount */
        if (chdir(new_root) < 0)
                return -errno;
        /* Only a ramfs/tmpfs root is emptied: never run this on a real disk by mistake. */
        if (statfs("/", &sfs) < 0)
                return -errno;
        if ((sfs.f_type == RAMFS_MAGIC || sfs.f_type == TMPFS_MAGIC) && getpid() == 1) {
                fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0)
                        remove_initramfs_contents(fd, root.st_dev);
        }
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                return -errno;
        if (chroot(".") < 0)
                return -errno;
        if (chdir("/") < 0)
                return -errno;
        return 0;
}

_noreturn_ void init_poweroff(void) {
        sync();
        (void) reboot(RB_POWER_OFF);
        for (;;)
                pause();
}
