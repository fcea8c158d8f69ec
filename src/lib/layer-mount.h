/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Mounting image layers (docs/image-format.md) the only way the appliance reads them: a
 * read-only loop device on the layer blob, dm-verity with the root hash, salt, data blocks and
 * hash offset of the signed manifest (cryptdev.h), a check read, then squashfs read-only on
 * the verity device; and overlayfs stacking of such layers. Used by mos-init for the hostfs
 * and by mosd for service layers. */

#include <stdint.h>

#include "cryptdev.h"
#include "manifest.h"

typedef struct LayerMountError {
        uint64_t bad_offset; /* -EUCLEAN: byte offset of the first block that failed */
        uint64_t blob_size;  /* -EBADMSG: the blob's actual size */
} LayerMountError;

/* Mounts the layer blob at blob_path on `where` (an existing directory) through the dm-verity
 * device dm_name, with mount flags (MS_RDONLY is always added). The blob must have exactly
 * layer->size bytes (-EBADMSG otherwise). Errors: -EUCLEAN (verity mismatch; offset in *err),
 * -ENOENT (no blob), what cryptdev_verity_open() and mount(2) return. On failure nothing
 * stays set up. */
int layer_mount(const char *blob_path, const ManifestLayer *layer, const char *dm_name,
                const char *where, unsigned long flags, CryptdevCheck check, LayerMountError *err);

/* The overlayfs options for lower directories given TOP FIRST (overlayfs' order; OCI lists
 * layers base first), and upper/work (both NULL for a read-only stack): "lowerdir=a:b" or
 * "lowerdir=a:b,upperdir=u,workdir=w". -EINVAL for paths that are not absolute or contain
 * ':', ',' or '\\' (overlayfs would split them), and for a single lower directory without
 * upper (overlayfs needs two; bind-mount it instead). */
int overlay_options(char *const *lowers_top_first, const char *upper, const char *work, char **ret);
int overlay_mount(char *const *lowers_top_first, const char *upper, const char *work,
                  const char *where, unsigned long flags);
