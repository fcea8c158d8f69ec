/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <time.h>

#include "crypto.h"
#include "json.h"
#include "manifest.h"
#include "string-util.h"
#include "strv.h"
#include "tap.h"
#include "yaml-json.h"

#define PRODUCT "0b7e7f6e-3a8c-4e0a-9d8a-2b8f2f2b8c11"
#define OTHER_PRODUCT "5d1b2b8e-9f3c-4d51-8a53-6e2c7f1d9a22"

static const char base_template[] =
        "{\"format\":1,\"product\":\"@P\",\"release\":7,\"version\":\"1.2.3\",\"created\""
        ":\"2024-05-01T10:00:00Z\",\"storage\":{\"data-size\":1073741824},\"targets\":[{"
        "\"name\":\"host\",\"type\":\"hostfs\",\"image\":{\"reference\":\"hostfs:1\",\"di"
        "gest\":\"sha256:@a\",\"size\":700,\"layers\":[{\"digest\":\"sha256:@b\",\"size\""
        ":12288,\"verity\":{\"root-hash\":\"@c\",\"salt\":\"0011\",\"data-blocks\":2,\"ha"
        "sh-offset\":8192}}]}},{\"name\":\"web\",\"type\":\"container\",\"image\":{\"dige"
        "st\":\"sha256:@d\",\"size\":800,\"layers\":[{\"digest\":\"sha256:@e\",\"size\":8"
        "192,\"verity\":{\"root-hash\":\"@f\",\"salt\":\"\",\"data-blocks\":1,\"hash-offs"
        "et\":4096}}]},\"container\":{\"command\":[\"/bin/httpd\"],\"args\":[\"-f\",\"-p"
        "\",\"8080\"],\"env\":[\"PATH=/bin\",\"X=a=b\"],\"working-dir\":\"/srv\",\"userns"
        "-group\":\"web\",\"network\":\"host\",\"restart\":\"always\",\"volumes\":[{\"lab"
        "el\":\"data\",\"mount-path\":\"/var/lib/web\",\"persistent\":true,\"size\":10485"
        "76}]}}]}";

/* The template with "@x" replaced by 64 x (a hash in hex) and "@P" by the product UUID. */
static char *expand(const char *t) {
        size_t n = 0;
        char *out = malloc(strlen(t) * 64 + 1);

        if (!out)
                return NULL;
        for (; *t; t++) {
                if (t[0] == '@' && t[1] == 'P') {
                        memcpy(out + n, PRODUCT, strlen(PRODUCT));
                        n += strlen(PRODUCT);
                        t++;
                } else if (t[0] == '@' && t[1]) {
                        memset(out + n, t[1], 64);
                        n += 64;
                        t++;
                } else
                        out[n++] = *t;
        }
        out[n] = '\0';
        return out;
}

static const char *base_json(void) {
        static char *s;
        if (!s)
                s = expand(base_template);
        return s;
}

static json_t *base(void) {
        json_t *j = NULL;
        const char *s = base_json();
        return json_parse_strict(s, strlen(s), MANIFEST_MAX_SIZE, &j, NULL) < 0 ? NULL : j;
}

/* Sets (or, with v == NULL, removes) the member at a dotted path ("targets.1.image.size"). */
static int mutate(json_t *j, const char *path, json_t *v) {
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL, *tok, *next;
        json_t *cur = j;

        tok = strtok_r(copy, ".", &save);
        while (tok) {
                next = strtok_r(NULL, ".", &save);
                if (json_is_array(cur)) {
                        size_t i = (size_t) strtoul(tok, NULL, 10);
                        if (!next)
                                return v ? json_array_set_new(cur, i, v)
                                         : json_array_remove(cur, i);
                        cur = json_array_get(cur, i);
                } else {
                        if (!next)
                                return v ? json_object_set_new(cur, tok, v)
                                         : json_object_del(cur, tok);
                        cur = json_object_get(cur, tok);
                }
                if (!cur)
                        return -1;
                tok = next;
        }
        return -1;
}

static char *dump(json_t *j) {
        char *s = NULL;
        return json_dump_canonical(j, &s, NULL) < 0 ? NULL : s;
}

TEST(parse_valid) {
        _cleanup_(manifest_freep) Manifest *m = NULL;
        const ManifestTarget *web;
        const char *s = base_json();

        ASSERT_OK(manifest_parse(s, strlen(s), &m, NULL));
        ASSERT_EQ(m->release, 7);
        ASSERT_STREQ(m->version, "1.2.3");
        ASSERT_EQ(m->n_targets, 2);
        ASSERT_EQ(m->data_size, 1073741824);
        ASSERT_EQ(m->store_size, 0);
        ASSERT_EQ(m->targets[0].type, TARGET_HOSTFS);
        ASSERT_STREQ(m->targets[0].image.reference, "hostfs:1");
        ASSERT_EQ(m->targets[0].image.layers[0].verity.salt_size, 2);
        ASSERT_EQ(m->targets[0].image.layers[0].verity.root_hash[31], 0xcc);
        web = manifest_find_target(m, "web");
        ASSERT_NOT_NULL(web);
        ASSERT_NULL(web->image.reference);
        ASSERT_EQ(web->container->network, NETWORK_HOST);
        ASSERT_EQ(web->container->restart, RESTART_ALWAYS);
        ASSERT_STREQ(web->container->args[2], "8080");
        ASSERT_TRUE(web->container->volumes[0].persistent);
        ASSERT_NULL(manifest_find_target(m, "nope"));
}

