/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "good-release.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "json.h"
#include "path-util.h"
#include "string-util.h"

int good_release_from_manifest(const void *manifest, size_t size, uint64_t release,
                               GoodRelease *ret) {
        GoodRelease g = { .release = release };
        int r;

        if (release == 0 || release > (uint64_t) INT64_MAX)
                return -EINVAL;
        r = crypto_sha256(manifest, size, g.manifest_sha256);
        if (r < 0)
                return r;
        *ret = g;
        return 0;
}

int good_release_format(const GoodRelease *g, char **ret, size_t *ret_size) {
        _cleanup_free_ char *hex = hexmem(g->manifest_sha256, sizeof g->manifest_sha256);
        _cleanup_json_ json_t *j = NULL;

        if (!hex)
                return -ENOMEM;
        if (g->release == 0 || g->release > (uint64_t) INT64_MAX)
                return -EINVAL;
        j = json_pack("{s:s, s:I, s:i}", "manifest-sha256", hex, "release", (json_int_t) g->release,
                      "version", 1);
        if (!j)
                return -ENOMEM;
        return json_dump_canonical(j, ret, ret_size);
}

static int parse_version(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (json_integer_value(v) != 1)
                return json_dispatch_error(c, name, "expected 1");
        return 0;
}

static int parse_release(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (json_integer_value(v) < 1)
                return json_dispatch_error(c, name, "expected a release number >= 1");
        *(uint64_t *) dest = (uint64_t) json_integer_value(v);
        return 0;
}

static int parse_sha256(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        const char *s = json_string_value(v);

        /* Lower-case hex only, so each record has one spelling. */
        for (size_t i = 0; i < json_string_length(v); i++)
                if (!strchr("0123456789abcdef", s[i]) || s[i] == 0)
                        goto bad;
        if (json_string_length(v) != 2 * SHA256_DIGEST_SIZE ||
            unhexmem_fixed(s, dest, SHA256_DIGEST_SIZE) < 0)
                goto bad;
        return 0;
bad:
        return json_dispatch_error(c, name, "expected 64 lower-case hex digits");
}

int good_release_parse(const char *data, size_t size, GoodRelease *ret, char **ret_error) {
        static const JsonField fields[] = {
                { "version", JSON_INTEGER, parse_version, 0, JSON_MANDATORY },
                { "release", JSON_INTEGER, parse_release, offsetof(GoodRelease, release),
                  JSON_MANDATORY },
                { "manifest-sha256", JSON_STRING, parse_sha256,
                  offsetof(GoodRelease, manifest_sha256), JSON_MANDATORY },
                {},
        };
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_json_ json_t *j = NULL;
        GoodRelease g = {};
        int r;

        r = json_parse_strict(data, size, GOOD_RELEASE_MAX_SIZE, &j, ret_error);
        if (r < 0)
                return r;
        c = json_dispatch_context_new();
        if (!c)
                return -ENOMEM;
        r = json_dispatch(c, NULL, j, fields, 0, &g);
        if (r < 0) {
                if (r == -EBADMSG && ret_error)
                        *ret_error = strdup(json_dispatch_error_message(c));
                return r;
        }
        *ret = g;
        return 0;
}

int good_release_write(const char *config_dir, const GoodRelease *g) {
        _cleanup_free_ char *dir = path_join(config_dir, "state"),
                            *file = path_join(config_dir, GOOD_RELEASE_FILE), *text = NULL;
        size_t size;
        int r;

        if (!dir || !file)
                return -ENOMEM;
        r = good_release_format(g, &text, &size);
        if (r < 0)
                return r;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        r = write_file_atomic(file, text, size, 0644, 0);
        if (r < 0)
                return r;
        /* The new directory entry of state/ itself. */
        return fsync_parent_at(AT_FDCWD, dir);
}

int good_release_read(const char *config_dir, GoodRelease *ret, char **ret_error) {
        _cleanup_free_ char *file = path_join(config_dir, GOOD_RELEASE_FILE), *data = NULL;
        size_t size;
        int r;

        if (!file)
                return -ENOMEM;
        r = read_full_file(file, GOOD_RELEASE_MAX_SIZE, &data, &size);
        if (r < 0)
                return r;
        return good_release_parse(data, size, ret, ret_error);
}

bool good_release_matches(const GoodRelease *g, const void *manifest, size_t size,
                          uint64_t release) {
        uint8_t d[SHA256_DIGEST_SIZE];

        if (g->release != release || crypto_sha256(manifest, size, d) < 0)
                return false;
        return memcmp(d, g->manifest_sha256, sizeof d) == 0;
}
