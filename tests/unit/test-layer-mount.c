/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "layer-mount.h"
#include "tap.h"

TEST(overlay_options) {
        char *two[] = { (char *) "/run/l/1", (char *) "/run/l/0", NULL };
        char *one[] = { (char *) "/run/l/0", NULL };
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        ASSERT_OK(overlay_options(two, "/run/u", "/run/w", &a));
        ASSERT_STREQ(a, "lowerdir=/run/l/1:/run/l/0,upperdir=/run/u,workdir=/run/w");
        ASSERT_OK(overlay_options(two, NULL, NULL, &b));
        ASSERT_STREQ(b, "lowerdir=/run/l/1:/run/l/0");
        ASSERT_OK(overlay_options(one, "/run/u", "/run/w", &c));
        ASSERT_STREQ(c, "lowerdir=/run/l/0,upperdir=/run/u,workdir=/run/w");
}

TEST(overlay_refusals) {
        char *one[] = { (char *) "/run/l/0", NULL };
        char *colon[] = { (char *) "/run/a:b", NULL };
        char *comma[] = { (char *) "/run/a,b", (char *) "/x", NULL };
        char *rel[] = { (char *) "run/a", (char *) "/x", NULL };
        char *none[] = { NULL };
        char *s = NULL;

        ASSERT_ERRNO(overlay_options(one, NULL, NULL, &s), -EINVAL); /* overlayfs needs two */
        ASSERT_ERRNO(overlay_options(colon, "/u", "/w", &s), -EINVAL);
        ASSERT_ERRNO(overlay_options(comma, NULL, NULL, &s), -EINVAL);
        ASSERT_ERRNO(overlay_options(rel, NULL, NULL, &s), -EINVAL);
        ASSERT_ERRNO(overlay_options(none, "/u", "/w", &s), -EINVAL);
        ASSERT_ERRNO(overlay_options(one, "/u", NULL, &s), -EINVAL);
        ASSERT_ERRNO(overlay_options(one, "/u\\x", "/w", &s), -EINVAL);
}

TEST(layer_blob_size_is_checked_first) {
        ManifestLayer l = { .size = 12345 };
        LayerMountError err = {};

        ASSERT_ERRNO(
                layer_mount("/nonexistent", &l, "x", "/tmp", 0, CRYPTDEV_CHECK_FIRST_BLOCK, &err),
                -ENOENT);
        /* /dev/null is not a regular file of the manifest's size */
        ASSERT_ERRNO(layer_mount("/dev/null", &l, "x", "/tmp", 0, CRYPTDEV_CHECK_FIRST_BLOCK, &err),
                     -EBADMSG);
}

int main(void) {
        RUN(overlay_options);
        RUN(overlay_refusals);
        RUN(layer_blob_size_is_checked_first);
        return tap_done();
}
