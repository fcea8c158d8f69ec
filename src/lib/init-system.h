/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The chores of a PID 1 in an initramfs, for mos-init: the kernel's API file systems, kernel
 * modules from a list, moving mounts and switching the root, and
 * powering off. Everything here talks to the kernel directly (no udev, no modprobe). */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

#define INIT_MODULE_LIST_MAX (64u * 1024)

/* Mounts /proc, /sys, /dev (devtmpfs), /run (tmpfs, 0755) and /sys/kernel/security
 * (securityfs), each nosuid and, except /dev, nodev and noexec. Mounts already there (EBUSY)
 * are fine. *ret_failed (may be NULL) names the mount point that failed. */
int init_mount_api_filesystems(char **ret_failed);

/* Parses a modules.load list: one absolute path of a plain .ko per line, '#' comments and
 * empty lines ignored. -EBADMSG (and the line number in *ret_line, may be NULL) for a line
 * that is not an absolute, normalised path ending in ".ko". */
int init_module_list_parse(const char *text, size_t size, char ***ret, unsigned *ret_line);

/* Loads every module of the list at list_path with finit_module() in its order (dependencies
 * first, as the initramfs builder wrote it); modules already loaded or built in are fine.
 * Returns the number loaded; on failure *ret_failed (may be NULL) is the module's path. Under
 * lockdown the kernel refuses modules without a valid signature (-EKEYREJECTED, -ENOKEY). */
int init_load_modules(const char *list_path, char **ret_failed);

/* MS_MOVE of `from` to `to` (to is created as a directory when missing). */
int init_move_mount(const char *from, const char *to);

/* Makes new_root the root: removes the initramfs' files from the old root (its memory is
 * freed; nothing below other mounts is touched), moves new_root onto "/", chroots and chdirs
 * into it. After this the caller execs the next PID 1. */
int init_switch_root(const char *new_root);

/* sync, then reboot(RB_POWER_OFF); never returns (if the kernel refuses, it waits). */
_noreturn_ void init_poweroff(void);
