/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The product manifest, schema format 1 (docs/manifest.md). The JSON field tables below are the
 * schema; every field is checked where it is read, with the path of the field in the error. */

#include "manifest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "error-util.h"
#include "log.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "time-util.h"

#define MANIFEST_STRING_MAX 4096 /* command words, arguments, environment entries, paths */
#define MANIFEST_MAX_WORDS 256   /* command + args, env entries */

static const char *const target_types[_TARGET_TYPE_MAX] = {
        [TARGET_HOSTFS] = "hostfs",
        [TARGET_CONTAINER] = "container",
        [TARGET_FS_ONLY] = "fs-only",
        [TARGET_BOOT] = "boot",
};
static const char *const network_modes[_NETWORK_MODE_MAX] = {
        [NETWORK_NONE] = "none",
        [NETWORK_HOST] = "host",
};
static const char *const restart_policies[_RESTART_POLICY_MAX] = {
        [RESTART_NO] = "no",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_ALWAYS] = "always",
};

const char *target_type_to_string(TargetType t) {
        return (size_t) t < _TARGET_TYPE_MAX ? target_types[t] : NULL;
}
const char *network_mode_to_string(NetworkMode m) {
        return (size_t) m < _NETWORK_MODE_MAX ? network_modes[m] : NULL;
}
const char *restart_policy_to_string(RestartPolicy p) {
        return (size_t) p < _RESTART_POLICY_MAX ? restart_policies[p] : NULL;
}

static int lookup(const char *const *table, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (streq(table[i], s))
                        return (int) i;
        return -1;
}

/* ---- freeing ---- */

static void image_done(ManifestImage *i) {
        free(i->reference);
        free(i->digest);
        for (size_t j = 0; j < i->n_layers; j++) {
                free(i->layers[j].digest);
                free(i->layers[j].verity.salt);
        }
        free(i->layers);
        *i = (ManifestImage){};
}

static ManifestContainer *container_free(ManifestContainer *c) {
        if (!c)
                return NULL;
        strv_free(c->command);
        strv_free(c->args);
        strv_free(c->env);
        free(c->working_dir);
        free(c->userns_group);
        for (size_t i = 0; i < c->n_volumes; i++) {
                free(c->volumes[i].label);
                free(c->volumes[i].mount_path);
        }
        free(c->volumes);
        free(c);
        return NULL;
}

Manifest *manifest_free(Manifest *m) {
        if (!m)
                return NULL;
        free(m->version);
        free(m->created);
        for (size_t i = 0; i < m->n_targets; i++) {
                free(m->targets[i].name);
                image_done(&m->targets[i].image);
                container_free(m->targets[i].container);
        }
        free(m->targets);
        free(m);
        return NULL;
}

const ManifestTarget *manifest_find_target(const Manifest *m, const char *name) {
        for (size_t i = 0; i < m->n_targets; i++)
                if (streq(m->targets[i].name, name))
                        return &m->targets[i];
        return NULL;
}

/* ---- grammars ---- */

static bool isalnum_ascii(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* OCI image-spec descriptor.md: digest ::= algorithm ":" encoded; for the registered algorithm
 * sha256, encoded is /[a-f0-9]{64}/ (digest.h). MachineOS images use sha256 only. */
static bool digest_is_valid(const char *s) {
        Digest d;
        return s && digest_parse(s, &d) >= 0;
}

/* A name: target names, volume labels, user-namespace groups. Also a safe file name. */
static bool name_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > MANIFEST_NAME_MAX || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
                        return false;
        return true;
}

