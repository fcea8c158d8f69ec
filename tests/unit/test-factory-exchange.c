/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk.h"
#include "factory-exchange.h"
#include "fd-util.h"
#include "gpt.h"
#include "tap.h"

static uint8_t slot[FACTORY_SLOT_SIZE];

TEST(names) {
        ASSERT_STREQ(factory_record_to_string(FACTORY_RECORD_IDENTITY), "identity");
        ASSERT_STREQ(factory_record_to_string(FACTORY_RECORD_SEALED_DATA_VOLUME),
                     "sealed-data-volume");
        ASSERT_EQ(factory_record_from_string("certificate"), FACTORY_RECORD_CERTIFICATE);
        ASSERT_ERRNO(factory_record_from_string("secret"), -EINVAL);
        ASSERT_NULL(factory_record_to_string(_FACTORY_RECORD_MAX));
}

TEST(round_trip) {
        _cleanup_free_ uint8_t *p = NULL;
        size_t n;

        ASSERT_OK(factory_record_encode(FACTORY_RECORD_CERTIFICATE, "hello", 5, slot));
        ASSERT_EQ(memcmp(slot, "MOSXCHG1", 8), 0);
        ASSERT_OK(factory_record_decode(slot, sizeof slot, FACTORY_RECORD_CERTIFICATE, &p, &n));
        ASSERT_EQ(n, 5);
        ASSERT_EQ(memcmp(p, "hello", 5), 0);
}

TEST(refusals) {
        uint8_t copy[FACTORY_SLOT_SIZE];
        uint8_t *p = NULL;
        size_t n;

        memset(copy, 0, sizeof copy);
        ASSERT_ERRNO(factory_record_decode(copy, sizeof copy, FACTORY_RECORD_IDENTITY, &p, &n),
                     -ENOENT);
        ASSERT_OK(factory_record_encode(FACTORY_RECORD_IDENTITY, "key", 3, slot));
        /* another slot's record */
        ASSERT_ERRNO(factory_record_decode(slot, sizeof slot, FACTORY_RECORD_CERTIFICATE, &p, &n),
                     -EBADMSG);
        /* payload byte, checksum byte, magic, size, tail, reserved bytes */
        size_t offsets[] = { 64, 40, 3, 13, 64 + 3, 20 };
        for (size_t i = 0; i < ELEMENTSOF(offsets); i++) {
                memcpy(copy, slot, sizeof copy);
                copy[offsets[i]] ^= 1;
                ASSERT_ERRNO(
                        factory_record_decode(copy, sizeof copy, FACTORY_RECORD_IDENTITY, &p, &n),
                        -EBADMSG);
        }
        ASSERT_ERRNO(factory_record_decode(slot, 32, FACTORY_RECORD_IDENTITY, &p, &n), -EBADMSG);
        ASSERT_ERRNO(factory_record_encode(FACTORY_RECORD_IDENTITY, "", 0, slot), -EINVAL);
        ASSERT_ERRNO(
                factory_record_encode(FACTORY_RECORD_IDENTITY, slot, FACTORY_PAYLOAD_MAX + 1, slot),
                -EFBIG);
}

TEST(on_a_disk_image) {
        char path[] = "/tmp/test-factory-XXXXXX";
        _cleanup_close_ int fd = mkstemp(path);
        _cleanup_free_ uint8_t *p = NULL, *q = NULL;
        GptPartition parts[2] = {
                { .first_lba = 2048, .last_lba = 2048 + 2047, .name = "mos-config" },
                { .first_lba = 4096, .last_lba = 4096 + 4095, .name = DISK_LABEL_DATA },
        };
        EfiGuid guid = {};
        uint64_t off;
        size_t n;

        ASSERT_TRUE(fd >= 0);
        unlink(path);
        parts[0].type = GPT_TYPE_LINUX_DATA;
        parts[1].type = GPT_TYPE_LINUX_DATA;
        ASSERT_OK(ftruncate(fd, 8u << 20) < 0 ? -errno : 0);
        ASSERT_OK(gpt_write(fd, 8u << 20, &guid, parts, 2));
        ASSERT_OK(factory_image_area_offset(fd, &off));
        ASSERT_EQ(off, 4096 * 512);

        ASSERT_ERRNO(factory_record_read(fd, off, FACTORY_RECORD_IDENTITY, &p, &n), -ENOENT);
        ASSERT_OK(factory_record_write(fd, off, FACTORY_RECORD_SEALED_DATA_VOLUME, "blob", 4));
        ASSERT_OK(factory_record_read(fd, off, FACTORY_RECORD_SEALED_DATA_VOLUME, &p, &n));
        ASSERT_EQ(n, 4);
        ASSERT_OK(factory_area_wipe(fd, off));
        ASSERT_ERRNO(factory_record_read(fd, off, FACTORY_RECORD_SEALED_DATA_VOLUME, &q, &n),
                     -ENOENT);
}

TEST(image_without_gpt) {
        char path[] = "/tmp/test-factory-XXXXXX";
        _cleanup_close_ int fd = mkstemp(path);
        uint64_t off;

        ASSERT_TRUE(fd >= 0);
        unlink(path);
        ASSERT_OK(ftruncate(fd, 1u << 20) < 0 ? -errno : 0);
        ASSERT_ERRNO(factory_image_area_offset(fd, &off), -EBADMSG);
}

int main(void) {
        RUN(names);
        RUN(round_trip);
        RUN(refusals);
        RUN(on_a_disk_image);
        RUN(image_without_gpt);
        return tap_done();
}
