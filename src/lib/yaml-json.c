/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "yaml-json.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "log.h"
#include "parse-util.h"
#include "string-util.h"

typedef struct Converter {
        yaml_parser_t parser;
        char *error;
} Converter;

_printf_(3, 4) static int fail(Converter *c, const yaml_mark_t *m, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        if (c->error)
                return -EBADMSG;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        c->error = strprintf("line %zu, column %zu: %s", m->line + 1, m->column + 1, strempty(msg));
        return -EBADMSG;
}

static int next(Converter *c, yaml_event_t *e) {
        if (yaml_parser_parse(&c->parser, e) != 1) {
                const yaml_mark_t *m = &c->parser.problem_mark;
                if (c->parser.error == YAML_MEMORY_ERROR)
                        return -ENOMEM;
                return fail(c, m, "%s", c->parser.problem ?: "invalid YAML");
        }
        return 0;
}

static bool is_one_of(const char *s, const char *const *list) {
        for (; *list; list++)
                if (streq(s, *list))
                        return true;
        return false;
}

static int integer(Converter *c, const yaml_event_t *e, const char *s, json_t **ret) {
        const char *digits = s + (s[0] == '-' || s[0] == '+');
        unsigned long long v;
        char *end;

        errno = 0;
        v = strtoull(digits, &end, 10);
        if (errno == ERANGE || *end ||
            (s[0] == '-' ? v > (unsigned long long) LLONG_MAX + 1
                         : v > (unsigned long long) LLONG_MAX))
                return fail(c, &e->start_mark, "integer '%s' is out of range", s);
        *ret = json_integer(s[0] == '-' ? (json_int_t) (0 - v) : (json_int_t) v);
        return *ret ? 0 : -ENOMEM;
}

static bool is_decimal(const char *s) {
        const char *p = s + (s[0] == '-' || s[0] == '+');
        if (!*p)
                return false;
        for (; *p; p++)
                if (*p < '0' || *p > '9')
                        return false;
        return true;
}

static int scalar(Converter *c, const yaml_event_t *e, json_t **ret) {
        static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
        static const char *const trues[] = { "true", "True", "TRUE", NULL };
        static const char *const falses[] = { "false", "False", "FALSE", NULL };
        const char *s = (const char *) e->data.scalar.value;
        size_t n = e->data.scalar.length;

        if (e->data.scalar.anchor)
                return fail(c, &e->start_mark, "anchors are not supported");
        if (e->data.scalar.tag)
                return fail(c, &e->start_mark, "explicit tags are not supported");
        if (strlen(s) != n)
                return fail(c, &e->start_mark, "strings must not contain NUL characters");
        if (e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
                if (is_one_of(s, nulls))
                        *ret = json_null();
                else if (is_one_of(s, trues))
                        *ret = json_true();
                else if (is_one_of(s, falses))
                        *ret = json_false();
                else if (is_decimal(s))
                        return integer(c, e, s, ret);
                else
                        *ret = json_stringn(s, n);
        } else
                *ret = json_stringn(s, n);
        if (!*ret)
                return fail(c, &e->start_mark, "invalid UTF-8 in a string");
        return 0;
}

static int node(Converter *c, yaml_event_t *e, unsigned depth, json_t **ret);

