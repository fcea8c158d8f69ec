/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The image pipeline end to end on a tiny directory: build, resolve (what `mos manifest
 * build` uses), verify, and verify catching a flipped byte. */

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "image.h"
#include "string-util.h"
#include "tap.h"

static char *tmpdir(void) {
        char t[] = "/tmp/test-image.XXXXXX";
        return mkdtemp(t) ? strdup(t) : NULL;
}

static void rm_rf(const char *p) {
        _cleanup_free_ char *cmd = strprintf("rm -rf '%s'", p);
        (void) !system(cmd);
}

TEST(build_resolve_verify) {
        _cleanup_free_ char *d = tmpdir(), *src = NULL, *f = NULL, *layout = NULL, *err = NULL,
                            *blob = NULL, *err2 = NULL, *err3 = NULL;
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_(image_freep) Image *built = NULL, *resolved = NULL, *again = NULL;
        uint8_t payload[20000];
        ImageBuildOptions o = {
                .ref = "test/app:1", .threads = 2, .have_epoch = true, .epoch = 1700000000
        };

        for (size_t i = 0; i < sizeof payload; i++)
                payload[i] = (uint8_t) (i * 2654435761u >> 13);
        src = strprintf("%s/src", d);
        ASSERT_OK(mkdir(src, 0755));
        f = strprintf("%s/file", src);
        ASSERT_OK(write_file_atomic(f, payload, sizeof payload, 0644, 0));
        layout = strprintf("%s/layout", d);
        ASSERT_OK(oci_layout_open(layout, OCI_LAYOUT_CREATE, &l, &err));
        o.source = src;
        ASSERT_OK(image_build(l, &o, &built, &err));
        ASSERT_EQ(built->n_layers, 1);
        ASSERT_EQ(built->layers[0].verity.hash_offset, built->layers[0].verity.data_blocks * 4096);
        ASSERT_STREQ(built->config->created, "2023-11-14T22:13:20Z");

        ASSERT_OK(image_resolve(l, "test/app:1", &resolved, &err));
        ASSERT_TRUE(digest_equal(&resolved->manifest_digest, &built->manifest_digest));
        ASSERT_EQ(resolved->manifest_size, built->manifest_size);
        ASSERT_TRUE(memcmp(&resolved->layers[0], &built->layers[0], sizeof(ImageLayer)) == 0);
        ASSERT_OK(image_verify(l, "test/app:1", &(ImageVerifyOptions){ .threads = 1 }, NULL, &err));

        /* by digest, without the tag: the same image */
        {
                _cleanup_(image_freep) Image *by_digest = NULL, *none = NULL;
                _cleanup_free_ char *e = NULL;
                Digest other = built->manifest_digest;
                ASSERT_OK(image_load(l, "by-digest", &built->manifest_digest, built->manifest_size,
                                     &by_digest, &e));
                ASSERT_STREQ(by_digest->ref, "by-digest");
                ASSERT_TRUE(digest_equal(&by_digest->config_digest, &resolved->config_digest));
                ASSERT_TRUE(memcmp(&by_digest->layers[0], &built->layers[0], sizeof(ImageLayer)) ==
                            0);
                other.sha256[0] ^= 1;
                ASSERT_ERRNO(image_load(l, "x", &other, built->manifest_size, &none, &e), -ENOENT);
                ASSERT_TRUE(strstr(e, "'x': manifest blob sha256:") != NULL);
        }

        /* one byte of file data changed */
        _cleanup_free_ char *rel = oci_layout_blob_path(&built->layers[0].digest);
        blob = strprintf("%s/%s", layout, rel);
        _cleanup_close_ int fd = open(blob, O_RDWR | O_CLOEXEC);
        uint8_t b;
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(pread(fd, &b, 1, 300), 1);
        b ^= 1;
        ASSERT_EQ(pwrite(fd, &b, 1, 300), 1);
        ASSERT_ERRNO(image_verify(l, "test/app:1", NULL, NULL, &err2), -EUCLEAN);
        ASSERT_TRUE(strstr(err2, "layer 1 (sha256:") != NULL);
        ASSERT_TRUE(strstr(err2, "data block at offset 0 does not match the verity root hash") !=
                    NULL);

        /* the same source builds the same image */
        _cleanup_(oci_layout_freep) OciLayout *l2 = NULL;
        _cleanup_free_ char *layout2 = strprintf("%s/layout2", d);
        ASSERT_OK(oci_layout_open(layout2, OCI_LAYOUT_CREATE, &l2, &err3));
        o.threads = 1;
        ASSERT_OK(image_build(l2, &o, &again, &err3));
        ASSERT_TRUE(digest_equal(&again->manifest_digest, &built->manifest_digest));
        rm_rf(d);
}

TEST(refuses_bad_arguments) {
        _cleanup_free_ char *d = tmpdir(), *err = NULL, *err2 = NULL, *err3 = NULL;
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;

        ASSERT_OK(oci_layout_open(d, OCI_LAYOUT_CREATE, &l, &err));
        ASSERT_ERRNO(
                image_build(l, &(ImageBuildOptions){ .source = d, .ref = "nocolon" }, NULL, &err),
                -EINVAL);
        ASSERT_STREQ(err, "'nocolon' is not NAME:TAG");
        ASSERT_ERRNO(image_build(l, &(ImageBuildOptions){ .source = "/nonexistent", .ref = "a:1" },
                                 NULL, &err2),
                     -ENOENT);
        ASSERT_ERRNO(image_resolve(l, "a:1", NULL, &err3), -ENOENT);
        rm_rf(d);
}

int main(void) {
        RUN(build_resolve_verify);
        RUN(refuses_bad_arguments);
        return tap_done();
}
