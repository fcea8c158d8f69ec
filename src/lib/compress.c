/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "compress.h"

#include <errno.h>
#include <stdbool.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "byte-buffer.h"
#include "log.h"
#include "memory-util.h"
#include "string-util.h"

static const char *const names[_COMPRESSION_MAX] = {
        [COMPRESSION_NONE] = "none",
        [COMPRESSION_ZSTD] = "zstd",
        [COMPRESSION_GZIP] = "gzip",
        [COMPRESSION_XZ] = "xz",
};

const char *compression_to_string(Compression c) {
        return (size_t) c < _COMPRESSION_MAX ? names[c] : NULL;
}

int compression_from_string(const char *s, Compression *ret) {
        for (size_t i = 0; i < _COMPRESSION_MAX; i++)
                if (streq(s, names[i])) {
                        *ret = (Compression) i;
                        return 0;
                }
        return -EINVAL;
}

Compression compression_from_filename(const char *name) {
        if (endswith(name, ".xz"))
                return COMPRESSION_XZ;
        if (endswith(name, ".zst"))
                return COMPRESSION_ZSTD;
        if (endswith(name, ".gz"))
                return COMPRESSION_GZIP;
        return COMPRESSION_NONE;
}

static int zstd_compress(int level, const void *data, size_t size, uint8_t **ret,
                         size_t *ret_size) {
        size_t bound = ZSTD_compressBound(size), n;
        ZSTD_CCtx *cctx;
        uint8_t *out;

        if (ZSTD_isError(bound))
                return -EFBIG;
        out = malloc(bound ? bound : 1);
        cctx = ZSTD_createCCtx();
        if (!out || !cctx) {
                free(out);
                ZSTD_freeCCtx(cctx);
                return -ENOMEM;
        }
        /* Content size and checksum in the frame; single-threaded, so the output depends on the
         * input and the level only. */
        (void) ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level ? level : 19);
        (void) ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
        n = ZSTD_compress2(cctx, out, bound, data, size);
        ZSTD_freeCCtx(cctx);
        if (ZSTD_isError(n)) {
                log_debug("zstd: %s", ZSTD_getErrorName(n));
                free(out);
                return -EIO;
        }
        *ret = out;
        *ret_size = n;
        return 0;
}

