/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"
#include "tap.h"
#include "uuid-util.h"

TEST(parse_and_format) {
        uint8_t u[16], v[16];
        char s[UUID_STRING_MAX];

        ASSERT_OK(uuid_from_string("0123ABCD-4567-89ab-CDEF-0123456789ab", u));
        ASSERT_STREQ(uuid_to_string(u, s), "0123abcd-4567-89ab-cdef-0123456789ab");
        ASSERT_TRUE(uuid_string_is_canonical("0123abcd-4567-89ab-cdef-0123456789ab"));
        ASSERT_FALSE(uuid_string_is_canonical("0123ABCD-4567-89ab-CDEF-0123456789ab"));
        ASSERT_OK(uuid_from_string(s, v));
        ASSERT_TRUE(memcmp(u, v, 16) == 0);
        ASSERT_EQ(u[0], 0x01);
        ASSERT_EQ(u[15], 0xab);
}

TEST(refusals) {
        uint8_t u[16] = { 0 };
        const char *bad[] = {
                "",
                "0123abcd-4567-89ab-cdef-0123456789a",
                "0123abcd-4567-89ab-cdef-0123456789abc",
                "0123abcd4567-89ab-cdef-0123456789ab-",
                "0123abcd-4567-89ab-cdef-0123456789ag",
                "{0123abcd-4567-89ab-cdef-0123456789ab}",
                " 0123abcd-4567-89ab-cdef-0123456789a",
                "0123abc-d4567-89ab-cdef-0123456789ab",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_ERRNO(uuid_from_string(bad[i], u), -EINVAL);
        ASSERT_ERRNO(uuid_from_string(NULL, u), -EINVAL);
        ASSERT_TRUE(uuid_is_null(u));
}

TEST(random_v4) {
        uint8_t a[16], b[16];

        ASSERT_OK(uuid_generate_random(a));
        ASSERT_OK(uuid_generate_random(b));
        ASSERT_TRUE(memcmp(a, b, 16) != 0);
        ASSERT_EQ(a[6] >> 4, 4);
        ASSERT_EQ(a[8] >> 6, 2);
        ASSERT_FALSE(uuid_is_null(a));
}

TEST(efi_guid_layout) {
        /* EFI_CERT_X509_GUID {0xa5c059a1,0x94e4,0x4aa7,{0x87,0xb5,0xab,0x15,0x5c,0x2b,0xf0,0x72}}
         * as bytes in memory (UEFI 2.10 section 32.4.1). */
        static const uint8_t efi[16] = { 0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
                                         0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72 };
        uint8_t u[16], g[16];
        char s[UUID_STRING_MAX];

        ASSERT_OK(uuid_from_string("a5c059a1-94e4-4aa7-87b5-ab155c2bf072", u));
        uuid_to_efi_guid(u, g);
        ASSERT_TRUE(memcmp(g, efi, 16) == 0);
        uuid_from_efi_guid(efi, u);
        ASSERT_STREQ(uuid_to_string(u, s), "a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
}

int main(void) {
        RUN(parse_and_format);
        RUN(refusals);
        RUN(random_v4);
        RUN(efi_guid_layout);
        return tap_done();
}
