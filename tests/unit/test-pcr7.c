/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "pcr7.h"
#include "tap.h"

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
        RUN(uefi_variable_data_layout);
        RUN(predict_missing_keyset);
        return tap_done();
}
