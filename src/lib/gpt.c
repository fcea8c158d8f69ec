/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "gpt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byte-buffer.h"
#include "fd-util.h"
#include "string-util.h"

const EfiGuid GPT_TYPE_ESP =
        EFI_GUID_INIT(0xc12a7328, 0xf81f, 0x11d2, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b);
const EfiGuid GPT_TYPE_LINUX_DATA =
        EFI_GUID_INIT(0x0fc63daf, 0x8483, 0x4772, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4);
const EfiGuid GPT_TYPE_LINUX_LUKS =
        EFI_GUID_INIT(0xca7d7ccb, 0x63ed, 0x4c53, 0x86, 0x1c, 0x17, 0x42, 0x53, 0x60, 0x59, 0xcc);

/* CRC-32 as used by GPT (ISO 3309 / IEEE 802.3, reflected, polynomial 0xedb88320). */
uint32_t crc32_ieee(uint32_t crc, const void *p, size_t n) {
        const uint8_t *b = p;
        crc = ~crc;
        for (size_t i = 0; i < n; i++) {
                crc ^= b[i];
                for (int k = 0; k < 8; k++)
                        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
        }
        return ~crc;
}

/* GPT header (UEFI 2.10 table 5-5), 92 bytes in a 512-byte block. */
static void header(uint8_t *h, uint64_t my_lba, uint64_t alt_lba, uint64_t last_usable,
                   const EfiGuid *disk_guid, uint64_t entries_lba, uint32_t entries_crc) {
        memset(h, 0, GPT_SECTOR);
        memcpy(h, "EFI PART", 8);
        le32_write(h + 8, 0x00010000);
        le32_write(h + 12, 92);
        le64_write(h + 24, my_lba);
        le64_write(h + 32, alt_lba);
        le64_write(h + 40, GPT_FIRST_USABLE_LBA);
        le64_write(h + 48, last_usable);
        memcpy(h + 56, disk_guid->bytes, 16);
        le64_write(h + 72, entries_lba);
        le32_write(h + 80, GPT_ENTRIES);
        le32_write(h + 84, GPT_ENTRY_SIZE);
        le32_write(h + 88, entries_crc);
        le32_write(h + 16, crc32_ieee(0, h, 92));
}

int gpt_write(int fd, uint64_t disk_size, const EfiGuid *disk_guid, const GptPartition *parts,
              size_t n_parts) {
        uint8_t mbr[GPT_SECTOR], hdr[GPT_SECTOR];
        uint8_t entries[GPT_ENTRIES * GPT_ENTRY_SIZE];
        uint64_t last_lba, last_usable;
        uint32_t crc;
        int r;

        if (disk_size % GPT_SECTOR != 0 || disk_size / GPT_SECTOR < 2 * GPT_FIRST_USABLE_LBA + 1 ||
            n_parts > GPT_ENTRIES)
                return -EINVAL;
        last_lba = disk_size / GPT_SECTOR - 1;
        last_usable = last_lba - 33;

        memset(entries, 0, sizeof entries);
        for (size_t i = 0; i < n_parts; i++) {
                const GptPartition *p = &parts[i];
                uint8_t *e = entries + i * GPT_ENTRY_SIZE;
                size_t len = strnlen(p->name, GPT_NAME_MAX + 1);

                if (p->first_lba < GPT_FIRST_USABLE_LBA || p->last_lba < p->first_lba ||
                    p->last_lba > last_usable || len > GPT_NAME_MAX ||
                    !string_is_printable_ascii(p->name, len))
                        return -EINVAL;
                for (size_t j = 0; j < i; j++)
                        if (!(p->last_lba < parts[j].first_lba || p->first_lba > parts[j].last_lba))
                                return -EINVAL;
                memcpy(e, p->type.bytes, 16);
                memcpy(e + 16, p->uuid.bytes, 16);
                le64_write(e + 32, p->first_lba);
                le64_write(e + 40, p->last_lba);
                le64_write(e + 48, p->attributes);
                for (size_t c = 0; c < len; c++)
                        le16_write(e + 56 + 2 * c, (uint8_t) p->name[c]);
        }
        crc = crc32_ieee(0, entries, sizeof entries);

        /* Protective MBR (UEFI 2.10 section 5.2.3): one partition of type 0xEE from LBA 1. */
        memset(mbr, 0, sizeof mbr);
        mbr[446 + 2] = 0x02; /* CHS of LBA 1 */
        mbr[446 + 4] = 0xee;
        mbr[446 + 5] = 0xff;
        mbr[446 + 6] = 0xff;
        mbr[446 + 7] = 0xff;
        le32_write(mbr + 446 + 8, 1);
        le32_write(mbr + 446 + 12, (uint32_t) (last_lba > UINT32_MAX ? UINT32_MAX : last_lba));
        mbr[510] = 0x55;
        mbr[511] = 0xaa;

        r = pwrite_full(fd, mbr, sizeof mbr, 0);
        if (r < 0)
                return r;
        header(hdr, 1, last_lba, last_usable, disk_guid, 2, crc);
        r = pwrite_full(fd, hdr, sizeof hdr, GPT_SECTOR);
        if (r >= 0)
                r = pwrite_full(fd, entries, sizeof entries, 2 * GPT_SECTOR);
        if (r < 0)
                return r;
        header(hdr, last_lba, 1, last_usable, disk_guid, last_lba - 32, crc);
        r = pwrite_full(fd, entries, sizeof entries, (last_lba - 32) * GPT_SECTOR);
        if (r >= 0)
                r = pwrite_full(fd, hdr, sizeof hdr, last_lba * GPT_SECTOR);
        return r;
}

