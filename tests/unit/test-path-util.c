/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"
#include "path-util.h"
#include "tap.h"

static void check_dirname(const char *in, const char *want) {
        _cleanup_free_ char *d = NULL;
        int r = path_dirname(in, &d);
        if (r < 0 || strcmp(d, want) != 0)
                tap_fail("dirname(%s) = %s, expected %s", in, d ? d : "(error)", want);
}

static void check_basename(const char *in, const char *want) {
        _cleanup_free_ char *b = NULL;
        int r = path_basename(in, &b);
        if (!want) {
                if (r != -EINVAL)
                        tap_fail("basename(%s) should fail", in);
        } else if (r < 0 || strcmp(b, want) != 0)
                tap_fail("basename(%s) = %s, expected %s", in, b ? b : "(error)", want);
}

TEST(dirname) {
        check_dirname("a/b/c", "a/b");
        check_dirname("a", ".");
        check_dirname("/a", "/");
        check_dirname("/a/b//", "/a");
        check_dirname("a//b", "a");
}

TEST(basename) {
        check_basename("a/b/c", "c");
        check_basename("c", "c");
        check_basename("/a/b/", "b");
        check_basename("/", NULL);
        check_basename("", NULL);
}

TEST(join) {
        _cleanup_free_ char *a = path_join("/x/", "/y"), *b = path_join("x", "y/z");
        ASSERT_STREQ(a, "/x/y");
        ASSERT_STREQ(b, "x/y/z");
}

TEST(safe_relative) {
        ASSERT_TRUE(path_is_safe_relative("usr/bin/crun"));
        ASSERT_TRUE(path_is_safe_relative("..a/b.."));
        ASSERT_FALSE(path_is_safe_relative(""));
        ASSERT_FALSE(path_is_safe_relative("/etc/passwd"));
        ASSERT_FALSE(path_is_safe_relative("../x"));
        ASSERT_FALSE(path_is_safe_relative("a/../../x"));
        ASSERT_FALSE(path_is_safe_relative("a/./x"));
        ASSERT_FALSE(path_is_safe_relative("a//x"));
        ASSERT_FALSE(path_is_safe_relative("a/"));
        ASSERT_FALSE(path_is_safe_relative(".."));
}

TEST(filename) {
        ASSERT_TRUE(filename_is_valid("uefi-db.key"));
        ASSERT_FALSE(filename_is_valid("a/b"));
        ASSERT_FALSE(filename_is_valid("."));
}

int main(void) {
        RUN(dirname);
        RUN(basename);
        RUN(join);
        RUN(safe_relative);
        RUN(filename);
        return tap_done();
}
