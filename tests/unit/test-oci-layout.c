/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "oci-layout.h"
#include "string-util.h"
#include "tap.h"

static char *tmpdir(void) {
        char t[] = "/tmp/test-oci-layout.XXXXXX";
        return mkdtemp(t) ? strdup(t) : NULL;
}

static void rm_rf(const char *p) {
        _cleanup_free_ char *cmd = strprintf("rm -rf '%s'", p);
        (void) !system(cmd);
}

static int count_blobs(const char *dir) {
        _cleanup_free_ char *cmd = strprintf("ls -A '%s/blobs/sha256' | wc -l", dir);
        FILE *f = popen(cmd, "r");
        int n = -1;
        if (f) {
                if (fscanf(f, "%d", &n) != 1)
                        n = -1;
                pclose(f);
        }
        return n;
}

/* A manifest with one config and one layer blob, stored; returns its descriptor. */
static int store_image(OciLayout *l, const char *layer_content, OciDescriptor *ret) {
        OciManifest m = {};
        OciDescriptor layer = { .media_type = (char *) OCI_MEDIA_TYPE_LAYER_TAR };
        _cleanup_free_ char *data = NULL;
        size_t n;
        int r;

        r = oci_layout_write_blob(l, "{}", 2, &m.config.digest);
        if (r < 0)
                return r;
        m.config.media_type = (char *) OCI_MEDIA_TYPE_CONFIG;
        m.config.size = 2;
        r = oci_layout_write_blob(l, layer_content, strlen(layer_content), &layer.digest);
        if (r < 0)
                return r;
        layer.size = strlen(layer_content);
        m.layers = &layer;
        m.n_layers = 1;
        r = oci_manifest_format(&m, &data, &n);
        if (r < 0)
                return r;
        *ret = (OciDescriptor){ .media_type = (char *) OCI_MEDIA_TYPE_MANIFEST, .size = n };
        return oci_layout_write_blob(l, data, n, &ret->digest);
}

TEST(create_tag_resolve_gc) {
        _cleanup_free_ char *dir = tmpdir(), *e = NULL, *blob = NULL;
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_(oci_index_freep) OciIndex *index = NULL;
        OciDescriptor a, b, got = {};
        uint64_t removed = 0, bytes = 0;

        ASSERT_NOT_NULL(dir);
        ASSERT_OK(oci_layout_open(dir, OCI_LAYOUT_CREATE, &l, &e));
        ASSERT_OK(store_image(l, "layer-a", &a));
        ASSERT_OK(store_image(l, "layer-b", &b));
        ASSERT_OK(oci_layout_tag(l, "app:1", &a, &e));
        ASSERT_OK(oci_layout_tag(l, "app:2", &b, &e));
        ASSERT_OK(oci_layout_tag(l, "app:1", &b, &e)); /* moves the tag */
        ASSERT_OK(oci_layout_read_index(l, &index, &e));
        ASSERT_EQ(index->n_manifests, 2);
        ASSERT_OK(oci_layout_resolve(l, "app:1", &got, &e));
        ASSERT_TRUE(digest_equal(&got.digest, &b.digest));
        oci_descriptor_done(&got);
        ASSERT_ERRNO(oci_layout_resolve(l, "app:3", &got, &e), -ENOENT);
        ASSERT_OK(oci_layout_read_blob(l, &b.digest, b.size, 4096, &blob, &e));

        /* image a is now unreferenced: its manifest and layer go, the shared config stays */
        ASSERT_EQ(count_blobs(dir), 5);
        l = oci_layout_free(l);
        ASSERT_OK(oci_layout_open(dir, OCI_LAYOUT_EXCLUSIVE, &l, &e));
        ASSERT_OK(oci_layout_gc(l, &removed, &bytes, &e));
        ASSERT_EQ(removed, 2);
        ASSERT_EQ(count_blobs(dir), 3);
        free(blob);
        blob = NULL;
        ASSERT_OK(oci_layout_read_blob(l, &b.digest, b.size, 4096, &blob, &e));

        ASSERT_OK(oci_layout_untag(l, "app:1", &e));
        ASSERT_ERRNO(oci_layout_untag(l, "app:1", &e), -ENOENT);
        ASSERT_OK(oci_layout_gc(l, &removed, &bytes, &e));
        ASSERT_EQ(removed, 0); /* app:2 still holds image b */
        ASSERT_OK(oci_layout_untag(l, "app:2", &e));
        ASSERT_OK(oci_layout_gc(l, &removed, &bytes, &e));
        ASSERT_EQ(removed, 3);
        ASSERT_EQ(count_blobs(dir), 0);
        l = oci_layout_free(l);
        rm_rf(dir);
}