int gpt_parse(const uint8_t *head, size_t head_size, uint64_t disk_size, EfiGuid *ret_disk_guid,
              GptPartition **ret, size_t *ret_n) {
        _cleanup_free_ GptPartition *parts = NULL;
        uint8_t hdr[92];
        const uint8_t *h, *entries;
        uint32_t n_entries, entry_size, hdr_size;
        uint64_t last_lba, first_usable, last_usable, entries_lba;
        size_t n = 0;

        if (head_size < GPT_FIRST_USABLE_LBA * GPT_SECTOR || disk_size % GPT_SECTOR != 0 ||
            disk_size / GPT_SECTOR < 2 * GPT_FIRST_USABLE_LBA + 1)
                return -EBADMSG;
        last_lba = disk_size / GPT_SECTOR - 1;
        h = head + GPT_SECTOR;
        hdr_size = le32_read(h + 12);
        if (memcmp(h, "EFI PART", 8) != 0 || le32_read(h + 8) != 0x00010000 || hdr_size != 92)
                return -EBADMSG;
        memcpy(hdr, h, sizeof hdr);
        le32_write(hdr + 16, 0);
        if (crc32_ieee(0, hdr, sizeof hdr) != le32_read(h + 16))
                return -EBADMSG;
        first_usable = le64_read(h + 40);
        last_usable = le64_read(h + 48);
        entries_lba = le64_read(h + 72);
        n_entries = le32_read(h + 80);
        entry_size = le32_read(h + 84);
        if (le64_read(h + 24) != 1 || le64_read(h + 32) != last_lba || entries_lba != 2 ||
            n_entries != GPT_ENTRIES || entry_size != GPT_ENTRY_SIZE ||
            first_usable < GPT_FIRST_USABLE_LBA || last_usable >= last_lba ||
            first_usable > last_usable)
                return -EBADMSG;
        entries = head + 2 * GPT_SECTOR;
        if (crc32_ieee(0, entries, (size_t) n_entries * entry_size) != le32_read(h + 88))
                return -EBADMSG;

        parts = calloc(GPT_ENTRIES, sizeof *parts);
        if (!parts)
                return -ENOMEM;
        for (uint32_t i = 0; i < n_entries; i++) {
                const uint8_t *e = entries + (size_t) i * entry_size;
                GptPartition *p = &parts[n];
                static const uint8_t zero[16];

                if (memcmp(e, zero, 16) == 0)
                        continue;
                memcpy(p->type.bytes, e, 16);
                memcpy(p->uuid.bytes, e + 16, 16);
                p->first_lba = le64_read(e + 32);
                p->last_lba = le64_read(e + 40);
                p->attributes = le64_read(e + 48);
                if (p->first_lba < first_usable || p->last_lba < p->first_lba ||
                    p->last_lba > last_usable)
                        return -EBADMSG;
                for (size_t c = 0; c < GPT_NAME_MAX; c++) {
                        uint16_t ch = le16_read(e + 56 + 2 * c);
                        if (ch == 0)
                                break;
                        p->name[c] = ch >= 0x20 && ch < 0x7f ? (char) ch : '?';
                }
                n++;
        }
        if (ret_disk_guid)
                memcpy(ret_disk_guid->bytes, h + 56, 16);
        *ret = TAKE_PTR(parts);
        *ret_n = n;
        return 0;
}
