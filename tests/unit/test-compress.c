/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "macro.h"
#include "tap.h"

/* "hello\n" compressed by xz 5.4 (xz -c), a fixed vector for the decoder. */
static const uint8_t hello_xz[] = {
        0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46, 0x02,
        0x00, 0x21, 0x01, 0x16, 0x00, 0x00, 0x00, 0x74, 0x2f, 0xe5, 0xa3, 0x01, 0x00,
        0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0x00, 0x00, 0x00, 0xa5, 0x60, 0x97,
        0xf1, 0x94, 0xf6, 0xfd, 0xe0, 0x00, 0x01, 0x1e, 0x06, 0xc1, 0x2f, 0xa4, 0x1d,
        0x1f, 0xb6, 0xf3, 0x7d, 0x01, 0x00, 0x00, 0x00, 0x00, 0x04, 0x59, 0x5a,
};

TEST(names) {
        Compression c;
        ASSERT_OK(compression_from_string("zstd", &c));
        ASSERT_EQ(c, COMPRESSION_ZSTD);
        ASSERT_ERRNO(compression_from_string("lz4", &c), -EINVAL);
        ASSERT_EQ(compression_from_filename("a.ko.xz"), COMPRESSION_XZ);
        ASSERT_EQ(compression_from_filename("a.ko.zst"), COMPRESSION_ZSTD);
        ASSERT_EQ(compression_from_filename("a.ko"), COMPRESSION_NONE);
}

TEST(roundtrip) {
        static const Compression algs[] = { COMPRESSION_ZSTD, COMPRESSION_GZIP };
        uint8_t input[100000];

        for (size_t i = 0; i < sizeof input; i++)
                input[i] = (uint8_t) (i * 7 % 251 < 100 ? 'a' : i);
        for (size_t a = 0; a < ELEMENTSOF(algs); a++) {
                _cleanup_free_ uint8_t *c = NULL, *c2 = NULL, *d = NULL, *x = NULL;
                size_t cn, cn2, dn, xn;

                ASSERT_OK(compress_buffer(algs[a], 3, input, sizeof input, &c, &cn));
                ASSERT_OK(compress_buffer(algs[a], 3, input, sizeof input, &c2, &cn2));
                ASSERT_EQ(cn, cn2);
                ASSERT_TRUE(memcmp(c, c2, cn) == 0);
                ASSERT_OK(decompress_buffer(algs[a], c, cn, sizeof input, &d, &dn));
                ASSERT_EQ(dn, sizeof input);
                ASSERT_TRUE(memcmp(d, input, dn) == 0);
                /* The output limit, truncation, corruption. */
                ASSERT_ERRNO(decompress_buffer(algs[a], c, cn, sizeof input - 1, &x, &xn), -EFBIG);
                ASSERT_ERRNO(decompress_buffer(algs[a], c, cn / 2, sizeof input, &x, &xn),
                             -EBADMSG);
                c[cn / 2] ^= 0xff;
                c[cn / 2 + 1] ^= 0xff;
                ASSERT_TRUE(decompress_buffer(algs[a], c, cn, sizeof input, &x, &xn) < 0);
        }
        ASSERT_ERRNO(compress_buffer(COMPRESSION_XZ, 0, "x", 1, NULL, NULL), -EOPNOTSUPP);
}

TEST(xz_vector) {
        _cleanup_free_ uint8_t *d = NULL, *x = NULL;
        size_t n, xn;
        ASSERT_OK(decompress_buffer(COMPRESSION_XZ, hello_xz, sizeof hello_xz, 100, &d, &n));
        ASSERT_EQ(n, 6);
        ASSERT_TRUE(memcmp(d, "hello\n", 6) == 0);
        ASSERT_ERRNO(decompress_buffer(COMPRESSION_XZ, hello_xz, sizeof hello_xz, 5, &x, &xn),
                     -EFBIG);
        ASSERT_ERRNO(decompress_buffer(COMPRESSION_XZ, hello_xz, sizeof hello_xz - 3, 100, &x, &xn),
                     -EBADMSG);
}

/* Feeds a buffer to the gunzip stream in small pieces, or fails with fail_with at the end. */
typedef struct Source {
        const uint8_t *data;
        size_t size, pos;
        int fail_with;
} Source;