TEST(blob_checks) {
        _cleanup_free_ char *dir = tmpdir(), *e = NULL, *e2 = NULL, *e3 = NULL, *blob = NULL,
                            *path = NULL, *full = NULL;
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        Digest d, missing = {};

        ASSERT_OK(oci_layout_open(dir, OCI_LAYOUT_CREATE, &l, &e));
        ASSERT_OK(oci_layout_write_blob(l, "hello", 5, &d));
        path = oci_layout_blob_path(&d);
        ASSERT_STREQ(
                path,
                "blobs/sha256/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        full = strprintf("%s/%s", dir, path);
        ASSERT_OK(oci_layout_check_blob(l, &d, 5, NULL));
        ASSERT_OK(write_file_atomic(full, "hellO", 5, 0644, 0));
        {
                _cleanup_free_ char *c1 = NULL, *c2 = NULL, *c3 = NULL;
                ASSERT_ERRNO(oci_layout_check_blob(l, &d, 5, &c1), -EBADMSG);
                ASSERT_TRUE(strstr(c1, "digest mismatch") != NULL);
                ASSERT_ERRNO(oci_layout_check_blob(l, &d, 4, &c2), -EBADMSG);
                ASSERT_TRUE(strstr(c2, "size mismatch (5 bytes, expected 4)") != NULL);
                ASSERT_ERRNO(oci_layout_check_blob(l, &missing, 5, &c3), -ENOENT);
                ASSERT_TRUE(strstr(c3, "missing") != NULL);
        }
        ASSERT_ERRNO(oci_layout_read_blob(l, &d, 5, 4096, &blob, &e), -EBADMSG);
        ASSERT_TRUE(strstr(e, "digest mismatch") != NULL);
        ASSERT_ERRNO(oci_layout_read_blob(l, &d, 6, 4096, &blob, &e2), -EBADMSG);
        ASSERT_TRUE(strstr(e2, "size mismatch") != NULL);
        ASSERT_ERRNO(oci_layout_read_blob(l, &missing, 5, 4096, &blob, &e3), -ENOENT);
        ASSERT_TRUE(strstr(e3, "missing") != NULL);
        /* stale temporary files are garbage */
        _cleanup_free_ char *stale = strprintf("%s/blobs/sha256/.#blob.0123456789abcdef", dir);
        ASSERT_OK(write_file_atomic(stale, "x", 1, 0644, 0));
        l = oci_layout_free(l);
        ASSERT_OK(oci_layout_open(dir, OCI_LAYOUT_EXCLUSIVE, &l, NULL));
        uint64_t removed;
        ASSERT_OK(oci_layout_gc(l, &removed, NULL, NULL));
        ASSERT_EQ(removed, 2);
        l = oci_layout_free(l);
        rm_rf(dir);
}

TEST(refuses_non_layouts) {
        _cleanup_free_ char *dir = tmpdir(), *e = NULL, *e2 = NULL, *e3 = NULL, *f = NULL,
                            *sub = NULL;
        OciLayout *l = NULL;

        f = strprintf("%s/file", dir);
        ASSERT_OK(write_file_atomic(f, "x", 1, 0644, 0));
        ASSERT_ERRNO(oci_layout_open(dir, OCI_LAYOUT_CREATE, &l, &e), -EBADMSG);
        ASSERT_TRUE(strstr(e, "is neither empty nor an OCI image layout") != NULL);
        ASSERT_ERRNO(oci_layout_open(dir, 0, &l, &e2), -EBADMSG);
        ASSERT_TRUE(strstr(e2, "is not an OCI image layout") != NULL);
        sub = strprintf("%s/missing", dir);
        ASSERT_ERRNO(oci_layout_open(sub, 0, &l, &e3), -ENOENT);
        ASSERT_OK(write_file_atomic(f, "x", 1, 0644, 0));
        _cleanup_free_ char *lf = strprintf("%s/oci-layout", dir), *e4 = NULL;
        ASSERT_OK(write_file_atomic(lf, "{\"imageLayoutVersion\":\"2.0.0\"}", 30, 0644, 0));
        ASSERT_ERRNO(oci_layout_open(dir, 0, &l, &e4), -EBADMSG);
        ASSERT_TRUE(strstr(e4, "imageLayoutVersion") != NULL);
        rm_rf(dir);
}

TEST(concurrent_tagging) {
        _cleanup_free_ char *dir = tmpdir();
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_(oci_index_freep) OciIndex *index = NULL;
        pid_t pids[4];

        ASSERT_OK(oci_layout_open(dir, OCI_LAYOUT_CREATE, &l, NULL));
        l = oci_layout_free(l);
        for (int p = 0; p < 4; p++) {
                pids[p] = fork();
                if (pids[p] == 0) {
                        OciLayout *c = NULL;
                        if (oci_layout_open(dir, 0, &c, NULL) < 0)
                                _exit(1);
                        for (int i = 0; i < 10; i++) {
                                OciDescriptor d;
                                char ref[32], content[32];
                                snprintf(ref, sizeof ref, "app:p%d-%d", p, i);
                                snprintf(content, sizeof content, "%d-%d", p, i);
                                if (store_image(c, content, &d) < 0 ||
                                    oci_layout_tag(c, ref, &d, NULL) < 0)
                                        _exit(1);
                        }
                        oci_layout_free(c);
                        _exit(0);
                }
        }
        for (int p = 0; p < 4; p++) {
                int status;
                ASSERT_EQ(waitpid(pids[p], &status, 0), pids[p]);
                ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        ASSERT_OK(oci_layout_open(dir, 0, &l, NULL));
        ASSERT_OK(oci_layout_read_index(l, &index, NULL));
        ASSERT_EQ(index->n_manifests, 40);
        l = oci_layout_free(l);
        rm_rf(dir);
}

int main(void) {
        RUN(create_tag_resolve_gc);
        RUN(blob_checks);
        RUN(refuses_non_layouts);
        RUN(concurrent_tagging);
        return tap_done();
}
