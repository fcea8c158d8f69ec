/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "oci-image.h"
#include "parse-util.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "verity.h"

/* ---- grammar ---- */

static bool char_is_restricted_name(char c, bool first) {
        if (isascii(c) && isalnum(c))
                return true;
        return !first && c != '\0' && strchr("!#$&-^_.+", c);
}

/* RFC 6838 section 4.2: restricted-name "/" restricted-name, each 1..127 characters. */
bool oci_media_type_is_valid(const char *s) {
        const char *slash;
        size_t a, b;

        if (!s)
                return false;
        slash = strchr(s, '/');
        if (!slash)
                return false;
        a = (size_t) (slash - s);
        b = strlen(slash + 1);
        if (a == 0 || a > 127 || b == 0 || b > 127)
                return false;
        for (size_t i = 0; i < a; i++)
                if (!char_is_restricted_name(s[i], i == 0))
                        return false;
        for (size_t i = 0; i < b; i++)
                if (!char_is_restricted_name(slash[1 + i], i == 0))
                        return false;
        return true;
}

bool oci_media_type_is_manifest(const char *s) {
        return s && STR_IN_SET(s, OCI_MEDIA_TYPE_MANIFEST, DOCKER_MEDIA_TYPE_MANIFEST);
}

bool oci_media_type_is_index(const char *s) {
        return s && STR_IN_SET(s, OCI_MEDIA_TYPE_INDEX, DOCKER_MEDIA_TYPE_MANIFEST_LIST);
}

static bool char_is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool name_component_is_valid(const char *s, size_t n) {
        size_t i = 0;

        for (;;) {
                size_t start = i;
                while (i < n && char_is_lower_alnum(s[i]))
                        i++;
                if (i == start)
                        return false;
                if (i == n)
                        return true;
                if (s[i] == '.')
                        i++;
                else if (s[i] == '_')
                        i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
                else if (s[i] == '-')
                        while (i < n && s[i] == '-')
                                i++;
                else
                        return false;
        }
}

bool oci_name_is_valid(const char *s) {
        if (isempty(s) || strlen(s) > 255)
                return false;
        for (const char *c = s;;) {
                size_t n = strcspn(c, "/");
                if (!name_component_is_valid(c, n))
                        return false;
                if (c[n] == '\0')
                        return true;
                c += n + 1;
        }
}

bool oci_tag_is_valid(const char *s) {
        size_t n;

        if (isempty(s))
                return false;
        n = strlen(s);
        if (n > 128)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool ok =
                        (isascii(c) && isalnum(c)) || c == '_' || (i > 0 && (c == '.' || c == '-'));
                if (!ok)
                        return false;
        }
        return true;
}

int oci_reference_split(const char *ref, char **ret_name, char **ret_tag) {
        _cleanup_free_ char *name = NULL, *tag = NULL;
        const char *colon;

        if (!ref)
                return -EINVAL;
        colon = strrchr(ref, ':');
        if (!colon || strchr(colon, '/'))
                return -EINVAL;
        name = strndup(ref, (size_t) (colon - ref));
        tag = strdup(colon + 1);
        if (!name || !tag)
                return -ENOMEM;
        if (!oci_name_is_valid(name) || !oci_tag_is_valid(tag))
                return -EINVAL;
        *ret_name = TAKE_PTR(name);
        *ret_tag = TAKE_PTR(tag);
        return 0;
}

/* ---- freeing ---- */

static void platform_done(OciPlatform *p) {
        free(p->architecture);
        free(p->os);
        free(p->variant);
        *p = (OciPlatform){};
}

void oci_descriptor_done(OciDescriptor *d) {
        free(d->media_type);
        free(d->artifact_type);
        json_decref(d->annotations);
        platform_done(&d->platform);
        *d = (OciDescriptor){};
}

static void descriptors_free(OciDescriptor *d, size_t n) {
        for (size_t i = 0; i < n; i++)
                oci_descriptor_done(&d[i]);
        free(d);
}

OciManifest *oci_manifest_free(OciManifest *m) {
        if (!m)
                return NULL;
        free(m->media_type);
        free(m->artifact_type);
        oci_descriptor_done(&m->config);
        descriptors_free(m->layers, m->n_layers);
        json_decref(m->annotations);
        free(m);
        return NULL;
}

