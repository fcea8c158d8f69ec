/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "boot-count.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "path-util.h"
#include "string-util.h"

static bool all_digits(const char *s, size_t n) {
        if (n == 0 || n > 9) /* systemd-boot counts in a UINTN; nine digits is plenty */
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

int boot_count_blessed_name(const char *filename, char **ret_blessed) {
        const char *dot, *plus, *dash;
        char *n;

        if (!filename_is_valid(filename))
                return -EINVAL;
        /* The counter sits right before the suffix (".efi", ".conf"); the suffix is what
         * follows the last dot. */
        dot = strrchr(filename, '.');
        if (!dot)
                dot = filename + strlen(filename);
        plus = NULL;
        for (const char *p = filename; p < dot; p++)
                if (*p == '+')
                        plus = p;
        if (!plus || plus == filename) {
                *ret_blessed = NULL;
                return 0;
        }
        dash = memchr(plus, '-', (size_t) (dot - plus));
        if (!all_digits(plus + 1, (size_t) ((dash ?: dot) - plus - 1)) ||
            (dash && !all_digits(dash + 1, (size_t) (dot - dash - 1)))) {
                *ret_blessed = NULL;
                return 0;
        }
        n = strprintf("%.*s%s", (int) (plus - filename), filename, dot);
        if (!n)
                return -ENOMEM;
        *ret_blessed = n;
        return 1;
}

int boot_count_parse_loader_path(const void *data, size_t size, char **ret) {
        const uint8_t *p = data;
        _cleanup_free_ char *path = NULL;
        size_t n, len = 0;
        bool terminated = false;

        if (size < 4 + 2 || size > 4 + 2 * BOOT_COUNT_PATH_MAX || (size - 4) % 2 != 0)
                return -EBADMSG;
        n = (size - 4) / 2;
        path = malloc(n + 1);
        if (!path)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                uint16_t c = (uint16_t) (p[4 + 2 * i] | p[4 + 2 * i + 1] << 8);

                if (c == 0) {
                        terminated = true;
                        break;
                }
                if (c < 0x20 || c > 0x7e || c == '/')
                        return -EBADMSG;
                path[len++] = c == '\\' ? '/' : (char) c;
        }
        path[len] = 0;
        if (!terminated || len < 2 || path[0] != '/')
                return -EBADMSG;
        /* Every component a plain name: no "", ".", "..". */
        if (!path_is_safe_relative(path + 1))
                return -EBADMSG;
        *ret = TAKE_PTR(path);
        return 0;
}

int boot_count_read_loader_path(const char *efivars_dir, char **ret) {
        _cleanup_free_ char *file = path_join(efivars_dir ?: BOOT_COUNT_EFIVARS_DIR,
                                              BOOT_COUNT_LOADER_VARIABLE),
                            *data = NULL;
        size_t size;
        int r;

        if (!file)
                return -ENOMEM;
        r = read_full_file(file, 4 + 2 * BOOT_COUNT_PATH_MAX + 2, &data, &size);
        if (r == -EFBIG)
                return -EBADMSG;
        if (r < 0)
                return r;
        return boot_count_parse_loader_path(data, size, ret);
}

int boot_count_bless(const char *esp, const char *path, char **ret_blessed) {
        _cleanup_free_ char *dir = NULL, *base = NULL, *blessed = NULL, *full_dir = NULL;
        _cleanup_close_ int dfd = -1;
        struct stat st;
        int r;

        if (!path || path[0] != '/' || !path_is_safe_relative(path + 1))
                return -EINVAL;
        r = path_dirname(path, &dir);
        if (r < 0)
                return r;
        r = path_basename(path, &base);
        if (r < 0)
                return r;
        r = boot_count_blessed_name(base, &blessed);
        if (r <= 0)
                return r;

        full_dir = path_join(esp, dir);
        if (!full_dir)
                return -ENOMEM;
        dfd = open(full_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -ENOENT;
        if (fstatat(dfd, blessed, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return -EEXIST;
        if (errno != ENOENT)
                return -errno;
        /* One rename in one directory: on FAT a single directory entry update; either name is
         * there after a power cut, and either is a valid entry. */
        if (renameat(dfd, base, dfd, blessed) < 0)
                return -errno;
        if (fsync(dfd) < 0)
                return -errno;
        if (ret_blessed) {
                _cleanup_free_ char *p = path_join(dir, blessed);
                if (!p)
                        return -ENOMEM;
                *ret_blessed = TAKE_PTR(p);
        }
        return 1;
}
