/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "string-util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

const char *endswith(const char *s, const char *suffix) {
        size_t sl = strlen(s), l = strlen(suffix);
        if (l > sl)
                return NULL;
        return streq(s + sl - l, suffix) ? s + sl - l : NULL;
}

bool strv_contains_internal(const char *s, const char *const *list) {
        for (; *list; list++)
                if (streq(s, *list))
                        return true;
        return false;
}

int strscpy(char *dst, size_t size, const char *src) {
        size_t l = strlen(src);

        if (size == 0)
                return -ENOBUFS;
        if (l >= size) {
                memcpy(dst, src, size - 1);
                dst[size - 1] = '\0';
                return -ENOBUFS;
        }
        memcpy(dst, src, l + 1);
        return 0;
}

char *strprintf(const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

char *strjoin_internal(const char *first, ...) {
        va_list ap;
        size_t total = 0;
        char *r, *p;

        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                if (size_add(total, strlen(s), &total) < 0) {
                        va_end(ap);
                        return NULL;
                }
        va_end(ap);

        r = malloc(total + 1);
        if (!r)
                return NULL;
        p = r;
        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *)) {
                size_t l = strlen(s);
                memcpy(p, s, l);
                p += l;
        }
        va_end(ap);
        *p = '\0';
        return r;
}

bool string_is_printable_ascii(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] > 0x7e)
                        return false;
        return true;
}

char *strip_trailing_newlines(char *s) {
        size_t l = strlen(s);
        while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == '\r'))
                s[--l] = '\0';
        return s;
}

char *hexmem(const void *p, size_t n) {
        static const char digits[] = "0123456789abcdef";
        const unsigned char *b = p;
        size_t l;
        char *r;

        if (size_mul(n, 2, &l) < 0 || size_add(l, 1, &l) < 0)
                return NULL;
        r = malloc(l);
        if (!r)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                r[2 * i] = digits[b[i] >> 4];
                r[2 * i + 1] = digits[b[i] & 15];
        }
        r[2 * n] = '\0';
        return r;
}

static int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

/* Validates everything before writing anything, so a failed decode leaves out untouched. */
static int unhex_into(const char *s, size_t len, unsigned char *out) {
        for (size_t i = 0; i < len; i++)
                if (unhexchar(s[i]) < 0)
                        return -EINVAL;
        for (size_t i = 0; i < len / 2; i++)
                out[i] = (unsigned char) (unhexchar(s[2 * i]) << 4 | unhexchar(s[2 * i + 1]));
        return 0;
}

int unhexmem(const char *s, size_t len, void **ret, size_t *ret_size) {
        _cleanup_free_ unsigned char *buf = NULL;
        int r;

        if (len % 2 != 0)
                return -EINVAL;
        buf = malloc(len / 2 + 1); /* +1: never malloc(0) */
        if (!buf)
                return -ENOMEM;
        r = unhex_into(s, len, buf);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        *ret_size = len / 2;
        return 0;
}

int unhexmem_fixed(const char *s, void *buf, size_t n) {
        if (!s || strlen(s) != 2 * n)
                return -EINVAL;
        return unhex_into(s, 2 * n, buf);
}

bool string_is_lower_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}
