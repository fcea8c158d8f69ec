/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "kmod.h"
#include "strv.h"
#include "tap.h"

static const char dep[] =
        "kernel/drivers/md/dm-verity.ko.xz: kernel/drivers/md/dm-bufio.ko.xz "
        "kernel/drivers/md/dm-mod.ko.xz kernel/lib/reed_solomon/reed_solomon.ko.xz\n"
        "kernel/drivers/md/dm-bufio.ko.xz:\n"
        "kernel/drivers/md/dm-mod.ko.xz:\n"
        "kernel/lib/reed_solomon/reed_solomon.ko.xz:\n"
        "kernel/fs/fat/vfat.ko: kernel/fs/fat/fat.ko\n"
        "kernel/fs/fat/fat.ko:\n";
static const char builtin[] = "kernel/drivers/char/tpm/tpm.ko\n";

TEST(resolve_order) {
        _cleanup_(kmod_index_freep) KmodIndex *k = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        char *names[] = { (char *) "dm_verity", (char *) "tpm", (char *) "vfat", (char *) "dm-mod",
                          NULL };

        ASSERT_OK(kmod_index_parse(dep, sizeof dep - 1, builtin, sizeof builtin - 1, &k));
        ASSERT_OK(kmod_resolve(k, names, &paths, NULL));
        ASSERT_EQ(strv_length(paths), 6);
        ASSERT_STREQ(paths[0], "kernel/drivers/md/dm-bufio.ko.xz");
        ASSERT_STREQ(paths[3], "kernel/drivers/md/dm-verity.ko.xz");
        ASSERT_STREQ(paths[4], "kernel/fs/fat/fat.ko");
        ASSERT_STREQ(paths[5], "kernel/fs/fat/vfat.ko");
}

TEST(missing_and_malformed) {
        _cleanup_(kmod_index_freep) KmodIndex *k = NULL, *bad = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *missing = NULL;
        char *names[] = { (char *) "nope", NULL };
        static const char no_colon[] = "kernel/x.ko\n", escape[] = "../x.ko:\n",
                          dangling[] = "kernel/a.ko: kernel/b.ko\n";

        ASSERT_OK(kmod_index_parse(dep, sizeof dep - 1, NULL, 0, &k));
        ASSERT_ERRNO(kmod_resolve(k, names, &paths, &missing), -ENOENT);
        ASSERT_STREQ(missing, "nope");
        ASSERT_ERRNO(kmod_index_parse(no_colon, sizeof no_colon - 1, NULL, 0, &bad), -EBADMSG);
        ASSERT_ERRNO(kmod_index_parse(escape, sizeof escape - 1, NULL, 0, &bad), -EBADMSG);
        ASSERT_OK(kmod_index_parse(dangling, sizeof dangling - 1, NULL, 0, &bad));
        {
                char *a[] = { (char *) "a", NULL };
                _cleanup_strv_free_ char **p2 = NULL;
                ASSERT_ERRNO(kmod_resolve(bad, a, &p2, NULL), -EBADMSG);
        }
}

TEST(name_from_path) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
        ASSERT_OK(kmod_name_from_path("kernel/drivers/md/dm-verity.ko.xz", &a));
        ASSERT_STREQ(a, "dm_verity");
        ASSERT_OK(kmod_name_from_path("x/efivarfs.ko", &b));
        ASSERT_STREQ(b, "efivarfs");
        ASSERT_ERRNO(kmod_name_from_path("x/readme.txt", &c), -EINVAL);
}

int main(void) {
        RUN(resolve_order);
        RUN(missing_and_malformed);
        RUN(name_from_path);
        return tap_done();
}
