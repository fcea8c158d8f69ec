/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A FAT32 file system written straight into a region of an image file (no mkfs, no mount):
 * Microsoft "FAT: General Overview of On-Disk Format" 1.03 (BPB, FSInfo, FAT, 8.3 and long
 * name directory entries). Used for the EFI system partition (UEFI 2.10 section 13.3: FAT32
 * on fixed disks) and MachineOS's configuration and store partitions. The layout is fully
 * determined by the inputs: entries sorted by name, clusters allocated in order, one fixed
 * timestamp, a given volume id. Regions that stay zero are not written (sparse images). */

#include <stddef.h>
#include <stdint.h>

typedef struct FatFile {
        const char *path;   /* "EFI/BOOT/BOOTX64.EFI": '/'-separated, ASCII, no "." or ".." */
        const void *data;   /* contents in memory, or NULL: ... */
        const char *source; /* ... streamed from this host file */
        uint64_t size;      /* for source: filled in by fat_write() if 0 */
} FatFile;

/* The smallest and largest partition FAT32 is used for here (65525 clusters of 512 bytes is
 * the lower bound of FAT32; FAT32 files are limited to 4 GiB - 1). */
#define FAT32_MIN_SIZE (UINT64_C(34) * 1024 * 1024)
#define FAT_FILE_MAX UINT64_C(0xffffffff)

/* Writes the file system into fd at [offset, offset + size). -EINVAL for a bad path or label
 * (label: up to 11 printable ASCII characters), -ENOSPC when the files do not fit, -EFBIG for a
 * file of 4 GiB or more, -ERANGE when size is outside FAT32's range. */
int fat32_write(int fd, uint64_t offset, uint64_t size, const char *label, uint32_t volume_id,
                uint64_t unix_time, FatFile *files, size_t n_files);

/* How many bytes a FAT32 file system needs for these files, with every file rounded to the
 * cluster size that fat32_write() picks for a partition of that size (an upper bound). */
uint64_t fat32_size_estimate(const FatFile *files, size_t n_files);

/* Reads a file back from a FAT32 file system at offset (used by tests and `mos disk`): follows
 * long names and cluster chains. -ENOENT when absent, -EBADMSG when the file system is
 * malformed. */
int fat32_read_file(int fd, uint64_t offset, const char *path, uint8_t **ret, size_t *ret_size);
