/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "appliance.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "blockdev.h"
#include "boot-count.h"
#include "cryptdev.h"
#include "dir-util.h"
#include "good-release.h"
#include "layer-mount.h"
#include "log.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

void mounted_target_done(MountedTarget *m) {
        m->name = mfree(m->name);
        m->root = mfree(m->root);
        m->dm_names = strv_free(m->dm_names);
        m->digests = strv_free(m->digests);
        m->n_layers = 0;
}

char *appliance_volumes_dir(const AppliancePaths *p) {
        return path_join(p->state_dir, "volumes");
}

static char *layer_dir(const AppliancePaths *p, const char *target, size_t i) {
        return strprintf("%s/layers/%s/%zu", p->run_dir, target, i);
}

void appliance_unmount_target(const AppliancePaths *p, MountedTarget *m) {
        if (m->root)
                (void) umount2(m->root, MNT_DETACH);
        for (size_t i = m->n_layers; i > 0; i--) {
                _cleanup_free_ char *where = layer_dir(p, m->name, i - 1);
                if (where)
                        (void) umount2(where, MNT_DETACH);
                if (m->dm_names && m->dm_names[i - 1])
                        (void) cryptdev_close(m->dm_names[i - 1]);
        }
}

static char *layer_reason(size_t i, const ManifestLayer *l, int r, const LayerMountError *err) {
        switch (r) {
        case -EUCLEAN:
                return strprintf("layer %zu (%s): the block at offset %" PRIu64
                                 " does not match the verity root hash of the manifest",
                                 i, l->digest, err->bad_offset);
        case -ENOENT:
                return strprintf("layer %zu (%s): the blob is missing from the store", i,
                                 l->digest);
        case -EBADMSG:
                return strprintf("layer %zu (%s): the blob has %" PRIu64
                                 " bytes, the manifest says %" PRIu64,
                                 i, l->digest, err->blob_size, l->size);
        default:
                return strprintf("layer %zu (%s): cannot mount it through dm-verity: %s", i,
                                 l->digest, strerror(-r));
        }
}

/* The container's writable layer on the data volume, empty at every boot: what must survive
 * a reboot is a declared persistent volume, and an updated image never meets the changes
 * made on top of its predecessor. */
static int prepare_upper(const AppliancePaths *p, const char *target, char **ret_upper,
                         char **ret_work) {
        _cleanup_free_ char *dir = strprintf("%s/overlay/%s", p->state_dir, target), *upper = NULL,
                            *work = NULL;
        int r;

        if (!dir)
                return -ENOMEM;
        upper = path_join(dir, "upper");
        work = path_join(dir, "work");
        if (!upper || !work)
                return -ENOMEM;
        r = rm_rf(dir);
        if (r < 0)
                return r;
        r = mkdir_p(upper, 0755);
        if (r >= 0)
                r = mkdir_p(work, 0755);
        if (r < 0)
                return r;
        *ret_upper = TAKE_PTR(upper);
        *ret_work = TAKE_PTR(work);
        return 0;
}

