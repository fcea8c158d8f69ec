/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* User-namespace ranges for services (docs/containers.md, "User namespaces").
 *
 * Every service belongs to a user-namespace group (its name by default). Each group owns one
 * range of USERNS_RANGE_SIZE host uids and gids: uid/gid 0..65535 inside the container map to
 * base..base+65535 outside, with
 *
 *     base = USERNS_FIRST_BASE + slot * USERNS_RANGE_SIZE,   slot in 0..USERNS_MAX_SLOTS-1.
 *
 * A group gets the lowest free slot the first time it is seen and keeps it for ever: the
 * allocation is recorded in a small JSON file on the data volume, so the owner of a volume's
 * files stays the same across boots, updates and reordered manifests. Services of one group
 * share a range (and may share files); services of different groups cannot read each other's
 * 0700 volumes.
 *
 * The record:  {"version":1,"groups":{"<group>":<slot>,...}}  (canonical JSON, written
 * atomically, at most USERNS_DB_MAX_SIZE bytes). */

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define USERNS_RANGE_SIZE UINT32_C(65536)
/* 0x80000 = 524288: above the uids of any host account, as systemd-nspawn's container range. */
#define USERNS_FIRST_BASE UINT32_C(0x80000)
#define USERNS_MAX_SLOTS 1024u
#define USERNS_DB_MAX_SIZE (256u * 1024)

typedef struct UsernsDb UsernsDb;

UsernsDb *userns_db_free(UsernsDb *db);
DEFINE_TRIVIAL_CLEANUP_FUNC(UsernsDb *, userns_db_free);

/* Parses a record. -EBADMSG (with *ret_error) on anything malformed: unknown fields, a bad
 * group name, a slot out of range or two groups on one slot. */
int userns_db_parse(const char *data, size_t size, UsernsDb **ret, char **ret_error);
/* An empty record. */
int userns_db_new(UsernsDb **ret);
/* Loads path; a missing file is an empty record. */
int userns_db_load(const char *path, UsernsDb **ret, char **ret_error);
int userns_db_save(const UsernsDb *db, const char *path);

/* The base host uid/gid of group's range, allocating the lowest free slot when the group is new
 * (*ret_new tells, may be NULL). -ENOSPC when every slot is taken, -EINVAL for a bad name. */
int userns_db_get_base(UsernsDb *db, const char *group, uint32_t *ret_base, int *ret_new);

/* A group name: 1..64 characters of [A-Za-z0-9_.-], starting with a letter or digit. Also the
 * rule for service names (they become file and container names). */
int userns_group_name_is_valid(const char *name);

/* Convenience for mosd: load, look up or allocate, save when something changed. A malformed
 * record is -EBADMSG with *ret_error (may be NULL). */
int userns_allocate(const char *db_path, const char *group, uint32_t *ret_base, char **ret_error);
