/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "fd-util.h"
#include "squashfs.h"
#include "string-util.h"
#include "tap.h"

static int tmpfile_fd(void) {
        char path[] = "/tmp/test-squashfs.XXXXXX";
        int fd = mkstemp(path);
        if (fd >= 0)
                unlink(path);
        return fd;
}

static int add_file(FsTree *t, SquashfsWriter *w, const char *path, mode_t mode, const void *data,
                    size_t size) {
        FsNode *n;
        int r = fs_tree_add(t,
                            &(FsEntry){ .path = path,
                                        .mode = S_IFREG | mode,
                                        .uid = 1000,
                                        .gid = 100,
                                        .mtime = 1234 },
                            &n);
        if (r < 0)
                return r;
        r = squashfs_writer_begin_file(w, n);
        if (r < 0)
                return r;
        /* in pieces, as a streaming source would */
        for (size_t off = 0; off < size; off += 7000) {
                r = squashfs_writer_append(w, (const uint8_t *) data + off,
                                           MIN((size_t) 7000, size - off));
                if (r < 0)
                        return r;
        }
        return squashfs_writer_end_file(w);
}

/* Builds the same small image; returns its fd. */
static int build(unsigned threads, unsigned level, uint64_t *ret_size) {
        _cleanup_(fs_tree_freep) FsTree *t = NULL;
        _cleanup_(squashfs_writer_freep) SquashfsWriter *w = NULL;
        _cleanup_free_ uint8_t *big = malloc(300000);
        FsXattr x[] = { { .name = (char *) "security.capability",
                          .value = (uint8_t *) "\x01\x02",
                          .size = 2 },
                        { .name = (char *) "user.note", .value = (uint8_t *) "hello", .size = 5 } };
        int fd = tmpfile_fd();

        for (size_t i = 0; i < 300000; i++)
                big[i] = (uint8_t) (i * 7 + i / 1000);
        if (fd < 0 || fs_tree_new(&(FsTreeOptions){ .flags = FS_TREE_OCI_WHITEOUTS,
                                                    .payload_free = squashfs_payload_free },
                                  &t) < 0)
                return -1;
        if (squashfs_writer_new(fd,
                                &(SquashfsOptions){ .threads = threads,
                                                    .compression_level = level,
                                                    .mkfs_time = 42 },
                                &w) < 0)
                return -1;
        if (add_file(t, w, "bin/busybox", 0755, big, 300000) < 0 ||
            add_file(t, w, "etc/hostname", 0644, "box\n", 4) < 0 ||
            add_file(t, w, "empty", 0600, "", 0) < 0 ||
            add_file(t, w, "etc/copy", 0644, "box\n", 4) < 0)
                return -1;
        if (fs_tree_add(t, &(FsEntry){ .path = "bin/sh", .hardlink = "bin/busybox" }, NULL) < 0 ||
            fs_tree_add(
                    t,
                    &(FsEntry){
                            .path = "lib64", .mode = S_IFLNK | 0777, .symlink = "lib", .mtime = 5 },
                    NULL) < 0 ||
            fs_tree_add(t,
                        &(FsEntry){ .path = "dev/null",
                                    .mode = S_IFCHR | 0666,
                                    .rdev_major = 1,
                                    .rdev_minor = 3 },
                        NULL) < 0 ||
            fs_tree_add(t,
                        &(FsEntry){ .path = "dev/sda",
                                    .mode = S_IFBLK | 0660,
                                    .rdev_major = 8,
                                    .rdev_minor = 300 },
                        NULL) < 0 ||
            fs_tree_add(t, &(FsEntry){ .path = "run/fifo", .mode = S_IFIFO | 0600, .gid = 70000 },
                        NULL) < 0 ||
            fs_tree_add(t,
                        &(FsEntry){ .path = "usr/bin/ping",
                                    .mode = S_IFREG | 04755,
                                    .xattrs = x,
                                    .n_xattrs = 2 },
                        NULL) < 0 ||
            fs_tree_add(t, &(FsEntry){ .path = "etc/.wh.gone", .mode = S_IFREG | 0644 }, NULL) <
                    0 ||
            fs_tree_add(t, &(FsEntry){ .path = "var/.wh..wh..opq", .mode = S_IFREG }, NULL) < 0)
                return -1;
        if (fs_tree_finalize(t) < 0 || squashfs_writer_finish(w, t, ret_size) < 0)
                return -1;
        return fd;
}

