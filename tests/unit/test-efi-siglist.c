/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>

#include "efi-siglist.h"
#include "tap.h"
#include "uuid-util.h"

static const uint8_t owner[16] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x47, 0x08,
                                   0x89, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10 };

TEST(append_layout) {
        _cleanup_free_ uint8_t *buf = NULL;
        static const uint8_t head[] = {
                /* EFI_CERT_X509_GUID in EFI_GUID layout */
                0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a, 0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b,
                0xf0, 0x72,
                /* SignatureListSize = 28 + 16 + 3, SignatureHeaderSize = 0, SignatureSize = 19 */
                47, 0, 0, 0, 0, 0, 0, 0, 19, 0, 0, 0,
                /* SignatureOwner: Data1..3 little-endian */
                0x04, 0x03, 0x02, 0x01, 0x06, 0x05, 0x08, 0x47, 0x89, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
                0x0f, 0x10,
                /* SignatureData */
                'a', 'b', 'c'
        };
        size_t n = 0;

        ASSERT_OK(efi_siglist_append_x509(&buf, &n, owner, "abc", 3));
        ASSERT_EQ(n, sizeof head);
        ASSERT_TRUE(memcmp(buf, head, sizeof head) == 0);
        ASSERT_OK(efi_siglist_append_x509(&buf, &n, owner, "defg", 4));
        ASSERT_EQ(n, sizeof head + 48);
        ASSERT_ERRNO(efi_siglist_append_x509(&buf, &n, owner, "", 0), -EINVAL);
}

TEST(parse_roundtrip) {
        _cleanup_free_ uint8_t *buf = NULL;
        _cleanup_free_ EfiSignature *s = NULL;
        uint8_t x509[16];
        size_t n = 0, k;

        ASSERT_OK(uuid_from_string(EFI_CERT_X509_GUID, x509));
        ASSERT_OK(efi_siglist_append_x509(&buf, &n, owner, "first", 5));
        ASSERT_OK(efi_siglist_append_x509(&buf, &n, owner, "second", 6));
        ASSERT_OK(efi_siglist_parse(buf, n, &s, &k));
        ASSERT_EQ(k, 2);
        ASSERT_TRUE(memcmp(s[0].type, x509, 16) == 0);
        ASSERT_TRUE(memcmp(s[1].owner, owner, 16) == 0);
        ASSERT_EQ(s[0].size, 5);
        ASSERT_TRUE(memcmp(s[0].data, "first", 5) == 0);
        ASSERT_EQ(s[1].size, 6);
        ASSERT_TRUE(memcmp(s[1].data, "second", 6) == 0);
}

TEST(parse_refusals) {
        _cleanup_free_ uint8_t *buf = NULL;
        EfiSignature *s = NULL;
        size_t n = 0, k;

        ASSERT_OK(efi_siglist_append_x509(&buf, &n, owner, "cert", 4));
        /* Every truncation. */
        for (size_t len = 1; len < n; len++)
                ASSERT_ERRNO(efi_siglist_parse(buf, len, &s, &k), -EBADMSG);
        /* SignatureListSize beyond the buffer, zero, not a multiple of SignatureSize. */
        buf[16] = 200;
        ASSERT_ERRNO(efi_siglist_parse(buf, n, &s, &k), -EBADMSG);
        buf[16] = 0;
        ASSERT_ERRNO(efi_siglist_parse(buf, n, &s, &k), -EBADMSG);
        buf[16] = (uint8_t) n;
        buf[24] = 19;
        ASSERT_ERRNO(efi_siglist_parse(buf, n, &s, &k), -EBADMSG);
        buf[24] = 20;
        /* A header on an X.509 list. */
        buf[20] = 4;
        ASSERT_ERRNO(efi_siglist_parse(buf, n, &s, &k), -EBADMSG);
        buf[20] = 0;
        ASSERT_OK(efi_siglist_parse(buf, n, &s, &k));
        free(s);
        ASSERT_ERRNO(efi_siglist_parse(buf, EFI_SIGLIST_MAX + 1, &s, &k), -EFBIG);
}

int main(void) {
        RUN(append_layout);
        RUN(parse_roundtrip);
        RUN(parse_refusals);
        return tap_done();
}
