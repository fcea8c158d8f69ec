/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "string-util.h"
#include "tap.h"

TEST(startswith_endswith) {
        ASSERT_STREQ(startswith("keyset create", "keyset "), "create");
        ASSERT_NULL(startswith("key", "keyset"));
        ASSERT_STREQ(endswith("manifest.json", ".json"), ".json");
        ASSERT_NULL(endswith("a", "long"));
        ASSERT_STREQ(endswith("", ""), "");
}

TEST(str_in_set) {
        ASSERT_TRUE(STR_IN_SET("hostfs", "hostfs", "container"));
        ASSERT_FALSE(STR_IN_SET("boot", "hostfs", "container"));
        ASSERT_TRUE(streq_ptr(NULL, NULL));
        ASSERT_FALSE(streq_ptr("a", NULL));
}

TEST(strscpy_truncates_and_reports) {
        char buf[4];
        ASSERT_OK(strscpy(buf, sizeof buf, "abc"));
        ASSERT_STREQ(buf, "abc");
        ASSERT_ERRNO(strscpy(buf, sizeof buf, "abcd"), -ENOBUFS);
        ASSERT_STREQ(buf, "abc");
        ASSERT_ERRNO(strscpy(buf, 0, "x"), -ENOBUFS);
}

TEST(strjoin_and_printf) {
        _cleanup_free_ char *a = strjoin("a", "/", "b"), *b = strprintf("%s-%d", "x", 7);
        _cleanup_free_ char *e = strjoin("");
        ASSERT_STREQ(a, "a/b");
        ASSERT_STREQ(b, "x-7");
        ASSERT_STREQ(e, "");
}

TEST(hex_roundtrip) {
        const unsigned char in[] = { 0x00, 0x7f, 0x80, 0xff, 0xab };
        _cleanup_free_ char *h = hexmem(in, sizeof in);
        _cleanup_free_ void *out = NULL;
        size_t n;

        ASSERT_STREQ(h, "007f80ffab");
        ASSERT_OK(unhexmem(h, strlen(h), &out, &n));
        ASSERT_EQ(n, sizeof in);
        ASSERT_TRUE(memcmp(out, in, n) == 0);
}

TEST(hex_rejects_bad_input) {
        unsigned char fixed[2] = { 0x11, 0x22 };
        void *out = NULL;
        size_t n;

        ASSERT_ERRNO(unhexmem("abc", 3, &out, &n), -EINVAL);
        ASSERT_ERRNO(unhexmem("zz", 2, &out, &n), -EINVAL);
        ASSERT_NULL(out);
        ASSERT_ERRNO(unhexmem_fixed("aabbcc", fixed, 2), -EINVAL); /* too long */
        ASSERT_ERRNO(unhexmem_fixed("aax", fixed, 2), -EINVAL);
        ASSERT_ERRNO(unhexmem_fixed("aagg", fixed, 2), -EINVAL);
        ASSERT_EQ(fixed[0], 0x11); /* untouched on failure */
        ASSERT_OK(unhexmem_fixed("AAbb", fixed, 2));
        ASSERT_EQ(fixed[0], 0xaa);
        ASSERT_EQ(fixed[1], 0xbb);
}

TEST(printable_ascii) {
        ASSERT_TRUE(string_is_printable_ascii("web-1 ~", 7));
        ASSERT_FALSE(string_is_printable_ascii("a\nb", 3));
        ASSERT_FALSE(string_is_printable_ascii("\xc3\xa9", 2));
}

TEST(strip_newlines) {
        char s[] = "value\r\n\n";
        ASSERT_STREQ(strip_trailing_newlines(s), "value");
}

TEST(lower_hex) {
        ASSERT_TRUE(string_is_lower_hex("0123456789abcdef", 16));
        ASSERT_TRUE(string_is_lower_hex("", 0));
        ASSERT_TRUE(string_is_lower_hex("abX", 2)); /* only the first n */
        ASSERT_FALSE(string_is_lower_hex("abX", 3));
        ASSERT_FALSE(string_is_lower_hex("ABCD", 4));
        ASSERT_FALSE(string_is_lower_hex("g0", 2));
}

int main(void) {
        RUN(startswith_endswith);
        RUN(str_in_set);
        RUN(strscpy_truncates_and_reports);
        RUN(strjoin_and_printf);
        RUN(hex_roundtrip);
        RUN(hex_rejects_bad_input);
        RUN(printable_ascii);
        RUN(strip_newlines);
        RUN(lower_hex);
        return tap_done();
}