static int gzip_compress(int level, const void *data, size_t size, uint8_t **ret,
                         size_t *ret_size) {
        z_stream z = { 0 };
        ByteBuffer b = BYTE_BUFFER_INIT;
        const uint8_t *in = data;
        size_t left = size;
        int zr = Z_OK;

        /* windowBits 15 + 16: a gzip wrapper with a zero mtime and no file name, so the output
         * is reproducible. */
        if (deflateInit2(&z, level ? level : 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
                return -ENOMEM;
        do {
                uint8_t *p;

                if (z.avail_in == 0 && left > 0) {
                        uInt chunk = (uInt) MIN(left, (size_t) UINT32_MAX);
                        z.next_in = (Bytef *) in;
                        z.avail_in = chunk;
                        in += chunk;
                        left -= chunk;
                }
                p = byte_buffer_reserve(&b, 1 << 20);
                if (!p)
                        break;
                z.next_out = p;
                z.avail_out = 1 << 20;
                zr = deflate(&z, left == 0 ? Z_FINISH : Z_NO_FLUSH);
                b.size += (1 << 20) - z.avail_out;
        } while (zr == Z_OK);
        deflateEnd(&z);
        if (byte_buffer_error(&b) < 0)
                return byte_buffer_steal(&b, ret, ret_size);
        if (zr != Z_STREAM_END) {
                byte_buffer_done(&b);
                return -EIO;
        }
        return byte_buffer_steal(&b, ret, ret_size);
}

int compress_buffer(Compression c, int level, const void *data, size_t size, uint8_t **ret,
                    size_t *ret_size) {
        switch (c) {
        case COMPRESSION_ZSTD:
                return zstd_compress(level, data, size, ret, ret_size);
        case COMPRESSION_GZIP:
                return gzip_compress(level, data, size, ret, ret_size);
        default:
                return -EOPNOTSUPP;
        }
}

/* The decoders below write into chunks of at most 1 MiB and stop once one byte more than max_size
 * came out, so a bomb costs at most max_size + 1 MiB of memory. */
static uint8_t *output_chunk(ByteBuffer *b, size_t max_size, size_t *ret_room) {
        size_t room = MIN((size_t) 1 << 20, max_size + 1 - b->size);
        *ret_room = room;
        return byte_buffer_reserve(b, room);
}

static int finish_output(ByteBuffer *b, size_t max_size, int r, uint8_t **ret, size_t *ret_size) {
        if (r < 0 || b->size > max_size) {
                byte_buffer_done(b);
                return r < 0 ? r : -EFBIG;
        }
        return byte_buffer_steal(b, ret, ret_size);
}

static int zstd_decompress(const void *data, size_t size, size_t max_size, uint8_t **ret,
                           size_t *ret_size) {
        ZSTD_DStream *d = ZSTD_createDStream();
        ZSTD_inBuffer in = { data, size, 0 };
        ByteBuffer b = BYTE_BUFFER_INIT;
        size_t z = 1;
        int r = 0;

        if (!d)
                return -ENOMEM;
        while (b.size <= max_size) {
                size_t room;
                uint8_t *p = output_chunk(&b, max_size, &room);
                ZSTD_outBuffer out = { p, room, 0 };

                if (!p) {
                        r = byte_buffer_error(&b);
                        break;
                }
                z = ZSTD_decompressStream(d, &out, &in);
                if (ZSTD_isError(z)) {
                        r = -EBADMSG;
                        break;
                }
                b.size += out.pos;
                if (z == 0) {
                        if (in.pos != in.size)
                                r = -EBADMSG; /* trailing data (a second frame is not allowed) */
                        break;
                }
                if (in.pos == in.size && out.pos < out.size) {
                        r = -EBADMSG; /* truncated */
                        break;
                }
        }
        ZSTD_freeDStream(d);
        return finish_output(&b, max_size, r, ret, ret_size);
}

static int xz_decompress(const void *data, size_t size, size_t max_size, uint8_t **ret,
                         size_t *ret_size) {
        lzma_stream s = LZMA_STREAM_INIT;
        ByteBuffer b = BYTE_BUFFER_INIT;
        lzma_ret lr = LZMA_OK;
        int r = 0;

        if (lzma_stream_decoder(&s, 256u << 20, 0) != LZMA_OK)
                return -ENOMEM;
        s.next_in = data;
        s.avail_in = size;
        while (lr == LZMA_OK && b.size <= max_size) {
                size_t room;
                uint8_t *p = output_chunk(&b, max_size, &room);

                if (!p) {
                        r = byte_buffer_error(&b);
                        break;
                }
                s.next_out = p;
                s.avail_out = room;
                lr = lzma_code(&s, LZMA_FINISH);
                b.size += room - s.avail_out;
        }
        lzma_end(&s);
        if (r == 0 && b.size <= max_size && (lr != LZMA_STREAM_END || s.avail_in != 0))
                r = lr == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
        return finish_output(&b, max_size, r, ret, ret_size);
}

static int gzip_decompress(const void *data, size_t size, size_t max_size, uint8_t **ret,
                           size_t *ret_size) {
        z_stream z = { 0 };
        ByteBuffer b = BYTE_BUFFER_INIT;
        int zr = Z_OK, r = 0;

        if (size > UINT32_MAX)
                return -EFBIG;
        if (inflateInit2(&z, 15 + 16) != Z_OK)
                return -ENOMEM;
        z.next_in = (Bytef *) data;
        z.avail_in = (uInt) size;
        while (zr == Z_OK && b.size <= max_size) {
                size_t room;
                uint8_t *p = output_chunk(&b, max_size, &room);

                if (!p) {
                        r = byte_buffer_error(&b);
                        break;
                }
                z.next_out = p;
                z.avail_out = (uInt) room;
                zr = inflate(&z, Z_NO_FLUSH);
                b.size += room - z.avail_out;
        }
        inflateEnd(&z);
        if (r == 0 && b.size <= max_size && (zr != Z_STREAM_END || z.avail_in != 0))
                r = zr == Z_MEM_ERROR ? -ENOMEM : -EBADMSG;
        return finish_output(&b, max_size, r, ret, ret_size);
}

int decompress_buffer(Compression c, const void *data, size_t size, size_t max_size, uint8_t **ret,
                      size_t *ret_size) {
        switch (c) {
        case COMPRESSION_ZSTD:
                return zstd_decompress(data, size, max_size, ret, ret_size);
        case COMPRESSION_XZ:
                return xz_decompress(data, size, max_size, ret, ret_size);
        case COMPRESSION_GZIP:
                return gzip_decompress(data, size, max_size, ret, ret_size);
        default:
                return -EOPNOTSUPP;
        }
}

#define GUNZIP_BUFFER_SIZE (128U * 1024U)

struct GunzipStream {
        CompressPullFn pull;
        void *userdata;
        z_stream z;
        uint8_t *raw;
        bool member_end, raw_eof;
        const char *error;
};

GunzipStream *gunzip_stream_free(GunzipStream *s) {
        if (!s)
                return NULL;
        inflateEnd(&s->z);
        free(s->raw);
        free(s);
        return NULL;
}

int gunzip_stream_new(CompressPullFn pull, void *userdata, const void *prefix, size_t prefix_size,
                      GunzipStream **ret) {
        _cleanup_(gunzip_stream_freep) GunzipStream *s = NULL;

        if (prefix_size > GUNZIP_BUFFER_SIZE)
                return -EINVAL;
        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->raw = malloc(GUNZIP_BUFFER_SIZE);
        if (!s->raw)
                return -ENOMEM;
        /* windowBits 16 + 15: the gzip wrapper, with header and trailer checked by zlib. */
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
                return -ENOMEM; /* inflateEnd() in the destructor is a no-op on a zeroed stream */
        if (prefix_size > 0)
                memcpy(s->raw, prefix, prefix_size);
        s->z.next_in = s->raw;
        s->z.avail_in = (uInt) prefix_size;
        s->pull = pull;
        s->userdata = userdata;
        *ret = TAKE_PTR(s);
        return 0;
}

static ssize_t gunzip_fail(GunzipStream *s, const char *why) {
        if (!s->error)
                s->error = why;
        return -EBADMSG;
}

ssize_t gunzip_stream_read(GunzipStream *s, uint8_t *out, size_t size) {
        size = MIN(size, (size_t) UINT32_MAX);
        for (;;) {
                int z;

                if (s->z.avail_in == 0 && !s->raw_eof) {
                        ssize_t k = s->pull(s->userdata, s->raw, GUNZIP_BUFFER_SIZE);
                        if (k < 0)
                                return k;
                        s->raw_eof = k == 0;
                        s->z.next_in = s->raw;
                        s->z.avail_in = (uInt) k;
                }
                if (s->member_end) {
                        /* After a member: another member, zero padding, or the end. */
                        if (s->z.avail_in == 0) {
                                if (s->raw_eof)
                                        return 0;
                                continue;
                        }
                        if (s->z.next_in[0] == 0x1f) {
                                if (inflateReset(&s->z) != Z_OK)
                                        return gunzip_fail(s, "cannot reset the decoder");
                                s->member_end = false;
                        } else if (memeqzero(s->z.next_in, s->z.avail_in)) {
                                s->z.avail_in = 0;
                                continue;
                        } else
                                return gunzip_fail(s, "data after the gzip stream");
                }
                s->z.next_out = out;
                s->z.avail_out = (uInt) size;
                z = inflate(&s->z, Z_NO_FLUSH);
                if (z == Z_STREAM_END)
                        s->member_end = true;
                else if (z != Z_OK && !(z == Z_BUF_ERROR && s->z.avail_in == 0 && !s->raw_eof))
                        /* corrupt data, a CRC or length mismatch, or truncated */
                        return gunzip_fail(s, s->z.msg
                                                      ?: (s->raw_eof ? "truncated gzip input"
                                                                     : "corrupt gzip data"));
                if (s->z.avail_out < size)
                        return (ssize_t) (size - s->z.avail_out);
                if (s->raw_eof && s->z.avail_in == 0 && !s->member_end)
                        return gunzip_fail(s, "truncated gzip input");
        }
}

const char *gunzip_stream_error(const GunzipStream *s) {
        return s->error;
}
