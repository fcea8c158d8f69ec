/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "service-config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "userns.h"

void service_config_done(ServiceConfig *c) {
        container_spec_done(&c->spec);
        c->userns_group = mfree(c->userns_group);
}

void service_config_free_many(ServiceConfig *c, size_t n) {
        for (size_t i = 0; c && i < n; i++)
                service_config_done(&c[i]);
        free(c);
}

static int parse_id(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        json_int_t i = json_integer_value(v);

        if (i < 0 || i >= (json_int_t) USERNS_RANGE_SIZE)
                return json_dispatch_error(c, name, "expected 0..%u", USERNS_RANGE_SIZE - 1);
        *(uint32_t *) dest = (uint32_t) i;
        return 0;
}

static int parse_network(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (container_network_from_string(json_string_value(v), dest) < 0)
                return json_dispatch_error(c, name, "expected \"none\" or \"host\"");
        return 0;
}

static int parse_restart(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (restart_policy_from_string(json_string_value(v), dest) < 0)
                return json_dispatch_error(c, name,
                                           "expected \"no\", \"on-failure\" or \"always\"");
        return 0;
}

static int parse_group(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (!userns_group_name_is_valid(json_string_value(v)) ||
            strlen(json_string_value(v)) != json_string_length(v))
                return json_dispatch_error(c, name,
                                           "expected 1..64 characters of [A-Za-z0-9_.-], "
                                           "starting with a letter or digit");
        return json_parse_field_string(c, name, v, dest);
}

