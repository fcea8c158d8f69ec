/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* GUID partition tables (UEFI 2.10 section 5.3): protective MBR, primary header and entry
 * array at LBA 1-33, backup entry array and header at the end of the disk; 512-byte logical
 * blocks, 128 entries of 128 bytes, CRC32 over header and entries. */

#include <stddef.h>
#include <stdint.h>

#include "efivars.h"

#define GPT_SECTOR 512u
#define GPT_ENTRIES 128u
#define GPT_ENTRY_SIZE 128u
#define GPT_FIRST_USABLE_LBA 34u
#define GPT_NAME_MAX 36u /* UTF-16 code units */

typedef struct GptPartition {
        EfiGuid type;
        EfiGuid uuid;
        uint64_t first_lba;
        uint64_t last_lba; /* inclusive */
        uint64_t attributes;
        char name[GPT_NAME_MAX + 1]; /* ASCII */
} GptPartition;

/* Writes both tables and the protective MBR into fd (a disk image of disk_size bytes).
 * -EINVAL for partitions outside the usable area, overlapping, or with names that are not
 * printable ASCII. */
int gpt_write(int fd, uint64_t disk_size, const EfiGuid *disk_guid, const GptPartition *parts,
              size_t n_parts);

/* Reads the primary table (header and entry CRCs, sizes and ranges checked) of a disk image of
 * disk_size bytes given as its first 34 sectors; -EBADMSG when invalid. Empty entries are
 * skipped. ret is an array of at most GPT_ENTRIES. */
int gpt_parse(const uint8_t *head, size_t head_size, uint64_t disk_size, EfiGuid *ret_disk_guid,
              GptPartition **ret, size_t *ret_n);

uint32_t crc32_ieee(uint32_t crc, const void *p, size_t n);

/* Partition types (docs/disk.md). */
extern const EfiGuid GPT_TYPE_ESP;        /* C12A7328-F81F-11D2-BA4B-00A0C93EC93B */
extern const EfiGuid GPT_TYPE_LINUX_DATA; /* 0FC63DAF-8483-4772-8E79-3D69D8477DE4 */
extern const EfiGuid GPT_TYPE_LINUX_LUKS; /* CA7D7CCB-63ED-4C53-861C-1742536059CC */
