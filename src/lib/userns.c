/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "userns.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json.h"
#include "log.h"
#include "string-util.h"

struct UsernsDb {
        json_t *groups; /* name -> slot (integer) */
};

UsernsDb *userns_db_free(UsernsDb *db) {
        if (!db)
                return NULL;
        json_decref(db->groups);
        free(db);
        return NULL;
}

int userns_group_name_is_valid(const char *name) {
        size_t n;

        if (!name)
                return 0;
        n = strlen(name);
        if (n == 0 || n > 64)
                return 0;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                bool alnum =
                        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                if (!alnum && (i == 0 || !strchr("_.-", c)))
                        return 0;
        }
        return 1;
}

int userns_db_new(UsernsDb **ret) {
        UsernsDb *db;

        db = calloc(1, sizeof(*db));
        if (!db)
                return -ENOMEM;
        db->groups = json_object();
        if (!db->groups) {
                free(db);
                return -ENOMEM;
        }
        *ret = db;
        return 0;
}

static int parse_groups(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        bool used[USERNS_MAX_SLOTS] = { false };
        const char *key;
        json_t *m;

        json_object_foreach(v, key, m) {
                json_int_t slot;

                if (!userns_group_name_is_valid(key))
                        return json_dispatch_error(c, name, "invalid group name '%.64s'", key);
                if (!json_is_integer(m))
                        return json_dispatch_error(c, name, "slot of group '%s' is not an integer",
                                                   key);
                slot = json_integer_value(m);
                if (slot < 0 || slot >= (json_int_t) USERNS_MAX_SLOTS)
                        return json_dispatch_error(c, name,
                                                   "slot %lld of group '%s' is out of range",
                                                   (long long) slot, key);
                if (used[slot])
                        return json_dispatch_error(c, name, "slot %lld is given to two groups",
                                                   (long long) slot);
                used[slot] = true;
        }
        *(json_t **) dest = json_incref(v);
        return 0;
}

static int parse_version(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (json_integer_value(v) != 1)
                return json_dispatch_error(c, name, "unsupported version, expected 1");
        return 0;
}

int userns_db_parse(const char *data, size_t size, UsernsDb **ret, char **ret_error) {
        static const JsonField fields[] = {
                { "version", JSON_INTEGER, parse_version, 0, JSON_MANDATORY },
                { "groups", JSON_OBJECT, parse_groups, offsetof(UsernsDb, groups), JSON_MANDATORY },
                {},
        };
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_(userns_db_freep) UsernsDb *db = NULL;
        _cleanup_json_ json_t *j = NULL;
        int r;

        r = json_parse_strict(data, size, USERNS_DB_MAX_SIZE, &j, ret_error);
        if (r < 0)
                return r;

        db = calloc(1, sizeof(*db));
        c = json_dispatch_context_new();
        if (!db || !c)
                return -ENOMEM;
        r = json_dispatch(c, NULL, j, fields, 0, db);
        if (r < 0) {
                if (ret_error && r == -EBADMSG)
                        *ret_error = strdup(json_dispatch_error_message(c));
                return r;
        }
        *ret = TAKE_PTR(db);
        return 0;
}

int userns_db_load(const char *path, UsernsDb **ret, char **ret_error) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = read_full_file(path, USERNS_DB_MAX_SIZE, &data, &size);
        if (r == -ENOENT)
                return userns_db_new(ret);
        if (r < 0)
                return r;
        return userns_db_parse(data, size, ret, ret_error);
}

int userns_db_save(const UsernsDb *db, const char *path) {
        _cleanup_json_ json_t *j = NULL;
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        j = json_pack("{s:i,s:O}", "version", 1, "groups", db->groups);
        if (!j)
                return -ENOMEM;
        r = json_dump_canonical(j, &text, &size);
        if (r < 0)
                return r;
        return write_file_atomic(path, text, size, 0644, 0);
}

int userns_db_get_base(UsernsDb *db, const char *group, uint32_t *ret_base, int *ret_new) {
        bool used[USERNS_MAX_SLOTS] = { false };
        const char *key;
        json_t *m, *slot_json;
        unsigned slot;

        if (!userns_group_name_is_valid(group))
                return -EINVAL;

        m = json_object_get(db->groups, group);
        if (m) {
                slot = (unsigned) json_integer_value(m);
                *ret_base = USERNS_FIRST_BASE + slot * USERNS_RANGE_SIZE;
                if (ret_new)
                        *ret_new = 0;
                return 0;
        }

        json_object_foreach(db->groups, key, m) used[json_integer_value(m)] = true;
        for (slot = 0; slot < USERNS_MAX_SLOTS && used[slot]; slot++)
                ;
        if (slot == USERNS_MAX_SLOTS)
                return -ENOSPC;

        slot_json = json_integer(slot);
        if (!slot_json || json_object_set_new(db->groups, group, slot_json) < 0)
                return -ENOMEM;
        log_debug("User-namespace group '%s' gets slot %u.", group, slot);
        *ret_base = USERNS_FIRST_BASE + slot * USERNS_RANGE_SIZE;
        if (ret_new)
                *ret_new = 1;
        return 0;
}

int userns_allocate(const char *db_path, const char *group, uint32_t *ret_base, char **ret_error) {
        _cleanup_(userns_db_freep) UsernsDb *db = NULL;
        uint32_t base;
        int r, is_new;

        r = userns_db_load(db_path, &db, ret_error);
        if (r < 0)
                return r;
        r = userns_db_get_base(db, group, &base, &is_new);
        if (r < 0)
                return r;
        if (is_new) {
                r = userns_db_save(db, db_path);
                if (r < 0)
                        return r;
        }
        *ret_base = base;
        return 0;
}
