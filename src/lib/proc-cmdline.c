/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "proc-cmdline.h"

static bool is_space(char c) {
        /* The kernel's isspace() on the command line: space, \t, \n, \v, \f, \r. */
        return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Copies the next word starting at *p into a new string, quotes removed; advances *p.
 * Returns 0 at the end of the text, 1 with a word, -EBADMSG for an unterminated quote. */
static int next_word(const char **p, const char *end, char **ret) {
        const char *s = *p;
        _cleanup_free_ char *w = NULL;
        size_t n = 0;
        bool quoted = false;

        while (s < end && is_space(*s))
                s++;
        if (s >= end) {
                *p = s;
                return 0;
        }
        w = malloc((size_t) (end - s) + 1);
        if (!w)
                return -ENOMEM;
        for (; s < end && (quoted || !is_space(*s)); s++) {
                if (*s == '"')
                        quoted = !quoted;
                else
                        w[n++] = *s;
        }
        if (quoted)
                return -EBADMSG;
        w[n] = 0;
        *p = s;
        *ret = TAKE_PTR(w);
        return 1;
}

int proc_cmdline_get(const char *cmdline, size_t size, const char *key, char **ret_value) {
        _cleanup_free_ char *found = NULL;
        const char *p = cmdline, *end = cmdline + size;
        size_t klen = strlen(key);
        bool have = false;
        int r;

        if (klen == 0 || strchr(key, '=') || strchr(key, '"'))
                return -EINVAL;
        if (size > PROC_CMDLINE_MAX)
                return -EFBIG;
        if (memchr(cmdline, 0, size))
                return -EBADMSG;

        for (;;) {
                _cleanup_free_ char *w = NULL;

                r = next_word(&p, end, &w);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (strncmp(w, key, klen) != 0 || (w[klen] != 0 && w[klen] != '='))
                        continue;
                free(found);
                found = strdup(w[klen] == '=' ? w + klen + 1 : "");
                if (!found)
                        return -ENOMEM;
                have = true;
        }
        if (!have)
                return 0;
        if (ret_value)
                *ret_value = TAKE_PTR(found);
        return 1;
}

int proc_cmdline_read(const char *path, char **ret, size_t *ret_size) {
        _cleanup_free_ char *s = NULL;
        size_t n;
        int r;

        r = read_full_file(path ?: "/proc/cmdline", PROC_CMDLINE_MAX, &s, &n);
        if (r < 0)
                return r;
        while (n > 0 && s[n - 1] == '\n')
                s[--n] = 0;
        *ret = TAKE_PTR(s);
        *ret_size = n;
        return 0;
}
