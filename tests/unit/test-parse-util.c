/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdint.h>

#include "parse-util.h"
#include "tap.h"

TEST(atou64_accepts) {
        uint64_t v = 1;
        ASSERT_OK(safe_atou64("0", &v));
        ASSERT_EQ(v, 0);
        ASSERT_OK(safe_atou64("18446744073709551615", &v));
        ASSERT_TRUE(v == UINT64_MAX);
}

TEST(atou64_rejects) {
        uint64_t v = 42;
        ASSERT_ERRNO(safe_atou64("18446744073709551616", &v), -ERANGE);
        ASSERT_ERRNO(safe_atou64("", &v), -EINVAL);
        ASSERT_ERRNO(safe_atou64(NULL, &v), -EINVAL);
        ASSERT_ERRNO(safe_atou64("-1", &v), -EINVAL);
        ASSERT_ERRNO(safe_atou64("+1", &v), -EINVAL);
        ASSERT_ERRNO(safe_atou64(" 1", &v), -EINVAL);
        ASSERT_ERRNO(safe_atou64("1 ", &v), -EINVAL);
        ASSERT_ERRNO(safe_atou64("012", &v), -EINVAL);
        ASSERT_ERRNO(safe_atou64("0x10", &v), -EINVAL);
        ASSERT_EQ(v, 42); /* untouched on failure */
}

TEST(atou32_range) {
        uint32_t v;
        unsigned u;
        ASSERT_OK(safe_atou32("4294967295", &v));
        ASSERT_TRUE(v == UINT32_MAX);
        ASSERT_ERRNO(safe_atou32("4294967296", &v), -ERANGE);
        ASSERT_OK(safe_atou("7", &u));
        ASSERT_EQ(u, 7);
}

TEST(boolean) {
        ASSERT_EQ(parse_boolean("yes"), 1);
        ASSERT_EQ(parse_boolean("off"), 0);
        ASSERT_ERRNO(parse_boolean("maybe"), -EINVAL);
}

int main(void) {
        RUN(atou64_accepts);
        RUN(atou64_rejects);
        RUN(atou32_range);
        RUN(boolean);
        return tap_done();
}