OciIndex *oci_index_free(OciIndex *i) {
        if (!i)
                return NULL;
        free(i->media_type);
        descriptors_free(i->manifests, i->n_manifests);
        json_decref(i->annotations);
        free(i);
        return NULL;
}

OciImageConfig *oci_image_config_free(OciImageConfig *c) {
        if (!c)
                return NULL;
        free(c->architecture);
        free(c->os);
        free(c->variant);
        free(c->created);
        json_decref(c->config);
        free(c->diff_ids);
        free(c);
        return NULL;
}

/* ---- field parsers ---- */

static char *child_path(JsonDispatchContext *c, const char *name) {
        const char *p = json_dispatch_path(c);
        return p ? strjoin(p, ".", name) : strdup(name);
}

static int parse_media_type(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        int r = json_parse_field_string(c, name, v, dest);
        if (r < 0)
                return r;
        if (!oci_media_type_is_valid(*(char **) dest))
                return json_dispatch_error(c, name, "'%s' is not a media type", *(char **) dest);
        return 0;
}

static int parse_digest(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        const char *s = json_string_value(v);
        int r;

        if (!s || strlen(s) != json_string_length(v))
                return json_dispatch_error(c, name, "expected a string");
        r = digest_parse(s, dest);
        if (r == -EOPNOTSUPP)
                return json_dispatch_error(c, name,
                                           "unsupported digest algorithm in '%s' (sha256 only)", s);
        if (r < 0)
                return json_dispatch_error(c, name, "'%s' is not a valid digest", s);
        return 0;
}

static int parse_schema_version(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (!json_is_integer(v) || json_integer_value(v) != 2)
                return json_dispatch_error(c, name, "must be 2");
        return 0;
}

static int parse_string_map(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        json_t **ret = dest, *m;
        const char *key;

        if (!json_is_object(v))
                return json_dispatch_error(c, name, "expected an object of strings");
        json_object_foreach(
                v, key,
                m) if (!json_is_string(m) ||
                       strlen(json_string_value(m)) !=
                               json_string_length(m)) return json_dispatch_error(c, name,
                                                                                 "value of '%s' is "
                                                                                 "not a string",
                                                                                 key);
        json_decref(*ret);
        *ret = json_incref(v);
        return 0;
}

static int parse_ignored(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        return 0;
}

static int parse_platform(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        static const JsonField fields[] = {
                { "architecture", JSON_STRING, json_parse_field_string,
                  offsetof(OciPlatform, architecture), JSON_MANDATORY },
                { "os", JSON_STRING, json_parse_field_string, offsetof(OciPlatform, os),
                  JSON_MANDATORY },
                { "variant", JSON_STRING, json_parse_field_string, offsetof(OciPlatform, variant),
                  0 },
                { "os.version", JSON_STRING, parse_ignored, 0, 0 },
                { "os.features", JSON_ARRAY, parse_ignored, 0, 0 },
                { "features", JSON_ARRAY, parse_ignored, 0, 0 },
                {},
        };
        _cleanup_free_ char *path = child_path(c, name);
        OciDescriptor *d = (OciDescriptor *) ((uint8_t *) dest - offsetof(OciDescriptor, platform));
        int r;

        if (!path)
                return -ENOMEM;
        r = json_dispatch(c, path, v, fields, JSON_ALLOW_UNKNOWN, dest);
        if (r >= 0)
                d->has_platform = true;
        return r;
}

static const JsonField descriptor_fields[] = {
        { "mediaType", JSON_STRING, parse_media_type, offsetof(OciDescriptor, media_type),
          JSON_MANDATORY },
        { "digest", JSON_STRING, parse_digest, offsetof(OciDescriptor, digest), JSON_MANDATORY },
        { "size", JSON_INTEGER, json_parse_field_uint64, offsetof(OciDescriptor, size),
          JSON_MANDATORY },
        { "urls", JSON_ARRAY, parse_ignored, 0, 0 },
        { "annotations", JSON_OBJECT, parse_string_map, offsetof(OciDescriptor, annotations), 0 },
        { "data", JSON_STRING, parse_ignored, 0, 0 },
        { "artifactType", JSON_STRING, parse_media_type, offsetof(OciDescriptor, artifact_type),
          0 },
        { "platform", JSON_OBJECT, parse_platform, offsetof(OciDescriptor, platform), 0 },
        {},
};

