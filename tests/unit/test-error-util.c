/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdlib.h>

#include "error-util.h"
#include "tap.h"

TEST(set_keeps_the_deepest_message) {
        _cleanup_free_ char *e = NULL;

        ASSERT_ERRNO(error_set(&e, -EBADMSG, "inner %d", 1), -EBADMSG);
        ASSERT_ERRNO(error_set(&e, -EIO, "outer"), -EIO);
        ASSERT_STREQ(e, "inner 1");
        ASSERT_ERRNO(error_set(NULL, -EINVAL, "nobody asked"), -EINVAL);
}

TEST(replace_overwrites) {
        _cleanup_free_ char *e = NULL;

        ASSERT_ERRNO(error_replace(&e, -EBADMSG, "first"), -EBADMSG);
        ASSERT_ERRNO(error_replace(&e, -EKEYREJECTED, "second %s", "try"), -EKEYREJECTED);
        ASSERT_STREQ(e, "second try");
        /* ret_error may be NULL (it used to be dereferenced) */
        ASSERT_ERRNO(error_replace(NULL, -EINVAL, "nobody asked"), -EINVAL);
}

int main(void) {
        RUN(set_keeps_the_deepest_message);
        RUN(replace_overwrites);
        return tap_done();
}
