/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Kernel modules for the initramfs: names resolved through modules.dep (depmod(8) format:
 * "path: dep dep ...", every module's full dependency list) into files in load order
 * (dependencies first); modules built into the kernel (modules.builtin) need no file. */

#include <stddef.h>

#include "macro.h"

typedef struct KmodIndex KmodIndex;

/* dep and builtin: the texts of modules.dep and modules.builtin (builtin may be NULL).
 * -EBADMSG when a line is malformed. */
int kmod_index_parse(const char *dep, size_t dep_size, const char *builtin, size_t builtin_size,
                     KmodIndex **ret);
/* Reads DIR/modules.dep and DIR/modules.builtin (DIR is /lib/modules/<version>). */
int kmod_index_load(const char *dir, KmodIndex **ret);
KmodIndex *kmod_index_free(KmodIndex *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(KmodIndex *, kmod_index_free);

/* Module names ("dm-verity" and "dm_verity" are the same module) to paths relative to the
 * modules directory, in an order in which they can be loaded; each file once. Builtin names
 * are skipped. -ENOENT names the unknown module in *ret_missing. */
int kmod_resolve(const KmodIndex *k, char *const *names, char ***ret_paths, char **ret_missing);

/* The module name of a path: "kernel/drivers/md/dm-verity.ko.xz" -> "dm_verity". */
int kmod_name_from_path(const char *path, char **ret);
