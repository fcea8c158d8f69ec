/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "json.h"
#include "macro.h"
#include "string-util.h"
#include "tap.h"
#include "yaml-json.h"

#define CONVERT(s, ret, err) yaml_to_json((s), strlen(s), 65536, (ret), (err))

static char *canonical(const char *yaml) {
        _cleanup_json_ json_t *j = NULL;
        char *s = NULL;

        if (CONVERT(yaml, &j, NULL) < 0 || json_dump_canonical(j, &s, NULL) < 0)
                return NULL;
        return s;
}

TEST(types) {
        _cleanup_free_ char *a = canonical("a: 1\n"
                                           "b: -42\n"
                                           "c: \"1\"\n"
                                           "d: 1.0\n"
                                           "e: true\n"
                                           "f: False\n"
                                           "g: ~\n"
                                           "h:\n"
                                           "i: [x, 'y', 2]\n"
                                           "j: {k: v}\n"
                                           "k: 'true'\n"
                                           "l: yes\n"
                                           "m: 0x10\n"
                                           "n: 1e3\n"
                                           "o: |\n  line\n");
        ASSERT_STREQ(
                a, "{\"a\":1,\"b\":-42,\"c\":\"1\",\"d\":\"1.0\",\"e\":true,\"f\":false,"
                   "\"g\":null,\"h\":null,\"i\":[\"x\",\"y\",2],\"j\":{\"k\":\"v\"},"
                   "\"k\":\"true\",\"l\":\"yes\",\"m\":\"0x10\",\"n\":\"1e3\",\"o\":\"line\\n\"}");
}

TEST(integer_range) {
        _cleanup_free_ char *a = canonical("max: 9223372036854775807\nmin: -9223372036854775808\n");
        _cleanup_free_ char *e = NULL;
        json_t *j = NULL;

        ASSERT_STREQ(a, "{\"max\":9223372036854775807,\"min\":-9223372036854775808}");
        ASSERT_ERRNO(CONVERT("x: 9223372036854775808\n", &j, &e), -EBADMSG);
        ASSERT_STREQ(e, "line 1, column 4: integer '9223372036854775808' is out of range");
}

TEST(json_is_yaml) {
        _cleanup_free_ char *a = canonical("{\"b\": [1, {\"c\": null}], \"a\": \"x\"}");
        ASSERT_STREQ(a, "{\"a\":\"x\",\"b\":[1,{\"c\":null}]}");
}

TEST(refusals) {
        static const struct {
                const char *yaml, *error;
        } bad[] = {
                { "a: 1\na: 2\n", "line 2, column 1: duplicate key 'a'" },
                { "a: &x 1\nb: *x\n", "line 1, column 4: anchors are not supported" },
                { "a: !!str 1\n", "line 1, column 4: explicit tags are not supported" },
                { "- 1\n- 2\n", "line 1, column 1: the document is not a mapping" },
                { "", "line 1, column 1: empty document" },
                { "a: 1\n---\nb: 2\n", "line 2, column 1: more than one document" },
                { "? [1]\n: x\n", "line 1, column 3: mapping keys must be scalars" },
                { "a: \"x\\0y\"\n", "line 1, column 4: strings must not contain NUL characters" },
                { "a: [1\n", NULL },
                { "a: \xff\n", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *e = NULL;
                json_t *j = NULL;
                ASSERT_ERRNO(CONVERT(bad[i].yaml, &j, &e), -EBADMSG);
                ASSERT_NOT_NULL(e);
                if (bad[i].error)
                        ASSERT_STREQ(e, bad[i].error);
                ASSERT_NULL(j);
        }
}

TEST(depth_and_size_limits) {
        char deep[2 * (YAML_JSON_MAX_DEPTH + 2) + 8];
        _cleanup_free_ char *e = NULL;
        json_t *j = NULL;
        size_t n = 0;

        n += (size_t) snprintf(deep, sizeof deep, "a: ");
        for (int i = 0; i < YAML_JSON_MAX_DEPTH + 1; i++)
                deep[n++] = '[';
        deep[n] = '\0';
        ASSERT_ERRNO(CONVERT(deep, &j, &e), -EBADMSG);
        ASSERT_TRUE(strstr(e, "nested deeper than 64 levels") != NULL);
        ASSERT_ERRNO(yaml_to_json("a: 1\n", 5, 4, &j, NULL), -EFBIG);
}

int main(void) {
        RUN(types);
        RUN(integer_range);
        RUN(json_is_yaml);
        RUN(refusals);
        RUN(depth_and_size_limits);
        return tap_done();
}
