/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Compression: the only module that includes <zstd.h>, <zlib.h> and <lzma.h>. Compresses
 * initramfs archives (zstd, gzip: what Debian's kernel unpacks, CONFIG_RD_ZSTD/CONFIG_RD_GZIP),
 * decompresses kernel modules (.ko.xz, .ko.zst, .ko.gz) so they can be loaded with
 * finit_module() under lockdown without in-kernel decompression, and streams gzip-compressed
 * image sources for the tar importer. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

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

/* Streaming gzip decoding (RFC 1952) for archives too large to hold in memory. Every member's
 * CRC-32 and ISIZE trailer is checked (section 2.3.1), concatenated members and zero padding
 * after the last one are accepted, anything else after the stream is refused. Input comes from
 * pull(), which fills buf with up to size bytes and returns how many, 0 at the end, or -errno;
 * prefix (may be empty) is input already read by the caller, e.g. to sniff the magic bytes. */
typedef ssize_t (*CompressPullFn)(void *userdata, uint8_t *buf, size_t size);
typedef struct GunzipStream GunzipStream;
int gunzip_stream_new(CompressPullFn pull, void *userdata, const void *prefix, size_t prefix_size,
                      GunzipStream **ret);
/* Decodes up to size bytes into out: the count, 0 at the end of the stream, -EBADMSG for corrupt,
 * truncated or trailing data (gunzip_stream_error() says which), or pull()'s -errno. */
ssize_t gunzip_stream_read(GunzipStream *s, uint8_t *out, size_t size);
const char *gunzip_stream_error(const GunzipStream *s);
GunzipStream *gunzip_stream_free(GunzipStream *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(GunzipStream *, gunzip_stream_free);
