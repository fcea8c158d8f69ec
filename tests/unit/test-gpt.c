/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fd-util.h"
#include "gpt.h"
#include "string-util.h"
#include "tap.h"

TEST(crc32_vector) {
        ASSERT_EQ(crc32_ieee(0, "123456789", 9), 0xcbf43926u);
}

TEST(write_parse) {
        char path[] = "/tmp/test-gpt-XXXXXX";
        _cleanup_close_ int fd = mkostemp(path, O_CLOEXEC);
        uint64_t size = UINT64_C(8) << 20;
        GptPartition parts[2] = { 0 }, *got = NULL;
        uint8_t head[34 * 512];
        EfiGuid disk, d2;
        size_t n;

        ASSERT_TRUE(fd >= 0);
        (void) unlink(path);
        ASSERT_OK(ftruncate(fd, (off_t) size));
        ASSERT_OK(efi_guid_from_string("01234567-89ab-4cde-8f01-23456789abcd", &disk));
        parts[0] = (GptPartition){ .type = GPT_TYPE_ESP, .first_lba = 2048, .last_lba = 4095 };
        parts[1] =
                (GptPartition){ .type = GPT_TYPE_LINUX_LUKS, .first_lba = 4096, .last_lba = 8191 };
        ASSERT_OK(strscpy(parts[0].name, sizeof parts[0].name, "mos-esp"));
        ASSERT_OK(gpt_write(fd, size, &disk, parts, 2));
        ASSERT_EQ(pread(fd, head, sizeof head, 0), (ssize_t) sizeof head);
        ASSERT_EQ(head[510], 0x55);
        ASSERT_EQ(head[446 + 4], 0xee);
        ASSERT_OK(gpt_parse(head, sizeof head, size, &d2, &got, &n));
        ASSERT_EQ(n, 2);
        ASSERT_TRUE(efi_guid_equal(&d2, &disk));
        ASSERT_STREQ(got[0].name, "mos-esp");
        ASSERT_EQ(got[1].first_lba, 4096);
        ASSERT_TRUE(efi_guid_equal(&got[1].type, &GPT_TYPE_LINUX_LUKS));
        free(got);
        /* The backup header at the last LBA. */
        ASSERT_EQ(pread(fd, head, 512, (off_t) (size - 512)), 512);
        ASSERT_TRUE(memcmp(head, "EFI PART", 8) == 0);
        /* Overlap, out of range. */
        parts[1].first_lba = 4000;
        ASSERT_ERRNO(gpt_write(fd, size, &disk, parts, 2), -EINVAL);
        parts[1].first_lba = 4096;
        parts[1].last_lba = size / 512;
        ASSERT_ERRNO(gpt_write(fd, size, &disk, parts, 2), -EINVAL);
}

TEST(parse_refuses_corruption) {
        char path[] = "/tmp/test-gpt-XXXXXX";
        _cleanup_close_ int fd = mkostemp(path, O_CLOEXEC);
        uint64_t size = UINT64_C(4) << 20;
        GptPartition p = { .type = GPT_TYPE_ESP, .first_lba = 34, .last_lba = 100 }, *got = NULL;
        uint8_t head[34 * 512];
        EfiGuid disk = { { 1 } };
        size_t n;

        ASSERT_TRUE(fd >= 0);
        (void) unlink(path);
        ASSERT_OK(ftruncate(fd, (off_t) size));
        ASSERT_OK(gpt_write(fd, size, &disk, &p, 1));
        ASSERT_EQ(pread(fd, head, sizeof head, 0), (ssize_t) sizeof head);
        head[2 * 512 + 40] ^= 1; /* an entry: the array CRC no longer matches */
        ASSERT_ERRNO(gpt_parse(head, sizeof head, size, NULL, &got, &n), -EBADMSG);
        head[2 * 512 + 40] ^= 1;
        head[512 + 30] ^= 1; /* the header */
        ASSERT_ERRNO(gpt_parse(head, sizeof head, size, NULL, &got, &n), -EBADMSG);
        head[512 + 30] ^= 1;
        ASSERT_ERRNO(gpt_parse(head, sizeof head, size + 512, NULL, &got, &n), -EBADMSG);
        ASSERT_OK(gpt_parse(head, sizeof head, size, NULL, &got, &n));
        free(got);
}

int main(void) {
        RUN(crc32_vector);
        RUN(write_parse);
        RUN(parse_refuses_corruption);
        return tap_done();
}