TEST(canonical_roundtrip) {
        _cleanup_json_ json_t *j = base();
        _cleanup_free_ char *canonical = NULL, *again = NULL;
        _cleanup_(manifest_freep) Manifest *m = NULL;
        size_t n;

        ASSERT_NOT_NULL(j);
        canonical = dump(j);
        ASSERT_OK(manifest_parse(canonical, strlen(canonical), &m, NULL));
        ASSERT_OK(manifest_format(m, &again, &n));
        ASSERT_STREQ(again, canonical);
        ASSERT_EQ(n, strlen(canonical));
}

/* Every field: a wrong value, and (for mandatory ones) its absence, each refused with a message
 * that names the field. */
TEST(field_refusals) {
        static const struct {
                const char *path;
                const char *value; /* JSON; NULL: remove */
                const char *error;
        } cases[] = {
                { "format", "2", "field 'format': unsupported format 2, expected 1" },
                { "format", NULL, "field 'format': missing" },
                { "format", "\"1\"", "field 'format': expected an integer, got a string" },
                { "product", "\"" OTHER_PRODUCT "x\"",
                  "field 'product': expected a lower-case UUID" },
                { "product", "\"0B7E7F6E-3A8C-4E0A-9D8A-2B8F2F2B8C11\"",
                  "field 'product': expected a lower-case UUID" },
                { "product", "\"00000000-0000-0000-0000-000000000000\"",
                  "field 'product': expected" },
                { "product", NULL, "field 'product': missing" },
                { "release", "0", "field 'release': expected a positive integer" },
                { "release", "-1", "field 'release': expected a positive integer" },
                { "release", "1.5", "field 'release': expected an integer, got a number" },
                { "release", NULL, "field 'release': missing" },
                { "version", "\"\"", "field 'version': expected 1 to 64 printable ASCII" },
                { "version", "\"a\\nb\"", "field 'version': expected 1 to 64 printable ASCII" },
                { "version", "7", "field 'version': expected a string, got an integer" },
                { "created", "\"2024-05-01 10:00:00\"", "field 'created': expected a UTC time" },
                { "created", "\"2024-02-30T10:00:00Z\"", "field 'created': expected a UTC time" },
                { "created", NULL, "field 'created': missing" },
                { "targets", "[]", "field 'targets': expected 1 to 64 elements, got 0" },
                { "targets", NULL, "field 'targets': missing" },
                { "storage", "{\"data-size\":0}",
                  "field 'storage.data-size': expected a positive integer" },
                { "storage", "{\"swap\":1}", "field 'storage.swap': unknown field" },
                { "extra", "1", "field 'extra': unknown field" },
                { "targets.0.name", "\"Host\"",
                  "field 'targets[0].name': expected 1 to 32 of a-z" },
                { "targets.0.name", NULL, "field 'targets[0].name': missing" },
                { "targets.0.type", "\"vm\"",
                  "field 'targets[0].type': expected hostfs, container, fs-only or boot, got "
                  "'vm'" },
                { "targets.0.extra", "1", "field 'targets[0].extra': unknown field" },
                { "targets.0.image", "\"hostfs:1\"",
                  "field 'targets[0].image': expected an object, got a string" },
                { "targets.0.image.reference", "\"Hostfs:1\"",
                  "field 'targets[0].image.reference': expected an image reference" },
                { "targets.0.image.reference", "\"hostfs\"",
                  "field 'targets[0].image.reference': expected an image reference" },
                { "targets.0.image.digest", "\"sha256:@A\"",
                  "field 'targets[0].image.digest': expected sha256:<64 lower-case hex digits>" },
                { "targets.0.image.digest", "\"sha512:@a\"",
                  "field 'targets[0].image.digest': expected sha256" },
                { "targets.0.image.digest", "\"sha256:aaaa\"",
                  "field 'targets[0].image.digest': expected sha256" },
                { "targets.0.image.digest", NULL, "field 'targets[0].image.digest': missing" },
                { "targets.0.image.size", "0",
                  "field 'targets[0].image.size': expected a positive integer" },
                { "targets.0.image.layers", "[]",
                  "field 'targets[0].image.layers': expected 1 to 128 elements" },
                { "targets.0.image.layers.0.digest", "\"md5:@a\"",
                  "field 'targets[0].image.layers[0].digest': expected sha256" },
                { "targets.0.image.layers.0.size", "-5",
                  "field 'targets[0].image.layers[0].size': expected a positive integer" },
                { "targets.0.image.layers.0.extra", "1",
                  "field 'targets[0].image.layers[0].extra': unknown field" },
                { "targets.0.image.layers.0.verity", NULL,
                  "field 'targets[0].image.layers[0].verity': missing" },
                { "targets.0.image.layers.0.verity.root-hash", "\"@C\"",
                  "field 'targets[0].image.layers[0].verity.root-hash': expected 64 lower-case hex "
                  "digits" },
                { "targets.0.image.layers.0.verity.root-hash", "\"cc\"",
                  "field 'targets[0].image.layers[0].verity.root-hash': expected 64" },
                { "targets.0.image.layers.0.verity.salt", "\"001\"",
                  "field 'targets[0].image.layers[0].verity.salt': expected an even number" },
                { "targets.0.image.layers.0.verity.salt", "\"zz\"",
                  "field 'targets[0].image.layers[0].verity.salt': expected an even number" },
                { "targets.0.image.layers.0.verity.data-blocks", "0",
                  "field 'targets[0].image.layers[0].verity.data-blocks': expected a positive "
                  "integer" },
                { "targets.0.image.layers.0.verity.hash-offset", "4097",
                  "field 'targets[0].image.layers[0].verity.hash-offset': expected a multiple of "
                  "4096" },
                { "targets.0.image.layers.0.verity.hash-offset", "4096",
                  "field 'targets[0].image.layers[0].verity.hash-offset': expected a multiple of "
                  "4096 at or after the 2 data blocks" },
                { "targets.0.image.layers.0.verity.hash-offset", "12288",
                  "inside the 12288-byte layer" },
                { "targets.0.image.layers.0.verity.hash-offset", NULL,
                  "field 'targets[0].image.layers[0].verity.hash-offset': missing" },
                { "targets.0.image.layers.0.verity.extra", "1",
                  "field 'targets[0].image.layers[0].verity.extra': unknown field" },
                { "targets.1.container.command", "[]",
                  "field 'targets[1].container.command': expected at least one element" },
                { "targets.1.container.command", "[\"\"]",
                  "field 'targets[1].container.command': element 0 is empty" },
                { "targets.1.container.command", "[1]",
                  "field 'targets[1].container.command': element 0 is not a string" },
                { "targets.1.container.command", NULL,
                  "field 'targets[1].container.command': missing" },
                { "targets.1.container.args", NULL, "field 'targets[1].container.args': missing" },
                { "targets.1.container.args", "\"-f\"",
                  "field 'targets[1].container.args': expected an array, got a string" },
                { "targets.1.container.env", "[\"1X=a\"]",
                  "field 'targets[1].container.env': element 0: expected NAME=value" },
                { "targets.1.container.env", "[\"X\"]",
                  "field 'targets[1].container.env': element 0: expected NAME=value" },
                { "targets.1.container.env", "[\"X=1\",\"X=2\"]",
                  "field 'targets[1].container.env': element 1: 'X' is set twice" },
                { "targets.1.container.working-dir", "\"srv\"",
                  "field 'targets[1].container.working-dir': expected an absolute path" },
                { "targets.1.container.working-dir", "\"/srv/../etc\"",
                  "field 'targets[1].container.working-dir': expected an absolute path" },
                { "targets.1.container.working-dir", "\"/srv/\"",
                  "field 'targets[1].container.working-dir': expected an absolute path" },
                { "targets.1.container.userns-group", "\"-x\"",
                  "field 'targets[1].container.userns-group': expected 1 to 32" },
                { "targets.1.container.network", "\"bridge\"",
                  "field 'targets[1].container.network': expected none or host, got 'bridge'" },
                { "targets.1.container.restart", "\"sometimes\"",
                  "field 'targets[1].container.restart': expected no, on-failure or always" },
                { "targets.1.container.volumes.0.label", "\"a/b\"",
                  "field 'targets[1].container.volumes[0].label': expected 1 to 32" },
                { "targets.1.container.volumes.0.mount-path", "\"/\"",
                  "field 'targets[1].container.volumes[0].mount-path': a volume cannot be mounted "
                  "on '/'" },
                { "targets.1.container.volumes.0.persistent", "\"yes\"",
                  "field 'targets[1].container.volumes[0].persistent': expected a boolean, got a "
                  "string" },
                { "targets.1.container.volumes.0.persistent", NULL,
                  "field 'targets[1].container.volumes[0].persistent': missing" },
                { "targets.1.container.volumes.0.size", "0",
                  "field 'targets[1].container.volumes[0].size': expected a positive integer" },
                { "targets.1.container.extra", "1",
                  "field 'targets[1].container.extra': unknown field" },
                { "targets.1.container", NULL,
                  "field 'targets[1]': a container target needs a 'container' object" },
                { "targets.0.container",
                  "{\"command\":[\"/x\"],\"args\":[],\"env\":[],\"working-dir\":\"/"
                  "\",\"userns-group\":\"a\",\"network\":\"none\",\"volumes\":[],\"restart\":"
                  "\"no\"}",
                  "field 'targets[0]': only container targets have a 'container' object" },
                { "targets.1.name", "\"host\"",
                  "field 'targets[1]': target name 'host' is used twice" },
                { "targets.0.type", "\"fs-only\"",
                  "field 'targets': expected exactly one hostfs target, found 0" },
                { "targets.1.type", "\"hostfs\"",
                  "field 'targets[1]': only container targets have a 'container' object" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_json_ json_t *j = base();
                _cleanup_free_ char *s = NULL, *err = NULL;
                json_t *v = NULL;
                Manifest *m = NULL;

                ASSERT_NOT_NULL(j);
                if (cases[i].value) {
                        _cleanup_free_ char *value = expand(cases[i].value);
                        json_error_t e;
                        ASSERT_NOT_NULL(value);
                        v = json_loads(value, JSON_DECODE_ANY, &e);
                        ASSERT_NOT_NULL(v);
                }
                if (mutate(j, cases[i].path, v) < 0) {
                        tap_fail("case %zu: cannot mutate %s", i, cases[i].path);
                        return;
                }
                s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
                ASSERT_NOT_NULL(s);
                if (manifest_parse(s, strlen(s), &m, &err) != -EBADMSG || !err ||
                    !strstr(err, cases[i].error)) {
                        tap_fail("case %zu (%s): got '%s', expected '%s'", i, cases[i].path,
                                 strempty(err), cases[i].error);
                        manifest_free(m);
                        return;
                }
                ASSERT_NULL(m);
        }
}

TEST(target_count_rules) {
        _cleanup_json_ json_t *j = base();
        _cleanup_free_ char *s = NULL, *err = NULL, *s2 = NULL, *err2 = NULL;
        json_t *targets, *host;
        Manifest *m = NULL;

        targets = json_object_get(j, "targets");
        host = json_array_get(targets, 0);
        /* Two hostfs targets (with different names). */
        ASSERT_OK(json_array_append_new(targets, json_deep_copy(host)));
        ASSERT_OK(mutate(j, "targets.2.name", json_string("host2")));
        s = dump(j);
        ASSERT_ERRNO(manifest_parse(s, strlen(s), &m, &err), -EBADMSG);
        ASSERT_STREQ(err, "field 'targets': expected exactly one hostfs target, found 2");
        /* Two boot targets. */
        ASSERT_OK(mutate(j, "targets.2.type", json_string("boot")));
        ASSERT_OK(json_array_append_new(targets, json_deep_copy(json_array_get(targets, 2))));
        ASSERT_OK(mutate(j, "targets.3.name", json_string("boot2")));
        s2 = dump(j);
        ASSERT_ERRNO(manifest_parse(s2, strlen(s2), &m, &err2), -EBADMSG);
        ASSERT_STREQ(err2, "field 'targets': expected at most one boot target, found 2");
        ASSERT_NULL(m);
}

TEST(volume_rules) {
        _cleanup_json_ json_t *j = base();
        _cleanup_free_ char *s = NULL, *err = NULL, *s2 = NULL, *err2 = NULL;
        json_t *vols;
        Manifest *m = NULL;

        vols = json_object_get(
                json_object_get(json_array_get(json_object_get(j, "targets"), 1), "container"),
                "volumes");
        ASSERT_OK(json_array_append_new(vols, json_deep_copy(json_array_get(vols, 0))));
        ASSERT_OK(mutate(j, "targets.1.container.volumes.1.mount-path", json_string("/other")));
        s = dump(j);
        ASSERT_ERRNO(manifest_parse(s, strlen(s), &m, &err), -EBADMSG);
        ASSERT_STREQ(err, "field 'targets[1].container.volumes[1]': label 'data' is used twice");
        ASSERT_OK(mutate(j, "targets.1.container.volumes.1.label", json_string("other")));
        ASSERT_OK(
                mutate(j, "targets.1.container.volumes.1.mount-path", json_string("/var/lib/web")));
        s2 = dump(j);
        ASSERT_ERRNO(manifest_parse(s2, strlen(s2), &m, &err2), -EBADMSG);
        ASSERT_STREQ(err2, "field 'targets[1].container.volumes[1]': mount path '/var/lib/web' is "
                           "used twice");
}

TEST(json_level_refusals) {
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL, *big = NULL;
        const char *s = base_json();
        _cleanup_free_ char *dup = strjoin("{\"release\":8,", s + 1);
        _cleanup_free_ char *trailing = strjoin(s, "x");
        Manifest *m = NULL;

        ASSERT_ERRNO(manifest_parse(dup, strlen(dup), &m, &e1), -EBADMSG);
        ASSERT_TRUE(strstr(e1, "duplicate object key") != NULL);
        ASSERT_ERRNO(manifest_parse(trailing, strlen(trailing), &m, &e2), -EBADMSG);
        ASSERT_ERRNO(manifest_parse("", 0, &m, &e3), -EBADMSG);
        ASSERT_STREQ(e3, "empty document");
        big = calloc(1, MANIFEST_MAX_SIZE + 2);
        ASSERT_NOT_NULL(big);
        memset(big, ' ', MANIFEST_MAX_SIZE + 1);
        ASSERT_ERRNO(manifest_parse(big, MANIFEST_MAX_SIZE + 1, &m, NULL), -EFBIG);
        ASSERT_NULL(m);
}

/* ---- build ---- */

static const char spec_template[] =
        "product: @P\n"
        "release: 7\n"
        "version: \"1.2.3\"\n"
        "created: 2024-05-01T10:00:00Z\n"
        "targets:\n"
        "  - name: host\n"
        "    type: hostfs\n"
        "    image:\n"
        "      digest: sha256:@a\n"
        "      size: 700\n"
        "      layers:\n"
        "        - digest: sha256:@b\n"
        "          size: 12288\n"
        "          verity: {root-hash: @c, salt: \"0011\", data-blocks: 2, hash-offset: 8192}\n"
        "  - name: counter\n"
        "    type: container\n"
        "    image:\n"
        "      digest: sha256:@d\n"
        "      size: 800\n"
        "      layers:\n"
        "        - {digest: \"sha256:@e\", size: 8192,\n"
        "           verity: {root-hash: @f, salt: \"\", data-blocks: 1, hash-offset: 4096}}\n"
        "    container:\n"
        "      command: [/bin/counter]\n"
        "      volumes:\n"
        "        - {label: state, mount-path: /var/lib/counter, size: 1048576}\n";

static const char *test_spec(void) {
        static char *s;
        if (!s)
                s = expand(spec_template);
        return s;
}

TEST(build_yaml_json_same_bytes_and_defaults) {
        _cleanup_(manifest_freep) Manifest *a = NULL, *b = NULL;
        _cleanup_free_ char *sa = NULL, *sb = NULL, *json_spec = NULL, *err = NULL;
        _cleanup_json_ json_t *j = NULL;
        ManifestBuildOptions o = { .format = SPEC_AUTO };
        const ManifestContainer *ct;

        ASSERT_OK(manifest_build(test_spec(), strlen(test_spec()), &o, &a, &err));
        ASSERT_OK(manifest_format(a, &sa, NULL));
        /* The same description in JSON gives the same bytes. */
        ASSERT_OK(yaml_to_json(test_spec(), strlen(test_spec()), MANIFEST_MAX_SIZE, &j, NULL));
        json_spec = json_dumps(j, JSON_INDENT(2));
        ASSERT_NOT_NULL(json_spec);
        ASSERT_OK(manifest_build(json_spec, strlen(json_spec), &o, &b, NULL));
        ASSERT_OK(manifest_format(b, &sb, NULL));
        ASSERT_STREQ(sa, sb);

        ct = manifest_find_target(a, "counter")->container;
        ASSERT_EQ(strv_length(ct->args), 0);
        ASSERT_EQ(strv_length(ct->env), 0);
        ASSERT_STREQ(ct->working_dir, "/");
        ASSERT_STREQ(ct->userns_group, "counter");
        ASSERT_EQ(ct->network, NETWORK_NONE);
        ASSERT_EQ(ct->restart, RESTART_ON_FAILURE);
        ASSERT_FALSE(ct->volumes[0].persistent);
        /* The output parses as a manifest, and formats to itself. */
        {
                _cleanup_(manifest_freep) Manifest *c = NULL;
                _cleanup_free_ char *sc = NULL;
                ASSERT_OK(manifest_parse(sa, strlen(sa), &c, NULL));
                ASSERT_OK(manifest_format(c, &sc, NULL));
                ASSERT_STREQ(sc, sa);
        }
}

TEST(build_overrides_and_created) {
        _cleanup_(manifest_freep) Manifest *a = NULL, *b = NULL;
        _cleanup_free_ char *err = NULL, *err2 = NULL, *no_created = NULL;
        uint8_t other[16];
        ManifestBuildOptions o = { .format = SPEC_YAML, .release = 9 };
        const char *p;
        Manifest *m = NULL;

        ASSERT_OK(uuid_from_string(OTHER_PRODUCT, other));
        o.product = other;
        ASSERT_OK(manifest_build(test_spec(), strlen(test_spec()), &o, &a, NULL));
        ASSERT_EQ(a->release, 9);
        ASSERT_TRUE(memcmp(a->product, other, 16) == 0);

        /* Without "created", only $SOURCE_DATE_EPOCH may give the time. */
        p = strstr(test_spec(), "created:");
        no_created = strndup(test_spec(), (size_t) (p - test_spec()));
        ASSERT_NOT_NULL(no_created);
        {
                _cleanup_free_ char *rest = strjoin(no_created, strchr(p, '\n') + 1);
                o = (ManifestBuildOptions){ .format = SPEC_YAML };
                ASSERT_OK(unsetenv("SOURCE_DATE_EPOCH"));
                ASSERT_ERRNO(manifest_build(rest, strlen(rest), &o, &m, &err), -EINVAL);
                ASSERT_TRUE(strstr(err, "field 'created': missing") != NULL);
                ASSERT_OK(setenv("SOURCE_DATE_EPOCH", "1700000000", 1));
                ASSERT_OK(manifest_build(rest, strlen(rest), &o, &b, &err2));
                ASSERT_STREQ(b->created, "2023-11-14T22:13:20Z");
                ASSERT_OK(unsetenv("SOURCE_DATE_EPOCH"));
        }
}

TEST(build_refusals) {
        static const struct {
                const char *spec;
                int error;
                const char *message;
        } cases[] = {
                { "version: \"1\"\nrelease: 1\ncreated: 2024-01-01T00:00:00Z\ntargets:\n"
                  "  - {name: host, type: hostfs, image: \"hostfs:1\"}\n",
                  -EBADMSG, "field 'product': missing" },
                { "product: " PRODUCT "\nversion: \"1\"\ncreated: 2024-01-01T00:00:00Z\ntargets:\n"
                  "  - {name: host, type: hostfs, image: \"hostfs:1\"}\n",
                  -EBADMSG, "field 'release': missing" },
                { "product: " PRODUCT "\nrelease: 1\nversion: \"1\"\ncreated: "
                  "2024-01-01T00:00:00Z\ntargets:\n  - {name: host, type: hostfs, image: "
                  "\"hostfs:1\"}\n",
                  -EINVAL,
                  "field 'targets[0].image': 'hostfs:1' names an image in an OCI "
                  "layout, but no layout was given (--layout)" },
                { "product: " PRODUCT "\nrelease: 1\nversion: \"1\"\ncreated: "
                  "2024-01-01T00:00:00Z\ntargets:\n  - {name: host, type: hostfs, image: "
                  "\"Hostfs\"}\n",
                  -EBADMSG, "field 'targets[0].image': expected an image reference NAME:TAG" },
                { "product: " PRODUCT "\nrelease: 1\nversion: 1.0\ncolour: red\n", -EBADMSG,
                  "field 'colour': unknown field" },
                { "product: " PRODUCT "\nrelease: 1\nversion: 1\n", -EBADMSG,
                  "field 'version': expected a string, got an integer" },
                { "- a\n", -EBADMSG, "the document is not a mapping" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *err = NULL;
                ManifestBuildOptions o = { .format = SPEC_AUTO };
                Manifest *m = NULL;
                int r = manifest_build(cases[i].spec, strlen(cases[i].spec), &o, &m, &err);
                if (r != cases[i].error || !err || !strstr(err, cases[i].message)) {
                        tap_fail("case %zu: %d '%s', expected %d '%s'", i, r, strempty(err),
                                 cases[i].error, cases[i].message);
                        manifest_free(m);
                        return;
                }
        }
}

TEST(build_refuses_a_missing_layout) {
        const char *spec = "product: " PRODUCT "\nrelease: 1\nversion: \"1\"\ncreated: "
                           "2024-01-01T00:00:00Z\ntargets:\n  - {name: host, type: hostfs, "
                           "image: \"hostfs:1\"}\n";
        ManifestBuildOptions o = { .format = SPEC_YAML, .layout_dir = "/nonexistent" };
        _cleanup_free_ char *err = NULL;
        Manifest *m = NULL;

        ASSERT_ERRNO(manifest_build(spec, strlen(spec), &o, &m, &err), -ENOENT);
        ASSERT_TRUE(strstr(err, "cannot resolve 'hostfs:1' in OCI layout '/nonexistent'") != NULL);
        ASSERT_NULL(m);
}

/* ---- verify ---- */

static CryptoKey *ca_key, *signer_key, *dev_key, *other_ca_key;
static CryptoCert *ca, *signer, *other_signer, *dev, *other_ca, *expired, *future;
static int64_t now;

static int issue(CertProfile p, const char *product, CryptoCert *issuer, CryptoKey *issuer_key,
                 int64_t nb, int64_t na, CryptoKey **ret_key, CryptoCert **ret) {
        _cleanup_(crypto_key_freep) CryptoKey *k = NULL;
        uint8_t u[16];
        CertRequest req = {
                .profile = p,
                .common_name = "test",
                .serial_number = p == CERT_PROFILE_DEVICE_IDENTITY ? "SN1" : NULL,
                .issuer = issuer,
                .not_before = nb,
                .not_after = na,
        };
        int r;

        if (product) {
                r = uuid_from_string(product, u);
                if (r < 0)
                        return r;
                req.product_uuid = u;
        }
        r = crypto_key_generate(KEY_EC_P256, &k);
        if (r < 0)
                return r;
        req.public_key = k;
        req.issuer_key = issuer_key ?: k;
        r = crypto_cert_issue(&req, ret);
        if (r >= 0 && ret_key)
                *ret_key = TAKE_PTR(k);
        return r;
}

TEST(verify_setup) {
        now = (int64_t) time(NULL);
        ASSERT_OK(issue(CERT_PROFILE_CA, NULL, NULL, NULL, now - 60, now + 86400, &ca_key, &ca));
        ASSERT_OK(issue(CERT_PROFILE_CA, NULL, NULL, NULL, now - 60, now + 86400, &other_ca_key,
                        &other_ca));
        ASSERT_OK(issue(CERT_PROFILE_MANIFEST_SIGNER, PRODUCT, ca, ca_key, now - 60, now + 3600,
                        &signer_key, &signer));
        ASSERT_OK(issue(CERT_PROFILE_MANIFEST_SIGNER, OTHER_PRODUCT, ca, ca_key, now - 60,
                        now + 3600, NULL, &other_signer));
        ASSERT_OK(issue(CERT_PROFILE_DEVICE_IDENTITY, PRODUCT, ca, ca_key, now - 60, now + 3600,
                        &dev_key, &dev));
        ASSERT_OK(issue(CERT_PROFILE_MANIFEST_SIGNER, PRODUCT, ca, ca_key, now - 7200, now - 3600,
                        NULL, &expired));
        ASSERT_OK(issue(CERT_PROFILE_MANIFEST_SIGNER, PRODUCT, ca, ca_key, now + 3600, now + 7200,
                        NULL, &future));
}

/* Signs data with cert, whose key is key (the key pairs of the test certificates that share
 * signer_key are re-issued for this below). */
static int sign(const char *data, size_t n, CryptoCert *cert, CryptoKey *key, uint8_t **ret,
                size_t *ret_size) {
        return crypto_cms_sign_detached(cert, key, data, n, ret, ret_size);
}

static int verify(const char *data, size_t n, const uint8_t *sig, size_t sig_size,
                  const char *product, uint64_t min_release, char **err) {
        uint8_t u[16];
        ManifestVerifyOptions o = { .ca = ca, .min_release = min_release, .now = now };

        if (product) {
                if (uuid_from_string(product, u) < 0)
                        return -EINVAL;
                o.product = u;
        }
        return manifest_verify(data, n, sig, sig_size, &o, NULL, err);
}

TEST(verify_accepts_and_refuses) {
        const char *s = base_json();
        size_t n = strlen(s);
        _cleanup_free_ uint8_t *sig = NULL, *dev_sig = NULL;
        _cleanup_free_ char *copy = strdup(s);
        size_t sig_size, dev_sig_size;
        char *err = NULL;
        _cleanup_(manifest_freep) Manifest *m = NULL;
        ManifestVerifyOptions o = { .ca = ca, .now = now };

        ASSERT_OK(sign(s, n, signer, signer_key, &sig, &sig_size));
        ASSERT_OK(manifest_verify(s, n, sig, sig_size, &o, &m, NULL));
        ASSERT_EQ(m->release, 7);
        ASSERT_OK(verify(s, n, sig, sig_size, PRODUCT, 7, NULL));

#define REFUSED(call, errno_, text)                                                                \
        do {                                                                                       \
                err = mfree(err);                                                                  \
                ASSERT_ERRNO(call, errno_);                                                        \
                if (!err || !strstr(err, text)) {                                                  \
                        tap_fail("message '%s', expected '%s'", strempty(err), text);              \
                        free(err);                                                                 \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

        /* One changed byte of the manifest. */
        copy[n / 2] ^= 1;
        REFUSED(verify(copy, n, sig, sig_size, NULL, 0, &err), -EKEYREJECTED,
                "signature does not match the signed data");
        REFUSED(verify(s, n - 1, sig, sig_size, NULL, 0, &err), -EKEYREJECTED,
                "signature does not match");
        REFUSED(verify(s, 0, sig, sig_size, NULL, 0, &err), -EBADMSG, "manifest is empty");
        REFUSED(verify(s, MANIFEST_MAX_SIZE + 1, sig, sig_size, NULL, 0, &err), -EFBIG,
                "above the limit of 1048576");
        REFUSED(verify(s, n, sig, sig_size / 2, NULL, 0, &err), -EBADMSG,
                "signature is not a DER CMS structure");
        REFUSED(verify(s, n, sig, 0, NULL, 0, &err), -EBADMSG, "signature is empty");
        /* Product and release. */
        REFUSED(verify(s, n, sig, sig_size, OTHER_PRODUCT, 0, &err), -EKEYREJECTED,
                "manifest is for product " PRODUCT ", expected product " OTHER_PRODUCT);
        REFUSED(verify(s, n, sig, sig_size, NULL, 8, &err), -ESTALE,
                "manifest release 7 is below the minimum release 8");

        /* Signed by a device identity certificate from the same CA. */
        ASSERT_OK(sign(s, n, dev, dev_key, &dev_sig, &dev_sig_size));
        REFUSED(verify(s, n, dev_sig, dev_sig_size, NULL, 0, &err), -EKEYREJECTED,
                "is not a manifest signing certificate: extended key usage lacks the MachineOS "
                "purpose");
        free(err);
}

TEST(verify_signer_refusals) {
        const char *s = base_json();
        size_t n = strlen(s);
        char *err = NULL;
        struct {
                CryptoCert *cert;
                CryptoKey *key;
                int error;
                const char *text;
        } cases[] = {
                { other_signer, NULL, -EKEYREJECTED,
                  "manifest is for product " PRODUCT
                  " but its signer certificate is for product " OTHER_PRODUCT },
                { expired, NULL, -EKEYEXPIRED, "signer: certificate 'CN = test' expired at" },
                { future, NULL, -EKEYEXPIRED,
                  "signer: certificate 'CN = test' is not valid before" },
                { ca, ca_key, -EKEYREJECTED, "is not a manifest signing certificate: it is a CA" },
                { other_ca, other_ca_key, -EKEYREJECTED, "does not chain to CA" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(crypto_key_freep) CryptoKey *k = NULL;
                _cleanup_(crypto_cert_freep) CryptoCert *c = NULL;
                _cleanup_free_ uint8_t *sig = NULL;
                size_t sig_size;
                int r;

                /* The leaf certificates above were issued with throw-away keys: re-issue the
                 * same profile and validity with a key we hold, to sign with. */
                if (cases[i].key) {
                        ASSERT_OK(sign(s, n, cases[i].cert, cases[i].key, &sig, &sig_size));
                } else {
                        int64_t nb, na;
                        uint8_t u[16];
                        CertProfile p = CERT_PROFILE_MANIFEST_SIGNER;
                        CertRequest req = { .profile = p,
                                            .common_name = "test",
                                            .issuer = ca,
                                            .issuer_key = ca_key,
                                            .product_uuid = u };
                        ASSERT_OK(crypto_cert_validity(cases[i].cert, &nb, &na));
                        ASSERT_OK(crypto_cert_product_uuid(cases[i].cert, u));
                        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &k));
                        req.public_key = k;
                        req.not_before = nb;
                        req.not_after = na;
                        ASSERT_OK(crypto_cert_issue(&req, &c));
                        ASSERT_OK(sign(s, n, c, k, &sig, &sig_size));
                }
                r = verify(s, n, sig, sig_size, NULL, 0, &err);
                if (r != cases[i].error || !err || !strstr(err, cases[i].text)) {
                        tap_fail("case %zu: %d '%s', expected %d '%s'", i, r, strempty(err),
                                 cases[i].error, cases[i].text);
                        free(err);
                        return;
                }
                err = mfree(err);
        }
}

TEST(verify_refuses_malformed_but_signed) {
        /* The signature is checked first, but a validly signed malformed document is still
         * refused by the parser that follows. */
        const char *bad = "{\"format\":1,\"product\":\"" PRODUCT "\",\"unknown\":1}";
        _cleanup_free_ uint8_t *sig = NULL;
        _cleanup_free_ char *err = NULL;
        size_t sig_size;

        ASSERT_OK(sign(bad, strlen(bad), signer, signer_key, &sig, &sig_size));
        ASSERT_ERRNO(verify(bad, strlen(bad), sig, sig_size, NULL, 0, &err), -EBADMSG);
        ASSERT_STREQ(err, "malformed manifest: field 'unknown': unknown field");
}

int main(void) {
        RUN(parse_valid);
        RUN(canonical_roundtrip);
        RUN(field_refusals);
        RUN(target_count_rules);
        RUN(volume_rules);
        RUN(json_level_refusals);
        RUN(build_yaml_json_same_bytes_and_defaults);
        RUN(build_overrides_and_created);
        RUN(build_refusals);
        RUN(build_refuses_a_missing_layout);
        RUN(verify_setup);
        RUN(verify_accepts_and_refuses);
        RUN(verify_signer_refusals);
        RUN(verify_refuses_malformed_but_signed);
        crypto_cert_free(ca);
        crypto_cert_free(other_ca);
        crypto_cert_free(signer);
        crypto_cert_free(other_signer);
        crypto_cert_free(dev);
        crypto_cert_free(expired);
        crypto_cert_free(future);
        crypto_key_free(ca_key);
        crypto_key_free(other_ca_key);
        crypto_key_free(signer_key);
        crypto_key_free(dev_key);
        return tap_done();
}
