/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Pure string operations on paths; nothing touches the file system. */

/* The directory part ("." for a bare name, "/" for "/x") and the last component, newly allocated.
 * Trailing slashes are ignored; "" and "/" have no basename (-EINVAL). */
int path_dirname(const char *path, char **ret);
int path_basename(const char *path, char **ret);

/* a + "/" + b with exactly one slash between them; NULL on OOM. */
char *path_join(const char *a, const char *b);

/* A relative path that cannot leave the directory it is resolved in: not empty, not absolute,
 * no "." or ".." component, no empty component, no NUL, at most PATH_MAX bytes. Used for every
 * name that comes from input (tar members, OCI paths, volume labels). */
bool path_is_safe_relative(const char *p);

/* A single file name: safe relative path without a slash, at most 255 bytes. */
bool filename_is_valid(const char *p);
