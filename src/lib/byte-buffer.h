/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A growing byte buffer for writers of binary formats (DER, PE/COFF, cpio, GPT, FAT, firmware
 * variables). Errors are sticky: after the first failed append every later append is a no-op
 * and byte_buffer_error() returns the error, so a writer checks once at the end. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

typedef struct ByteBuffer {
        uint8_t *data;
        size_t size;
        size_t allocated;
        size_t limit; /* 0: SIZE_MAX; appends beyond it fail with -EFBIG */
        int error;    /* 0 or -errno */
} ByteBuffer;

#define BYTE_BUFFER_INIT                                                                           \
        { 0 }

void byte_buffer_done(ByteBuffer *b);
static inline int byte_buffer_error(const ByteBuffer *b) {
        return b->error;
}

/* Makes room for n more bytes; returns a pointer to them (not yet counted in size) or NULL. */
uint8_t *byte_buffer_reserve(ByteBuffer *b, size_t n);
/* Appends n bytes and returns a pointer to them inside the buffer (valid until the next append),
 * or NULL after an error. */
uint8_t *byte_buffer_append(ByteBuffer *b, const void *p, size_t n);
uint8_t *byte_buffer_append_zero(ByteBuffer *b, size_t n);
void byte_buffer_append_byte(ByteBuffer *b, uint8_t v);
void byte_buffer_append_le16(ByteBuffer *b, uint16_t v);
void byte_buffer_append_le32(ByteBuffer *b, uint32_t v);
void byte_buffer_append_le64(ByteBuffer *b, uint64_t v);
void byte_buffer_append_string(ByteBuffer *b, const char *s); /* without the NUL */
/* Pads with zero bytes up to a multiple of align (a power of two). */
void byte_buffer_align(ByteBuffer *b, size_t align);

/* Hands the contents over (the buffer is left empty). Returns the sticky error if any. */
int byte_buffer_steal(ByteBuffer *b, uint8_t **ret, size_t *ret_size);

/* Little-endian loads and stores on unaligned memory, for on-disk structures. */
static inline uint16_t le16_read(const void *p) {
        const uint8_t *b = p;
        return (uint16_t) (b[0] | b[1] << 8);
}
static inline uint32_t le32_read(const void *p) {
        const uint8_t *b = p;
        return (uint32_t) b[0] | (uint32_t) b[1] << 8 | (uint32_t) b[2] << 16 |
               (uint32_t) b[3] << 24;
}
static inline uint64_t le64_read(const void *p) {
        return (uint64_t) le32_read(p) | (uint64_t) le32_read((const uint8_t *) p + 4) << 32;
}
static inline void le16_write(void *p, uint16_t v) {
        uint8_t *b = p;
        b[0] = (uint8_t) v;
        b[1] = (uint8_t) (v >> 8);
}
static inline void le32_write(void *p, uint32_t v) {
        uint8_t *b = p;
        for (unsigned i = 0; i < 4; i++)
                b[i] = (uint8_t) (v >> (8 * i));
}
static inline void le64_write(void *p, uint64_t v) {
        le32_write(p, (uint32_t) v);
        le32_write((uint8_t *) p + 4, (uint32_t) (v >> 32));
}
static inline void be32_write(void *p, uint32_t v) {
        uint8_t *b = p;
        for (unsigned i = 0; i < 4; i++)
                b[i] = (uint8_t) (v >> (24 - 8 * i));
}
