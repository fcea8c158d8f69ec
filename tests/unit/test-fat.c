/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <unistd.h>

#include "fat.h"
#include "fd-util.h"
#include "tap.h"

static int tmpfile_sized(uint64_t size) {
        char path[] = "/tmp/test-fat-XXXXXX";
        int fd = mkostemp(path, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        (void) unlink(path);
        if (ftruncate(fd, (off_t) size) < 0) {
                safe_close(fd);
                return -errno;
        }
        return fd;
}

TEST(write_read) {
        _cleanup_close_ int fd = tmpfile_sized(UINT64_C(40) << 20);
        _cleanup_free_ uint8_t *big = malloc(300000), *d = NULL, *e = NULL, *f = NULL;
        FatFile files[] = {
                { .path = "EFI/BOOT/BOOTX64.EFI", .data = "boot", .size = 4 },
                { .path = "EFI/Linux/machineos-1.0+3.efi", .data = NULL, .size = 0 },
                { .path = "blobs/sha256/"
                          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                  .data = "blob",
                  .size = 4 },
                { .path = "blobs/sha256/"
                          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdee",
                  .data = "blob2",
                  .size = 5 },
                { .path = "empty", .data = "", .size = 0 },
        };
        size_t n;

        ASSERT_TRUE(fd >= 0);
        ASSERT_NOT_NULL(big);
        for (size_t i = 0; i < 300000; i++)
                big[i] = (uint8_t) (i * 31);
        files[1].data = big;
        files[1].size = 300000;
        ASSERT_OK(fat32_write(fd, 0, UINT64_C(40) << 20, "TEST", 1, 0, files, ELEMENTSOF(files)));
        ASSERT_OK(fat32_read_file(fd, 0, "EFI/Linux/machineos-1.0+3.efi", &d, &n));
        ASSERT_EQ(n, 300000);
        ASSERT_TRUE(memcmp(d, big, n) == 0);
        ASSERT_OK(fat32_read_file(fd, 0, "efi/boot/bootx64.efi", &e, &n));
        ASSERT_EQ(n, 4);
        ASSERT_OK(fat32_read_file(
                fd, 0,
                "blobs/sha256/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdee", &f,
                &n));
        ASSERT_TRUE(n == 5 && memcmp(f, "blob2", 5) == 0);
        ASSERT_ERRNO(fat32_read_file(fd, 0, "EFI/nope", &d, &n), -ENOENT);
        ASSERT_ERRNO(fat32_read_file(fd, 0, "EFI", &d, &n), -EISDIR);
}

TEST(refusals) {
        _cleanup_close_ int fd = tmpfile_sized(UINT64_C(40) << 20);
        FatFile dup[] = { { .path = "a", .data = "x", .size = 1 },
                          { .path = "A", .data = "y", .size = 1 } };
        FatFile bad[] = { { .path = "a:b", .data = "x", .size = 1 } };
        FatFile dot[] = { { .path = "../a", .data = "x", .size = 1 } };
        FatFile trail[] = { { .path = "name.", .data = "x", .size = 1 } };
        FatFile clash[] = { { .path = "a/b", .data = "x", .size = 1 },
                            { .path = "a", .data = "x", .size = 1 } };
        static uint8_t huge[1];
        FatFile toobig[] = { { .path = "big", .data = huge, .size = UINT64_C(1) << 32 } };

        ASSERT_TRUE(fd >= 0);
        ASSERT_ERRNO(fat32_write(fd, 0, UINT64_C(40) << 20, "T", 1, 0, dup, 2), -EEXIST);
        ASSERT_ERRNO(fat32_write(fd, 0, UINT64_C(40) << 20, "T", 1, 0, bad, 1), -EINVAL);
        ASSERT_ERRNO(fat32_write(fd, 0, UINT64_C(40) << 20, "T", 1, 0, dot, 1), -EINVAL);
        ASSERT_ERRNO(fat32_write(fd, 0, UINT64_C(40) << 20, "T", 1, 0, trail, 1), -EINVAL);
        ASSERT_ERRNO(fat32_write(fd, 0, UINT64_C(40) << 20, "T", 1, 0, clash, 2), -EEXIST);
        ASSERT_ERRNO(fat32_write(fd, 0, UINT64_C(40) << 20, "T", 1, 0, toobig, 1), -EFBIG);
        ASSERT_ERRNO(fat32_write(fd, 0, UINT64_C(20) << 20, "T", 1, 0, NULL, 0), -ERANGE);
        ASSERT_ERRNO(fat32_write(fd, 0, UINT64_C(40) << 20, "WAY TOO LONG", 1, 0, NULL, 0),
                     -EINVAL);
}

TEST(no_space) {
        _cleanup_close_ int fd = tmpfile_sized(UINT64_C(40) << 20);
        _cleanup_free_ uint8_t *big = calloc(1, UINT64_C(41) << 20);
        FatFile f[] = { { .path = "big", .data = NULL, .size = UINT64_C(41) << 20 } };

        ASSERT_TRUE(fd >= 0);
        ASSERT_NOT_NULL(big);
        f[0].data = big;
        ASSERT_ERRNO(fat32_write(fd, 0, UINT64_C(40) << 20, "T", 1, 0, f, 1), -ENOSPC);
}

/* A crafted volume: a header that claims 268 million clusters, a file of 4 GiB - 1 bytes whose
 * cluster chain is a loop of two clusters, in an image of five sectors. Reading it must fail
 * quickly, not follow the loop until 4 GiB are allocated: a chain cannot be longer than the
 * clusters the image really has. */
TEST(chain_loop_in_small_image) {
        _cleanup_close_ int fd = memfd_create("fat", MFD_CLOEXEC);
        _cleanup_free_ uint8_t *d = NULL;
        uint8_t img[5 * 512] = {};
        uint8_t *bs = img, *fat = img + 512, *root = img + 2 * 512;
        size_t n;

        ASSERT_TRUE(fd >= 0);
        bs[11] = 0x00, bs[12] = 0x02;                         /* 512 bytes per sector */
        bs[13] = 1;                                           /* sectors per cluster */
        bs[14] = 1;                                           /* reserved sectors */
        bs[16] = 1;                                           /* FATs */
        bs[32] = 0xf0, bs[33] = bs[34] = 0xff, bs[35] = 0x0f; /* total sectors */
        bs[36] = 1;                                           /* sectors per FAT */
        bs[44] = 2;                                           /* root cluster */
        bs[510] = 0x55, bs[511] = 0xaa;
        fat[8] = fat[9] = fat[10] = 0xff, fat[11] = 0x0f; /* cluster 2: end of chain */
        fat[12] = 4;                                      /* cluster 3 -> 4 */
        fat[16] = 3;                                      /* cluster 4 -> 3 */
        memcpy(root, "A       BIN", 11);
        root[11] = 0x20;
        root[26] = 3;                                     /* first cluster */
        root[28] = root[29] = root[30] = root[31] = 0xff; /* size */
        ASSERT_OK(loop_write(fd, img, sizeof img));
        ASSERT_ERRNO(fat32_read_file(fd, 0, "A.BIN", &d, &n), -EBADMSG);
}

int main(void) {
        RUN(write_read);
        RUN(refusals);
        RUN(no_space);
        RUN(chain_loop_in_small_image);
        return tap_done();
}
