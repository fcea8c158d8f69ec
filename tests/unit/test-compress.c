/* SPDX-License-Identifier: LGPL-2.1-or-later */

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

int main(void) {
        RUN(names);
        RUN(roundtrip);
        RUN(xz_vector);
        return tap_done();
}
