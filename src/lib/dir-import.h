/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reads a directory tree into an FsTree: every entry with its type, mode, owner, mtime,
 * xattrs, symlink target and device number; files with several links become hard links of
 * the first path (in name order); regular files' contents stream to an FsDataSink. Entries
 * are visited in byte order of their names, so the result does not depend on the order the
 * file system lists them in. Mount points are not crossed into (entries on another file
 * system are refused). */

#include "fs-tree.h"

typedef struct DirImportOptions {
        void (*progress)(uint64_t bytes, void *userdata); /* after each file */
        void *userdata;
} DirImportOptions;

/* -EBADMSG (message in *ret_error) when an entry breaks the tree's rules, -errno on I/O. */
int dir_import(const char *path, FsTree *tree, const FsDataSink *sink, const DirImportOptions *o,
               char **ret_error);