static bool is_alnum_lower(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* OCI distribution-spec, "pulling manifests":
 *   name: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
 *   tag:  [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
 * A reference here is NAME:TAG. */
static bool reference_is_valid(const char *s) {
        const char *colon = strrchr(s, ':'), *p;
        size_t tag_len;

        if (!colon || colon == s || strlen(s) > 255)
                return false;
        /* name */
        p = s;
        for (;;) {
                if (!is_alnum_lower(*p))
                        return false;
                while (is_alnum_lower(*p))
                        p++;
                if (p == colon)
                        break;
                if (*p == '/')
                        p++;
                else if (*p == '.')
                        p++;
                else if (*p == '_')
                        p += p[1] == '_' ? 2 : 1;
                else if (*p == '-')
                        while (*p == '-')
                                p++;
                else
                        return false;
        }
        /* tag */
        p = colon + 1;
        tag_len = strlen(p);
        if (tag_len == 0 || tag_len > 128)
                return false;
        if (!(isalnum_ascii(p[0]) || p[0] == '_'))
                return false;
        for (size_t i = 1; i < tag_len; i++)
                if (!(isalnum_ascii(p[i]) || p[i] == '.' || p[i] == '_' || p[i] == '-'))
                        return false;
        return true;
}

static bool absolute_path_is_valid(const char *s) {
        size_t n = strlen(s);
        return n > 0 && n <= MANIFEST_STRING_MAX && s[0] == '/' &&
               (n == 1 || path_is_safe_relative(s + 1)) && string_is_printable_ascii(s, n);
}

static bool env_is_valid(const char *s) {
        const char *eq = strchr(s, '=');

        if (!eq || eq == s || strlen(s) > MANIFEST_STRING_MAX)
                return false;
        if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
                return false;
        for (const char *p = s + 1; p < eq; p++)
                if (!(isalnum_ascii(*p) || *p == '_'))
                        return false;
        return true;
}

/* ---- child paths for messages ---- */

static char *child_path(JsonDispatchContext *c, const char *name, size_t index) {
        const char *parent = json_dispatch_path(c);
        return parent ? strprintf("%s.%s[%zu]", parent, name, index)
                      : strprintf("%s[%zu]", name, index);
}

static char *child_object_path(JsonDispatchContext *c, const char *name) {
        const char *parent = json_dispatch_path(c);
        return parent ? strprintf("%s.%s", parent, name) : strdup(name);
}

/* ---- field parsers ---- */

static int parse_format(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (json_integer_value(v) != MANIFEST_FORMAT)
                return json_dispatch_error(
                        c, name, "unsupported format %" JSON_INTEGER_FORMAT ", expected %d",
                        json_integer_value(v), MANIFEST_FORMAT);
        return 0;
}

static int parse_uuid(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        const char *s = json_string_value(v);
        uint8_t *u = dest;

        if (!uuid_string_is_canonical(s) || uuid_from_string(s, u) < 0 || uuid_is_null(u))
                return json_dispatch_error(c, name,
                                           "expected a lower-case UUID (8-4-4-4-12), got '%s'", s);
        return 0;
}

static int parse_positive(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (json_integer_value(v) <= 0)
                return json_dispatch_error(c, name, "expected a positive integer");
        *(uint64_t *) dest = (uint64_t) json_integer_value(v);
        return 0;
}

static int parse_version(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);

        if (n == 0 || n > MANIFEST_VERSION_MAX || !string_is_printable_ascii(s, n))
                return json_dispatch_error(c, name, "expected 1 to %d printable ASCII characters",
                                           MANIFEST_VERSION_MAX);
        return json_parse_field_string(c, name, v, dest);
}

static int parse_created(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        time_t t;

        if (rfc3339_parse(json_string_value(v), &t) < 0)
                return json_dispatch_error(c, name, "expected a UTC time YYYY-MM-DDTHH:MM:SSZ");
        return json_parse_field_string(c, name, v, dest);
}

static int parse_name(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (!name_is_valid(json_string_value(v)) ||
            strlen(json_string_value(v)) != json_string_length(v))
                return json_dispatch_error(c, name,
                                           "expected 1 to %d of a-z, 0-9 and '-', not starting "
                                           "with '-'",
                                           MANIFEST_NAME_MAX);
        return json_parse_field_string(c, name, v, dest);
}

static int parse_digest(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (!digest_is_valid(json_string_value(v)))
                return json_dispatch_error(c, name, "expected sha256:<64 lower-case hex digits>");
        return json_parse_field_string(c, name, v, dest);
}

static int parse_reference(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (!reference_is_valid(json_string_value(v)))
                return json_dispatch_error(c, name, "expected an image reference NAME:TAG");
        return json_parse_field_string(c, name, v, dest);
}

static int parse_root_hash(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        const char *s = json_string_value(v);

        if (json_string_length(v) != 2 * SHA256_DIGEST_SIZE ||
            !string_is_lower_hex(s, 2 * SHA256_DIGEST_SIZE) ||
            unhexmem_fixed(s, dest, SHA256_DIGEST_SIZE) < 0)
                return json_dispatch_error(c, name, "expected 64 lower-case hex digits");
        return 0;
}

/* dest is the ManifestVerity (offset 0): the salt has a pointer and a size. */
static int parse_salt(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        ManifestVerity *verity = dest;
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        void *b = NULL;
        size_t bn = 0;

        if (n % 2 != 0 || n > 2 * MANIFEST_VERITY_SALT_MAX || !string_is_lower_hex(s, n))
                return json_dispatch_error(c, name,
                                           "expected an even number (at most %d) of lower-case "
                                           "hex digits",
                                           2 * MANIFEST_VERITY_SALT_MAX);
        if (n > 0 && unhexmem(s, n, &b, &bn) < 0)
                return -ENOMEM;
        free(verity->salt);
        verity->salt = b;
        verity->salt_size = bn;
        return 0;
}

static int parse_abs_path(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (strlen(json_string_value(v)) != json_string_length(v) ||
            !absolute_path_is_valid(json_string_value(v)))
                return json_dispatch_error(c, name,
                                           "expected an absolute path without '.', '..', empty "
                                           "components or a trailing '/'");
        return json_parse_field_string(c, name, v, dest);
}

static int parse_enum(JsonDispatchContext *c, const char *name, json_t *v, void *dest,
                      const char *const *table, size_t n, const char *expected) {
        int i = lookup(table, n, json_string_value(v));

        if (i < 0)
                return json_dispatch_error(c, name, "expected %s, got '%s'", expected,
                                           json_string_value(v));
        *(int *) dest = i;
        return 0;
}

static int parse_target_type(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_enum(c, name, v, dest, target_types, _TARGET_TYPE_MAX,
                          "hostfs, container, fs-only or boot");
}

static int parse_network(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_enum(c, name, v, dest, network_modes, _NETWORK_MODE_MAX, "none or host");
}

static int parse_restart(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_enum(c, name, v, dest, restart_policies, _RESTART_POLICY_MAX,
                          "no, on-failure or always");
}

static int parse_words(JsonDispatchContext *c, const char *name, json_t *v, void *dest,
                       bool non_empty) {
        char ***l = dest;
        int r;

        r = json_parse_field_strv(c, name, v, dest);
        if (r < 0)
                return r;
        if (non_empty && strv_length(*l) == 0)
                return json_dispatch_error(c, name, "expected at least one element");
        if (strv_length(*l) > MANIFEST_MAX_WORDS)
                return json_dispatch_error(c, name, "more than %d elements", MANIFEST_MAX_WORDS);
        for (size_t i = 0; (*l)[i]; i++)
                if (strlen((*l)[i]) > MANIFEST_STRING_MAX || (non_empty && i == 0 && !*(*l)[i]))
                        return json_dispatch_error(c, name, "element %zu is empty or too long", i);
        return 0;
}

static int parse_command(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_words(c, name, v, dest, true);
}

static int parse_args(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_words(c, name, v, dest, false);
}

static int parse_env(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        char ***l = dest;
        int r;

        r = parse_words(c, name, v, dest, false);
        if (r < 0)
                return r;
        for (size_t i = 0; (*l)[i]; i++) {
                size_t n = strcspn((*l)[i], "=");
                if (!env_is_valid((*l)[i]))
                        return json_dispatch_error(c, name,
                                                   "element %zu: expected NAME=value with NAME "
                                                   "of A-Z, a-z, 0-9 and '_'",
                                                   i);
                for (size_t j = 0; j < i; j++)
                        if (strncmp((*l)[j], (*l)[i], n + 1) == 0)
                                return json_dispatch_error(c, name,
                                                           "element %zu: '%.*s' is set twice", i,
                                                           (int) n, (*l)[i]);
        }
        return 0;
}

/* ---- nested objects ---- */

/* Dispatches each element of an array of objects into a newly allocated array of elements of
 * elem_size bytes. */
static int parse_object_array(JsonDispatchContext *c, const char *name, json_t *v,
                              const JsonField *fields, size_t elem_size, size_t min, size_t max,
                              void **ret, size_t *ret_n, void (*done)(void *elem),
                              int (*post)(JsonDispatchContext *c, const char *path, void *elem)) {
        size_t n = json_array_size(v);
        uint8_t *a;
        json_t *e;
        size_t i;
        int r = 0;

        if (n < min || n > max)
                return json_dispatch_error(c, name, "expected %zu to %zu elements, got %zu", min,
                                           max, n);
        a = calloc(n ?: 1, elem_size);
        if (!a)
                return -ENOMEM;
        json_array_foreach(v, i, e) {
                _cleanup_free_ char *path = child_path(c, name, i);
                if (!path) {
                        r = -ENOMEM;
                        break;
                }
                r = json_dispatch(c, path, e, fields, 0, a + i * elem_size);
                if (r >= 0 && post)
                        r = post(c, path, a + i * elem_size);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                for (size_t j = 0; j < n; j++)
                        done(a + j * elem_size);
                free(a);
                return r;
        }
        *ret = a;
        *ret_n = n;
        return 0;
}

static const JsonField verity_fields[] = {
        { "root-hash", JSON_STRING, parse_root_hash, offsetof(ManifestVerity, root_hash),
          JSON_MANDATORY },
        { "salt", JSON_STRING, parse_salt, 0, JSON_MANDATORY },
        { "data-blocks", JSON_INTEGER, parse_positive, offsetof(ManifestVerity, data_blocks),
          JSON_MANDATORY },
        { "hash-offset", JSON_INTEGER, json_parse_field_uint64,
          offsetof(ManifestVerity, hash_offset), JSON_MANDATORY },
        {},
};

static int parse_verity(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        _cleanup_free_ char *path = child_object_path(c, name);

        if (!path)
                return -ENOMEM;
        return json_dispatch(c, path, v, verity_fields, 0, dest);
}

static const JsonField layer_fields[] = {
        { "digest", JSON_STRING, parse_digest, offsetof(ManifestLayer, digest), JSON_MANDATORY },
        { "size", JSON_INTEGER, parse_positive, offsetof(ManifestLayer, size), JSON_MANDATORY },
        { "verity", JSON_OBJECT, parse_verity, offsetof(ManifestLayer, verity), JSON_MANDATORY },
        {},
};

static void layer_done(void *p) {
        ManifestLayer *l = p;
        free(l->digest);
        free(l->verity.salt);
}

static int parse_layers(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        ManifestImage *img = dest; /* offset 0: pointer and count */
        void *a;
        size_t n;
        int r;

        r = parse_object_array(c, name, v, layer_fields, sizeof(ManifestLayer), 1,
                               MANIFEST_MAX_LAYERS, &a, &n, layer_done, NULL);
        if (r < 0)
                return r;
        for (size_t i = 0; i < img->n_layers; i++)
                layer_done(&img->layers[i]);
        free(img->layers);
        img->layers = a;
        img->n_layers = n;
        return 0;
}

static const JsonField image_fields[] = {
        { "reference", JSON_STRING, parse_reference, offsetof(ManifestImage, reference), 0 },
        { "digest", JSON_STRING, parse_digest, offsetof(ManifestImage, digest), JSON_MANDATORY },
        { "size", JSON_INTEGER, parse_positive, offsetof(ManifestImage, size), JSON_MANDATORY },
        { "layers", JSON_ARRAY, parse_layers, 0, JSON_MANDATORY },
        {},
};

static int parse_image(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        _cleanup_free_ char *path = child_object_path(c, name);

        if (!path)
                return -ENOMEM;
        return json_dispatch(c, path, v, image_fields, 0, dest);
}

/* In a spec, an image is either an object as in the manifest (explicit digests) or a reference
 * NAME:TAG resolved later in the OCI layout. */
static int parse_spec_image(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (json_is_string(v))
                return parse_reference(c, name, v, &((ManifestImage *) dest)->reference);
        if (json_is_object(v))
                return parse_image(c, name, v, dest);
        return json_dispatch_error(c, name, "expected an image reference NAME:TAG or an object");
}

#define VOLUME_FIELDS(mode)                                                                        \
        { "label", JSON_STRING, parse_name, offsetof(ManifestVolume, label), JSON_MANDATORY },     \
                { "mount-path", JSON_STRING, parse_abs_path, offsetof(ManifestVolume, mount_path), \
                  JSON_MANDATORY },                                                                \
                { "persistent", JSON_TRUE, json_parse_field_bool,                                  \
                  offsetof(ManifestVolume, persistent), mode },                                    \
                { "size", JSON_INTEGER, parse_positive, offsetof(ManifestVolume, size),            \
                  JSON_MANDATORY },                                                                \
        {                                                                                          \
        }

static const JsonField volume_fields[] = { VOLUME_FIELDS(JSON_MANDATORY) };
static const JsonField spec_volume_fields[] = { VOLUME_FIELDS(0) };

static void volume_done(void *p) {
        ManifestVolume *v = p;
        free(v->label);
        free(v->mount_path);
}

static int parse_volumes_with(JsonDispatchContext *c, const char *name, json_t *v, void *dest,
                              const JsonField *fields) {
        ManifestContainer *ct = dest; /* offset 0: pointer and count */
        void *a;
        size_t n;
        int r;

        r = parse_object_array(c, name, v, fields, sizeof(ManifestVolume), 0, MANIFEST_MAX_VOLUMES,
                               &a, &n, volume_done, NULL);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ct->n_volumes; i++)
                volume_done(&ct->volumes[i]);
        free(ct->volumes);
        ct->volumes = a;
        ct->n_volumes = n;
        return 0;
}

