/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd-util.h"
#include "string-util.h"
#include "tap.h"
#include "verity.h"

/* A straightforward reference: the whole tree in memory, level by level (kernel verity.rst). */
static void ref_hash(const VerityParams *p, const uint8_t *block, uint8_t out[32]) {
        uint8_t *buf = malloc(p->salt_size + VERITY_BLOCK_SIZE);
        memcpy(buf, p->salt, p->salt_size);
        memcpy(buf + p->salt_size, block, VERITY_BLOCK_SIZE);
        crypto_sha256(buf, p->salt_size + VERITY_BLOCK_SIZE, out);
        free(buf);
}

/* Returns the tree (top level first) and its size; root in root. */
static uint8_t *ref_tree(const VerityParams *p, const uint8_t *data, size_t *ret_size,
                         uint8_t root[32]) {
        uint8_t *levels[16];
        size_t nblocks[16], n = p->data_blocks, total = 0, nlev = 0;
        const uint8_t *in = data;

        while (n > 1) {
                size_t out_blocks = (n + 127) / 128;
                uint8_t *out = calloc(out_blocks, VERITY_BLOCK_SIZE);
                for (size_t i = 0; i < n; i++)
                        ref_hash(p, in + i * VERITY_BLOCK_SIZE, out + i * 32);
                levels[nlev] = out;
                nblocks[nlev++] = out_blocks;
                total += out_blocks;
                in = out;
                n = out_blocks;
        }
        ref_hash(p, in, root);
        uint8_t *tree = malloc(total * VERITY_BLOCK_SIZE + 1), *w = tree;
        for (size_t i = nlev; i-- > 0;) {
                memcpy(w, levels[i], nblocks[i] * VERITY_BLOCK_SIZE);
                w += nblocks[i] * VERITY_BLOCK_SIZE;
                free(levels[i]);
        }
        *ret_size = total * VERITY_BLOCK_SIZE;
        return tree;
}

