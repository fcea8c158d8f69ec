/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What can be checked without device-mapper (the host has none): the refusals before any
 * device is set up, with their reasons. Mounting through dm-verity, the writable layer and the
 * corruption check run in tests/vm/test-appliance.sh. */

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appliance.h"
#include "dir-util.h"
#include "fileio.h"
#include "string-util.h"
#include "tap.h"

static char base[] = "/tmp/test-appliance.XXXXXX";
static char store[256], run[256], state[256];

#define HEX "3e51d1ce8e3b0ac1a0b3a5b69dd4ee0a25b06a1b2bb5deefd1bd1e3b0b0c2ae1"

static ManifestLayer layer = {
        .digest = (char *) "sha256:" HEX,
        .size = 8192,
        .verity = { .data_blocks = 1, .hash_offset = 4096 },
};

static ManifestTarget target(TargetType type, ManifestLayer *l) {
        return (ManifestTarget){
                .name = (char *) "web",
                .type = type,
                .image = { .layers = l, .n_layers = 1 },
        };
}

static AppliancePaths paths(void) {
        return (AppliancePaths){ .store = store, .run_dir = run, .state_dir = state };
}

TEST(refuses_other_target_types) {
        AppliancePaths p = paths();
        MountedTarget m = {};
        ManifestTarget t = target(TARGET_HOSTFS, &layer);

        ASSERT_ERRNO(appliance_mount_target(&p, &t, &m, NULL), -EINVAL);
        t.type = TARGET_BOOT;
        ASSERT_ERRNO(appliance_mount_target(&p, &t, &m, NULL), -EINVAL);
}

TEST(missing_blob) {
        _cleanup_free_ char *reason = NULL;
        AppliancePaths p = paths();
        MountedTarget m = {};
        ManifestTarget t = target(TARGET_CONTAINER, &layer);

        ASSERT_ERRNO(appliance_mount_target(&p, &t, &m, &reason), -ENOENT);
        ASSERT_STREQ(reason, "layer 0 (sha256:" HEX "): the blob is missing from the store");
        ASSERT_NULL(m.name);
}

TEST(blob_of_another_size) {
        _cleanup_free_ char *reason = NULL, *blob = strprintf("%s/blobs/sha256/" HEX, store);
        AppliancePaths p = paths();
        MountedTarget m = {};
        ManifestTarget t = target(TARGET_FS_ONLY, &layer);

        ASSERT_OK(write_file_atomic(blob, "short", 5, 0644, 0));
        ASSERT_ERRNO(appliance_mount_target(&p, &t, &m, &reason), -EBADMSG);
        ASSERT_STREQ(reason, "layer 0 (sha256:" HEX "): the blob has 5 bytes, the manifest says "
                             "8192");
}

TEST(digest_not_sha256) {
        _cleanup_free_ char *reason = NULL;
        ManifestLayer l = layer;
        AppliancePaths p = paths();
        MountedTarget m = {};
        ManifestTarget t = target(TARGET_CONTAINER, &l);

        l.digest = (char *) "sha512:00";
        ASSERT_ERRNO(appliance_mount_target(&p, &t, &m, &reason), -EBADMSG);
        ASSERT_STREQ(reason, "layer 0: digest sha512:00 is not sha256");
}

TEST(volumes_dir) {
        _cleanup_free_ char *v = NULL;
        AppliancePaths p = { .state_dir = "/data/mos" };

        v = appliance_volumes_dir(&p);
        ASSERT_STREQ(v, "/data/mos/volumes");
}

int main(void) {
        if (!mkdtemp(base))
                tap_skip_all("cannot create a temporary directory");
        snprintf(store, sizeof store, "%s/store", base);
        snprintf(run, sizeof run, "%s/run", base);
        snprintf(state, sizeof state, "%s/state", base);
        {
                char blobs[300];
                snprintf(blobs, sizeof blobs, "%s/blobs/sha256", store);
                if (mkdir_p(blobs, 0755) < 0)
                        tap_skip_all("cannot create the store");
        }
        RUN(refuses_other_target_types);
        RUN(missing_blob);
        RUN(blob_of_another_size);
        RUN(digest_not_sha256);
        RUN(volumes_dir);
        (void) rm_rf(base);
        return tap_done();
}