static const char expected[] =
        ". d0755 0:0 0 nlink=8\n"
        "bin d0755 0:0 0 nlink=2\n"
        "bin/busybox -0755 1000:100 1234 nlink=2 size=300000 sha256=%s\n"
        "bin/sh -0755 1000:100 1234 nlink=2 size=300000 sha256=%s\n"
        "dev d0755 0:0 0 nlink=2\n"
        "dev/null c0666 0:0 0 nlink=1 dev=1:3\n"
        "dev/sda b0660 0:0 0 nlink=1 dev=8:300\n"
        "empty -0600 1000:100 1234 nlink=1 size=0 "
        "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "etc d0755 0:0 0 nlink=2\n"
        "etc/copy -0644 1000:100 1234 nlink=1 size=4 "
        "sha256=9d8f48dbb150f0403fe850ddeace30e2844a311d05e9bd232c7a0e99388773d1\n"
        "etc/gone c0000 0:0 0 nlink=1 dev=0:0\n"
        "etc/hostname -0644 1000:100 1234 nlink=1 size=4 "
        "sha256=9d8f48dbb150f0403fe850ddeace30e2844a311d05e9bd232c7a0e99388773d1\n"
        "lib64 l0777 0:0 5 nlink=1 -> lib\n"
        "run d0755 0:0 0 nlink=2\n"
        "run/fifo p0600 0:70000 0 nlink=1\n"
        "usr d0755 0:0 0 nlink=3\n"
        "usr/bin d0755 0:0 0 nlink=2\n"
        "usr/bin/ping -4755 0:0 0 nlink=1 size=0 "
        "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "
        "xattr security.capability=0102 xattr user.note=68656c6c6f\n"
        "var d0755 0:0 0 nlink=2 xattr trusted.overlay.opaque=79\n";

TEST(round_trip) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *listing = NULL, *want = NULL, *bighex = NULL;
        _cleanup_free_ uint8_t *big = malloc(300000);
        uint8_t d[32];
        uint64_t size;
        SquashfsInfo info;
        const char *err = NULL;

        for (size_t i = 0; i < 300000; i++)
                big[i] = (uint8_t) (i * 7 + i / 1000);
        crypto_sha256(big, 300000, d);
        bighex = hexmem(d, 32);

        fd = build(2, 0, &size);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(size % 4096, 0);
        ASSERT_EQ(lseek(fd, 0, SEEK_END), (off_t) size);
        ASSERT_OK(squashfs_list(fd, &listing));
        want = strprintf(expected, bighex, bighex);
        if (!streq(listing, want)) {
                printf("# got:\n%s", listing);
                tap_fail("listing differs");
                return;
        }
        ASSERT_OK(squashfs_check_superblock(fd, size, &info, &err));
        ASSERT_EQ(info.inode_count, 18); /* 19 entries, two of them one inode */
        ASSERT_EQ(info.mkfs_time, 42);
        ASSERT_EQ(info.block_size, 131072);
        ASSERT_TRUE(info.bytes_used <= size && info.bytes_used > size - 4096);
        ASSERT_ERRNO(squashfs_check_superblock(fd, info.bytes_used - 1, NULL, &err), -EBADMSG);
        ASSERT_STREQ(err, "bytes_used beyond the end of the layer's data");
}

static uint8_t *read_all(int fd, uint64_t size) {
        uint8_t *b = malloc(size);
        if (b && pread(fd, b, size, 0) != (ssize_t) size) {
                free(b);
                return NULL;
        }
        return b;
}

TEST(reproducible_across_threads) {
        uint64_t s1, s3, s9;
        _cleanup_close_ int a = build(1, 0, &s1), b = build(3, 0, &s3), c = build(2, 9, &s9);
        _cleanup_free_ uint8_t *x = NULL, *y = NULL;

        ASSERT_TRUE(a >= 0 && b >= 0 && c >= 0);
        ASSERT_EQ(s1, s3);
        x = read_all(a, s1);
        y = read_all(b, s3);
        ASSERT_TRUE(x && y && memcmp(x, y, s1) == 0);
        /* another level is another image, still readable */
        _cleanup_free_ char *listing = NULL;
        ASSERT_OK(squashfs_list(c, &listing));
}

TEST(superblock_refused) {
        _cleanup_close_ int fd = tmpfile_fd();
        uint8_t junk[4096] = "hsqs";
        const char *err = NULL;

        ASSERT_TRUE(fd >= 0);
        ASSERT_ERRNO(squashfs_check_superblock(fd, 0, NULL, &err), -EBADMSG);
        ASSERT_STREQ(err, "image shorter than a superblock");
        ASSERT_OK(loop_write(fd, junk, sizeof junk));
        ASSERT_ERRNO(squashfs_check_superblock(fd, sizeof junk, NULL, &err), -EBADMSG);
        memcpy(junk, "XXXX", 4);
        ASSERT_OK(pwrite(fd, junk, sizeof junk, 0) == sizeof junk ? 0 : -EIO);
        ASSERT_ERRNO(squashfs_check_superblock(fd, sizeof junk, NULL, &err), -EBADMSG);
        ASSERT_STREQ(err, "no squashfs magic");
}

int main(void) {
        RUN(round_trip);
        RUN(reproducible_across_threads);
        RUN(superblock_refused);
        return tap_done();
}
