/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "good-release.h"
#include "dir-util.h"
#include "string-util.h"
#include "tap.h"

static char base[] = "/tmp/test-good-release.XXXXXX";
static const char manifest[] = "{\"release\":7}";

TEST(round_trip) {
        _cleanup_free_ char *text = NULL, *again = NULL;
        GoodRelease g, h;
        size_t n, m;

        ASSERT_OK(good_release_from_manifest(manifest, strlen(manifest), 7, &g));
        ASSERT_OK(good_release_format(&g, &text, &n));
        ASSERT_TRUE(startswith(text, "{\"manifest-sha256\":\""));
        ASSERT_TRUE(endswith(text, "\",\"release\":7,\"version\":1}"));
        ASSERT_OK(good_release_parse(text, n, &h, NULL));
        ASSERT_EQ(h.release, 7);
        ASSERT_TRUE(memcmp(g.manifest_sha256, h.manifest_sha256, sizeof g.manifest_sha256) == 0);
        ASSERT_OK(good_release_format(&h, &again, &m));
        ASSERT_STREQ(text, again);

        ASSERT_TRUE(good_release_matches(&h, manifest, strlen(manifest), 7));
        ASSERT_FALSE(good_release_matches(&h, manifest, strlen(manifest), 8));
        ASSERT_FALSE(good_release_matches(&h, manifest, strlen(manifest) - 1, 7));
        ASSERT_ERRNO(good_release_from_manifest(manifest, strlen(manifest), 0, &g), -EINVAL);
}

TEST(refuses) {
        static const struct {
                const char *json, *error;
        } bad[] = {
                { "{\"release\":1,\"version\":1}", "manifest-sha256" },
                { "{\"manifest-sha256\":\"00\",\"release\":1,\"version\":1}", "64 lower-case" },
                { "{\"manifest-sha256\":"
                  "\"AB00000000000000000000000000000000000000000000000000000000000000\","
                  "\"release\":1,\"version\":1}",
                  "64 lower-case" },
                { "{\"manifest-sha256\":"
                  "\"0000000000000000000000000000000000000000000000000000000000000000\","
                  "\"release\":0,\"version\":1}",
                  "'release': expected a release number" },
                { "{\"manifest-sha256\":"
                  "\"0000000000000000000000000000000000000000000000000000000000000000\","
                  "\"release\":1,\"version\":2}",
                  "'version': expected 1" },
                { "{\"manifest-sha256\":"
                  "\"0000000000000000000000000000000000000000000000000000000000000000\","
                  "\"release\":1,\"version\":1,\"x\":1}",
                  "x" },
                { "[]", "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *err = NULL;
                GoodRelease g;

                ASSERT_ERRNO(good_release_parse(bad[i].json, strlen(bad[i].json), &g, &err),
                             -EBADMSG);
                if (!err || !strstr(err, bad[i].error)) {
                        tap_fail("%s: error '%s' lacks '%s'", bad[i].json, err ? err : "(null)",
                                 bad[i].error);
                        return;
                }
        }
}

TEST(writes_and_reads_on_the_config_partition) {
        GoodRelease g, h;
        char state[256];

        ASSERT_ERRNO(good_release_read(base, &h, NULL), -ENOENT);
        ASSERT_OK(good_release_from_manifest(manifest, strlen(manifest), 3, &g));
        ASSERT_OK(good_release_write(base, &g));
        ASSERT_OK(good_release_read(base, &h, NULL));
        ASSERT_EQ(h.release, 3);
        g.release = 4;
        ASSERT_OK(good_release_write(base, &g)); /* replaced */
        ASSERT_OK(good_release_read(base, &h, NULL));
        ASSERT_EQ(h.release, 4);
        snprintf(state, sizeof state, "%s/state", base);
        ASSERT_OK(access(state, F_OK));
}

int main(void) {
        if (!mkdtemp(base))
                tap_skip_all("cannot create a temporary directory");
        RUN(round_trip);
        RUN(refuses);
        RUN(writes_and_reads_on_the_config_partition);
        (void) rm_rf(base);
        return tap_done();
}