static int parse_volumes(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_volumes_with(c, name, v, dest, volume_fields);
}

static int parse_spec_volumes(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_volumes_with(c, name, v, dest, spec_volume_fields);
}

/* In the manifest every container field is there; in a spec only "command" is required and the
 * others have the defaults of docs/manifest.md. */
#define CONTAINER_FIELDS(mode, volumes_parser)                                                     \
        { "command", JSON_ARRAY, parse_command, offsetof(ManifestContainer, command),              \
          JSON_MANDATORY },                                                                        \
                { "args", JSON_ARRAY, parse_args, offsetof(ManifestContainer, args), mode },       \
                { "env", JSON_ARRAY, parse_env, offsetof(ManifestContainer, env), mode },          \
                { "working-dir", JSON_STRING, parse_abs_path,                                      \
                  offsetof(ManifestContainer, working_dir), mode },                                \
                { "userns-group", JSON_STRING, parse_name,                                         \
                  offsetof(ManifestContainer, userns_group), mode },                               \
                { "network", JSON_STRING, parse_network, offsetof(ManifestContainer, network),     \
                  mode },                                                                          \
                { "volumes", JSON_ARRAY, volumes_parser, 0, mode },                                \
                { "restart", JSON_STRING, parse_restart, offsetof(ManifestContainer, restart),     \
                  mode },                                                                          \
        {                                                                                          \
        }