int appliance_mount_target(const AppliancePaths *p, const ManifestTarget *t, MountedTarget *ret,
                           char **ret_reason) {
        _cleanup_(mounted_target_done) MountedTarget m = {};
        _cleanup_strv_free_ char **lowers = NULL;
        _cleanup_free_ char *reason = NULL, *upper = NULL, *work = NULL;
        bool container = t->type == TARGET_CONTAINER;
        int r;

        if (!container && t->type != TARGET_FS_ONLY)
                return -EINVAL;
        if (t->image.n_layers == 0)
                return -EINVAL;
        m.name = strdup(t->name);
        m.type = t->type;
        m.root = strprintf("%s/%s/%s", p->run_dir, container ? "rootfs" : "fs", t->name);
        m.dm_names = calloc(t->image.n_layers + 1, sizeof(char *));
        m.digests = calloc(t->image.n_layers + 1, sizeof(char *));
        lowers = calloc(t->image.n_layers + 1, sizeof(char *));
        if (!m.name || !m.root || !m.dm_names || !m.digests || !lowers)
                return -ENOMEM;

        for (size_t i = 0; i < t->image.n_layers; i++) {
                const ManifestLayer *l = &t->image.layers[i];
                const char *hex = startswith(l->digest, "sha256:");
                _cleanup_free_ char *blob = NULL, *where = NULL, *dm = NULL;
                LayerMountError err = {};

                if (!hex) {
                        reason = strprintf("layer %zu: digest %s is not sha256", i, l->digest);
                        r = -EBADMSG;
                        goto fail;
                }
                blob = strprintf("%s/blobs/sha256/%s", p->store, hex);
                where = layer_dir(p, t->name, i);
                dm = strprintf("mos-t-%s-%zu", t->name, i);
                m.digests[i] = strdup(l->digest);
                if (!blob || !where || !dm || !m.digests[i]) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = mkdir_p(where, 0755);
                if (r < 0) {
                        reason = strprintf("cannot create %s: %s", where, strerror(-r));
                        goto fail;
                }
                /* A leftover of an earlier mosd in this boot (it never survives a reboot). */
                {
                        _cleanup_free_ char *node = NULL;
                        if (cryptdev_find_dm_node(NULL, dm, &node) >= 0) {
                                (void) umount2(where, MNT_DETACH);
                                (void) cryptdev_close(dm);
                        }
                }
                r = layer_mount(blob, l, dm, where, MS_NOSUID | MS_NODEV,
                                CRYPTDEV_CHECK_FIRST_BLOCK, &err);
                if (r < 0) {
                        reason = layer_reason(i, l, r, &err);
                        goto fail;
                }
                m.dm_names[i] = TAKE_PTR(dm);
                m.n_layers++;
                /* overlayfs lists the top layer first; OCI lists the base first. */
                lowers[t->image.n_layers - 1 - i] = TAKE_PTR(where);
        }

        r = mkdir_p(m.root, 0755);
        if (r < 0) {
                reason = strprintf("cannot create %s: %s", m.root, strerror(-r));
                goto fail;
        }
        if (container) {
                r = prepare_upper(p, t->name, &upper, &work);
                if (r < 0) {
                        reason = strprintf("cannot prepare its writable layer in %s/overlay: %s",
                                           p->state_dir, strerror(-r));
                        goto fail;
                }
                r = overlay_mount(lowers, upper, work, m.root, MS_NOSUID | MS_NODEV);
        } else if (t->image.n_layers == 1)
                r = mount(lowers[0], m.root, NULL, MS_BIND, NULL) < 0 ||
                                    mount(NULL, m.root, NULL,
                                          MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
                                          NULL) < 0
                            ? -errno
                            : 0;
        else
                r = overlay_mount(lowers, NULL, NULL, m.root, MS_NOSUID | MS_NODEV);
        if (r < 0) {
                reason = strprintf("cannot mount its layers on %s: %s", m.root, strerror(-r));
                goto fail;
        }
        *ret = m;
        m = (MountedTarget){};
        return 0;

fail:
        if (!reason)
                reason = strprintf("cannot mount it: %s", strerror(-r));
        /* Only the layers mounted so far: the root is not mounted. */
        m.root = mfree(m.root);
        appliance_unmount_target(p, &m);
        if (ret_reason)
                *ret_reason = TAKE_PTR(reason);
        return r;
}

int appliance_target_corruption(const MountedTarget *m, char **ret_reason) {
        for (size_t i = 0; i < m->n_layers; i++) {
                int r = cryptdev_verity_corrupted(m->dm_names[i]);
                if (r < 0) {
                        log_debug_errno(r, "Cannot read the status of %s: %m", m->dm_names[i]);
                        continue;
                }
                if (r == 0)
                        continue;
                if (ret_reason) {
                        *ret_reason = strprintf("I/O error: layer %zu (%s) does not match its "
                                                "verity hash (dm-verity rejected a block)",
                                                i, m->digests[i]);
                        if (!*ret_reason)
                                return -ENOMEM;
                }
                return 1;
        }
        return 0;
}

