/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "byte-buffer.h"
#include "tap.h"

TEST(append_align_steal) {
        ByteBuffer b = BYTE_BUFFER_INIT;
        uint8_t *d;
        size_t n;

        byte_buffer_append_le16(&b, 0x1234);
        byte_buffer_append_le32(&b, 0xdeadbeef);
        byte_buffer_align(&b, 8);
        ASSERT_EQ(b.size, 8);
        byte_buffer_append_string(&b, "ab");
        ASSERT_OK(byte_buffer_steal(&b, &d, &n));
        ASSERT_EQ(n, 10);
        ASSERT_EQ(le16_read(d), 0x1234);
        ASSERT_EQ(le32_read(d + 2), 0xdeadbeef);
        ASSERT_EQ(d[6], 0);
        ASSERT_EQ(b.size, 0);
        free(d);
}

TEST(sticky_limit) {
        ByteBuffer b = { .limit = 4 };
        uint8_t *d = NULL;
        size_t n;

        ASSERT_NOT_NULL(byte_buffer_append(&b, "abc", 3));
        ASSERT_NULL(byte_buffer_append(&b, "de", 2));
        ASSERT_ERRNO(byte_buffer_error(&b), -EFBIG);
        ASSERT_NULL(byte_buffer_append(&b, "x", 1)); /* sticky */
        ASSERT_ERRNO(byte_buffer_steal(&b, &d, &n), -EFBIG);
        ASSERT_NULL(d);
}

TEST(empty_steal) {
        ByteBuffer b = BYTE_BUFFER_INIT;
        uint8_t *d = NULL;
        size_t n = 1;
        ASSERT_OK(byte_buffer_steal(&b, &d, &n));
        ASSERT_NOT_NULL(d);
        ASSERT_EQ(n, 0);
        free(d);
}

TEST(endianness) {
        uint8_t x[8];
        le64_write(x, UINT64_C(0x0102030405060708));
        ASSERT_EQ(x[0], 8);
        ASSERT_EQ(le64_read(x), (long long) UINT64_C(0x0102030405060708));
        be32_write(x, 0x01020304);
        ASSERT_EQ(x[0], 1);
}

int main(void) {
        RUN(append_align_steal);
        RUN(sticky_limit);
        RUN(empty_steal);
        RUN(endianness);
        return tap_done();
}