static const JsonField container_fields[] = { CONTAINER_FIELDS(JSON_MANDATORY, parse_volumes) };
static const JsonField spec_container_fields[] = { CONTAINER_FIELDS(0, parse_spec_volumes) };

static int parse_container_with(JsonDispatchContext *c, const char *name, json_t *v, void *dest,
                                const JsonField *fields) {
        ManifestContainer **ret = dest, *ct;
        _cleanup_free_ char *path = child_object_path(c, name);
        int r;

        if (!path)
                return -ENOMEM;
        ct = calloc(1, sizeof *ct);
        if (!ct)
                return -ENOMEM;
        ct->network = NETWORK_NONE;
        ct->restart = RESTART_ON_FAILURE;
        r = json_dispatch(c, path, v, fields, 0, ct);
        if (r < 0) {
                container_free(ct);
                return r;
        }
        container_free(*ret);
        *ret = ct;
        return 0;
}

static int parse_container(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_container_with(c, name, v, dest, container_fields);
}

static int parse_spec_container(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_container_with(c, name, v, dest, spec_container_fields);
}

static const JsonField target_fields[] = {
        { "name", JSON_STRING, parse_name, offsetof(ManifestTarget, name), JSON_MANDATORY },
        { "type", JSON_STRING, parse_target_type, offsetof(ManifestTarget, type), JSON_MANDATORY },
        { "image", JSON_OBJECT, parse_image, offsetof(ManifestTarget, image), JSON_MANDATORY },
        { "container", JSON_OBJECT, parse_container, offsetof(ManifestTarget, container), 0 },
        {},
};