static int parse_descriptor(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        _cleanup_free_ char *path = child_path(c, name);

        if (!path)
                return -ENOMEM;
        oci_descriptor_done(dest);
        return json_dispatch(c, path, v, descriptor_fields, JSON_ALLOW_UNKNOWN, dest);
}

typedef struct DescriptorArray {
        OciDescriptor *d;
        size_t n;
} DescriptorArray;

static int parse_descriptor_array(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        DescriptorArray *a = dest;
        _cleanup_free_ char *base = child_path(c, name);
        json_t *e;
        size_t i;

        if (!base)
                return -ENOMEM;
        if (json_array_size(v) > OCI_LAYERS_MAX)
                return json_dispatch_error(c, name, "more than %u entries", OCI_LAYERS_MAX);
        descriptors_free(a->d, a->n);
        a->n = 0;
        a->d = calloc(json_array_size(v) + 1, sizeof *a->d);
        if (!a->d)
                return -ENOMEM;
        json_array_foreach(v, i, e) {
                _cleanup_free_ char *path = strprintf("%s[%zu]", base, i);
                int r;
                if (!path)
                        return -ENOMEM;
                a->n++;
                r = json_dispatch(c, path, e, descriptor_fields, JSON_ALLOW_UNKNOWN, &a->d[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_document(const char *data, size_t size, size_t max, const JsonField *fields,
                          void *userdata, char **ret_error) {
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_json_ json_t *j = NULL;
        int r;

        r = json_parse_strict(data, size, max, &j, ret_error);
        if (r < 0)
                return r;
        c = json_dispatch_context_new();
        if (!c)
                return -ENOMEM;
        r = json_dispatch(c, NULL, j, fields, JSON_ALLOW_UNKNOWN, userdata);
        if (r == -EBADMSG && ret_error)
                *ret_error = strdup(json_dispatch_error_message(c));
        return r;
}

static int error_message(char **ret_error, const char *msg) {
        if (ret_error)
                *ret_error = strdup(msg);
        return -EBADMSG;
}

/* ---- manifest (manifest.md) ---- */

/* The parsed document; m comes first, so a pointer to it is the allocation (freed by
 * oci_manifest_free()). */
typedef struct ManifestDoc {
        OciManifest m;
        DescriptorArray layers;
} ManifestDoc;

int oci_manifest_parse(const char *data, size_t size, OciManifest **ret, char **ret_error) {
        static const JsonField fields[] = {
                { "schemaVersion", JSON_INTEGER, parse_schema_version, 0, JSON_MANDATORY },
                { "mediaType", JSON_STRING, parse_media_type, offsetof(OciManifest, media_type),
                  0 },
                { "artifactType", JSON_STRING, parse_media_type,
                  offsetof(OciManifest, artifact_type), 0 },
                { "config", JSON_OBJECT, parse_descriptor, offsetof(OciManifest, config),
                  JSON_MANDATORY },
                { "layers", JSON_ARRAY, parse_descriptor_array, offsetof(ManifestDoc, layers),
                  JSON_MANDATORY },
                { "subject", JSON_OBJECT, parse_ignored, 0, 0 },
                { "annotations", JSON_OBJECT, parse_string_map, offsetof(OciManifest, annotations),
                  0 },
                {},
        };
        _cleanup_(oci_manifest_freep) OciManifest *m = NULL;
        ManifestDoc *d;
        int r;

        d = calloc(1, sizeof *d);
        if (!d)
                return -ENOMEM;
        m = &d->m;
        r = parse_document(data, size, OCI_MANIFEST_SIZE_MAX, fields, d, ret_error);
        m->layers = TAKE_PTR(d->layers.d);
        m->n_layers = d->layers.n;
        if (r < 0)
                return r;
        if (m->media_type && !oci_media_type_is_manifest(m->media_type))
                return error_message(ret_error, "field 'mediaType': not an image manifest");
        *ret = TAKE_PTR(m);
        return 0;
}

/* ---- index (image-index.md) ---- */

typedef struct IndexDoc {
        OciIndex i; /* first: see ManifestDoc */
        DescriptorArray manifests;
} IndexDoc;

int oci_index_parse(const char *data, size_t size, OciIndex **ret, char **ret_error) {
        static const JsonField fields[] = {
                { "schemaVersion", JSON_INTEGER, parse_schema_version, 0, JSON_MANDATORY },
                { "mediaType", JSON_STRING, parse_media_type, offsetof(OciIndex, media_type), 0 },
                { "artifactType", JSON_STRING, parse_ignored, 0, 0 },
                { "manifests", JSON_ARRAY, parse_descriptor_array, offsetof(IndexDoc, manifests),
                  JSON_MANDATORY },
                { "subject", JSON_OBJECT, parse_ignored, 0, 0 },
                { "annotations", JSON_OBJECT, parse_string_map, offsetof(OciIndex, annotations),
                  0 },
                {},
        };
        _cleanup_(oci_index_freep) OciIndex *i = NULL;
        IndexDoc *d;
        int r;

        d = calloc(1, sizeof *d);
        if (!d)
                return -ENOMEM;
        i = &d->i;
        r = parse_document(data, size, OCI_INDEX_SIZE_MAX, fields, d, ret_error);
        i->manifests = TAKE_PTR(d->manifests.d);
        i->n_manifests = d->manifests.n;
        if (r < 0)
                return r;
        if (i->media_type && !oci_media_type_is_index(i->media_type))
                return error_message(ret_error, "field 'mediaType': not an image index");
        *ret = TAKE_PTR(i);
        return 0;
}

/* ---- image configuration (config.md) ---- */

/* The execution parameters kept from a source image, in a new object. null counts as absent
 * (Docker writes "Cmd": null). */
static int parse_exec_config(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        static const struct {
                const char *key;
                json_type type;
                bool strings; /* array or object whose members are strings */
        } keep[] = {
                { "User", JSON_STRING, false },       { "ExposedPorts", JSON_OBJECT, false },
                { "Env", JSON_ARRAY, true },          { "Entrypoint", JSON_ARRAY, true },
                { "Cmd", JSON_ARRAY, true },          { "Volumes", JSON_OBJECT, false },
                { "WorkingDir", JSON_STRING, false }, { "Labels", JSON_OBJECT, true },
                { "StopSignal", JSON_STRING, false },
        };
        _cleanup_json_ json_t *out = NULL;
        _cleanup_free_ char *path = child_path(c, name);
        json_t **ret = dest;

        if (!path)
                return -ENOMEM;
        if (json_is_null(v))
                return 0;
        if (!json_is_object(v))
                return json_dispatch_error(c, name, "expected an object");
        out = json_object();
        if (!out)
                return -ENOMEM;
        for (size_t k = 0; k < ELEMENTSOF(keep); k++) {
                json_t *m = json_object_get(v, keep[k].key), *e;
                const char *key;
                size_t i;

                if (!m || json_is_null(m))
                        continue;
                if (json_typeof(m) != keep[k].type)
                        return json_dispatch_error(c, NULL, "field '%s.%s' has the wrong type",
                                                   path, keep[k].key);
                if (json_is_string(m) && strlen(json_string_value(m)) != json_string_length(m))
                        return json_dispatch_error(c, NULL, "field '%s.%s' contains a NUL", path,
                                                   keep[k].key);
                if (keep[k].strings && json_is_array(m))
                        json_array_foreach(m, i, e) {
                                if (!json_is_string(e) ||
                                    strlen(json_string_value(e)) != json_string_length(e))
                                        return json_dispatch_error(
                                                c, NULL, "field '%s.%s[%zu]' is not a string", path,
                                                keep[k].key, i);
                                if (streq(keep[k].key, "Env") && !strchr(json_string_value(e), '='))
                                        return json_dispatch_error(
                                                c, NULL, "field '%s.Env[%zu]' is not VAR=VALUE",
                                                path, i);
                        }
                if (keep[k].strings && json_is_object(m))
                        json_object_foreach(m, key, e) if (
                                !json_is_string(e) ||
                                strlen(json_string_value(e)) !=
                                        json_string_length(
                                                e)) return json_dispatch_error(c, NULL,
                                                                               "field '%s.%s.%s' "
                                                                               "is not a string",
                                                                               path, keep[k].key,
                                                                               key);
                if (json_object_set(out, keep[k].key, m) < 0)
                        return -ENOMEM;
        }
        json_decref(*ret);
        *ret = TAKE_PTR(out);
        return 0;
}

typedef struct RootFs {
        char *type;
        json_t *diff_ids;
} RootFs;

static int parse_json_array(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        json_t **ret = dest;
        json_decref(*ret);
        *ret = json_incref(v);
        return 0;
}

static int parse_rootfs(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        static const JsonField fields[] = {
                { "type", JSON_STRING, json_parse_field_string, offsetof(RootFs, type),
                  JSON_MANDATORY },
                { "diff_ids", JSON_ARRAY, parse_json_array, offsetof(RootFs, diff_ids),
                  JSON_MANDATORY },
                {},
        };
        _cleanup_free_ char *path = child_path(c, name);
        RootFs *rootfs = dest;
        int r;

        if (!path)
                return -ENOMEM;
        r = json_dispatch(c, path, v, fields, JSON_ALLOW_UNKNOWN, dest);
        if (r < 0)
                return r;
        if (!streq(rootfs->type, "layers"))
                return json_dispatch_error(c, NULL, "field '%s.type' must be \"layers\"", path);
        return 0;
}

typedef struct ConfigDoc {
        OciImageConfig c; /* first: see ManifestDoc */
        RootFs rootfs;
} ConfigDoc;

static int config_diff_ids(ConfigDoc *d, char **ret_error) {
        OciImageConfig *c = &d->c;
        size_t n = json_array_size(d->rootfs.diff_ids), i;
        json_t *e;

        if (n > OCI_LAYERS_MAX)
                return error_message(ret_error, "field 'rootfs.diff_ids': too many layers");
        c->diff_ids = calloc(n + 1, sizeof *c->diff_ids);
        if (!c->diff_ids)
                return -ENOMEM;
        json_array_foreach(d->rootfs.diff_ids, i, e) {
                if (!json_is_string(e) || digest_parse(json_string_value(e), &c->diff_ids[i]) < 0) {
                        _cleanup_free_ char *m =
                                strprintf("field 'rootfs.diff_ids[%zu]': not a sha256 digest", i);
                        return error_message(ret_error, m ?: "field 'rootfs.diff_ids'");
                }
                c->n_diff_ids++;
        }
        return 0;
}

int oci_image_config_parse(const char *data, size_t size, OciImageConfig **ret, char **ret_error) {
        static const JsonField fields[] = {
                { "architecture", JSON_STRING, json_parse_field_string,
                  offsetof(OciImageConfig, architecture), JSON_MANDATORY },
                { "os", JSON_STRING, json_parse_field_string, offsetof(OciImageConfig, os),
                  JSON_MANDATORY },
                { "variant", JSON_STRING, json_parse_field_string,
                  offsetof(OciImageConfig, variant), 0 },
                { "created", JSON_STRING, json_parse_field_string,
                  offsetof(OciImageConfig, created), 0 },
                { "author", JSON_STRING, parse_ignored, 0, 0 },
                { "config", JSON_NULL, parse_exec_config, offsetof(OciImageConfig, config), 0 },
                { "rootfs", JSON_OBJECT, parse_rootfs, offsetof(ConfigDoc, rootfs),
                  JSON_MANDATORY },
                { "history", JSON_ARRAY, parse_ignored, 0, 0 },
                {},
        };
        _cleanup_(oci_image_config_freep) OciImageConfig *c = NULL;
        ConfigDoc *d;
        int r;

        d = calloc(1, sizeof *d);
        if (!d)
                return -ENOMEM;
        c = &d->c;
        r = parse_document(data, size, OCI_CONFIG_SIZE_MAX, fields, d, ret_error);
        if (r >= 0)
                r = config_diff_ids(d, ret_error);
        free(d->rootfs.type);
        json_decref(d->rootfs.diff_ids);
        d->rootfs = (RootFs){};
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

/* ---- writing ---- */

static int set_string(json_t *o, const char *key, const char *value) {
        return json_object_set_new(o, key, json_string(value)) < 0 ? -ENOMEM : 0;
}

static json_t *descriptor_to_json(const OciDescriptor *d) {
        _cleanup_json_ json_t *o = json_object();
        char digest[DIGEST_STRING_MAX];

        if (!o || set_string(o, "mediaType", d->media_type) < 0 ||
            set_string(o, "digest", digest_format(&d->digest, digest)) < 0 ||
            json_object_set_new(o, "size", json_integer((json_int_t) d->size)) < 0)
                return NULL;
        if (d->annotations && json_object_size(d->annotations) > 0 &&
            json_object_set(o, "annotations", d->annotations) < 0)
                return NULL;
        if (d->artifact_type && set_string(o, "artifactType", d->artifact_type) < 0)
                return NULL;
        if (d->has_platform) {
                json_t *p = json_object();
                if (!p || json_object_set_new(o, "platform", p) < 0 ||
                    set_string(p, "architecture", d->platform.architecture) < 0 ||
                    set_string(p, "os", d->platform.os) < 0 ||
                    (d->platform.variant && set_string(p, "variant", d->platform.variant) < 0))
                        return NULL;
        }
        return TAKE_PTR(o);
}

static json_t *descriptors_to_json(const OciDescriptor *d, size_t n) {
        _cleanup_json_ json_t *a = json_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (json_array_append_new(a, descriptor_to_json(&d[i])) < 0)
                        return NULL;
        return TAKE_PTR(a);
}

int oci_manifest_format(const OciManifest *m, char **ret, size_t *ret_size) {
        _cleanup_json_ json_t *o = json_object();

        if (!o || json_object_set_new(o, "schemaVersion", json_integer(2)) < 0 ||
            set_string(o, "mediaType", m->media_type ?: OCI_MEDIA_TYPE_MANIFEST) < 0 ||
            json_object_set_new(o, "config", descriptor_to_json(&m->config)) < 0 ||
            json_object_set_new(o, "layers", descriptors_to_json(m->layers, m->n_layers)) < 0)
                return -ENOMEM;
        if (m->artifact_type && set_string(o, "artifactType", m->artifact_type) < 0)
                return -ENOMEM;
        if (m->annotations && json_object_size(m->annotations) > 0 &&
            json_object_set(o, "annotations", m->annotations) < 0)
                return -ENOMEM;
        return json_dump_canonical(o, ret, ret_size);
}

int oci_index_format(const OciIndex *i, char **ret, size_t *ret_size) {
        _cleanup_json_ json_t *o = json_object();

        if (!o || json_object_set_new(o, "schemaVersion", json_integer(2)) < 0 ||
            set_string(o, "mediaType", i->media_type ?: OCI_MEDIA_TYPE_INDEX) < 0 ||
            json_object_set_new(o, "manifests", descriptors_to_json(i->manifests, i->n_manifests)) <
                    0)
                return -ENOMEM;
        if (i->annotations && json_object_size(i->annotations) > 0 &&
            json_object_set(o, "annotations", i->annotations) < 0)
                return -ENOMEM;
        return json_dump_canonical(o, ret, ret_size);
}

int oci_image_config_format(const OciImageConfig *c, char **ret, size_t *ret_size) {
        _cleanup_json_ json_t *o = json_object(), *rootfs = json_object(), *ids = json_array();
        char digest[DIGEST_STRING_MAX];

        if (!o || !rootfs || !ids)
                return -ENOMEM;
        if (set_string(o, "architecture", c->architecture) < 0 || set_string(o, "os", c->os) < 0)
                return -ENOMEM;
        if (c->variant && set_string(o, "variant", c->variant) < 0)
                return -ENOMEM;
        if (c->created && set_string(o, "created", c->created) < 0)
                return -ENOMEM;
        if (c->config ? json_object_set(o, "config", c->config) < 0
                      : json_object_set_new(o, "config", json_object()) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_diff_ids; i++)
                if (json_array_append_new(ids,
                                          json_string(digest_format(&c->diff_ids[i], digest))) < 0)
                        return -ENOMEM;
        if (set_string(rootfs, "type", "layers") < 0 ||
            json_object_set(rootfs, "diff_ids", ids) < 0 ||
            json_object_set(o, "rootfs", rootfs) < 0)
                return -ENOMEM;
        return json_dump_canonical(o, ret, ret_size);
}

/* ---- MachineOS layer annotations (docs/image-format.md) ---- */

static const char *annotation(const OciDescriptor *d, const char *key) {
        json_t *v = d->annotations ? json_object_get(d->annotations, key) : NULL;
        return v ? json_string_value(v) : NULL;
}

int mos_layer_verity_from_descriptor(const OciDescriptor *d, MosLayerVerity *ret,
                                     char **ret_error) {
        const char *root = annotation(d, MOS_ANNOTATION_VERITY_ROOT_HASH),
                   *salt = annotation(d, MOS_ANNOTATION_VERITY_SALT),
                   *blocks = annotation(d, MOS_ANNOTATION_VERITY_DATA_BLOCKS),
                   *offset = annotation(d, MOS_ANNOTATION_VERITY_HASH_OFFSET);
        MosLayerVerity v = {};
        uint64_t area;
        const char *e = NULL;

        if (!streq_ptr(d->media_type, MOS_MEDIA_TYPE_LAYER))
                e = "media type is not " MOS_MEDIA_TYPE_LAYER;
        else if (!root || strlen(root) != 64 || !string_is_lower_hex(root, 64) ||
                 unhexmem_fixed(root, v.root_hash, 32) < 0)
                e = "annotation " MOS_ANNOTATION_VERITY_ROOT_HASH
                    " is not 64 lower-case hex digits";
        else if (!salt || strlen(salt) > 2 * sizeof v.salt || strlen(salt) % 2 != 0 ||
                 !string_is_lower_hex(salt, strlen(salt)))
                e = "annotation " MOS_ANNOTATION_VERITY_SALT
                    " is not at most 256 bytes in lower-case hex";
        else if (!blocks || safe_atou64(blocks, &v.data_blocks) < 0 || v.data_blocks == 0 ||
                 v.data_blocks > UINT64_MAX / VERITY_BLOCK_SIZE)
                e = "annotation " MOS_ANNOTATION_VERITY_DATA_BLOCKS " is not a positive number";
        else if (!offset || safe_atou64(offset, &v.hash_offset) < 0 ||
                 v.hash_offset != v.data_blocks * VERITY_BLOCK_SIZE)
                e = "annotation " MOS_ANNOTATION_VERITY_HASH_OFFSET " is not data-blocks * 4096";
        else if ((area = verity_hash_area_size(v.data_blocks)) == 0 ||
                 v.hash_offset > UINT64_MAX - area || d->size != v.hash_offset + area)
                e = "size is not hash-offset plus the size of the hash area";
        if (e) {
                if (ret_error)
                        *ret_error = strdup(e);
                return -EBADMSG;
        }
        v.salt_size = strlen(salt) / 2;
        if (v.salt_size > 0 && unhexmem_fixed(salt, v.salt, v.salt_size) < 0)
                return -EBADMSG;
        *ret = v;
        return 0;
}

int mos_layer_verity_to_annotations(const MosLayerVerity *v, json_t *annotations) {
        _cleanup_free_ char *root = hexmem(v->root_hash, sizeof v->root_hash),
                            *salt = hexmem(v->salt, v->salt_size),
                            *blocks = strprintf("%llu", (unsigned long long) v->data_blocks),
                            *offset = strprintf("%llu", (unsigned long long) v->hash_offset);

        if (!root || !salt || !blocks || !offset)
                return -ENOMEM;
        if (set_string(annotations, MOS_ANNOTATION_VERITY_ROOT_HASH, root) < 0 ||
            set_string(annotations, MOS_ANNOTATION_VERITY_SALT, salt) < 0 ||
            set_string(annotations, MOS_ANNOTATION_VERITY_DATA_BLOCKS, blocks) < 0 ||
            set_string(annotations, MOS_ANNOTATION_VERITY_HASH_OFFSET, offset) < 0)
                return -ENOMEM;
        return 0;
}

/* ---- docker save manifest.json ---- */

DockerArchiveManifest *docker_archive_manifest_free(DockerArchiveManifest *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_entries; i++) {
                free(m->entries[i].config);
                strv_free(m->entries[i].repo_tags);
                strv_free(m->entries[i].layers);
        }
        free(m->entries);
        free(m);
        return NULL;
}

static int parse_repo_tags(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (json_is_null(v))
                return 0;
        return json_parse_field_strv(c, name, v, dest);
}

int docker_archive_manifest_parse(const char *data, size_t size, DockerArchiveManifest **ret,
                                  char **ret_error) {
        static const JsonField fields[] = {
                { "Config", JSON_STRING, json_parse_field_string,
                  offsetof(DockerArchiveEntry, config), JSON_MANDATORY },
                { "RepoTags", JSON_NULL, parse_repo_tags, offsetof(DockerArchiveEntry, repo_tags),
                  0 },
                { "Layers", JSON_ARRAY, json_parse_field_strv, offsetof(DockerArchiveEntry, layers),
                  JSON_MANDATORY },
                {},
        };
        _cleanup_(docker_archive_manifest_freep) DockerArchiveManifest *m = NULL;
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_json_ json_t *j = NULL;
        _cleanup_free_ char *wrapped = NULL;
        json_t *array, *e;
        size_t i;
        int r;

        if (size > DOCKER_ARCHIVE_MANIFEST_SIZE_MAX) {
                if (ret_error)
                        *ret_error = strprintf("manifest.json is larger than %u bytes",
                                               DOCKER_ARCHIVE_MANIFEST_SIZE_MAX);
                return -EFBIG;
        }
        if (memchr(data, '\0', size))
                return error_message(ret_error, "manifest.json contains a NUL byte");
        /* json_parse_strict() takes objects only: wrap the array as the only member of one. A
         * document that tries to close the wrapper early ends up with a second member (or a
         * duplicate key, or trailing data), which is refused below. */
        wrapped = strprintf("{\"m\":%.*s}", (int) size, data);
        if (!wrapped)
                return -ENOMEM;
        r = json_parse_strict(wrapped, strlen(wrapped), DOCKER_ARCHIVE_MANIFEST_SIZE_MAX + 16, &j,
                              ret_error);
        if (r < 0)
                return r;
        array = json_object_get(j, "m");
        if (json_object_size(j) != 1 || !json_is_array(array))
                return error_message(ret_error, "manifest.json is not an array");
        if (json_array_size(array) == 0 || json_array_size(array) > OCI_LAYERS_MAX)
                return error_message(ret_error, "manifest.json lists no image or too many");

        m = calloc(1, sizeof *m);
        c = json_dispatch_context_new();
        if (!m || !c)
                return -ENOMEM;
        m->entries = calloc(json_array_size(array), sizeof *m->entries);
        if (!m->entries)
                return -ENOMEM;
        json_array_foreach(array, i, e) {
                _cleanup_free_ char *path = strprintf("[%zu]", i);
                DockerArchiveEntry *d = &m->entries[i];
                if (!path)
                        return -ENOMEM;
                m->n_entries++;
                r = json_dispatch(c, path, e, fields, JSON_ALLOW_UNKNOWN, d);
                if (r < 0) {
                        if (r == -EBADMSG && ret_error)
                                *ret_error = strdup(json_dispatch_error_message(c));
                        return r;
                }
                if (strv_length(d->layers) == 0 || strv_length(d->layers) > OCI_LAYERS_MAX)
                        return error_message(
                                ret_error,
                                "manifest.json: an image without layers or with too many");
                for (char **l = d->layers; *l; l++)
                        if (!path_is_safe_relative(*l))
                                return error_message(
                                        ret_error,
                                        "manifest.json: a layer name is not a relative path");
                if (!path_is_safe_relative(d->config))
                        return error_message(
                                ret_error, "manifest.json: the config name is not a relative path");
        }
        *ret = TAKE_PTR(m);
        return 0;
}
