/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "macro.h"

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}
static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return streq(a, b);
}
static inline const char *strempty(const char *s) {
        return s ?: "";
}
static inline bool isempty(const char *s) {
        return !s || !*s;
}

/* Returns a pointer just past the prefix, or NULL. */
const char *startswith(const char *s, const char *prefix) _pure_;
const char *endswith(const char *s, const char *suffix) _pure_;

bool strv_contains_internal(const char *s, const char *const *list);
#define STR_IN_SET(s, ...) strv_contains_internal((s), (const char *const[]){ __VA_ARGS__, NULL })

/* Bounded copies that always terminate; return -ENOBUFS when the source did not fit. */
int strscpy(char *dst, size_t size, const char *src);

/* Allocating printf; returns NULL on failure. */
char *strprintf(const char *fmt, ...) _printf_(1, 2);

/* Concatenates NULL-terminated list of strings; NULL on OOM. */
char *strjoin_internal(const char *first, ...) _sentinel_;
#define strjoin(...) strjoin_internal(__VA_ARGS__, NULL)

/* True when every byte is printable ASCII (0x20..0x7e). Used to validate names from input. */
bool string_is_printable_ascii(const char *s, size_t n);

/* Removes trailing newline characters in place; returns s. */
char *strip_trailing_newlines(char *s);

/* True when s[0..n) are all lower-case hex digits [0-9a-f] (digests, root hashes, salts). */
bool string_is_lower_hex(const char *s, size_t n) _pure_;

/* Lower-case hex encoding and strict decoding (even length, [0-9a-fA-F] only). */
char *hexmem(const void *p, size_t n);
int unhexmem(const char *s, size_t len, void **ret, size_t *ret_size);
int unhexmem_fixed(const char *s, void *buf, size_t n); /* exactly 2n hex digits */
