/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "path-util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "string-util.h"

/* Length of path without trailing slashes (but keeping a lone "/"). */
static size_t trimmed_len(const char *path) {
        size_t l = strlen(path);
        while (l > 1 && path[l - 1] == '/')
                l--;
        return l;
}

int path_dirname(const char *path, char **ret) {
        size_t l;
        char *d;

        if (isempty(path))
                return -EINVAL;
        l = trimmed_len(path);
        while (l > 0 && path[l - 1] != '/')
                l--;
        if (l == 0)
                d = strdup(".");
        else {
                while (l > 1 && path[l - 1] == '/')
                        l--;
                d = strndup(path, l);
        }
        if (!d)
                return -ENOMEM;
        *ret = d;
        return 0;
}

int path_basename(const char *path, char **ret) {
        size_t end, start;
        char *b;

        if (isempty(path))
                return -EINVAL;
        end = trimmed_len(path);
        if (end == 1 && path[0] == '/')
                return -EINVAL;
        start = end;
        while (start > 0 && path[start - 1] != '/')
                start--;
        b = strndup(path + start, end - start);
        if (!b)
                return -ENOMEM;
        *ret = b;
        return 0;
}

char *path_join(const char *a, const char *b) {
        size_t la = strlen(a);
        while (la > 0 && a[la - 1] == '/')
                la--;
        while (*b == '/')
                b++;
        return strprintf("%.*s/%s", (int) la, a, b);
}

bool path_is_safe_relative(const char *p) {
        const char *c;

        if (isempty(p) || p[0] == '/' || strlen(p) > PATH_MAX)
                return false;
        for (c = p;;) {
                size_t n = strcspn(c, "/");
                if (n == 0)
                        return false; /* empty component: "a//b" or trailing "/" */
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                if (n > NAME_MAX)
                        return false;
                if (c[n] == '\0')
                        return true;
                c += n + 1;
        }
}

bool filename_is_valid(const char *p) {
        return path_is_safe_relative(p) && !strchr(p, '/');
}
