/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "kmod.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

#define MODULES_DEP_MAX (64u * 1024 * 1024)

typedef struct KmodEntry {
        char *name; /* normalized: '-' -> '_' */
        char *path;
        char **deps; /* paths */
} KmodEntry;

struct KmodIndex {
        KmodEntry *entries;
        size_t n;
        char **builtin; /* normalized names */
};

KmodIndex *kmod_index_free(KmodIndex *k) {
        if (!k)
                return NULL;
        for (size_t i = 0; i < k->n; i++) {
                free(k->entries[i].name);
                free(k->entries[i].path);
                strv_free(k->entries[i].deps);
        }
        free(k->entries);
        strv_free(k->builtin);
        free(k);
        return NULL;
}

static char *normalize(const char *name) {
        char *s = strdup(name);
        for (char *c = s; s && *c; c++)
                if (*c == '-')
                        *c = '_';
        return s;
}

int kmod_name_from_path(const char *path, char **ret) {
        _cleanup_free_ char *base = NULL;
        char *dot;

        if (path_basename(path, &base) < 0)
                return -EINVAL;
        dot = strstr(base, ".ko");
        if (!dot || dot == base || !(dot[3] == 0 || dot[3] == '.'))
                return -EINVAL;
        *dot = 0;
        *ret = normalize(base);
        return *ret ? 0 : -ENOMEM;
}

static bool module_path_is_valid(const char *p) {
        return path_is_safe_relative(p) && strstr(p, ".ko") &&
               string_is_printable_ascii(p, strlen(p)) && !strchr(p, ' ');
}

static int parse_line(KmodIndex *k, char *line) {
        _cleanup_free_ char *name = NULL, *path = NULL;
        _cleanup_strv_free_ char **deps = NULL;
        char *colon = strchr(line, ':'), *p;
        KmodEntry *e;

        if (!colon)
                return -EBADMSG;
        *colon = 0;
        if (!module_path_is_valid(line))
                return -EBADMSG;
        path = strdup(line);
        if (!path || kmod_name_from_path(line, &name) < 0)
                return path ? -EBADMSG : -ENOMEM;
        p = colon + 1;
        for (;;) {
                size_t len;
                _cleanup_free_ char *d = NULL;

                p += strspn(p, " \t");
                if (!*p)
                        break;
                len = strcspn(p, " \t");
                d = strndup(p, len);
                if (!d)
                        return -ENOMEM;
                if (!module_path_is_valid(d))
                        return -EBADMSG;
                if (strv_extend(&deps, d) < 0)
                        return -ENOMEM;
                p += len;
        }
        e = reallocarray(k->entries, k->n + 1, sizeof *e);
        if (!e)
                return -ENOMEM;
        k->entries = e;
        k->entries[k->n++] = (KmodEntry){ TAKE_PTR(name), TAKE_PTR(path), TAKE_PTR(deps) };
        return 0;
}

int kmod_index_parse(const char *dep, size_t dep_size, const char *builtin, size_t builtin_size,
                     KmodIndex **ret) {
        _cleanup_(kmod_index_freep) KmodIndex *k = NULL;
        int r;

        if (dep_size > MODULES_DEP_MAX || builtin_size > MODULES_DEP_MAX)
                return -EFBIG;
        k = calloc(1, sizeof *k);
        if (!k)
                return -ENOMEM;
        for (size_t off = 0; off < dep_size;) {
                const char *nl = memchr(dep + off, '\n', dep_size - off);
                size_t len = nl ? (size_t) (nl - (dep + off)) : dep_size - off;
                _cleanup_free_ char *line = NULL;

                if (len > 0) {
                        if (memchr(dep + off, 0, len))
                                return -EBADMSG;
                        line = strndup(dep + off, len);
                        if (!line)
                                return -ENOMEM;
                        r = parse_line(k, line);
                        if (r < 0)
                                return r;
                }
                off += len + 1;
        }
        for (size_t off = 0; builtin && off < builtin_size;) {
                const char *nl = memchr(builtin + off, '\n', builtin_size - off);
                size_t len = nl ? (size_t) (nl - (builtin + off)) : builtin_size - off;
                _cleanup_free_ char *line = NULL, *name = NULL;

                if (len > 0) {
                        line = strndup(builtin + off, len);
                        if (!line)
                                return -ENOMEM;
                        if (strlen(line) != len || kmod_name_from_path(line, &name) < 0)
                                return -EBADMSG;
                        if (strv_extend(&k->builtin, name) < 0)
                                return -ENOMEM;
                }
                off += len + 1;
        }
        *ret = TAKE_PTR(k);
        return 0;
}

int kmod_index_load(const char *dir, KmodIndex **ret) {
        _cleanup_free_ char *dep_path = path_join(dir, "modules.dep"),
                            *builtin_path = path_join(dir, "modules.builtin"), *dep = NULL,
                            *builtin = NULL;
        size_t dn, bn = 0;
        int r;

        if (!dep_path || !builtin_path)
                return -ENOMEM;
        r = read_full_file(dep_path, MODULES_DEP_MAX, &dep, &dn);
        if (r < 0)
                return r;
        r = read_full_file(builtin_path, MODULES_DEP_MAX, &builtin, &bn);
        if (r < 0 && r != -ENOENT)
                return r;
        return kmod_index_parse(dep, dn, builtin, bn, ret);
}

static const KmodEntry *find_by_name(const KmodIndex *k, const char *name) {
        for (size_t i = 0; i < k->n; i++)
                if (streq(k->entries[i].name, name))
                        return &k->entries[i];
        return NULL;
}

static const KmodEntry *find_by_path(const KmodIndex *k, const char *path) {
        for (size_t i = 0; i < k->n; i++)
                if (streq(k->entries[i].path, path))
                        return &k->entries[i];
        return NULL;
}

/* Depth-first: dependencies before the module. depth bounds malformed (cyclic) indexes. */
static int visit(const KmodIndex *k, const KmodEntry *e, char ***order, unsigned depth) {
        int r;

        if (strv_contains(*order, e->path))
                return 0;
        if (depth > 64)
                return -ELOOP;
        for (size_t i = 0; e->deps && e->deps[i]; i++) {
                const KmodEntry *d = find_by_path(k, e->deps[i]);
                if (!d)
                        return -EBADMSG; /* dependency without its own line */
                r = visit(k, d, order, depth + 1);
                if (r < 0)
                        return r;
        }
        if (strv_contains(*order, e->path))
                return 0;
        return strv_extend(order, e->path);
}

int kmod_resolve(const KmodIndex *k, char *const *names, char ***ret_paths, char **ret_missing) {
        _cleanup_strv_free_ char **order = NULL;
        int r;

        for (size_t i = 0; names && names[i]; i++) {
                _cleanup_free_ char *n = normalize(names[i]);
                const KmodEntry *e;

                if (!n)
                        return -ENOMEM;
                if (strv_contains(k->builtin, n))
                        continue;
                e = find_by_name(k, n);
                if (!e) {
                        if (ret_missing)
                                *ret_missing = strdup(names[i]);
                        return -ENOENT;
                }
                r = visit(k, e, &order, 0);
                if (r < 0)
                        return r;
        }
        if (!order) {
                order = calloc(1, sizeof(char *));
                if (!order)
                        return -ENOMEM;
        }
        *ret_paths = TAKE_PTR(order);
        return 0;
}
