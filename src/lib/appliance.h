/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* mosd's appliance mode (docs/appliance.md): the targets of the verified manifest made ready
 * to run. For each container or fs-only target, every layer blob of the store is mounted the
 * only way the appliance reads layers: loop + dm-verity with the manifest's root hash, salt,
 * size and offset + squashfs, read-only (layer-mount.h, first block checked at once; any other
 * block when it is read). Then:
 *   container  overlayfs of the layers with its writable layer on the data volume
 *              (<state>/overlay/<target>/{upper,work}, emptied at every boot) on
 *              <run>/rootfs/<target>: the service's root file system;
 *   fs-only    the layers stacked read-only (or the single layer bind-mounted) on
 *              <run>/fs/<target>, for other programs of the appliance to use.
 * Layer mounts are at <run>/layers/<target>/<i>, their verity devices are "mos-t-<target>-<i>".
 *
 * A target that cannot be mounted gets a one-line reason naming the layer and what failed;
 * nothing of it stays mounted. Once running, a service whose read met a block that does not
 * match its hash gets EIO from dm-verity: appliance_target_corruption() tells that apart from
 * the service's own failures. */

#include <stddef.h>

#include "manifest.h"

typedef struct AppliancePaths {
        const char *store;     /* the OCI layout with the blobs (the store partition): /store */
        const char *run_dir;   /* /run/mos */
        const char *state_dir; /* on the data volume: /data/mos */
} AppliancePaths;

typedef struct MountedTarget {
        char *name;
        TargetType type;
        char *root;      /* container: the rootfs; fs-only: the read-only tree */
        char **dm_names; /* one per layer, base first */
        char **digests;  /* the layers' digests, for messages */
        size_t n_layers;
} MountedTarget;

void mounted_target_done(MountedTarget *m);

/* Mounts t (TARGET_CONTAINER or TARGET_FS_ONLY; -EINVAL for others). On failure *ret_reason
 * (may be NULL) says which layer and why: -EUCLEAN (a block does not match the manifest's
 * verity root hash), -ENOENT (blob missing), -EBADMSG (blob of another size), others. */
int appliance_mount_target(const AppliancePaths *p, const ManifestTarget *t, MountedTarget *ret,
                           char **ret_reason);

/* Unmounts the target's root and layers and removes its verity devices (best effort). */
void appliance_unmount_target(const AppliancePaths *p, MountedTarget *m);

/* 1 and *ret_reason ("I/O error: layer 0 (sha256:...) ...") when dm-verity has rejected a
 * block of one of the target's layers, 0 when none. */
int appliance_target_corruption(const MountedTarget *m, char **ret_reason);

/* The directory of a persistent volume's data: <state>/volumes (service-config.h puts each
 * volume at <volumes>/<target>/<label>). */
char *appliance_volumes_dir(const AppliancePaths *p);

/* ---- PID 1 of the host ---- */

/* What mosd as PID 1 sets up before any service: ctrl-alt-del becomes SIGINT for mosd (a clean
 * reboot; the kernel's default reboots at once, without sync), and a pure cgroup2 hierarchy
 * on /sys/fs/cgroup for crun (docs/containers.md: crun refuses v1 or hybrid). *ret_step names
 * what failed. */
int appliance_setup_pid1(const char **ret_step);

/* ---- boot good (docs/appliance.md) ---- */

/* Boot counting: mounts efivarfs (read-only) when it is not, reads the boot loader's
 * LoaderBootCountPath, mounts the ESP (the partition named "mos-esp") read-write on
 * <run>/esp and renames the entry that booted to its name without the counter. 1 and
 * *ret_from and *ret_to (the old and new paths on the ESP) when it renamed; 0 when the loader
 * reported no counted entry (a blessed entry, or no boot counting). Errors: -errno with
 * *ret_step naming what failed. */
int appliance_bless_boot(const char *run_dir, char **ret_from, char **ret_to,
                         const char **ret_step);

/* Writes the "release booted good" record (good-release.h) for the manifest's bytes on the
 * configuration partition mounted read-only at config_dir: remounted read-write for the write,
 * read-only again after it. */
int appliance_record_good_release(const char *config_dir, const void *manifest, size_t size,
                                  uint64_t release);