static int sequence(Converter *c, unsigned depth, json_t **ret) {
        _cleanup_json_ json_t *a = json_array();

        if (!a)
                return -ENOMEM;
        for (;;) {
                yaml_event_t e;
                json_t *v = NULL;
                int r;

                r = next(c, &e);
                if (r < 0)
                        return r;
                if (e.type == YAML_SEQUENCE_END_EVENT) {
                        yaml_event_delete(&e);
                        break;
                }
                r = node(c, &e, depth + 1, &v);
                yaml_event_delete(&e);
                if (r < 0)
                        return r;
                if (json_array_append_new(a, v) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(a);
        return 0;
}

static int mapping(Converter *c, unsigned depth, json_t **ret) {
        _cleanup_json_ json_t *o = json_object();

        if (!o)
                return -ENOMEM;
        for (;;) {
                _cleanup_free_ char *key = NULL;
                yaml_event_t e;
                json_t *v = NULL;
                int r;

                r = next(c, &e);
                if (r < 0)
                        return r;
                if (e.type == YAML_MAPPING_END_EVENT) {
                        yaml_event_delete(&e);
                        break;
                }
                if (e.type != YAML_SCALAR_EVENT) {
                        r = fail(c, &e.start_mark, "mapping keys must be scalars");
                        yaml_event_delete(&e);
                        return r;
                }
                if (e.data.scalar.anchor || e.data.scalar.tag ||
                    strlen((const char *) e.data.scalar.value) != e.data.scalar.length) {
                        r = fail(c, &e.start_mark,
                                 "mapping keys must be plain strings (no anchor, tag or NUL)");
                        yaml_event_delete(&e);
                        return r;
                }
                key = strdup((const char *) e.data.scalar.value);
                if (!key) {
                        yaml_event_delete(&e);
                        return -ENOMEM;
                }
                if (json_object_get(o, key)) {
                        r = fail(c, &e.start_mark, "duplicate key '%s'", key);
                        yaml_event_delete(&e);
                        return r;
                }
                yaml_event_delete(&e);

                r = next(c, &e);
                if (r < 0)
                        return r;
                r = node(c, &e, depth + 1, &v);
                yaml_event_delete(&e);
                if (r < 0)
                        return r;
                if (json_object_set_new(o, key, v) < 0)
                        return fail(c, &c->parser.mark, "invalid UTF-8 in key '%s'", key);
        }
        *ret = TAKE_PTR(o);
        return 0;
}

static int node(Converter *c, yaml_event_t *e, unsigned depth, json_t **ret) {
        if (depth > YAML_JSON_MAX_DEPTH)
                return fail(c, &e->start_mark, "nested deeper than %d levels", YAML_JSON_MAX_DEPTH);
        switch (e->type) {
        case YAML_SCALAR_EVENT:
                return scalar(c, e, ret);
        case YAML_ALIAS_EVENT:
                return fail(c, &e->start_mark, "aliases are not supported");
        case YAML_SEQUENCE_START_EVENT:
                if (e->data.sequence_start.anchor || e->data.sequence_start.tag)
                        return fail(c, &e->start_mark, "anchors and tags are not supported");
                return sequence(c, depth, ret);
        case YAML_MAPPING_START_EVENT:
                if (e->data.mapping_start.anchor || e->data.mapping_start.tag)
                        return fail(c, &e->start_mark, "anchors and tags are not supported");
                return mapping(c, depth, ret);
        default:
                return fail(c, &e->start_mark, "unexpected YAML event");
        }
}

/* Expects the next event to be of the given type. */
static int expect_event(Converter *c, yaml_event_type_t type, const char *what) {
        yaml_event_t e;
        int r;

        r = next(c, &e);
        if (r < 0)
                return r;
        if (e.type != type)
                r = fail(c, &e.start_mark, "%s", what);
        yaml_event_delete(&e);
        return r;
}

static int convert(Converter *c, json_t **ret) {
        _cleanup_json_ json_t *root = NULL;
        yaml_event_t e;
        int r;

        r = expect_event(c, YAML_STREAM_START_EVENT, "expected the start of a stream");
        if (r < 0)
                return r;
        r = next(c, &e);
        if (r < 0)
                return r;
        if (e.type == YAML_STREAM_END_EVENT) {
                r = fail(c, &e.start_mark, "empty document");
                yaml_event_delete(&e);
                return r;
        }
        yaml_event_delete(&e); /* DOCUMENT_START */

        r = next(c, &e);
        if (r < 0)
                return r;
        if (e.type != YAML_MAPPING_START_EVENT)
                r = fail(c, &e.start_mark, "the document is not a mapping");
        else
                r = node(c, &e, 1, &root);
        yaml_event_delete(&e);
        if (r < 0)
                return r;

        r = expect_event(c, YAML_DOCUMENT_END_EVENT, "expected the end of the document");
        if (r < 0)
                return r;
        r = expect_event(c, YAML_STREAM_END_EVENT, "more than one document");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(root);
        return 0;
}

int yaml_to_json(const char *data, size_t size, size_t max_size, json_t **ret, char **ret_error) {
        Converter c = {};
        json_t *j = NULL;
        int r;

        if (size > max_size) {
                if (ret_error)
                        *ret_error = strprintf("%zu bytes exceed the limit of %zu bytes", size,
                                               max_size);
                return -EFBIG;
        }
        if (yaml_parser_initialize(&c.parser) != 1)
                return -ENOMEM;
        yaml_parser_set_input_string(&c.parser, (const unsigned char *) data, size);
        r = convert(&c, &j);
        yaml_parser_delete(&c.parser);
        if (r < 0) {
                log_debug("YAML: %s", strempty(c.error));
                if (ret_error)
                        *ret_error = TAKE_PTR(c.error);
                free(c.error);
                return r;
        }
        free(c.error);
        *ret = j;
        return 0;
}
