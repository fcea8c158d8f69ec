/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "digest.h"
#include "tap.h"

#define ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

TEST(parse_and_format_round_trip) {
        Digest d, e;
        char buf[DIGEST_STRING_MAX];
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(digest_parse(ABC, &d));
        ASSERT_STREQ(digest_format(&d, buf), ABC);
        ASSERT_OK(digest_compute("abc", 3, &e));
        ASSERT_TRUE(digest_equal(&d, &e));
        s = digest_to_string(&e);
        ASSERT_STREQ(s, ABC);
        ASSERT_STREQ(digest_format_hex(&d, buf), &ABC[7]);
}

TEST(grammar) {
        /* image-spec examples of valid digests of other algorithms */
        ASSERT_TRUE(digest_string_is_valid(ABC));
        ASSERT_TRUE(digest_string_is_valid(
                "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"));
        ASSERT_TRUE(
                digest_string_is_valid("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"));
        ASSERT_TRUE(digest_string_is_valid(
                "sha512:"
                "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"));
        ASSERT_FALSE(digest_string_is_valid(NULL));
        ASSERT_FALSE(digest_string_is_valid(""));
        ASSERT_FALSE(digest_string_is_valid("sha256"));
        ASSERT_FALSE(digest_string_is_valid("sha256:"));
        ASSERT_FALSE(digest_string_is_valid(":abc"));
        ASSERT_FALSE(digest_string_is_valid("SHA256:abc"));
        ASSERT_FALSE(digest_string_is_valid("sha256+:abc"));
        ASSERT_FALSE(digest_string_is_valid("+sha256:abc"));
        ASSERT_FALSE(digest_string_is_valid("sha256:ab/c"));
        /* sha256 is registered: exactly 64 lower-case hex digits */
        ASSERT_FALSE(digest_string_is_valid("sha256:abc"));
        ASSERT_FALSE(digest_string_is_valid(
                "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
        ASSERT_FALSE(digest_string_is_valid(ABC "0"));
}

TEST(parse_refuses) {
        Digest d;

        ASSERT_ERRNO(digest_parse("sha256:abc", &d), -EBADMSG);
        ASSERT_ERRNO(
                digest_parse(
                        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015aD",
                        &d),
                -EBADMSG);
        ASSERT_ERRNO(digest_parse("sha512:abcd", &d), -EOPNOTSUPP);
        ASSERT_ERRNO(digest_parse("nonsense", &d), -EBADMSG);
        ASSERT_ERRNO(digest_parse(NULL, &d), -EBADMSG);
}

int main(void) {
        RUN(parse_and_format_round_trip);
        RUN(grammar);
        RUN(parse_refuses);
        return tap_done();
}
