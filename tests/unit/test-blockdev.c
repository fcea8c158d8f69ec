/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blockdev.h"
#include "fd-util.h"
#include "fileio.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "tap.h"
#include "test-util.h"

static char dir[] = "/tmp/test-blockdev-XXXXXX";
static char sysfs[256], dev[256];

/* A /sys/class/block entry with a uevent, and its /dev node when node is true. */
static void add_block(const char *name, const char *partname, bool node) {
        char p[512], text[256];
        int n;

        snprintf(p, sizeof p, "%s/%s", sysfs, name);
        ASSERT_OK(mkdir(p, 0755) < 0 ? -errno : 0);
        n = snprintf(text, sizeof text, "MAJOR=254\nMINOR=1\nDEVNAME=%s\nDEVTYPE=%s\n%s%s%s", name,
                     partname ? "partition" : "disk", partname ? "PARTNAME=" : "",
                     strempty(partname), partname ? "\n" : "");
        snprintf(p, sizeof p, "%s/%s/uevent", sysfs, name);
        ASSERT_OK(write_file_atomic(p, text, (size_t) n, 0644, 0));
        if (node) {
                snprintf(p, sizeof p, "%s/%s", dev, name);
                ASSERT_OK(write_file_atomic(p, "", 0, 0644, 0));
        }
}

TEST(uevent_parser) {
        _cleanup_free_ char *v = NULL;
        const char *t = "MAJOR=254\nDEVNAME=vda4\nPARTNAME=mos-data\n";

        ASSERT_EQ(blockdev_uevent_get(t, strlen(t), "PARTNAME", &v), 1);
        ASSERT_STREQ(v, "mos-data");
        ASSERT_EQ(blockdev_uevent_get(t, strlen(t), "PARTN", NULL), 0);
        ASSERT_EQ(blockdev_uevent_get("A=1\n\nB=", 7, "B", NULL), 1);
        ASSERT_ERRNO(blockdev_uevent_get("A=1\nbroken\n", 11, "A", NULL), -EBADMSG);
        ASSERT_ERRNO(blockdev_uevent_get("A=1\0", 4, "A", NULL), -EBADMSG);
}

TEST(finds_partition_by_name) {
        _cleanup_free_ char *node = NULL, *want = path_join(dev, "vda4");

        add_block("vda", NULL, true);
        add_block("vda2", "mos-config", true);
        add_block("vda4", "mos-data", true);
        ASSERT_OK(blockdev_find_partition(sysfs, dev, "mos-data", &node, NULL));
        ASSERT_STREQ(node, want);
        ASSERT_ERRNO(blockdev_find_partition(sysfs, dev, "mos-store", &node, NULL), -ENOENT);
}

TEST(two_partitions_with_one_name_are_refused) {
        _cleanup_free_ char *node = NULL, *other = NULL;

        add_block("sdb1", "mos-config", true);
        ASSERT_ERRNO(blockdev_find_partition(sysfs, dev, "mos-config", &node, &other), -ENOTUNIQ);
        ASSERT_STREQ(other, "sdb1 and vda2");
}

TEST(waits_with_a_timeout) {
        char *names[] = { (char *) "mos-data", (char *) "mos-store", NULL };
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *missing = NULL, *missing2 = NULL;
        uint64_t t0 = 0;
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        t0 = (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
        ASSERT_ERRNO(blockdev_wait_partitions(sysfs, dev, names, 60 * 1000, &paths, &missing),
                     -ETIMEDOUT);
        ASSERT_STREQ(missing, "mos-store");
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ASSERT_TRUE((uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000 - t0 >= 60);

        /* A partition whose /dev node is not there yet counts as missing. */
        add_block("vda3", "mos-store", false);
        ASSERT_ERRNO(blockdev_wait_partitions(sysfs, dev, names, 30 * 1000, &paths, &missing2),
                     -ETIMEDOUT);
        ASSERT_STREQ(missing2, "mos-store");
        {
                char p[512];
                snprintf(p, sizeof p, "%s/vda3", dev);
                ASSERT_OK(write_file_atomic(p, "", 0, 0644, 0));
        }
        ASSERT_OK(blockdev_wait_partitions(sysfs, dev, names, 30 * 1000, &paths, NULL));
        ASSERT_EQ(strv_length(paths), 2);
        ASSERT_TRUE(endswith(paths[0], "/vda4"));
        ASSERT_TRUE(endswith(paths[1], "/vda3"));
}

TEST(wait_reports_duplicates) {
        char *names[] = { (char *) "mos-config", NULL };
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *missing = NULL;

        ASSERT_ERRNO(blockdev_wait_partitions(sysfs, dev, names, 1000, &paths, &missing),
                     -ENOTUNIQ);
        ASSERT_STREQ(missing, "mos-config (sdb1 and vda2)");
}

TEST(loop_device_is_read_only) {
        char file[512];
        _cleanup_close_ int loop = -EBADF, f = -EBADF;
        _cleanup_free_ char *node = NULL;
        uint64_t size = 0;
        int r;

        if (access("/dev/loop-control", W_OK) < 0) {
                SKIP_TEST("no /dev/loop-control");
                return;
        }
        snprintf(file, sizeof file, "%s/blob", dir);
        f = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_TRUE(f >= 0);
        ASSERT_OK(ftruncate(f, 1 << 20) < 0 ? -errno : 0);
        r = loop_attach(file, true, &loop, &node);
        if (r == -EPERM || r == -EACCES || r == -ENXIO) {
                SKIP_TEST("cannot attach loop devices here");
                return;
        }
        ASSERT_OK(r);
        ASSERT_TRUE(startswith(node, "/dev/loop") != NULL);
        ASSERT_OK(blockdev_get_size(loop, &size));
        ASSERT_EQ(size, 1 << 20);
        ASSERT_TRUE(write(loop, "x", 1) < 0); /* opened read-only, the device is read-only too */
        {
                /* Whether opening for writing fails depends on the kernel; writing must. */
                _cleanup_close_ int w = open(node, O_WRONLY | O_CLOEXEC);
                ASSERT_TRUE(w < 0 || write(w, "x", 1) < 0);
        }
        ASSERT_ERRNO(loop_attach("/nonexistent", true, &loop, NULL), -ENOENT);
}

int main(void) {
        if (!mkdtemp(dir))
                return 1;
        snprintf(sysfs, sizeof sysfs, "%s/sys", dir);
        snprintf(dev, sizeof dev, "%s/dev", dir);
        mkdir(sysfs, 0755);
        mkdir(dev, 0755);
        RUN(uevent_parser);
        RUN(finds_partition_by_name);
        RUN(two_partitions_with_one_name_are_refused);
        RUN(waits_with_a_timeout);
        RUN(wait_reports_duplicates);
        RUN(loop_device_is_read_only);
        rm_rf(dir);
        return tap_done();
}
