/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"

#include "proc-cmdline.h"
#include "tap.h"

static int get(const char *cmdline, const char *key, char **v) {
        return proc_cmdline_get(cmdline, strlen(cmdline), key, v);
}

TEST(finds_values) {
        _cleanup_free_ char *v = NULL;

        ASSERT_EQ(get("console=ttyS0 mos.mode=provision quiet", "mos.mode", &v), 1);
        ASSERT_STREQ(v, "provision");
        free(v);
        v = NULL;
        ASSERT_EQ(get("console=ttyS0 mos.mode=provision quiet", "console", &v), 1);
        ASSERT_STREQ(v, "ttyS0");
}

TEST(bare_keys_and_empty_values) {
        _cleanup_free_ char *v = NULL, *w = NULL;

        ASSERT_EQ(get("quiet mos.debug", "mos.debug", &v), 1);
        ASSERT_STREQ(v, "");
        ASSERT_EQ(get("a= b", "a", &w), 1);
        ASSERT_STREQ(w, "");
        ASSERT_EQ(get("quiet", "mos.debug", NULL), 0);
}

TEST(prefix_is_not_a_match) {
        ASSERT_EQ(get("mos.modex=1 xmos.mode=2", "mos.mode", NULL), 0);
        ASSERT_EQ(get("mos.mode.x=1", "mos.mode", NULL), 0);
}

TEST(last_occurrence_wins) {
        _cleanup_free_ char *v = NULL;

        ASSERT_EQ(get("mos.mode=a mos.mode=b", "mos.mode", &v), 1);
        ASSERT_STREQ(v, "b");
}

TEST(quotes_group_white_space) {
        _cleanup_free_ char *v = NULL, *w = NULL;

        ASSERT_EQ(get("x=\"a b\"\ty", "x", &v), 1);
        ASSERT_STREQ(v, "a b");
        ASSERT_EQ(get("\"x=c  d\" y", "x", &w), 1);
        ASSERT_STREQ(w, "c  d");
}

TEST(refuses_malformed) {
        ASSERT_ERRNO(get("x=\"a b", "x", NULL), -EBADMSG);
        ASSERT_ERRNO(proc_cmdline_get("x=1\0y", 5, "x", NULL), -EBADMSG);
        ASSERT_ERRNO(get("x=1", "", NULL), -EINVAL);
        ASSERT_ERRNO(get("x=1", "x=", NULL), -EINVAL);
        {
                char *big = malloc(PROC_CMDLINE_MAX + 2);
                ASSERT_NOT_NULL(big);
                memset(big, 'a', PROC_CMDLINE_MAX + 1);
                big[PROC_CMDLINE_MAX + 1] = 0;
                ASSERT_ERRNO(get(big, "a", NULL), -EFBIG);
                free(big);
        }
}

TEST(reads_a_file) {
        char path[] = "/tmp/test-cmdline-XXXXXX";
        _cleanup_free_ char *s = NULL, *v = NULL;
        size_t n;
        int fd = mkstemp(path);

        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, "a=1 b=2\n", 8), 8);
        close(fd);
        ASSERT_OK(proc_cmdline_read(path, &s, &n));
        ASSERT_EQ(n, 7); /* the newline is dropped */
        ASSERT_EQ(proc_cmdline_get(s, n, "b", &v), 1);
        ASSERT_STREQ(v, "2");
        unlink(path);
}

int main(void) {
        RUN(finds_values);
        RUN(bare_keys_and_empty_values);
        RUN(prefix_is_not_a_match);
        RUN(last_occurrence_wins);
        RUN(quotes_group_white_space);
        RUN(refuses_malformed);
        RUN(reads_a_file);
        return tap_done();
}