static int parse_volumes(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        static const JsonField fields[] = {
                { "source", JSON_STRING, json_parse_field_string, offsetof(ContainerVolume, source),
                  0 },
                { "size", JSON_INTEGER, json_parse_field_uint64, offsetof(ContainerVolume, size),
                  0 },
                { "destination", JSON_STRING, json_parse_field_string,
                  offsetof(ContainerVolume, destination), JSON_MANDATORY },
                { "read_only", JSON_TRUE, json_parse_field_bool,
                  offsetof(ContainerVolume, read_only), 0 },
                {},
        };
        ContainerSpec *spec = dest;
        size_t i, n = json_array_size(v);
        json_t *e;

        spec->volumes = calloc(n ?: 1, sizeof(ContainerVolume));
        if (!spec->volumes)
                return -ENOMEM;
        json_array_foreach(v, i, e) {
                _cleanup_free_ char *path =
                        strprintf("%s.%s[%zu]", strempty(json_dispatch_path(c)), name, i);
                int r;

                if (!path)
                        return -ENOMEM;
                spec->n_volumes++;
                r = json_dispatch(c, path, e, fields, 0, &spec->volumes[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_services(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        static const JsonField fields[] = {
                { "name", JSON_STRING, json_parse_field_string, offsetof(ServiceConfig, spec.name),
                  JSON_MANDATORY },
                { "rootfs", JSON_STRING, json_parse_field_string,
                  offsetof(ServiceConfig, spec.rootfs), JSON_MANDATORY },
                { "command", JSON_ARRAY, json_parse_field_strv, offsetof(ServiceConfig, spec.args),
                  JSON_MANDATORY },
                { "environment", JSON_ARRAY, json_parse_field_strv,
                  offsetof(ServiceConfig, spec.env), 0 },
                { "working_directory", JSON_STRING, json_parse_field_string,
                  offsetof(ServiceConfig, spec.cwd), 0 },
                { "user", JSON_INTEGER, parse_id, offsetof(ServiceConfig, spec.uid), 0 },
                { "group", JSON_INTEGER, parse_id, offsetof(ServiceConfig, spec.gid), 0 },
                { "userns_group", JSON_STRING, parse_group, offsetof(ServiceConfig, userns_group),
                  0 },
                { "network", JSON_STRING, parse_network, offsetof(ServiceConfig, spec.network), 0 },
                { "writable_root", JSON_TRUE, json_parse_field_bool,
                  offsetof(ServiceConfig, spec.writable_root), 0 },
                { "restart", JSON_STRING, parse_restart, offsetof(ServiceConfig, restart), 0 },
                { "volumes", JSON_ARRAY, parse_volumes, offsetof(ServiceConfig, spec), 0 },
                {},
        };
        struct {
                ServiceConfig *configs;
                size_t n;
        } *out = dest;
        size_t i, n = json_array_size(v);
        json_t *e;

        out->configs = calloc(n ?: 1, sizeof(ServiceConfig));
        if (!out->configs)
                return -ENOMEM;
        json_array_foreach(v, i, e) {
                _cleanup_free_ char *path = strprintf("%s[%zu]", name, i), *error = NULL;
                ServiceConfig *sc = &out->configs[i];
                int r;

                if (!path)
                        return -ENOMEM;
                out->n++;
                *sc = (ServiceConfig){ .restart = RESTART_ON_FAILURE };
                r = json_dispatch(c, path, e, fields, 0, sc);
                if (r < 0)
                        return r;

                /* The container module's own checks, with the range still to be allocated. */
                sc->spec.uid_shift = USERNS_FIRST_BASE;
                r = container_spec_validate(&sc->spec, &error);
                sc->spec.uid_shift = 0;
                if (r == -EBADMSG)
                        return json_dispatch_error(c, path, "%s", error);
                if (r < 0)
                        return r;

                if (!sc->userns_group) {
                        sc->userns_group = strdup(sc->spec.name);
                        if (!sc->userns_group)
                                return -ENOMEM;
                }
                for (size_t j = 0; j < i; j++)
                        if (streq(out->configs[j].spec.name, sc->spec.name))
                                return json_dispatch_error(
                                        c, path, "service name '%s' is used twice", sc->spec.name);
        }
        return 0;
}

int service_config_parse(const char *data, size_t size, ServiceConfig **ret, size_t *ret_n,
                         char **ret_error) {
        static const JsonField fields[] = {
                { "services", JSON_ARRAY, parse_services, 0, JSON_MANDATORY },
                {},
        };
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_json_ json_t *j = NULL;
        struct {
                ServiceConfig *configs;
                size_t n;
        } out = {};
        int r;

        r = json_parse_strict(data, size, SERVICE_CONFIG_MAX_SIZE, &j, ret_error);
        if (r < 0)
                return r;
        c = json_dispatch_context_new();
        if (!c)
                return -ENOMEM;
        r = json_dispatch(c, NULL, j, fields, 0, &out);
        if (r < 0) {
                if (r == -EBADMSG && ret_error)
                        *ret_error = strdup(json_dispatch_error_message(c));
                service_config_free_many(out.configs, out.n);
                return r;
        }
        *ret = out.configs;
        *ret_n = out.n;
        return 0;
}

int service_config_load(const char *path, ServiceConfig **ret, size_t *ret_n, char **ret_error) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = read_full_file(path, SERVICE_CONFIG_MAX_SIZE, &data, &size);
        if (r < 0)
                return r;
        return service_config_parse(data, size, ret, ret_n, ret_error);
}

static int strv_extend_all(char ***l, char *const *add) {
        for (; add && *add; add++)
                if (strv_extend(l, *add) < 0)
                        return -ENOMEM;
        return 0;
}

int service_config_from_manifest(const ManifestTarget *t, const char *rootfs,
                                 const char *volumes_dir, ServiceConfig *ret) {
        _cleanup_(service_config_done) ServiceConfig sc = { .restart = RESTART_ON_FAILURE };
        const ManifestContainer *ct = t->container;
        int r;

        if (t->type != TARGET_CONTAINER || !ct || !rootfs || !volumes_dir)
                return -EINVAL;

        sc.spec.name = strdup(t->name);
        sc.spec.rootfs = strdup(rootfs);
        sc.userns_group = strdup(ct->userns_group ?: t->name);
        if (!sc.spec.name || !sc.spec.rootfs || !sc.userns_group)
                return -ENOMEM;
        /* OCI image-spec semantics: the command (entrypoint) followed by its arguments. */
        if (strv_extend_all(&sc.spec.args, ct->command) < 0 ||
            strv_extend_all(&sc.spec.args, ct->args) < 0 ||
            strv_extend_all(&sc.spec.env, ct->env) < 0)
                return -ENOMEM;
        if (ct->working_dir) {
                sc.spec.cwd = strdup(ct->working_dir);
                if (!sc.spec.cwd)
                        return -ENOMEM;
        }
        sc.spec.network =
                ct->network == NETWORK_HOST ? CONTAINER_NETWORK_HOST : CONTAINER_NETWORK_NONE;
        sc.restart = ct->restart;

        sc.spec.volumes = calloc(ct->n_volumes ?: 1, sizeof(ContainerVolume));
        if (!sc.spec.volumes)
                return -ENOMEM;
        for (size_t i = 0; i < ct->n_volumes; i++) {
                const ManifestVolume *mv = &ct->volumes[i];
                ContainerVolume *v = &sc.spec.volumes[sc.spec.n_volumes++];

                v->destination = strdup(mv->mount_path);
                if (!v->destination)
                        return -ENOMEM;
                if (mv->persistent) {
                        if (!filename_is_valid(mv->label))
                                return -EINVAL;
                        v->source = strjoin(volumes_dir, "/", t->name, "/", mv->label);
                        if (!v->source)
                                return -ENOMEM;
                } else
                        v->size = mv->size;
        }

        sc.spec.uid_shift = USERNS_FIRST_BASE;
        r = container_spec_validate(&sc.spec, NULL);
        sc.spec.uid_shift = 0;
        if (r < 0)
                return -EINVAL;
        *ret = sc;
        sc = (ServiceConfig){};
        return 0;
}
