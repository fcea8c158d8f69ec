/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "json.h"
#include "string-util.h"
#include "tap.h"

#define PARSE(s, ret, err) json_parse_strict((s), strlen(s), 4096, (ret), (err))

TEST(strict_parse_refusals) {
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL;
        json_t *j = NULL;

        ASSERT_ERRNO(PARSE("{\"a\":1,\"a\":2}", &j, &e1), -EBADMSG);
        ASSERT_TRUE(strstr(e1, "duplicate") != NULL);
        ASSERT_ERRNO(PARSE("{\"a\":1} x", &j, &e2), -EBADMSG);
        ASSERT_ERRNO(PARSE("[1,2]", &j, &e3), -EBADMSG);
        ASSERT_STREQ(e3, "the document is not a JSON object");
        ASSERT_ERRNO(json_parse_strict("", 0, 10, &j, &e4), -EBADMSG);
        ASSERT_STREQ(e4, "empty document");
        ASSERT_ERRNO(json_parse_strict("{\"a\":\"\\u0000\"}", 14, 10, &j, &e5), -EFBIG);
        ASSERT_ERRNO(PARSE("{\"a\":\"\\u0000\"}", &j, NULL), -EBADMSG);
        ASSERT_ERRNO(json_parse_strict("{}\0", 3, 10, &j, NULL), -EBADMSG);
        ASSERT_NULL(j);
}

TEST(canonical_dump) {
        _cleanup_json_ json_t *j = NULL;
        _cleanup_free_ char *s = NULL;
        size_t n;

        ASSERT_OK(PARSE("{ \"b\": [1, {\"z\":true, \"a\":null}],\n \"a\": \"x\" }", &j, NULL));
        ASSERT_OK(json_dump_canonical(j, &s, &n));
        ASSERT_STREQ(s, "{\"a\":\"x\",\"b\":[1,{\"a\":null,\"z\":true}]}");
        ASSERT_EQ(n, strlen(s));
}

TEST(canonical_refuses_reals) {
        _cleanup_json_ json_t *j = NULL;
        char *s = NULL;
        ASSERT_OK(PARSE("{\"a\":[1.5]}", &j, NULL));
        ASSERT_ERRNO(json_dump_canonical(j, &s, NULL), -EBADMSG);
        ASSERT_NULL(s);
}

typedef struct Inner {
        char *name;
} Inner;

typedef struct Doc {
        uint64_t release;
        char *product;
        bool enabled;
        char **args;
        Inner inner;
} Doc;

static int parse_inner(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        static const JsonField fields[] = {
                { "name", JSON_STRING, json_parse_field_string, offsetof(Inner, name),
                  JSON_MANDATORY },
                {},
        };
        _cleanup_free_ char *path = strprintf("%s", name);
        return json_dispatch(c, path, v, fields, 0, dest);
}

static const JsonField doc_fields[] = {
        { "release", JSON_INTEGER, json_parse_field_uint64, offsetof(Doc, release),
          JSON_MANDATORY },
        { "product", JSON_STRING, json_parse_field_string, offsetof(Doc, product), JSON_MANDATORY },
        { "enabled", JSON_TRUE, json_parse_field_bool, offsetof(Doc, enabled), 0 },
        { "args", JSON_ARRAY, json_parse_field_strv, offsetof(Doc, args), 0 },
        { "inner", JSON_OBJECT, parse_inner, offsetof(Doc, inner), 0 },
        {},
};

static void doc_done(Doc *d) {
        free(d->product);
        strv_free(d->args);
        free(d->inner.name);
}

static int dispatch_doc(const char *text, Doc *d, char **ret_error) {
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = json_dispatch_context_new();
        _cleanup_json_ json_t *j = NULL;
        int r;

        memset(d, 0, sizeof *d);
        r = PARSE(text, &j, NULL);
        if (r < 0)
                return r;
        r = json_dispatch(c, NULL, j, doc_fields, 0, d);
        if (r < 0)
                *ret_error = strdup(json_dispatch_error_message(c));
        return r;
}

TEST(dispatch_good) {
        Doc d;
        char *e = NULL;
        ASSERT_OK(dispatch_doc(
                "{\"release\":7,\"product\":\"p\",\"enabled\":true,\"args\":[\"x\",\"y\"],"
                "\"inner\":{\"name\":\"n\"}}",
                &d, &e));
        ASSERT_EQ(d.release, 7);
        ASSERT_STREQ(d.product, "p");
        ASSERT_TRUE(d.enabled);
        ASSERT_STREQ(d.args[1], "y");
        ASSERT_STREQ(d.inner.name, "n");
        doc_done(&d);
}

static void check_refusal(const char *text, const char *want) {
        _cleanup_free_ char *e = NULL;
        Doc d;
        int r = dispatch_doc(text, &d, &e);
        doc_done(&d);
        if (r != -EBADMSG || !e || strcmp(e, want) != 0)
                tap_fail("%s: got %d '%s', expected '%s'", text, r, e ? e : "", want);
}

TEST(dispatch_refusals) {
        check_refusal("{\"release\":7}", "field 'product': missing");
        check_refusal("{\"release\":7,\"product\":\"p\",\"extra\":1}",
                      "field 'extra': unknown field");
        check_refusal("{\"release\":\"7\",\"product\":\"p\"}",
                      "field 'release': expected an integer, got a string");
        check_refusal("{\"release\":-1,\"product\":\"p\"}",
                      "field 'release': expected a non-negative integer");
        check_refusal("{\"release\":1,\"product\":\"p\",\"args\":[1]}",
                      "field 'args': element 0 is not a string");
        check_refusal("{\"release\":1,\"product\":\"p\",\"inner\":{}}",
                      "field 'inner.name': missing");
        check_refusal("{\"release\":1,\"product\":\"p\",\"inner\":{\"name\":\"a\",\"x\":1}}",
                      "field 'inner.x': unknown field");
        check_refusal("{\"release\":1,\"product\":\"p\",\"enabled\":1}",
                      "field 'enabled': expected a boolean, got an integer");
}

int main(void) {
        RUN(strict_parse_refusals);
        RUN(canonical_dump);
        RUN(canonical_refuses_reals);
        RUN(dispatch_good);
        RUN(dispatch_refusals);
        return tap_done();
}
