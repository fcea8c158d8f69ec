/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <string.h>

#include "macro.h"

/* Secrets (unsealed passphrases, private key bytes) are wiped before their memory is freed, on
 * every path. explicit_bzero() is not optimised away. */
static inline void *erase_and_free(void *p, size_t n) {
        if (p) {
                explicit_bzero(p, n);
                free(p);
        }
        return NULL;
}

/* A heap buffer holding a secret: _cleanup_(secret_buffer_done) wipes and frees it. */
typedef struct SecretBuffer {
        unsigned char *data;
        size_t size;
} SecretBuffer;

static inline void secret_buffer_done(SecretBuffer *s) {
        s->data = erase_and_free(s->data, s->size);
        s->size = 0;
}

/* Constant-time comparison for secrets and MACs: the time does not depend on where the first
 * difference is. Returns 0 when equal. */
static inline int memcmp_const_time(const void *a, const void *b, size_t n) {
        const volatile unsigned char *x = a, *y = b;
        unsigned char d = 0;
        for (size_t i = 0; i < n; i++)
                d |= x[i] ^ y[i];
        return d != 0;
}

/* True when all n bytes at p are zero (padding, reserved fields, unused slots). */
static inline bool memeqzero(const void *p, size_t n) {
        const unsigned char *b = p;
        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

/* Stack secrets: _cleanup_(erase_charp) etc. are spelled out where used with explicit sizes. */
