/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "exit-code.h"
#include "memory-util.h"
#include "tap.h"

/* The errno meanings documented in exit-code.h are a contract with scripts: pin them. */
TEST(refusals_map_to_3) {
        const int refusals[] = { EBADMSG, EFBIG,  EKEYREJECTED, EKEYEXPIRED,
                                 ENOKEY,  ESTALE, EPERM,        EUCLEAN };
        for (size_t i = 0; i < ELEMENTSOF(refusals); i++)
                ASSERT_EQ(exit_code_from_result(-refusals[i]), MOS_EXIT_REFUSED);
}

TEST(failures_map_to_1) {
        ASSERT_EQ(exit_code_from_result(-ENOENT), MOS_EXIT_FAILURE);
        ASSERT_EQ(exit_code_from_result(-EIO), MOS_EXIT_FAILURE);
        ASSERT_EQ(exit_code_from_result(-ENOTRECOVERABLE), MOS_EXIT_FAILURE);
        ASSERT_EQ(exit_code_from_result(-EINVAL), MOS_EXIT_FAILURE);
}

TEST(exit_codes_pass_through) {
        ASSERT_EQ(exit_code_from_result(0), 0);
        ASSERT_EQ(exit_code_from_result(MOS_EXIT_USAGE), 2);
        ASSERT_EQ(exit_code_from_result(MOS_EXIT_REFUSED), 3);
}

TEST(secret_helpers) {
        SecretBuffer s = { .data = malloc(8), .size = 8 };
        ASSERT_NOT_NULL(s.data);
        memcpy(s.data, "s3cr3t!!", 8);
        secret_buffer_done(&s);
        ASSERT_NULL(s.data);
        ASSERT_EQ(s.size, 0);
        ASSERT_EQ(memcmp_const_time("abcd", "abcd", 4), 0);
        ASSERT_EQ(memcmp_const_time("abcd", "abce", 4), 1);
}

int main(void) {
        RUN(refusals_map_to_3);
        RUN(failures_map_to_1);
        RUN(exit_codes_pass_through);
        RUN(secret_helpers);
        return tap_done();
}
