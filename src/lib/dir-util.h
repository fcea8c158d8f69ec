/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* Directories: creating a path, and recursive removal that stays where it was pointed: symlinks are removed, never followed, and
 * directories on another file system (a mount point below the tree) are refused with -EXDEV
 * rather than emptied. Used by mosd to reset a service's writable layer on the data volume. */

/* Removes everything below the directory path (which stays). -ENOENT when path is missing,
 * -ENOTDIR when it is not a directory (or is a symlink). */
int rm_rf_children(const char *path);

/* Removes path and everything below it; a missing path is not an error. */
int rm_rf(const char *path);

/* mkdir -p: creates path and its missing parents with mode (an existing directory is fine;
 * an existing non-directory is -ENOTDIR or -EEXIST). */
int mkdir_p(const char *path, mode_t mode);