static const JsonField spec_target_fields[] = {
        { "name", JSON_STRING, parse_name, offsetof(ManifestTarget, name), JSON_MANDATORY },
        { "type", JSON_STRING, parse_target_type, offsetof(ManifestTarget, type), JSON_MANDATORY },
        { "image", JSON_NULL, parse_spec_image, offsetof(ManifestTarget, image), JSON_MANDATORY },
        { "container", JSON_OBJECT, parse_spec_container, offsetof(ManifestTarget, container), 0 },
        {},
};

static void target_done(void *p) {
        ManifestTarget *t = p;
        free(t->name);
        image_done(&t->image);
        container_free(t->container);
}

static int parse_targets_with(JsonDispatchContext *c, const char *name, json_t *v, void *dest,
                              const JsonField *fields) {
        Manifest *m = dest; /* offset 0: pointer and count */
        void *a;
        size_t n;
        int r;

        r = parse_object_array(c, name, v, fields, sizeof(ManifestTarget), 1, MANIFEST_MAX_TARGETS,
                               &a, &n, target_done, NULL);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_targets; i++)
                target_done(&m->targets[i]);
        free(m->targets);
        m->targets = a;
        m->n_targets = n;
        return 0;
}

static int parse_targets(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_targets_with(c, name, v, dest, target_fields);
}

static int parse_spec_targets(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return parse_targets_with(c, name, v, dest, spec_target_fields);
}

static const JsonField storage_fields[] = {
        { "data-size", JSON_INTEGER, parse_positive, offsetof(Manifest, data_size), 0 },
        { "store-size", JSON_INTEGER, parse_positive, offsetof(Manifest, store_size), 0 },
        {},
};

static int parse_storage(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return json_dispatch(c, name, v, storage_fields, 0, dest);
}

static const JsonField manifest_fields[] = {
        { "format", JSON_INTEGER, parse_format, 0, JSON_MANDATORY },
        { "product", JSON_STRING, parse_uuid, offsetof(Manifest, product), JSON_MANDATORY },
        { "release", JSON_INTEGER, parse_positive, offsetof(Manifest, release), JSON_MANDATORY },
        { "version", JSON_STRING, parse_version, offsetof(Manifest, version), JSON_MANDATORY },
        { "created", JSON_STRING, parse_created, offsetof(Manifest, created), JSON_MANDATORY },
        { "targets", JSON_ARRAY, parse_targets, 0, JSON_MANDATORY },
        { "storage", JSON_OBJECT, parse_storage, 0, 0 },
        {},
};

