/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "path-util.h"
#include "dir-util.h"
#include "string-util.h"
#include "tap.h"

static char base[] = "/tmp/test-dir-util.XXXXXX";

static char *p(const char *rel) {
        static char buf[4][256];
        static int i;
        i = (i + 1) % 4;
        snprintf(buf[i], sizeof buf[i], "%s/%s", base, rel);
        return buf[i];
}

TEST(removes_a_tree_and_keeps_the_top) {
        ASSERT_OK(mkdir(p("a"), 0755));
        ASSERT_OK(mkdir(p("a/b"), 0755));
        ASSERT_OK(mkdir(p("a/b/c"), 0000));
        ASSERT_OK(write_file_atomic(p("a/b/f"), "x", 1, 0644, 0));
        ASSERT_OK(mkfifo(p("a/fifo"), 0600));
        ASSERT_OK(rm_rf_children(p("a")));
        ASSERT_OK(access(p("a"), F_OK));
        ASSERT_TRUE(access(p("a/b"), F_OK) < 0);
        ASSERT_OK(rm_rf(p("a")));
        ASSERT_TRUE(access(p("a"), F_OK) < 0);
        ASSERT_OK(rm_rf(p("a"))); /* missing: fine */
        ASSERT_ERRNO(rm_rf_children(p("a")), -ENOENT);
}

TEST(never_follows_symlinks) {
        ASSERT_OK(mkdir(p("keep"), 0755));
        ASSERT_OK(write_file_atomic(p("keep/precious"), "x", 1, 0644, 0));
        ASSERT_OK(mkdir(p("t"), 0755));
        ASSERT_OK(symlink(p("keep"), p("t/link")));
        ASSERT_OK(rm_rf_children(p("t")));
        ASSERT_OK(access(p("keep/precious"), F_OK));
        ASSERT_TRUE(access(p("t/link"), F_OK) < 0);
        /* The top itself may not be a symlink either. */
        ASSERT_OK(symlink(p("keep"), p("top-link")));
        ASSERT_ERRNO(rm_rf_children(p("top-link")), -ENOTDIR);
        ASSERT_OK(access(p("keep/precious"), F_OK));
}

TEST(stops_at_mount_points) {
        ASSERT_OK(mkdir(p("m"), 0755));
        ASSERT_OK(mkdir(p("m/mnt"), 0755));
        /* In a mount namespace of our own: nothing of the host changes. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", p("m/mnt"), "tmpfs", 0, NULL) < 0)
                SKIP_TEST("cannot mount a tmpfs in a private mount namespace here");
        ASSERT_OK(write_file_atomic(p("m/mnt/other-fs"), "x", 1, 0644, 0));
        ASSERT_ERRNO(rm_rf_children(p("m")), -EXDEV);
        ASSERT_OK(access(p("m/mnt/other-fs"), F_OK));
        ASSERT_OK(umount(p("m/mnt")));
        ASSERT_OK(rm_rf(p("m")));
}

TEST(mkdir_p) {
        ASSERT_OK(mkdir_p(p("x/y/z"), 0755));
        ASSERT_OK(mkdir_p(p("x/y/z"), 0755));
        ASSERT_OK(mkdir_p(p("x/y/z/"), 0755));
        ASSERT_OK(write_file_atomic(p("x/file"), "x", 1, 0644, 0));
        ASSERT_ERRNO(mkdir_p(p("x/file"), 0755), -ENOTDIR);
        ASSERT_ERRNO(mkdir_p(p("x/file/sub"), 0755), -ENOTDIR);
        ASSERT_OK(rm_rf(p("x")));
}

int main(void) {
        if (!mkdtemp(base))
                tap_skip_all("cannot create a temporary directory");
        RUN(removes_a_tree_and_keeps_the_top);
        RUN(never_follows_symlinks);
        RUN(stops_at_mount_points);
        RUN(mkdir_p);
        (void) rm_rf(base);
        return tap_done();
}
