/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "strv.h"
#include "tap.h"

TEST(extend_contains_length) {
        _cleanup_strv_free_ char **l = NULL;
        ASSERT_EQ(strv_length(l), 0);
        ASSERT_FALSE(strv_contains(l, "a"));
        ASSERT_OK(strv_extend(&l, "a"));
        ASSERT_OK(strv_extend(&l, "b"));
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_TRUE(strv_contains(l, "b"));
        ASSERT_STREQ(l[0], "a");
        ASSERT_NULL(l[2]);
}

int main(void) {
        RUN(extend_contains_length);
        return tap_done();
}
