/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "pcr7.h"
#include "tap.h"

static const uint8_t x509_guid[16] = { 0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
                                       0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72 };

static size_t put_list(uint8_t *b, const uint8_t owner[16], const uint8_t *cert, size_t n) {
        uint32_t list = (uint32_t) (28 + 16 + n), sig = (uint32_t) (16 + n);

        memcpy(b, x509_guid, 16);
        memcpy(b + 16, &list, 4); /* little-endian host */
        memset(b + 20, 0, 4);
        memcpy(b + 24, &sig, 4);
        memcpy(b + 28, owner, 16);
        memcpy(b + 44, cert, n);
        return list;
}

TEST(siglist_find) {
        uint8_t esl[512], owner[16] = { 9 }, c1[] = { 0x30, 1, 2, 3 }, c2[] = { 0x30, 4, 5 };
        const uint8_t *e;
        size_t n = 0, es;

        n += put_list(esl + n, owner, c1, sizeof c1);
        n += put_list(esl + n, owner, c2, sizeof c2);
        ASSERT_OK(efi_siglist_find_x509(esl, n, c2, sizeof c2, &e, &es));
        ASSERT_EQ(es, 16 + sizeof c2);
        ASSERT_TRUE(memcmp(e, owner, 16) == 0);
        ASSERT_TRUE(memcmp(e + 16, c2, sizeof c2) == 0);
        ASSERT_ERRNO(efi_siglist_find_x509(esl, n, c1, 3, &e, &es), -ENOENT);
        ASSERT_ERRNO(efi_siglist_find_x509(esl, n - 1, c2, sizeof c2, &e, &es), -EBADMSG);
        esl[24] = 0; /* SignatureSize 0 */
        ASSERT_ERRNO(efi_siglist_find_x509(esl, n, c2, sizeof c2, &e, &es), -EBADMSG);
        ASSERT_ERRNO(efi_siglist_find_x509(esl, 27, c2, sizeof c2, &e, &es), -EBADMSG);
        ASSERT_ERRNO(efi_siglist_find_x509(esl, 0, c2, sizeof c2, &e, &es), -ENOENT);
}

TEST(uefi_variable_data_layout) {
        static const uint8_t guid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
        uint8_t *d = NULL, data = 1;
        size_t n;

        /* PFP UEFI_VARIABLE_DATA: GUID, UINT64 name length (CHAR16, no NUL), UINT64 data
         * length, UTF-16LE name, data. */
        ASSERT_OK(uefi_variable_data(guid, "SecureBoot", &data, 1, &d, &n));
        ASSERT_EQ(n, 16 + 8 + 8 + 20 + 1);
        ASSERT_TRUE(memcmp(d, guid, 16) == 0);
        ASSERT_EQ(d[16], 10);
        ASSERT_EQ(d[24], 1);
        ASSERT_EQ(d[32], 'S');
        ASSERT_EQ(d[33], 0);
        ASSERT_EQ(d[n - 1], 1);
        free(d);
        ASSERT_OK(uefi_variable_data(guid, "dbx", NULL, 0, &d, &n));
        ASSERT_EQ(n, 16 + 8 + 8 + 6);
        ASSERT_EQ(d[24], 0);
        free(d);
}

TEST(predict_missing_keyset) {
        Pcr7Prediction p = {};
        ASSERT_ERRNO(pcr7_predict("/nonexistent-keyset", "uefi-db.crt", &p), -ENOENT);
}

int main(void) {
        RUN(siglist_find);
        RUN(uefi_variable_data_layout);
        RUN(predict_missing_keyset);
        return tap_done();
}
