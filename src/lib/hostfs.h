/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The hostfs image (docs/boot.md, "The hostfs image"): the host root file system mos-init
 * mounts through dm-verity and hands over to. Built from the build machine's (Debian's)
 * binaries: mosd at /usr/sbin/mosd, crun at /usr/bin/crun, more programs if asked, each with
 * its shared-library closure (elf-deps.h), the mount points mos-init fills, /etc/os-release;
 * a shell (/bin/sh) only in a debug image. The tree is staged in a temporary directory, owned
 * by root, and built into an OCI image with image_build() (so it is reproducible with
 * $SOURCE_DATE_EPOCH). */

#include <stdbool.h>
#include <stddef.h>

#include "image.h"

#define HOSTFS_MOSD "/usr/sbin/mosd"
#define HOSTFS_CRUN "/usr/bin/crun"
#define HOSTFS_SHELL "/bin/sh"
#define HOSTFS_SHELL_SOURCE "/usr/bin/dash"

typedef struct HostfsParams {
        const char *mosd; /* host file installed as HOSTFS_MOSD, or NULL */
        const char *crun; /* host file installed as HOSTFS_CRUN, or NULL */
        char **programs;  /* "SRC" (installed at SRC) or "SRC:DEST" */
        char **dlopen;    /* sonames the programs dlopen() */
        char **files;     /* "SRC:DEST", plain files copied with their mode */
        bool debug_shell; /* HOSTFS_SHELL_SOURCE as HOSTFS_SHELL */
} HostfsParams;

/* Writes the tree into dir (an empty directory). *ret_n_files (may be NULL) counts the files.
 * -ENOENT names a missing program, library or file in *ret_missing; -EINVAL for a malformed
 * SRC:DEST; -EBADMSG for a program that is not an x86-64 ELF file. */
int hostfs_stage(const HostfsParams *p, const char *dir, size_t *ret_n_files, char **ret_missing);

/* Stages in a temporary directory below tmp_dir (NULL: $TMPDIR or /var/tmp), builds the image
 * `ref` into the layout and removes the staging directory. */
int hostfs_build(OciLayout *l, const HostfsParams *p, const ImageBuildOptions *o,
                 const char *tmp_dir, Image **ret, char **ret_error);
