/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The "newc" cpio format (SVR4 with no CRC, magic 070701) that the kernel unpacks into the
 * initramfs (Documentation/driver-api/early-userspace/buffer-format.rst). Every header field
 * is 8 hex digits; name and data are padded to 4 bytes; "TRAILER!!!" ends the archive. */

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "byte-buffer.h"

typedef struct CpioWriter {
        ByteBuffer out;
        uint32_t next_ino;
        uint32_t mtime; /* every entry gets this mtime (reproducible archives) */
} CpioWriter;

/* path: relative ("usr/bin/x"), no "." or ".." components. mode includes the type bits. */
int cpio_add(CpioWriter *w, const char *path, mode_t mode, uint32_t rdev_major, uint32_t rdev_minor,
             const void *data, size_t size);
static inline int cpio_add_file(CpioWriter *w, const char *path, mode_t perm, const void *data,
                                size_t size) {
        return cpio_add(w, path, S_IFREG | (perm & 07777), 0, 0, data, size);
}
static inline int cpio_add_directory(CpioWriter *w, const char *path, mode_t perm) {
        return cpio_add(w, path, S_IFDIR | (perm & 07777), 0, 0, NULL, 0);
}
int cpio_add_symlink(CpioWriter *w, const char *path, const char *target);
/* Appends the trailer and hands the archive over. */
int cpio_finish(CpioWriter *w, uint8_t **ret, size_t *ret_size);
void cpio_writer_done(CpioWriter *w);

/* Reads an uncompressed newc archive, calling cb for each entry up to the trailer. -EBADMSG
 * when malformed (bad magic, field, name, sizes beyond the end, no trailer). */
typedef struct CpioEntry {
        const char *path;
        mode_t mode;
        uint32_t uid, gid, nlink, mtime, rdev_major, rdev_minor;
        const uint8_t *data;
        size_t size;
} CpioEntry;
typedef int (*CpioCallback)(const CpioEntry *e, void *userdata);
int cpio_parse(const uint8_t *p, size_t n, CpioCallback cb, void *userdata);
