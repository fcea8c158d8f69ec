/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Boot counting (systemd's Automatic Boot Assessment, https://systemd.io/AUTOMATIC_BOOT_ASSESSMENT/,
 * and the Boot Loader Specification's "Boot counting"): a boot entry's file name carries
 * "+LEFT" or "+LEFT-DONE" right before its suffix (EFI/Linux/machineos+3.efi). systemd-boot
 * decrements LEFT and increments DONE by renaming the file before it boots it, and tells the
 * OS which file that was in the EFI variable LoaderBootCountPath. Once the OS finds the boot
 * good, it removes the counter from the name (machineos+2-1.efi -> machineos.efi): the entry is
 * then good for ever. An entry that runs out of tries (+0-N) is sorted last by systemd-boot,
 * so the previous good entry boots instead (docs/disk.md, docs/appliance.md). */

#include <stddef.h>

#define BOOT_COUNT_LOADER_VARIABLE "LoaderBootCountPath-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define BOOT_COUNT_EFIVARS_DIR "/sys/firmware/efi/efivars"
#define BOOT_COUNT_PATH_MAX 512

/* For a file name like "NAME+LEFT[-DONE].SUFFIX": 1 and *ret_blessed = "NAME.SUFFIX"; for a
 * name without a counter: 0 and *ret_blessed = NULL. -EINVAL for what is not a file name. */
int boot_count_blessed_name(const char *filename, char **ret_blessed);

/* The content of the LoaderBootCountPath variable as efivarfs shows it (UEFI spec 2.10
 * section 8.2: 4 bytes of attributes, little endian, then the data: a NUL-terminated UTF-16LE
 * path with backslashes, relative to the ESP's root). *ret is the path with slashes,
 * "/EFI/Linux/machineos+2-1.efi". -EBADMSG for anything else: odd or oversized data, no
 * terminator, characters outside printable ASCII, empty or ".." components. */
int boot_count_parse_loader_path(const void *data, size_t size, char **ret);

/* Reads and parses the variable in efivars_dir (NULL: BOOT_COUNT_EFIVARS_DIR). -ENOENT when
 * the boot loader did not set it (the entry has no counter, or the loader does not count). */
int boot_count_read_loader_path(const char *efivars_dir, char **ret);

/* Marks the boot entry at path (as from boot_count_read_loader_path()) on the ESP mounted at
 * esp good: renames it to its name without the counter and fsyncs the directory. Returns 1
 * and *ret_blessed (may be NULL; the new path) when it renamed, 0 when the name has no
 * counter. -ENOENT when the file is missing, -EEXIST when the good name is taken. */
int boot_count_bless(const char *esp, const char *path, char **ret_blessed);
