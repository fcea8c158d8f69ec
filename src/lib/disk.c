/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "disk.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byte-buffer.h"
#include "crypto.h"
#include "fd-util.h"
#include "fileio.h"
#include "gpt.h"
#include "path-util.h"
#include "string-util.h"

#define FAT_MIN (UINT64_C(64) << 20)

char *disk_uki_path(const char *name, unsigned tries) {
        /* systemd-boot's boot counting (systemd "Automatic Boot Assessment"): "+LEFT" before the
         * suffix; systemd-boot renames the file to "+LEFT-DONE" on each try. */
        if (tries == 0)
                return strjoin(DISK_ESP_UKI_DIR "/", name, ".efi");
        return strprintf(DISK_ESP_UKI_DIR "/%s+%u.efi", name, tries);
}

void disk_derive_guid(const uint8_t seed[32], const char *purpose, uint8_t ret[16]) {
        uint8_t d[SHA256_DIGEST_SIZE];
        ByteBuffer b = BYTE_BUFFER_INIT;

        byte_buffer_append(&b, "machineos-disk-guid", 19);
        byte_buffer_append(&b, seed, 32);
        byte_buffer_append_string(&b, purpose);
        if (byte_buffer_error(&b) < 0 || crypto_sha256(b.data, b.size, d) < 0)
                memset(d, 0, sizeof d); /* cannot happen with a working libcrypto */
        byte_buffer_done(&b);
        memcpy(ret, d, 16);
        /* RFC 4122 version 4 and variant bits, in EFI byte order (data3 is little-endian). */
        ret[7] = (uint8_t) ((ret[7] & 0x0f) | 0x40);
        ret[8] = (uint8_t) ((ret[8] & 0x3f) | 0x80);
}

static uint32_t derive_u32(const uint8_t seed[32], const char *purpose) {
        uint8_t g[16];
        disk_derive_guid(seed, purpose, g);
        return le32_read(g);
}

static uint64_t align_up(uint64_t v) {
        return (v + DISK_ALIGN - 1) / DISK_ALIGN * DISK_ALIGN;
}

static uint64_t fat_size(uint64_t given, const FatFile *files, size_t n, uint64_t headroom) {
        uint64_t s;
        if (given)
                return align_up(given);
        s = fat32_size_estimate(files, n) + headroom;
        return align_up(MAX(s, FAT_MIN));
}

int disk_create(const DiskParams *p, const char *out, DiskLayout *ret_layout) {
        _cleanup_free_ char *tmp = NULL, *uki_path = NULL;
        _cleanup_close_ int fd = -1;
        FatFile esp[4];
        GptPartition parts[4] = { 0 };
        static const char *const labels[4] = { DISK_LABEL_ESP, DISK_LABEL_CONFIG, DISK_LABEL_STORE,
                                               DISK_LABEL_DATA };
        static const char *const fat_labels[3] = { "MOS-ESP", "MOS-CONFIG", "MOS-STORE" };
        DiskLayout L = { 0 };
        EfiGuid disk_guid;
        uint64_t off;
        int r;

        if (!p->boot_loader || !p->uki || p->uki_size == 0 || !p->uki_name ||
            !filename_is_valid(p->uki_name))
                return -EINVAL;
        uki_path = disk_uki_path(p->uki_name, p->boot_tries);
        if (!uki_path)
                return -ENOMEM;

        /* ESP: systemd-boot at the removable-media path (what the firmware boots without a
         * Boot#### entry) and at its own path, the UKI where systemd-boot finds Type #2 entries,
         * and a loader.conf without menu, editor or auto entries. */
        static const char loader_conf[] = "timeout 0\neditor no\nauto-entries no\n"
                                          "auto-firmware no\n";
        esp[0] = (FatFile){ .path = "EFI/BOOT/BOOTX64.EFI",
                            .data = p->boot_loader,
                            .size = p->boot_loader_size };
        esp[1] = (FatFile){ .path = "EFI/systemd/systemd-bootx64.efi",
                            .data = p->boot_loader,
                            .size = p->boot_loader_size };
        esp[2] = (FatFile){ .path = uki_path, .data = p->uki, .size = p->uki_size };
        esp[3] = (FatFile){ .path = "loader/loader.conf",
                            .data = loader_conf,
                            .size = sizeof loader_conf - 1 };

        /* Sizes: the ESP holds two UKIs (the running one and an update beside it). */
        L.size[0] = fat_size(p->esp_size, esp, ELEMENTSOF(esp), esp[2].size + (UINT64_C(16) << 20));
        L.size[1] = fat_size(p->config_size, p->config_files, p->n_config_files, UINT64_C(8) << 20);
        {
                uint64_t content = fat32_size_estimate(p->store_files, p->n_store_files);
                L.size[2] = fat_size(p->store_size, p->store_files, p->n_store_files, content / 4);
                if (!p->store_size)
                        L.size[2] = MAX(L.size[2], align_up(p->store_min_size));
        }
        L.size[3] = align_up(p->data_size ?: DISK_DEFAULT_DATA_SIZE);
        off = DISK_ALIGN; /* partitions start at 1 MiB */
        for (int i = 0; i < 4; i++) {
                L.offset[i] = off;
                off += L.size[i];
        }
        L.disk_size = off + DISK_ALIGN; /* room for the backup GPT */

        r = open_tmpfile_beside_at(AT_FDCWD, out, 0644, &tmp);
        if (r < 0)
                return r;
        fd = r;
        if (ftruncate(fd, (off_t) L.disk_size) < 0) {
                r = -errno;
                goto fail;
        }

        disk_derive_guid(p->seed, "disk", disk_guid.bytes);
        for (int i = 0; i < 4; i++) {
                parts[i].type = i == 0   ? GPT_TYPE_ESP
                                : i == 3 ? GPT_TYPE_LINUX_LUKS
                                         : GPT_TYPE_LINUX_DATA;
                disk_derive_guid(p->seed, labels[i], parts[i].uuid.bytes);
                parts[i].first_lba = L.offset[i] / GPT_SECTOR;
                parts[i].last_lba = (L.offset[i] + L.size[i]) / GPT_SECTOR - 1;
                (void) strscpy(parts[i].name, sizeof parts[i].name, labels[i]);
        }
        r = gpt_write(fd, L.disk_size, &disk_guid, parts, ELEMENTSOF(parts));
        if (r < 0)
                goto fail;
        r = fat32_write(fd, L.offset[0], L.size[0], fat_labels[0],
                        derive_u32(p->seed, fat_labels[0]), p->timestamp, esp, ELEMENTSOF(esp));
        if (r >= 0)
                r = fat32_write(fd, L.offset[1], L.size[1], fat_labels[1],
                                derive_u32(p->seed, fat_labels[1]), p->timestamp, p->config_files,
                                p->n_config_files);
        if (r >= 0)
                r = fat32_write(fd, L.offset[2], L.size[2], fat_labels[2],
                                derive_u32(p->seed, fat_labels[2]), p->timestamp, p->store_files,
                                p->n_store_files);
        if (r < 0)
                goto fail;
        r = link_tmpfile_at(fd, AT_FDCWD, tmp, out, 0);
        if (r < 0)
                goto fail;
        if (ret_layout)
                *ret_layout = L;
        return 0;
fail:
        unlink_tmpfile_at(AT_FDCWD, tmp);
        return r;
}
