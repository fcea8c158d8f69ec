/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "blockdev.h"
#include "fd-util.h"
#include "layer-mount.h"
#include "string-util.h"
#include "strv.h"

int layer_mount(const char *blob_path, const ManifestLayer *layer, const char *dm_name,
                const char *where, unsigned long flags, CryptdevCheck check, LayerMountError *err) {
        _cleanup_close_ int loop = -EBADF;
        _cleanup_free_ char *node = NULL, *loop_node = NULL;
        struct stat st;
        uint64_t bad = 0;
        int r;

        if (stat(blob_path, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || (uint64_t) st.st_size != layer->size) {
                if (err)
                        err->blob_size = (uint64_t) st.st_size;
                return -EBADMSG;
        }
        /* The loop device is autoclear: once we close it, the verity table keeps it alive, and
         * it goes away with the verity device. */
        r = loop_attach(blob_path, true, &loop, &loop_node);
        if (r < 0)
                return r;
        r = cryptdev_verity_open(loop_node, dm_name, &layer->verity, check, &node, &bad);
        if (r < 0) {
                if (r == -EUCLEAN && err)
                        err->bad_offset = bad;
                return r;
        }
        if (mount(node, where, "squashfs", flags | MS_RDONLY, NULL) < 0) {
                r = -errno;
                (void) cryptdev_close(dm_name);
                return r;
        }
        return 0;
}

static bool overlay_path_ok(const char *p) {
        return p && p[0] == '/' && !strpbrk(p, ":,\\");
}

int overlay_options(char *const *lowers_top_first, const char *upper, const char *work,
                    char **ret) {
        _cleanup_free_ char *s = strdup("lowerdir=");

        if (!s)
                return -ENOMEM;
        /* Without an upper directory overlayfs needs at least two lower ones. */
        if (strv_length(lowers_top_first) < (upper ? 1u : 2u) || !upper != !work)
                return -EINVAL;
        for (size_t i = 0; lowers_top_first[i]; i++) {
                char *n;

                if (!overlay_path_ok(lowers_top_first[i]))
                        return -EINVAL;
                n = strjoin(s, i > 0 ? ":" : "", lowers_top_first[i]);
                if (!n)
                        return -ENOMEM;
                free(s);
                s = n;
        }
        if (upper) {
                char *n;

                if (!overlay_path_ok(upper) || !overlay_path_ok(work))
                        return -EINVAL;
                n = strjoin(s, ",upperdir=", upper, ",workdir=", work);
                if (!n)
                        return -ENOMEM;
                free(s);
                s = n;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int overlay_mount(char *const *lowers_top_first, const char *upper, const char *work,
                  const char *where, unsigned long flags) {
        _cleanup_free_ char *options = NULL;
        int r;

        r = overlay_options(lowers_top_first, upper, work, &options);
        if (r < 0)
                return r;
        if (mount("overlay", where, "overlay", flags | (upper ? 0 : MS_RDONLY), options) < 0)
                return -errno;
        return 0;
}
