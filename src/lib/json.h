/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The json module wraps jansson: it is the only place that includes <jansson.h>, and it
 * re-exports jansson's value API (json_t, json_object_get(), ...) to its users, because a
 * second DOM of our own would add nothing. What it adds is the project's policy for every
 * JSON document that comes from outside:
 *
 *   - a size limit checked before parsing;
 *   - strict parsing: duplicate keys, NUL bytes, trailing data and non-object roots refused;
 *   - canonical output (sorted keys, no insignificant whitespace), so the same content gives
 *     the same bytes to sign and to digest;
 *   - json_dispatch(): reads an object against a field table and refuses unknown fields,
 *     missing mandatory fields and wrong types, naming the field's full path in the error.
 *
 * Errors: -EFBIG (too large), -EBADMSG (malformed or schema violation; *ret_error, when asked
 * for, says where and what), -ENOMEM. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "strv.h"

static inline json_t *json_unrefp_helper(json_t *j) {
        json_decref(j);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(json_t *, json_unrefp_helper);
#define _cleanup_json_ _cleanup_(json_unrefp_helperp)

/* Parses data[0..size) as one JSON object. ret_error (may be NULL) gets a one-line description
 * such as "line 3, column 5: duplicate object key". */
int json_parse_strict(const char *data, size_t size, size_t max_size, json_t **ret,
                      char **ret_error);

/* Canonical serialisation: sorted keys, compact separators, UTF-8, no trailing newline.
 * Refuses real (floating point) numbers, which have no canonical form: -EBADMSG. */
int json_dump_canonical(const json_t *v, char **ret, size_t *ret_size);

/* ---- schema dispatch ---- */

typedef struct JsonDispatchContext JsonDispatchContext;

/* A field parser gets the value and a pointer to the destination (userdata + offset). It
 * returns -EBADMSG after json_dispatch_error() on bad content. */
typedef int (*JsonFieldParser)(JsonDispatchContext *c, const char *name, json_t *v, void *dest);

typedef enum JsonFieldFlags {
        JSON_MANDATORY = 1 << 0,
} JsonFieldFlags;

typedef struct JsonField {
        const char *name;
        json_type type; /* JSON_STRING, JSON_INTEGER, JSON_OBJECT, JSON_ARRAY, JSON_TRUE (any
                           boolean), JSON_NULL (any type) */
        JsonFieldParser parse;
        size_t offset;
        JsonFieldFlags flags;
} JsonField;

typedef enum JsonDispatchFlags {
        JSON_ALLOW_UNKNOWN =
                1 << 0, /* for documents from others (OCI configs), never for signed ones */
} JsonDispatchFlags;

/* Dispatches the members of object v through fields (terminated by a { NULL } entry).
 * path names v in messages ("targets[2].image"); NULL means the document root. */
int json_dispatch(JsonDispatchContext *c, const char *path, json_t *v, const JsonField fields[],
                  JsonDispatchFlags flags, void *userdata);

/* Creates a context for one document; the first error is kept. */
JsonDispatchContext *json_dispatch_context_new(void);
JsonDispatchContext *json_dispatch_context_free(JsonDispatchContext *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(JsonDispatchContext *, json_dispatch_context_free);
const char *json_dispatch_error_message(const JsonDispatchContext *c);
/* The path of the field being parsed, for nested dispatch ("targets[2]"). */
const char *json_dispatch_path(const JsonDispatchContext *c);
/* Records "<path>.<name>: <message>" as the error (if none yet) and returns -EBADMSG. */
int json_dispatch_error(JsonDispatchContext *c, const char *name, const char *fmt, ...)
        _printf_(3, 4);

/* Stock parsers. */
int json_parse_field_string(JsonDispatchContext *c, const char *name, json_t *v,
                            void *dest); /* char** (strdup) */
int json_parse_field_uint64(JsonDispatchContext *c, const char *name, json_t *v,
                            void *dest); /* uint64_t*, >= 0 */
int json_parse_field_bool(JsonDispatchContext *c, const char *name, json_t *v,
                          void *dest); /* bool* */
/* char*** NULL-terminated array of strings. */
int json_parse_field_strv(JsonDispatchContext *c, const char *name, json_t *v, void *dest);
