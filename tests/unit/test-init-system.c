/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>
#include <unistd.h>

#include "init-system.h"
#include "strv.h"
#include "tap.h"

static int parse(const char *t, char ***ret, unsigned *line) {
        return init_module_list_parse(t, strlen(t), ret, line);
}

TEST(module_list) {
        _cleanup_strv_free_ char **l = NULL;
        const char *t = "# modules\n/lib/modules/6.1/kernel/a.ko\n\n/lib/modules/6.1/kernel/b.ko";

        ASSERT_OK(parse(t, &l, NULL));
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[1], "/lib/modules/6.1/kernel/b.ko");
}

TEST(empty_module_list) {
        _cleanup_strv_free_ char **l = NULL;

        ASSERT_OK(parse("", &l, NULL));
        ASSERT_NOT_NULL(l);
        ASSERT_EQ(strv_length(l), 0);
}

TEST(module_list_refusals) {
        static const char *const bad[] = {
                "relative/a.ko", "/lib/a.ko.xz", "/lib/../etc/a.ko",
                "/lib//a.ko",    "/lib/./a.ko",  "/",
                " /lib/a.ko",
        };
        char **l = NULL;
        unsigned line = 0;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_ERRNO(parse(bad[i], &l, &line), -EBADMSG);
        ASSERT_ERRNO(parse("/lib/a.ko\n/lib/b\n", &l, &line), -EBADMSG);
        ASSERT_EQ(line, 2);
        ASSERT_ERRNO(init_module_list_parse("/lib/a.ko\0x", 11, &l, &line), -EBADMSG);
}

TEST(load_modules_reports_the_failing_file) {
        char path[] = "/tmp/test-init-XXXXXX";
        _cleanup_free_ char *failed = NULL;
        int fd = mkstemp(path);

        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, "/nonexistent/x.ko\n", 18), 18);
        close(fd);
        ASSERT_ERRNO(init_load_modules(path, &failed), -ENOENT);
        ASSERT_STREQ(failed, "/nonexistent/x.ko");
        unlink(path);
        ASSERT_EQ(init_load_modules("/nonexistent/modules.load", NULL), 0);
}

TEST(switch_root_refuses_a_non_mount) {
        /* The same file system as "/" is refused before anything is touched. */
        ASSERT_ERRNO(init_switch_root("/tmp/.."), -EINVAL);
}

int main(void) {
        RUN(module_list);
        RUN(empty_module_list);
        RUN(module_list_refusals);
        RUN(load_modules_reports_the_failing_file);
        RUN(switch_root_refuses_a_non_mount);
        return tap_done();
}
