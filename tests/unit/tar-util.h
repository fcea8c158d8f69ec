/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Builds small ustar/pax archives in memory for tests (POSIX.1-2008 "pax" format). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct TarBuf {
        char *data;
        size_t size;
} TarBuf;

static inline void tarbuf_append(TarBuf *t, const void *p, size_t n) {
        t->data = realloc(t->data, t->size + n);
        memcpy(t->data + t->size, p, n);
        t->size += n;
}

static inline void tarbuf_pad(TarBuf *t) {
        static const char zeros[512];
        if (t->size % 512)
                tarbuf_append(t, zeros, 512 - t->size % 512);
}

/* One header + data. type: '0' file, '1' hard link, '2' symlink, '3' char, '4' block,
 * '5' directory, '6' fifo, 'x' pax extended header. */
static inline void tarbuf_member(TarBuf *t, const char *name, char type, unsigned mode,
                                 unsigned uid, const char *link, const void *data, size_t size,
                                 unsigned major, unsigned minor) {
        char h[512];
        unsigned sum = 0;

        memset(h, 0, sizeof h);
        snprintf(h, 100, "%s", name);
        snprintf(h + 100, 8, "%07o", mode);
        snprintf(h + 108, 8, "%07o", uid);
        snprintf(h + 116, 8, "%07o", 0U);
        snprintf(h + 124, 12, "%011zo", size);
        snprintf(h + 136, 12, "%011o", 1000U);
        h[156] = type;
        if (link)
                snprintf(h + 157, 100, "%s", link);
        memcpy(h + 257,
               "ustar\0"
               "00",
               8);
        snprintf(h + 329, 8, "%07o", major);
        snprintf(h + 337, 8, "%07o", minor);
        memset(h + 148, ' ', 8);
        for (size_t i = 0; i < sizeof h; i++)
                sum += (unsigned char) h[i];
        snprintf(h + 148, 8, "%06o", sum);
        tarbuf_append(t, h, sizeof h);
        if (size) {
                tarbuf_append(t, data, size);
                tarbuf_pad(t);
        }
}

static inline void tarbuf_file(TarBuf *t, const char *name, const char *content) {
        tarbuf_member(t, name, '0', 0644, 0, NULL, content, strlen(content), 0, 0);
}

/* A pax header carrying one record "key=value" for the next member. */
static inline void tarbuf_pax(TarBuf *t, const char *key, const char *value) {
        char rec[512];
        int n = (int) (strlen(key) + strlen(value) + 3), len;
        len = n + snprintf(NULL, 0, "%d", n);
        if (snprintf(NULL, 0, "%d", len) != snprintf(NULL, 0, "%d", n))
                len++;
        snprintf(rec, sizeof rec, "%d %s=%s\n", len, key, value);
        tarbuf_member(t, "PaxHeaders/x", 'x', 0644, 0, NULL, rec, strlen(rec), 0, 0);
}

static inline void tarbuf_end(TarBuf *t) {
        static const char zeros[1024];
        tarbuf_append(t, zeros, sizeof zeros);
}
