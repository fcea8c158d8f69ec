/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Block devices for mos-init and mosd: partitions found by their GPT partition name (the
 * kernel exports it as PARTNAME= in /sys/class/block/<dev>/uevent, from the GPT entry's
 * PartitionName, UEFI 2.10 section 5.3.3), waited for with a bounded timeout, and read-only
 * loop devices on image files. No udev is needed: devtmpfs creates /dev/<DEVNAME>. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define BLOCKDEV_SYSFS_DIR "/sys/class/block"
#define BLOCKDEV_UEVENT_MAX (16u * 1024)

/* The value of KEY in a uevent file's text ("KEY=VALUE" lines). 1 and *ret (may be NULL) when
 * present, 0 when absent, -EBADMSG when a line has no '=' or holds a NUL byte, -EFBIG above
 * BLOCKDEV_UEVENT_MAX. */
int blockdev_uevent_get(const char *text, size_t size, const char *key, char **ret);

/* Looks in sysfs_dir (BLOCKDEV_SYSFS_DIR, or a directory shaped like it in tests) for the
 * partition named `name` and returns its device node "/dev/<DEVNAME>" (dev_dir replaces "/dev"
 * when not NULL). 0 and *ret when exactly one partition has the name, -ENOENT when none does,
 * -ENOTUNIQ when several do (a second disk with our labels must not decide what boots;
 * *ret_other, may be NULL, then names the two devices "vda4 and sda1"). */
int blockdev_find_partition(const char *sysfs_dir, const char *dev_dir, const char *name,
                            char **ret, char **ret_other);

/* Waits up to timeout_usec (CLOCK_MONOTONIC) until every partition of names (NULL-terminated)
 * is present and its device node exists, polling every 20 ms. ret_paths gets the device nodes
 * in the order of names (a NULL-terminated list). -ETIMEDOUT names the first missing one in
 * *ret_missing; -ENOTUNIQ as blockdev_find_partition() with the name in *ret_missing. */
int blockdev_wait_partitions(const char *sysfs_dir, const char *dev_dir, char *const *names,
                             uint64_t timeout_usec, char ***ret_paths, char **ret_missing);

/* Size of a block device or regular file in bytes. */
int blockdev_get_size(int fd, uint64_t *ret);

/* A loop device on path (LOOP_CONFIGURE, falling back to LOOP_SET_FD + LOOP_SET_STATUS64),
 * read-only when read_only, with autoclear: it goes away when its last user (the fd returned
 * here, a mount, a device-mapper table) closes it. Returns the open loop device in *ret_fd and
 * its node "/dev/loopN" in *ret_path (may be NULL). */
int loop_attach(const char *path, bool read_only, int *ret_fd, char **ret_path);
