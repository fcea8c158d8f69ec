/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "cpio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "path-util.h"
#include "string-util.h"

#define NEWC_MAGIC "070701"
#define NEWC_HEADER_SIZE 110
#define TRAILER "TRAILER!!!"

static void put_hex8(uint8_t *p, uint32_t v) {
        static const char hex[] = "0123456789abcdef";
        for (int i = 7; i >= 0; i--) {
                p[i] = (uint8_t) hex[v & 0xf];
                v >>= 4;
        }
}

static int write_entry(CpioWriter *w, const char *path, mode_t mode, uint32_t ino, uint32_t nlink,
                       uint32_t rmaj, uint32_t rmin, const void *data, size_t size) {
        size_t namesize = strlen(path) + 1;
        uint8_t *h;

        if (size > UINT32_MAX || namesize > 4096)
                return -EFBIG;
        h = byte_buffer_append_zero(&w->out, NEWC_HEADER_SIZE);
        if (!h)
                return byte_buffer_error(&w->out);
        memcpy(h, NEWC_MAGIC, 6);
        put_hex8(h + 6, ino);
        put_hex8(h + 14, (uint32_t) mode);
        put_hex8(h + 22, 0); /* uid */
        put_hex8(h + 30, 0); /* gid */
        put_hex8(h + 38, nlink);
        put_hex8(h + 46, w->mtime);
        put_hex8(h + 54, (uint32_t) size);
        put_hex8(h + 62, 0); /* devmajor */
        put_hex8(h + 70, 0); /* devminor */
        put_hex8(h + 78, rmaj);
        put_hex8(h + 86, rmin);
        put_hex8(h + 94, (uint32_t) namesize);
        put_hex8(h + 102, 0); /* check: unused in newc */
        byte_buffer_append(&w->out, path, namesize);
        byte_buffer_align(&w->out, 4);
        byte_buffer_append(&w->out, data, size);
        byte_buffer_align(&w->out, 4);
        return byte_buffer_error(&w->out);
}

int cpio_add(CpioWriter *w, const char *path, mode_t mode, uint32_t rdev_major, uint32_t rdev_minor,
             const void *data, size_t size) {
        if (!path_is_safe_relative(path))
                return -EINVAL;
        if (!S_ISREG(mode) && !S_ISLNK(mode) && size > 0)
                return -EINVAL;
        return write_entry(w, path, mode, ++w->next_ino, S_ISDIR(mode) ? 2 : 1, rdev_major,
                           rdev_minor, data, size);
}

int cpio_add_symlink(CpioWriter *w, const char *path, const char *target) {
        if (isempty(target))
                return -EINVAL;
        return cpio_add(w, path, S_IFLNK | 0777, 0, 0, target, strlen(target));
}

int cpio_finish(CpioWriter *w, uint8_t **ret, size_t *ret_size) {
        int r = write_entry(w, TRAILER, 0, 0, 1, 0, 0, NULL, 0);
        if (r < 0)
                return r;
        return byte_buffer_steal(&w->out, ret, ret_size);
}

void cpio_writer_done(CpioWriter *w) {
        byte_buffer_done(&w->out);
}

static int get_hex8(const uint8_t *p, uint32_t *ret) {
        uint32_t v = 0;
        for (int i = 0; i < 8; i++) {
                uint8_t c = p[i];
                uint32_t d;
                if (c >= '0' && c <= '9')
                        d = c - '0';
                else if (c >= 'a' && c <= 'f')
                        d = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F')
                        d = c - 'A' + 10;
                else
                        return -EBADMSG;
                v = v << 4 | d;
        }
        *ret = v;
        return 0;
}

int cpio_parse(const uint8_t *p, size_t n, CpioCallback cb, void *userdata) {
        size_t off = 0;

        for (;;) {
                uint32_t f[13];
                size_t name_end, data_start, data_end;
                CpioEntry e;
                int r;

                if (n - off < NEWC_HEADER_SIZE || memcmp(p + off, NEWC_MAGIC, 6) != 0)
                        return -EBADMSG;
                for (int i = 0; i < 13; i++)
                        if (get_hex8(p + off + 6 + 8 * i, &f[i]) < 0)
                                return -EBADMSG;
                /* f: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor
                 * namesize check */
                if (f[11] == 0 || f[11] > n - off - NEWC_HEADER_SIZE)
                        return -EBADMSG;
                name_end = off + NEWC_HEADER_SIZE + f[11];
                if (p[name_end - 1] != 0 || memchr(p + off + NEWC_HEADER_SIZE, 0, f[11] - 1))
                        return -EBADMSG;
                data_start = (name_end + 3) & ~(size_t) 3;
                if (data_start > n || f[6] > n - data_start)
                        return -EBADMSG;
                data_end = data_start + f[6];
                e = (CpioEntry){
                        .path = (const char *) p + off + NEWC_HEADER_SIZE,
                        .mode = f[1],
                        .uid = f[2],
                        .gid = f[3],
                        .nlink = f[4],
                        .mtime = f[5],
                        .rdev_major = f[9],
                        .rdev_minor = f[10],
                        .data = p + data_start,
                        .size = f[6],
                };
                if (streq(e.path, TRAILER))
                        return 0;
                if (cb) {
                        r = cb(&e, userdata);
                        if (r < 0)
                                return r;
                }
                off = (data_end + 3) & ~(size_t) 3;
                if (off > n)
                        return -EBADMSG;
        }
}
