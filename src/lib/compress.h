/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Compression for the boot chain: the only module that includes <zstd.h>, <zlib.h> and
 * <lzma.h>. Compresses initramfs archives (zstd, gzip: what Debian's kernel unpacks,
 * CONFIG_RD_ZSTD/CONFIG_RD_GZIP) and decompresses kernel modules (.ko.xz, .ko.zst, .ko.gz) so
 * they can be loaded with finit_module() under lockdown without in-kernel decompression. */

#include <stddef.h>
#include <stdint.h>

typedef enum Compression {
        COMPRESSION_NONE,
        COMPRESSION_ZSTD,
        COMPRESSION_GZIP,
        COMPRESSION_XZ,
        _COMPRESSION_MAX,
} Compression;

const char *compression_to_string(Compression c); /* "none", "zstd", "gzip", "xz" */
int compression_from_string(const char *s, Compression *ret);
/* By file name suffix (".xz", ".zst", ".gz"); COMPRESSION_NONE otherwise. */
Compression compression_from_filename(const char *name);

/* One-shot compression (zstd and gzip only; -EOPNOTSUPP for others). level 0: the default
 * (zstd 19, gzip 9). Output is deterministic for the same input and level. */
int compress_buffer(Compression c, int level, const void *data, size_t size, uint8_t **ret,
                    size_t *ret_size);

/* One-shot decompression of a complete stream with an output limit: -EFBIG above max_size,
 * -EBADMSG for corrupt or truncated input. */
int decompress_buffer(Compression c, const void *data, size_t size, size_t max_size, uint8_t **ret,
                      size_t *ret_size);
