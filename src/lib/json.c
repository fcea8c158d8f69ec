/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "string-util.h"
#include "strv.h"

struct JsonDispatchContext {
        char *error;
        char *path; /* of the object currently dispatched */
};

int json_parse_strict(const char *data, size_t size, size_t max_size, json_t **ret,
                      char **ret_error) {
        json_error_t err;
        json_t *j;

        if (size > max_size) {
                if (ret_error)
                        *ret_error = strprintf("%zu bytes exceed the limit of %zu bytes", size,
                                               max_size);
                return -EFBIG;
        }
        if (size == 0) {
                if (ret_error)
                        *ret_error = strdup("empty document");
                return -EBADMSG;
        }
        /* JSON_REJECT_DUPLICATES: the same key twice is how two parsers get to see two different
         * documents in one signed blob. jansson refuses NUL bytes unless JSON_ALLOW_NUL is given
         * and, without JSON_DISABLE_EOF_CHECK, trailing data. */
        j = json_loadb(data, size, JSON_REJECT_DUPLICATES, &err);
        if (!j) {
                if (ret_error)
                        *ret_error =
                                strprintf("line %d, column %d: %s", err.line, err.column, err.text);
                return -EBADMSG;
        }
        if (!json_is_object(j)) {
                json_decref(j);
                if (ret_error)
                        *ret_error = strdup("the document is not a JSON object");
                return -EBADMSG;
        }
        *ret = j;
        return 0;
}

static int check_no_reals(const json_t *v) {
        const char *key;
        json_t *m;
        size_t i;

        switch (json_typeof(v)) {
        case JSON_REAL:
                return -EBADMSG;
        case JSON_OBJECT:
                json_object_foreach((json_t *) v, key, m) {
                        if (check_no_reals(m) < 0)
                                return -EBADMSG;
                }
                return 0;
        case JSON_ARRAY:
                json_array_foreach(v, i, m) {
                        if (check_no_reals(m) < 0)
                                return -EBADMSG;
                }
                return 0;
        default:
                return 0;
        }
}

int json_dump_canonical(const json_t *v, char **ret, size_t *ret_size) {
        char *s;

        if (check_no_reals(v) < 0)
                return -EBADMSG;
        s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (!s)
                return -ENOMEM;
        if (ret_size)
                *ret_size = strlen(s);
        *ret = s;
        return 0;
}

JsonDispatchContext *json_dispatch_context_new(void) {
        return calloc(1, sizeof(JsonDispatchContext));
}

JsonDispatchContext *json_dispatch_context_free(JsonDispatchContext *c) {
        if (!c)
                return NULL;
        free(c->error);
        free(c->path);
        free(c);
        return NULL;
}

const char *json_dispatch_error_message(const JsonDispatchContext *c) {
        return c->error ?: "invalid document";
}

const char *json_dispatch_path(const JsonDispatchContext *c) {
        return c->path;
}

int json_dispatch_error(JsonDispatchContext *c, const char *name, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        if (c->error)
                return -EBADMSG;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (c->path && name)
                c->error = strprintf("field '%s.%s': %s", c->path, name, strempty(msg));
        else if (c->path || name)
                c->error = strprintf("field '%s': %s", c->path ?: name, strempty(msg));
        else
                c->error = strdup(strempty(msg));
        return -EBADMSG;
}

static const char *type_name(json_type t) {
        switch (t) {
        case JSON_OBJECT:
                return "an object";
        case JSON_ARRAY:
                return "an array";
        case JSON_STRING:
                return "a string";
        case JSON_INTEGER:
                return "an integer";
        case JSON_REAL:
                return "a number";
        case JSON_TRUE:
        case JSON_FALSE:
                return "a boolean";
        case JSON_NULL:
                return "null";
        }
        return "?";
}

static bool type_matches(json_type want, const json_t *v) {
        if (want == JSON_NULL)
                return true; /* any */
        if (want == JSON_TRUE || want == JSON_FALSE)
                return json_is_boolean(v);
        return json_typeof(v) == want;
}

int json_dispatch(JsonDispatchContext *c, const char *path, json_t *v, const JsonField fields[],
                  JsonDispatchFlags flags, void *userdata) {
        _cleanup_free_ char *saved_path = NULL;
        const char *key;
        json_t *m;
        int r = 0;

        saved_path = c->path;
        c->path = path ? strdup(path) : NULL;
        if (path && !c->path) {
                c->path = TAKE_PTR(saved_path);
                return -ENOMEM;
        }

        if (!json_is_object(v)) {
                r = json_dispatch_error(c, NULL, "expected an object, got %s",
                                        type_name(json_typeof(v)));
                goto finish;
        }

        json_object_foreach(v, key, m) {
                const JsonField *f;

                for (f = fields; f->name; f++)
                        if (streq(f->name, key))
                                break;
                if (!f->name) {
                        if (flags & JSON_ALLOW_UNKNOWN)
                                continue;
                        r = json_dispatch_error(c, key, "unknown field");
                        goto finish;
                }
                if (!type_matches(f->type, m)) {
                        r = json_dispatch_error(c, key, "expected %s, got %s", type_name(f->type),
                                                type_name(json_typeof(m)));
                        goto finish;
                }
                if (f->parse) {
                        r = f->parse(c, key, m, (uint8_t *) userdata + f->offset);
                        if (r < 0)
                                goto finish;
                }
        }

        for (const JsonField *f = fields; f->name; f++)
                if ((f->flags & JSON_MANDATORY) && !json_object_get(v, f->name)) {
                        r = json_dispatch_error(c, f->name, "missing");
                        goto finish;
                }
        r = 0;
finish:
        free(c->path);
        c->path = TAKE_PTR(saved_path);
        return r;
}

int json_parse_field_string(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        char **s = dest, *n;

        if (!json_is_string(v))
                return json_dispatch_error(c, name, "expected a string");
        if (strlen(json_string_value(v)) != json_string_length(v))
                return json_dispatch_error(c, name, "contains a NUL character");
        n = strdup(json_string_value(v));
        if (!n)
                return -ENOMEM;
        free(*s);
        *s = n;
        return 0;
}

int json_parse_field_uint64(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        /* jansson's json_int_t is long long: values above INT64_MAX do not parse at all. */
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return json_dispatch_error(c, name, "expected a non-negative integer");
        *(uint64_t *) dest = (uint64_t) json_integer_value(v);
        return 0;
}

int json_parse_field_bool(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (!json_is_boolean(v))
                return json_dispatch_error(c, name, "expected a boolean");
        *(bool *) dest = json_is_true(v);
        return 0;
}

int json_parse_field_strv(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        _cleanup_(strv_freep) char **l = NULL;
        char ***ret = dest;
        size_t i, n;
        json_t *e;

        if (!json_is_array(v))
                return json_dispatch_error(c, name, "expected an array of strings");
        n = json_array_size(v);
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        json_array_foreach(v, i, e) {
                if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e))
                        return json_dispatch_error(c, name, "element %zu is not a string", i);
                l[i] = strdup(json_string_value(e));
                if (!l[i])
                        return -ENOMEM;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}
