/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* LUKS2 formatting and the token need no device-mapper (header and keyslots only), so they run
 * on a plain file here; opening volumes and dm-verity run in the VM tests (tests/vm). */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cryptdev.h"
#include "fd-util.h"
#include "fileio.h"
#include "path-util.h"
#include "tap.h"
#include "test-util.h"

static char dir[] = "/tmp/test-cryptdev-XXXXXX";

static char *make_file(const char *name, uint64_t size) {
        char *p = path_join(dir, name);
        int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

        if (fd < 0 || ftruncate(fd, (off_t) size) < 0)
                abort();
        close(fd);
        return p;
}

TEST(empty_device_is_not_luks) {
        _cleanup_free_ char *p = make_file("empty", 32u << 20);
        uint8_t *blob = NULL;
        size_t n;

        ASSERT_EQ(cryptdev_luks_probe(p), 0);
        ASSERT_ERRNO(cryptdev_luks_read_token(p, &blob, &n), -ENODEV);
}

TEST(format_and_token) {
        _cleanup_free_ char *p = make_file("luks", 32u << 20);
        _cleanup_free_ uint8_t *blob = NULL;
        const uint8_t key[32] = { 1, 2, 3 }, sealed[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01 };
        size_t n;
        int r;

        r = cryptdev_luks_format(p, "mos-data", key, sizeof key, sealed, sizeof sealed);
        if (r == -ENOTSUP || r == -ENOENT || r == -EACCES) {
                SKIP_TEST("libcryptsetup cannot write keyslots here (kernel crypto API)");
                return;
        }
        ASSERT_OK(r);
        ASSERT_EQ(cryptdev_luks_probe(p), 1);
        ASSERT_OK(cryptdev_luks_read_token(p, &blob, &n));
        ASSERT_EQ(n, sizeof sealed);
        ASSERT_EQ(memcmp(blob, sealed, n), 0);
        ASSERT_OK(cryptdev_luks_set_ready(p));
        ASSERT_EQ(cryptdev_luks_probe(p), 1);
}

TEST(format_refuses_bad_sealed_blob) {
        _cleanup_free_ char *p = make_file("bad", 32u << 20);
        const uint8_t key[32] = {};

        ASSERT_ERRNO(cryptdev_luks_format(p, "x", key, sizeof key, key, 0), -EINVAL);
        ASSERT_ERRNO(cryptdev_luks_format(p, "x", key, sizeof key, key, CRYPTDEV_SEALED_MAX + 1),
                     -EINVAL);
}

TEST(find_dm_node) {
        _cleanup_free_ char *block = path_join(dir, "block"), *d = NULL, *node = NULL,
                            *missing = NULL;

        ASSERT_OK(mkdir(block, 0755) < 0 ? -errno : 0);
        d = path_join(block, "dm-3");
        ASSERT_OK(mkdir(d, 0755) < 0 ? -errno : 0);
        free(d);
        d = path_join(block, "dm-3/dm");
        ASSERT_OK(mkdir(d, 0755) < 0 ? -errno : 0);
        free(d);
        d = path_join(block, "dm-3/dm/name");
        ASSERT_OK(write_file_atomic(d, "mos-data\n", 9, 0644, 0));
        ASSERT_OK(cryptdev_find_dm_node(block, "mos-data", &node));
        ASSERT_STREQ(node, "/dev/dm-3");
        ASSERT_ERRNO(cryptdev_find_dm_node(block, "mos-hostfs-0", &missing), -ENOENT);
}

TEST(verity_parameters_are_checked) {
        ManifestVerity v = { .data_blocks = 4, .hash_offset = 3 * 4096 };
        char *node = NULL;

        /* The hash area may not start inside the data. */
        ASSERT_ERRNO(cryptdev_verity_open("/dev/null", "x", &v, CRYPTDEV_CHECK_ALL, &node, NULL),
                     -EINVAL);
        v.data_blocks = 0;
        ASSERT_ERRNO(cryptdev_verity_open("/dev/null", "x", &v, CRYPTDEV_CHECK_ALL, &node, NULL),
                     -EINVAL);
}

int main(void) {
        if (!mkdtemp(dir))
                return 1;
        RUN(empty_device_is_not_luks);
        RUN(format_and_token);
        RUN(format_refuses_bad_sealed_blob);
        RUN(find_dm_node);
        RUN(verity_parameters_are_checked);
        rm_rf(dir);
        return tap_done();
}
