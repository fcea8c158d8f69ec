/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "byte-buffer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void byte_buffer_done(ByteBuffer *b) {
        free(b->data);
        b->data = NULL;
        b->size = b->allocated = 0;
        b->error = 0;
}

uint8_t *byte_buffer_reserve(ByteBuffer *b, size_t n) {
        size_t need, limit = b->limit ? b->limit : SIZE_MAX;

        if (b->error)
                return NULL;
        if (size_add(b->size, n, &need) < 0 || need > limit) {
                b->error = -EFBIG;
                return NULL;
        }
        if (need > b->allocated || !b->data) {
                size_t a = MAX(b->allocated, (size_t) 256);
                uint8_t *d;

                while (a < need)
                        a = a > SIZE_MAX / 2 ? need : a * 2;
                d = realloc(b->data, a);
                if (!d) {
                        b->error = -ENOMEM;
                        return NULL;
                }
                b->data = d;
                b->allocated = a;
        }
        return b->data + b->size;
}

uint8_t *byte_buffer_append(ByteBuffer *b, const void *p, size_t n) {
        uint8_t *d = byte_buffer_reserve(b, n);

        if (!d)
                return NULL;
        if (n > 0)
                memcpy(d, p, n);
        b->size += n;
        return d;
}

uint8_t *byte_buffer_append_zero(ByteBuffer *b, size_t n) {
        uint8_t *d = byte_buffer_reserve(b, n);

        if (!d)
                return NULL;
        memset(d, 0, n);
        b->size += n;
        return d;
}

void byte_buffer_append_byte(ByteBuffer *b, uint8_t v) {
        byte_buffer_append(b, &v, 1);
}

void byte_buffer_append_le16(ByteBuffer *b, uint16_t v) {
        uint8_t x[2];
        le16_write(x, v);
        byte_buffer_append(b, x, sizeof x);
}

void byte_buffer_append_le32(ByteBuffer *b, uint32_t v) {
        uint8_t x[4];
        le32_write(x, v);
        byte_buffer_append(b, x, sizeof x);
}

void byte_buffer_append_le64(ByteBuffer *b, uint64_t v) {
        uint8_t x[8];
        le64_write(x, v);
        byte_buffer_append(b, x, sizeof x);
}

void byte_buffer_append_string(ByteBuffer *b, const char *s) {
        byte_buffer_append(b, s, strlen(s));
}

void byte_buffer_align(ByteBuffer *b, size_t align) {
        size_t pad = (align - (b->size & (align - 1))) & (align - 1);
        byte_buffer_append_zero(b, pad);
}

int byte_buffer_steal(ByteBuffer *b, uint8_t **ret, size_t *ret_size) {
        int r = b->error;

        if (r < 0) {
                byte_buffer_done(b);
                return r;
        }
        if (!b->data) {
                b->data = malloc(1);
                if (!b->data)
                        return -ENOMEM;
        }
        *ret = b->data;
        *ret_size = b->size;
        b->data = NULL;
        b->size = b->allocated = 0;
        return 0;
}