static int make_file(const uint8_t *data, size_t size) {
        char path[] = "/tmp/test-verity.XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0)
                return -1;
        unlink(path);
        if (loop_write(fd, data, size) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

static uint8_t *pattern(size_t blocks) {
        uint8_t *d = malloc(blocks * VERITY_BLOCK_SIZE);
        uint32_t x = 0x12345678;
        for (size_t i = 0; i < blocks * VERITY_BLOCK_SIZE; i++) {
                x = x * 1103515245 + 12345;
                d[i] = (uint8_t) (x >> 16);
        }
        return d;
}

static void params_init(VerityParams *p, uint64_t blocks, uint64_t hash_offset) {
        memset(p, 0, sizeof *p);
        p->data_blocks = blocks;
        p->hash_offset = hash_offset;
        p->salt_size = 32;
        for (unsigned i = 0; i < 32; i++)
                p->salt[i] = (uint8_t) (0xa0 + i);
        for (unsigned i = 0; i < 16; i++)
                p->uuid[i] = (uint8_t) i;
}

static void check_size(uint64_t blocks, unsigned threads) {
        _cleanup_free_ uint8_t *data = pattern(blocks), *tree = NULL, *area = NULL;
        uint8_t root[32], ref_root[32], sb[VERITY_BLOCK_SIZE];
        _cleanup_close_ int fd = -1;
        VerityOptions o = { .threads = threads };
        VerityFailure f;
        VerityParams p;
        size_t tree_size;

        params_init(&p, blocks, blocks * VERITY_BLOCK_SIZE);
        fd = make_file(data, blocks * VERITY_BLOCK_SIZE);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(verity_format(fd, &p, &o, root));
        tree = ref_tree(&p, data, &tree_size, ref_root);
        ASSERT_EQ(tree_size, verity_tree_size(blocks));
        ASSERT_TRUE(memcmp(root, ref_root, 32) == 0);

        area = malloc(VERITY_BLOCK_SIZE + tree_size);
        ASSERT_EQ(pread(fd, area, VERITY_BLOCK_SIZE + tree_size, (off_t) p.hash_offset),
                  (ssize_t) (VERITY_BLOCK_SIZE + tree_size));
        verity_superblock_build(&p, sb);
        ASSERT_TRUE(memcmp(area, sb, VERITY_BLOCK_SIZE) == 0);
        ASSERT_TRUE(memcmp(area + VERITY_BLOCK_SIZE, tree, tree_size) == 0);
        ASSERT_EQ(lseek(fd, 0, SEEK_END), (off_t) (p.hash_offset + verity_hash_area_size(blocks)));

        ASSERT_OK(verity_verify(fd, &p, root, &o, &f));
}

TEST(sizes_match_reference) {
        static const uint64_t sizes[] = { 1, 2, 127, 128, 129, 255, 256, 257, 300, 16385 };
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++)
                for (unsigned t = 1; t <= 3; t += 2) {
                        check_size(sizes[i], t);
                        if (tap_current_failed) {
                                tap_fail("blocks %llu threads %u", (unsigned long long) sizes[i],
                                         t);
                                return;
                        }
                }
}

TEST(geometry) {
        ASSERT_EQ(verity_tree_size(1), 0);
        ASSERT_EQ(verity_tree_size(2), 4096);
        ASSERT_EQ(verity_tree_size(128), 4096);
        ASSERT_EQ(verity_tree_size(129), 3 * 4096);
        /* 1 GiB: 2048 level-0 blocks, 16 level-1 blocks, 1 top block (veritysetup: 2065) */
        ASSERT_EQ(verity_tree_size(262144), 2065 * 4096);
        ASSERT_EQ(verity_hash_area_size(262144), 2066 * 4096);
        ASSERT_EQ(verity_tree_size(0), 0);
}

TEST(params_refused) {
        VerityParams p;
        uint8_t root[32];

        params_init(&p, 0, 0);
        ASSERT_ERRNO(verity_params_validate(&p), -EINVAL);
        params_init(&p, 4, 3 * 4096);
        ASSERT_ERRNO(verity_params_validate(&p), -EINVAL); /* hash area inside the data */
        params_init(&p, 4, 4 * 4096 + 1);
        ASSERT_ERRNO(verity_params_validate(&p), -EINVAL);
        params_init(&p, 4, 4 * 4096);
        p.salt_size = 257;
        ASSERT_ERRNO(verity_params_validate(&p), -EINVAL);
        params_init(&p, UINT64_MAX / 4096, UINT64_MAX / 4096 * 4096);
        ASSERT_ERRNO(verity_params_validate(&p), -EINVAL);
        /* data missing from the file */
        params_init(&p, 4, 4 * 4096);
        _cleanup_close_ int fd = make_file((const uint8_t *) "x", 1);
        ASSERT_ERRNO(verity_format(fd, &p, NULL, root), -EIO);
}

static void corrupt(int fd, uint64_t offset) {
        uint8_t b;
        (void) !pread(fd, &b, 1, (off_t) offset);
        b ^= 0x40;
        (void) !pwrite(fd, &b, 1, (off_t) offset);
}

TEST(detects_tampering) {
        const uint64_t blocks = 300; /* level 0: 3 blocks, level 1: 1 block */
        _cleanup_free_ uint8_t *data = pattern(blocks);
        uint64_t tree = blocks * VERITY_BLOCK_SIZE + VERITY_BLOCK_SIZE; /* top block */
        uint8_t root[32], bad_root[32];
        VerityParams p;
        VerityFailure f;
        struct {
                uint64_t offset, expect;
                bool hash;
        } cases[] = {
                { 0, 0, false },                                   /* first data byte */
                { 77 * 4096 + 100, 77 * 4096, false },             /* middle */
                { 299 * 4096 + 4095, 299 * 4096, false },          /* last data byte */
                { blocks * 4096 + 80, blocks * 4096, true },       /* superblock */
                { tree + 5, tree, true },                          /* top level */
                { tree + 4096 + 33, tree + 4096, true },           /* level 0, first block */
                { tree + 3 * 4096 + 4000, tree + 3 * 4096, true }, /* level 0 padding */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_close_ int fd = make_file(data, blocks * VERITY_BLOCK_SIZE);
                params_init(&p, blocks, blocks * VERITY_BLOCK_SIZE);
                ASSERT_OK(verity_format(fd, &p, NULL, root));
                corrupt(fd, cases[i].offset);
                memset(&f, 0, sizeof f);
                ASSERT_ERRNO(verity_verify(fd, &p, root, &(VerityOptions){ .threads = 2 }, &f),
                             -EUCLEAN);
                if (f.offset != cases[i].expect || f.hash_block != cases[i].hash) {
                        tap_fail("case %zu: offset %llu (hash %d), expected %llu", i,
                                 (unsigned long long) f.offset, f.hash_block,
                                 (unsigned long long) cases[i].expect);
                        return;
                }
        }

        /* wrong root hash, wrong salt */
        _cleanup_close_ int fd = make_file(data, blocks * VERITY_BLOCK_SIZE);
        params_init(&p, blocks, blocks * VERITY_BLOCK_SIZE);
        ASSERT_OK(verity_format(fd, &p, NULL, root));
        memcpy(bad_root, root, 32);
        bad_root[31] ^= 1;
        ASSERT_ERRNO(verity_verify(fd, &p, bad_root, NULL, &f), -EUCLEAN);
        ASSERT_EQ(f.offset, tree);
        p.salt[0] ^= 1;
        ASSERT_ERRNO(verity_verify(fd, &p, root, NULL, &f), -EUCLEAN);
        ASSERT_EQ(f.offset, blocks * 4096); /* the superblock records the salt */
        p.salt[0] ^= 1;
        /* truncated hash area */
        ASSERT_OK(ftruncate(fd, (off_t) (tree + 4096)));
        ASSERT_ERRNO(verity_verify(fd, &p, root, NULL, &f), -EIO);
}

TEST(single_block) {
        _cleanup_free_ uint8_t *data = pattern(1);
        _cleanup_close_ int fd = make_file(data, VERITY_BLOCK_SIZE);
        uint8_t root[32], ref[32];
        VerityParams p;
        VerityFailure f;

        params_init(&p, 1, 8192); /* a gap between data and hash area is allowed */
        ASSERT_OK(verity_format(fd, &p, NULL, root));
        ref_hash(&p, data, ref);
        ASSERT_TRUE(memcmp(root, ref, 32) == 0);
        ASSERT_OK(verity_verify(fd, &p, root, NULL, &f));
        corrupt(fd, 10);
        ASSERT_ERRNO(verity_verify(fd, &p, root, NULL, &f), -EUCLEAN);
        ASSERT_EQ(f.offset, 0);
}

int main(void) {
        RUN(geometry);
        RUN(params_refused);
        RUN(sizes_match_reference);
        RUN(detects_tampering);
        RUN(single_block);
        return tap_done();
}
