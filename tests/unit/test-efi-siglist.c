/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>

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

/* The raw EFI_SIGNATURE_DATA of an entry (what the firmware measures for PCR 7): the owner GUID
 * in its stored (EFI_GUID) byte order, not the RFC 9562 order of EfiSignature.owner. */
TEST(find_x509_raw_entry) {
        _cleanup_free_ uint8_t *buf = NULL;
        static const uint8_t c1[] = { 0x30, 1, 2, 3 }, c2[] = { 0x30, 4, 5 };
        const uint8_t *e;
        size_t n = 0, es;

        ASSERT_OK(efi_siglist_append_x509(&buf, &n, owner, c1, sizeof c1));
        ASSERT_OK(efi_siglist_append_x509(&buf, &n, owner, c2, sizeof c2));
        ASSERT_OK(efi_siglist_find_x509(buf, n, c2, sizeof c2, &e, &es));
        ASSERT_EQ(es, 16 + sizeof c2);
        ASSERT_TRUE(e == buf + 28 + 16 + sizeof c1 + 28);
        ASSERT_TRUE(memcmp(e, buf + n - es, es) == 0);
        ASSERT_EQ(e[0], 0x04); /* Data1 little-endian */
        ASSERT_TRUE(memcmp(e, owner, 16) != 0);
        ASSERT_TRUE(memcmp(e + 16, c2, sizeof c2) == 0);

        /* A prefix of a certificate is not that certificate. */
        ASSERT_ERRNO(efi_siglist_find_x509(buf, n, c1, 3, &e, &es), -ENOENT);
        ASSERT_ERRNO(efi_siglist_find_x509(buf, n - 1, c2, sizeof c2, &e, &es), -EBADMSG);
        ASSERT_ERRNO(efi_siglist_find_x509(buf, 27, c2, sizeof c2, &e, &es), -EBADMSG);
        ASSERT_ERRNO(efi_siglist_find_x509(buf, 0, c2, sizeof c2, &e, &es), -ENOENT);
        buf[24] = 0; /* SignatureSize 0 */
        ASSERT_ERRNO(efi_siglist_find_x509(buf, n, c2, sizeof c2, &e, &es), -EBADMSG);
        ASSERT_ERRNO(efi_siglist_find_x509(buf, EFI_SIGLIST_MAX + 1, c2, sizeof c2, &e, &es),
                     -EFBIG);
}

/* Only X.509 entries count: a SHA-256 entry whose hash equals the bytes looked for is not a
 * certificate. */
TEST(find_x509_ignores_other_types) {
        uint8_t buf[28 + 48];
        uint8_t sha256[16], hash[32];
        const uint8_t *e;
        size_t es;

        ASSERT_OK(uuid_from_string(EFI_CERT_SHA256_GUID, sha256));
        memset(hash, 0x30, sizeof hash);
        memset(buf, 0, sizeof buf);
        uuid_to_efi_guid(sha256, buf);
        buf[16] = sizeof buf;
        buf[24] = 48;
        memcpy(buf + 28 + 16, hash, sizeof hash);
        ASSERT_ERRNO(efi_siglist_find_x509(buf, sizeof buf, hash, sizeof hash, &e, &es), -ENOENT);
}

int main(void) {
        RUN(append_layout);
        RUN(parse_roundtrip);
        RUN(parse_refusals);
        RUN(find_x509_raw_entry);
        RUN(find_x509_ignores_other_types);
        return tap_done();
}