static const JsonField spec_fields[] = {
        { "format", JSON_INTEGER, parse_format, 0, 0 },
        { "product", JSON_STRING, parse_uuid, offsetof(Manifest, product), 0 },
        { "release", JSON_INTEGER, parse_positive, offsetof(Manifest, release), 0 },
        { "version", JSON_STRING, parse_version, offsetof(Manifest, version), JSON_MANDATORY },
        { "created", JSON_STRING, parse_created, offsetof(Manifest, created), 0 },
        { "targets", JSON_ARRAY, parse_spec_targets, 0, JSON_MANDATORY },
        { "storage", JSON_OBJECT, parse_storage, 0, 0 },
        {},
};

/* ---- rules across fields ---- */

static int validate_image(JsonDispatchContext *c, size_t ti, const ManifestImage *img) {
        for (size_t i = 0; i < img->n_layers; i++) {
                const ManifestLayer *l = &img->layers[i];
                _cleanup_free_ char *field =
                        strprintf("targets[%zu].image.layers[%zu].verity.hash-offset", ti, i);
                uint64_t data_bytes;

                if (!field)
                        return -ENOMEM;
                /* verity.rst: <hash_start_block> counts hash blocks, so the offset is a multiple
                 * of the block size; the tree follows the data and lies inside the blob. */
                if (__builtin_mul_overflow(l->verity.data_blocks, MANIFEST_VERITY_BLOCK_SIZE,
                                           &data_bytes) ||
                    l->verity.hash_offset % MANIFEST_VERITY_BLOCK_SIZE != 0 ||
                    l->verity.hash_offset < data_bytes || l->verity.hash_offset >= l->size)
                        return json_dispatch_error(
                                c, field,
                                "expected a multiple of %d at or after the %" PRIu64
                                " data blocks and inside the %" PRIu64 "-byte layer",
                                MANIFEST_VERITY_BLOCK_SIZE, l->verity.data_blocks, l->size);
        }
        return 0;
}

static int validate_container(JsonDispatchContext *c, size_t ti, const ManifestContainer *ct) {
        for (size_t i = 0; i < ct->n_volumes; i++)
                for (size_t j = 0; j < i; j++) {
                        _cleanup_free_ char *field =
                                strprintf("targets[%zu].container.volumes[%zu]", ti, i);
                        if (!field)
                                return -ENOMEM;
                        if (streq(ct->volumes[i].label, ct->volumes[j].label))
                                return json_dispatch_error(c, field, "label '%s' is used twice",
                                                           ct->volumes[i].label);
                        if (streq(ct->volumes[i].mount_path, ct->volumes[j].mount_path))
                                return json_dispatch_error(c, field,
                                                           "mount path '%s' is used twice",
                                                           ct->volumes[i].mount_path);
                }
        for (size_t i = 0; i < ct->n_volumes; i++)
                if (streq(ct->volumes[i].mount_path, "/")) {
                        _cleanup_free_ char *field =
                                strprintf("targets[%zu].container.volumes[%zu].mount-path", ti, i);
                        return field ? json_dispatch_error(c, field,
                                                           "a volume cannot be mounted on '/'")
                                     : -ENOMEM;
                }
        return 0;
}

static int validate(JsonDispatchContext *c, const Manifest *m) {
        size_t hostfs = 0, boot = 0;
        int r;

        for (size_t i = 0; i < m->n_targets; i++) {
                const ManifestTarget *t = &m->targets[i];
                _cleanup_free_ char *field = strprintf("targets[%zu]", i);

                if (!field)
                        return -ENOMEM;
                for (size_t j = 0; j < i; j++)
                        if (streq(t->name, m->targets[j].name))
                                return json_dispatch_error(
                                        c, field, "target name '%s' is used twice", t->name);
                hostfs += t->type == TARGET_HOSTFS;
                boot += t->type == TARGET_BOOT;
                if (t->type == TARGET_CONTAINER && !t->container)
                        return json_dispatch_error(c, field,
                                                   "a container target needs a 'container' object");
                if (t->type != TARGET_CONTAINER && t->container)
                        return json_dispatch_error(
                                c, field, "only container targets have a 'container' object");
                r = validate_image(c, i, &t->image);
                if (r < 0)
                        return r;
                if (t->container) {
                        r = validate_container(c, i, t->container);
                        if (r < 0)
                                return r;
                }
        }
        if (hostfs != 1)
                return json_dispatch_error(c, "targets",
                                           "expected exactly one hostfs target, found %zu", hostfs);
        if (boot > 1)
                return json_dispatch_error(c, "targets",
                                           "expected at most one boot target, found %zu", boot);
        return 0;
}