static ssize_t source_pull(void *userdata, uint8_t *buf, size_t size) {
        Source *s = userdata;
        size_t n = MIN(size, s->size - s->pos);

        n = MIN(n, (size_t) 7); /* small pieces: members and trailers straddle them */

        if (n == 0 && s->fail_with < 0)
                return s->fail_with;
        memcpy(buf, s->data + s->pos, n);
        s->pos += n;
        return (ssize_t) n;
}

/* Decodes data (the first 3 bytes handed over as the prefix, as the tar importer does) into
 * out; returns the total size or the first error, *ret_error the stream's reason. */
static ssize_t gunzip_all(const uint8_t *data, size_t size, int fail_with, uint8_t *out,
                          size_t out_size, const char **ret_error) {
        _cleanup_(gunzip_stream_freep) GunzipStream *g = NULL;
        Source src = { .data = data, .size = size, .pos = 3, .fail_with = fail_with };
        size_t total = 0;
        ssize_t k;
        int r;

        r = gunzip_stream_new(source_pull, &src, data, 3, &g);
        if (r < 0)
                return r;
        do {
                k = gunzip_stream_read(g, out + total, MIN((size_t) 1000, out_size - total));
                if (k > 0)
                        total += (size_t) k;
        } while (k > 0 && total < out_size);
        *ret_error = gunzip_stream_error(g);
        return k < 0 ? k : (ssize_t) total;
}

TEST(gunzip_stream) {
        _cleanup_free_ uint8_t *a = NULL, *b = NULL, *cat = NULL;
        uint8_t in_a[5000], in_b[3000], out[9000];
        const char *why = NULL;
        size_t an, bn, n;

        for (size_t i = 0; i < sizeof in_a; i++)
                in_a[i] = (uint8_t) (i % 13);
        for (size_t i = 0; i < sizeof in_b; i++)
                in_b[i] = (uint8_t) (i * 31);
        ASSERT_OK(compress_buffer(COMPRESSION_GZIP, 6, in_a, sizeof in_a, &a, &an));
        ASSERT_OK(compress_buffer(COMPRESSION_GZIP, 6, in_b, sizeof in_b, &b, &bn));

        /* Two members, then zero padding (as tar writers pad to a record): one stream. */
        n = an + bn + 512;
        cat = calloc(1, n + 16);
        ASSERT_NOT_NULL(cat);
        memcpy(cat, a, an);
        memcpy(cat + an, b, bn);
        ASSERT_EQ(gunzip_all(cat, n, 0, out, sizeof out, &why), sizeof in_a + sizeof in_b);
        ASSERT_TRUE(memcmp(out, in_a, sizeof in_a) == 0);
        ASSERT_TRUE(memcmp(out + sizeof in_a, in_b, sizeof in_b) == 0);

        /* Anything else after the stream is refused. */
        cat[n] = 'x';
        ASSERT_ERRNO(gunzip_all(cat, n + 1, 0, out, sizeof out, &why), -EBADMSG);
        ASSERT_STREQ(why, "data after the gzip stream");

        /* A wrong CRC-32 in the first member's trailer (RFC 1952 2.3.1). */
        memcpy(cat, a, an);
        cat[an - 8] ^= 0x01;
        ASSERT_ERRNO(gunzip_all(cat, an, 0, out, sizeof out, &why), -EBADMSG);
        ASSERT_STREQ(why, "incorrect data check");

        /* Truncated in the middle and in the trailer. */
        ASSERT_ERRNO(gunzip_all(a, an / 2, 0, out, sizeof out, &why), -EBADMSG);
        ASSERT_STREQ(why, "truncated gzip input");
        ASSERT_ERRNO(gunzip_all(a, an - 2, 0, out, sizeof out, &why), -EBADMSG);
        ASSERT_STREQ(why, "truncated gzip input");

        /* The input's own error comes through unchanged. */
        ASSERT_ERRNO(gunzip_all(a, an / 2, -EIO, out, sizeof out, &why), -EIO);
}

int main(void) {
        RUN(names);
        RUN(roundtrip);
        RUN(xz_vector);
        RUN(gunzip_stream);
        return tap_done();
}