/* ---- PID 1 ---- */

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef EFIVARFS_MAGIC
#define EFIVARFS_MAGIC 0xde5e81e4
#endif

static bool is_fs_type(const char *path, long magic) {
        struct statfs sfs;
        return statfs(path, &sfs) >= 0 && (long) sfs.f_type == magic;
}

int appliance_setup_pid1(const char **ret_step) {
        const char *step;
        int r;

        /* reboot(2): with CAD off the kernel sends SIGINT to PID 1 for ctrl-alt-del. */
        step = "turning ctrl-alt-del into SIGINT";
        if (reboot(RB_DISABLE_CAD) < 0) {
                r = -errno;
                goto fail;
        }
        step = "mounting cgroup2 on /sys/fs/cgroup";
        if (!is_fs_type("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC) &&
            mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "nsdelegate") < 0) {
                r = -errno;
                goto fail;
        }
        return 0;
fail:
        if (ret_step)
                *ret_step = step;
        return r;
}

/* ---- boot good ---- */

#define ESP_PARTITION_NAME "mos-esp"

int appliance_bless_boot(const char *run_dir, char **ret_from, char **ret_to,
                         const char **ret_step) {
        _cleanup_free_ char *path = NULL, *blessed = NULL, *dev = NULL, *esp = NULL;
        const char *step;
        int r;

        step = "mounting efivarfs";
        if (access("/sys/firmware/efi", F_OK) < 0) {
                r = -ENOENT; /* not booted through UEFI: no boot loader to report a counter */
                goto fail;
        }
        if (!is_fs_type(BOOT_COUNT_EFIVARS_DIR, EFIVARFS_MAGIC) &&
            mount("efivarfs", BOOT_COUNT_EFIVARS_DIR, "efivarfs",
                  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
                r = -errno;
                goto fail;
        }
        step = "reading LoaderBootCountPath";
        r = boot_count_read_loader_path(NULL, &path);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                goto fail;

        step = "finding the ESP";
        r = blockdev_find_partition(NULL, NULL, ESP_PARTITION_NAME, &dev, NULL);
        if (r < 0)
                goto fail;
        esp = path_join(run_dir, "esp");
        if (!esp) {
                r = -ENOMEM;
                goto fail;
        }
        step = "mounting the ESP";
        r = mkdir_p(esp, 0700);
        if (r < 0)
                goto fail;
        if (mount(dev, esp, "vfat", MS_NOSUID | MS_NODEV | MS_NOEXEC, "umask=0077") < 0) {
                r = -errno;
                goto fail;
        }
        step = "renaming the boot entry";
        r = boot_count_bless(esp, path, &blessed);
        if (umount(esp) < 0 && r >= 0) {
                step = "unmounting the ESP";
                r = -errno;
        }
        if (r < 0)
                goto fail;
        if (r > 0) {
                if (ret_from)
                        *ret_from = TAKE_PTR(path);
                if (ret_to)
                        *ret_to = TAKE_PTR(blessed);
        }
        return r;
fail:
        if (ret_step)
                *ret_step = step;
        return r;
}

int appliance_record_good_release(const char *config_dir, const void *manifest, size_t size,
                                  uint64_t release) {
        /* The flags mos-init mounted it with (docs/boot.md), without MS_RDONLY. */
        const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        GoodRelease g;
        int r;

        r = good_release_from_manifest(manifest, size, release, &g);
        if (r < 0)
                return r;
        if (mount(NULL, config_dir, NULL, MS_REMOUNT | flags, NULL) < 0)
                return -errno;
        r = good_release_write(config_dir, &g);
        if (mount(NULL, config_dir, NULL, MS_REMOUNT | MS_RDONLY | flags, NULL) < 0 && r >= 0)
                r = -errno;
        return r;
}
