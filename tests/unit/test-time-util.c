/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>

#include "tap.h"
#include "macro.h"
#include "time-util.h"

TEST(format_and_parse) {
        char s[RFC3339_MAX];
        time_t t;

        ASSERT_OK(rfc3339_format(0, s));
        ASSERT_STREQ(s, "1970-01-01T00:00:00Z");
        ASSERT_OK(rfc3339_format(253402300799, s));
        ASSERT_STREQ(s, "9999-12-31T23:59:59Z");
        ASSERT_OK(rfc3339_parse("2024-02-29T12:34:56Z", &t));
        ASSERT_EQ(t, 1709210096);
        ASSERT_OK(rfc3339_format(t, s));
        ASSERT_STREQ(s, "2024-02-29T12:34:56Z");
        ASSERT_ERRNO(rfc3339_format(253402300800, s), -ERANGE);
}

TEST(parse_refusals) {
        const char *bad[] = {
                "",
                "2023-02-29T00:00:00Z", /* not a leap year */
                "2024-13-01T00:00:00Z",
                "2024-01-01T24:00:00Z",
                "2024-01-01T00:00:60Z",
                "2024-01-01t00:00:00Z",
                "2024-01-01T00:00:00z",
                "2024-01-01T00:00:00+00:00",
                "2024-01-01T00:00:00.5Z",
                "2024-1-01T00:00:00Z",
                " 2024-01-01T00:00:00Z",
                "2024-01-01T00:00:00Z ",
        };
        time_t t = 42;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_ERRNO(rfc3339_parse(bad[i], &t), -EINVAL);
        ASSERT_EQ(t, 42);
}

TEST(source_date_epoch_env) {
        time_t t = 0;

        ASSERT_OK(unsetenv("SOURCE_DATE_EPOCH"));
        ASSERT_ERRNO(source_date_epoch(&t), -ENOENT);
        ASSERT_OK(setenv("SOURCE_DATE_EPOCH", "1700000000", 1));
        ASSERT_OK(source_date_epoch(&t));
        ASSERT_EQ(t, 1700000000);
        ASSERT_OK(setenv("SOURCE_DATE_EPOCH", "17x", 1));
        ASSERT_ERRNO(source_date_epoch(&t), -EINVAL);
        ASSERT_OK(setenv("SOURCE_DATE_EPOCH", "99999999999999", 1));
        ASSERT_ERRNO(source_date_epoch(&t), -EINVAL);
        ASSERT_OK(unsetenv("SOURCE_DATE_EPOCH"));
}

int main(void) {
        RUN(format_and_parse);
        RUN(parse_refusals);
        RUN(source_date_epoch_env);
        return tap_done();
}
