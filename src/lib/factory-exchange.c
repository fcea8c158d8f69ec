/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockdev.h"
#include "crypto.h"
#include "disk.h"
#include "factory-exchange.h"
#include "fd-util.h"
#include "gpt.h"
#include "macro.h"
#include "memory-util.h"
#include "string-util.h"

static const char *const record_names[_FACTORY_RECORD_MAX] = {
        [FACTORY_RECORD_IDENTITY] = "identity",
        [FACTORY_RECORD_CERTIFICATE] = "certificate",
        [FACTORY_RECORD_SEALED_DATA_VOLUME] = "sealed-data-volume",
};

const char *factory_record_to_string(FactoryRecord t) {
        return (unsigned) t < _FACTORY_RECORD_MAX ? record_names[t] : NULL;
}

int factory_record_from_string(const char *s) {
        for (unsigned i = 0; i < _FACTORY_RECORD_MAX; i++)
                if (streq(s, record_names[i]))
                        return (int) i;
        return -EINVAL;
}

int factory_record_encode(FactoryRecord t, const void *payload, size_t size,
                          uint8_t ret[static FACTORY_SLOT_SIZE]) {
        uint32_t le;
        int r;

        if ((unsigned) t >= _FACTORY_RECORD_MAX || size == 0)
                return -EINVAL;
        if (size > FACTORY_PAYLOAD_MAX)
                return -EFBIG;
        memset(ret, 0, FACTORY_SLOT_SIZE);
        memcpy(ret, FACTORY_MAGIC, 8);
        le = htole32((uint32_t) t);
        memcpy(ret + 8, &le, 4);
        le = htole32((uint32_t) size);
        memcpy(ret + 12, &le, 4);
        r = crypto_sha256(payload, size, ret + 32);
        if (r < 0)
                return r;
        memcpy(ret + FACTORY_RECORD_HEADER_SIZE, payload, size);
        return 0;
}

int factory_record_decode(const uint8_t *slot, size_t slot_size, FactoryRecord t, uint8_t **ret,
                          size_t *ret_size) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        uint32_t type, size;
        uint8_t *copy;
        int r;

        if ((unsigned) t >= _FACTORY_RECORD_MAX)
                return -EINVAL;
        if (slot_size < FACTORY_RECORD_HEADER_SIZE || slot_size > FACTORY_SLOT_SIZE)
                return -EBADMSG;
        if (memeqzero(slot, 8))
                return -ENOENT;
        if (memcmp(slot, FACTORY_MAGIC, 8) != 0)
                return -EBADMSG;
        memcpy(&type, slot + 8, 4);
        memcpy(&size, slot + 12, 4);
        type = le32toh(type);
        size = le32toh(size);
        if (type != (uint32_t) t || size == 0 || size > FACTORY_PAYLOAD_MAX ||
            size > slot_size - FACTORY_RECORD_HEADER_SIZE || !memeqzero(slot + 16, 16))
                return -EBADMSG;
        /* Nothing but zeros after the payload: a shorter record written over a longer one
         * must not leave the old tail behind unnoticed. */
        if (!memeqzero(slot + FACTORY_RECORD_HEADER_SIZE + size,
                       slot_size - FACTORY_RECORD_HEADER_SIZE - size))
                return -EBADMSG;
        r = crypto_sha256(slot + FACTORY_RECORD_HEADER_SIZE, size, digest);
        if (r < 0)
                return r;
        if (memcmp(digest, slot + 32, sizeof digest) != 0)
                return -EBADMSG;
        copy = malloc(size);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, slot + FACTORY_RECORD_HEADER_SIZE, size);
        *ret = copy;
        *ret_size = size;
        return 0;
}

int factory_record_read(int fd, uint64_t area_offset, FactoryRecord t, uint8_t **ret,
                        size_t *ret_size) {
        _cleanup_free_ uint8_t *slot = malloc(FACTORY_SLOT_SIZE);
        int r;

        if (!slot)
                return -ENOMEM;
        if ((unsigned) t >= _FACTORY_RECORD_MAX)
                return -EINVAL;
        r = pread_full(fd, slot, FACTORY_SLOT_SIZE, area_offset + (uint64_t) t * FACTORY_SLOT_SIZE);
        if (r < 0)
                return r;
        return factory_record_decode(slot, FACTORY_SLOT_SIZE, t, ret, ret_size);
}

int factory_record_write(int fd, uint64_t area_offset, FactoryRecord t, const void *payload,
                         size_t size) {
        _cleanup_free_ uint8_t *slot = malloc(FACTORY_SLOT_SIZE);
        int r;

        if (!slot)
                return -ENOMEM;
        r = factory_record_encode(t, payload, size, slot);
        if (r < 0)
                return r;
        r = pwrite_full(fd, slot, FACTORY_SLOT_SIZE,
                        area_offset + (uint64_t) t * FACTORY_SLOT_SIZE);
        if (r < 0)
                return r;
        return fdatasync(fd) < 0 ? -errno : 0;
}

int factory_area_wipe(int fd, uint64_t area_offset) {
        _cleanup_free_ uint8_t *zero = calloc(1, FACTORY_SLOT_SIZE);
        int r;

        if (!zero)
                return -ENOMEM;
        for (uint64_t off = 0; off < FACTORY_AREA_SIZE; off += FACTORY_SLOT_SIZE) {
                r = pwrite_full(fd, zero, FACTORY_SLOT_SIZE, area_offset + off);
                if (r < 0)
                        return r;
        }
        return fdatasync(fd) < 0 ? -errno : 0;
}

int factory_image_area_offset(int fd, uint64_t *ret) {
        _cleanup_free_ uint8_t *head = malloc(GPT_FIRST_USABLE_LBA * GPT_SECTOR);
        _cleanup_free_ GptPartition *parts = NULL;
        uint64_t disk_size;
        size_t n_parts;
        EfiGuid guid;
        ssize_t n;
        int r;

        if (!head)
                return -ENOMEM;
        r = blockdev_get_size(fd, &disk_size);
        if (r < 0)
                return r;
        n = pread(fd, head, GPT_FIRST_USABLE_LBA * GPT_SECTOR, 0);
        if (n < 0)
                return -errno;
        if ((size_t) n != GPT_FIRST_USABLE_LBA * GPT_SECTOR)
                return -EBADMSG;
        r = gpt_parse(head, (size_t) n, disk_size, &guid, &parts, &n_parts);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_parts; i++)
                if (streq(parts[i].name, DISK_LABEL_DATA)) {
                        uint64_t size = (parts[i].last_lba - parts[i].first_lba + 1) * GPT_SECTOR;
                        if (size < FACTORY_AREA_SIZE)
                                return -EBADMSG;
                        *ret = parts[i].first_lba * GPT_SECTOR;
                        return 0;
                }
        return -ENOENT;
}