/* Parses j against fields into a new Manifest and applies the cross-field rules (unless the
 * images still need resolving, which the spec path does before validating). */
static int dispatch(json_t *j, const JsonField *fields, bool check, Manifest **ret,
                    char **ret_error) {
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_(manifest_freep) Manifest *m = NULL;
        int r;

        c = json_dispatch_context_new();
        m = calloc(1, sizeof *m);
        if (!c || !m)
                return -ENOMEM;
        r = json_dispatch(c, NULL, j, fields, 0, m);
        if (r >= 0 && check)
                r = validate(c, m);
        if (r < 0) {
                if (r == -EBADMSG && ret_error)
                        *ret_error = strdup(json_dispatch_error_message(c));
                return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

int manifest_parse(const char *data, size_t size, Manifest **ret, char **ret_error) {
        _cleanup_json_ json_t *j = NULL;
        int r;

        r = json_parse_strict(data, size, MANIFEST_MAX_SIZE, &j, ret_error);
        if (r < 0)
                return r;
        return dispatch(j, manifest_fields, true, ret, ret_error);
}

/* ---- canonical output ---- */

static json_t *strv_to_json(char **l) {
        json_t *a = json_array();

        for (char **s = l; a && s && *s; s++)
                if (json_array_append_new(a, json_string(*s)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static json_t *image_to_json(const ManifestImage *img) {
        _cleanup_json_ json_t *layers = json_array(), *o = NULL;

        if (!layers)
                return NULL;
        for (size_t i = 0; i < img->n_layers; i++) {
                const ManifestLayer *l = &img->layers[i];
                _cleanup_free_ char *root = hexmem(l->verity.root_hash, SHA256_DIGEST_SIZE);
                _cleanup_free_ char *salt = hexmem(l->verity.salt, l->verity.salt_size);
                if (!root || !salt ||
                    json_array_append_new(
                            layers, json_pack("{s:s, s:I, s:{s:s, s:s, s:I, s:I}}", "digest",
                                              l->digest, "size", (json_int_t) l->size, "verity",
                                              "root-hash", root, "salt", salt, "data-blocks",
                                              (json_int_t) l->verity.data_blocks, "hash-offset",
                                              (json_int_t) l->verity.hash_offset)) < 0)
                        return NULL;
        }
        o = json_pack("{s:s, s:I, s:O}", "digest", img->digest, "size", (json_int_t) img->size,
                      "layers", layers);
        if (o && img->reference &&
            json_object_set_new(o, "reference", json_string(img->reference)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static json_t *container_to_json(const ManifestContainer *ct) {
        _cleanup_json_ json_t *volumes = json_array(), *command = strv_to_json(ct->command),
                              *args = strv_to_json(ct->args), *env = strv_to_json(ct->env);

        if (!volumes || !command || !args || !env)
                return NULL;
        for (size_t i = 0; i < ct->n_volumes; i++) {
                const ManifestVolume *v = &ct->volumes[i];
                if (json_array_append_new(volumes, json_pack("{s:s, s:s, s:b, s:I}", "label",
                                                             v->label, "mount-path", v->mount_path,
                                                             "persistent", v->persistent, "size",
                                                             (json_int_t) v->size)) < 0)
                        return NULL;
        }
        return json_pack("{s:O, s:O, s:O, s:s, s:s, s:s, s:O, s:s}", "command", command, "args",
                         args, "env", env, "working-dir", ct->working_dir, "userns-group",
                         ct->userns_group, "network", network_mode_to_string(ct->network),
                         "volumes", volumes, "restart", restart_policy_to_string(ct->restart));
}

int manifest_to_json(const Manifest *m, json_t **ret) {
        _cleanup_json_ json_t *targets = json_array(), *o = NULL;
        char product[UUID_STRING_MAX];

        if (!targets)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_targets; i++) {
                const ManifestTarget *t = &m->targets[i];
                json_t *image = image_to_json(&t->image), *e;

                if (!image)
                        return -ENOMEM;
                e = json_pack("{s:s, s:s, s:o}", "name", t->name, "type",
                              target_type_to_string(t->type), "image", image);
                if (!e)
                        return -ENOMEM;
                if (t->container &&
                    json_object_set_new(e, "container", container_to_json(t->container)) < 0) {
                        json_decref(e);
                        return -ENOMEM;
                }
                if (json_array_append_new(targets, e) < 0)
                        return -ENOMEM;
        }
        o = json_pack("{s:i, s:s, s:I, s:s, s:s, s:O}", "format", MANIFEST_FORMAT, "product",
                      uuid_to_string(m->product, product), "release", (json_int_t) m->release,
                      "version", m->version, "created", m->created, "targets", targets);
        if (!o)
                return -ENOMEM;
        if (m->data_size || m->store_size) {
                json_t *s = json_object();
                if (!s || json_object_set_new(o, "storage", s) < 0)
                        return -ENOMEM;
                if (m->data_size &&
                    json_object_set_new(s, "data-size", json_integer((json_int_t) m->data_size)) <
                            0)
                        return -ENOMEM;
                if (m->store_size &&
                    json_object_set_new(s, "store-size", json_integer((json_int_t) m->store_size)) <
                            0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

int manifest_format(const Manifest *m, char **ret, size_t *ret_size) {
        _cleanup_json_ json_t *j = NULL;
        int r;

        r = manifest_to_json(m, &j);
        if (r < 0)
                return r;
        return json_dump_canonical(j, ret, ret_size);
}

/* ---- for manifest-build.c ---- */

int manifest_parse_spec(json_t *spec, Manifest **ret, char **ret_error) {
        return dispatch(spec, spec_fields, false, ret, ret_error);
}

int manifest_validate(const Manifest *m, char **ret_error) {
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = json_dispatch_context_new();
        int r;

        if (!c)
                return -ENOMEM;
        r = validate(c, m);
        if (r == -EBADMSG && ret_error)
                *ret_error = strdup(json_dispatch_error_message(c));
        return r;
}

void manifest_image_done(ManifestImage *i) {
        image_done(i);
}

/* ---- verification ---- */

int manifest_verify(const char *data, size_t size, const void *sig, size_t sig_size,
                    const ManifestVerifyOptions *o, Manifest **ret, char **ret_error) {
        _cleanup_(crypto_cert_freep) CryptoCert *signer = NULL;
        _cleanup_(manifest_freep) Manifest *m = NULL;
        _cleanup_free_ char *err = NULL, *subject = NULL;
        char a[UUID_STRING_MAX], b[UUID_STRING_MAX];
        uint8_t signer_product[UUID_SIZE];
        int r;

        if (!o || !o->ca)
                return -EINVAL;

        /* 1. Size, before anything looks at the content. */
        if (size > MANIFEST_MAX_SIZE)
                return error_replace(ret_error, -EFBIG,
                                     "manifest is %zu bytes, above the limit of %u", size,
                                     MANIFEST_MAX_SIZE);
        if (size == 0)
                return error_replace(ret_error, -EBADMSG, "manifest is empty");

        /* 2. The signature over exactly these bytes. */
        r = crypto_cms_verify_detached(sig, sig_size, data, size, &signer, &err);
        if (r < 0)
                return error_replace(ret_error, r, "%s", strempty(err));

        /* 3. The signer: issued by the CA (and only it), in its validity period, a manifest
         * signing certificate (not a device identity, not a CA, not a UEFI key). */
        (void) crypto_cert_subject(signer, &subject);
        r = crypto_cert_verify_issued(signer, o->ca, o->now, &err);
        if (r < 0)
                return error_replace(ret_error, r, "signer: %s", strempty(err));
        r = crypto_cert_check_profile(signer, CERT_PROFILE_MANIFEST_SIGNER, &err);
        if (r < 0)
                return error_replace(ret_error, r, "signer certificate '%s' is %s",
                                     strempty(subject), strempty(err));
        r = crypto_cert_product_uuid(signer, signer_product);
        if (r < 0) /* checked by the profile already */
                return error_replace(ret_error, -EKEYREJECTED, "signer certificate has no product");

        /* 4. Only now the content, strictly. */
        r = manifest_parse(data, size, &m, &err);
        if (r < 0)
                return error_replace(ret_error, r, "malformed manifest: %s", strempty(err));

        /* 5. One product: the signer's, the manifest's, the one asked for. */
        if (memcmp(m->product, signer_product, UUID_SIZE) != 0)
                return error_replace(ret_error, -EKEYREJECTED,
                                     "manifest is for product %s but its signer certificate is for "
                                     "product %s",
                                     uuid_to_string(m->product, a),
                                     uuid_to_string(signer_product, b));
        if (o->product && memcmp(m->product, o->product, UUID_SIZE) != 0)
                return error_replace(ret_error, -EKEYREJECTED,
                                     "manifest is for product %s, expected product %s",
                                     uuid_to_string(m->product, a), uuid_to_string(o->product, b));

        /* 6. No rollback. */
        if (m->release < o->min_release)
                return error_replace(ret_error, -ESTALE,
                                     "manifest release %" PRIu64
                                     " is below the minimum release %" PRIu64,
                                     m->release, o->min_release);
        if (ret)
                *ret = TAKE_PTR(m);
        return 0;
}
