/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* dm-verity hash trees, built and checked in userspace.
 *
 * The format is the kernel's (Documentation/admin-guide/device-mapper/verity.rst) with hash
 * type ("format") 1, SHA-256, 4096-byte data and hash blocks, as written by cryptsetup's
 * `veritysetup format`:
 *
 *   - every data block and every hash block is hashed as SHA-256(salt || block);
 *   - level 0 holds the hashes of the data blocks, level i+1 the hashes of the blocks of level
 *     i, 128 hashes of 32 bytes per 4096-byte block, the rest of a block zero; the top level is
 *     one block, and the root hash is the hash of that block (with a single data block there
 *     are no levels and the root hash is the hash of that block);
 *   - on disk the levels follow each other from the top level down to level 0;
 *   - the area starts with a 4096-byte block holding the veritysetup superblock (512 bytes:
 *     "verity\0\0", version 1, hash type 1, UUID, "sha256", block sizes, data block count,
 *     salt; little-endian; the rest zero), and the tree starts one block after it.
 *
 * The data is the first data_blocks * 4096 bytes of the file and the hash area starts at
 * hash_offset in the same file (usually right after the data). Work is split into chunks of
 * 256 blocks (1 MiB read with one pread) handed out to `threads` worker threads; each chunk's
 * output has a fixed place, so the result does not depend on the thread count. Memory use is
 * one 1 MiB buffer per thread, whatever the size of the data. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define VERITY_BLOCK_SIZE 4096U
#define VERITY_HASHES_PER_BLOCK (VERITY_BLOCK_SIZE / SHA256_DIGEST_SIZE)
#define VERITY_SALT_SIZE_MAX 256U
#define VERITY_UUID_SIZE 16U
#define VERITY_SUPERBLOCK_SIZE 512U
#define VERITY_LEVELS_MAX 63U

typedef struct VerityParams {
        uint64_t data_blocks; /* number of 4096-byte data blocks, from offset 0 */
        uint64_t hash_offset; /* where the superblock block starts; a multiple of 4096 */
        uint8_t salt[VERITY_SALT_SIZE_MAX];
        size_t salt_size;
        uint8_t uuid[VERITY_UUID_SIZE]; /* recorded in the superblock */
} VerityParams;

/* Bytes of the tree levels (without the superblock block), 0 on overflow. */
uint64_t verity_tree_size(uint64_t data_blocks);
/* Superblock block + tree: the bytes that follow hash_offset. 0 on overflow. */
uint64_t verity_hash_area_size(uint64_t data_blocks);

/* Checks the parameters: data_blocks >= 1, hash_offset aligned and not inside the data, salt
 * size, sizes that fit in 64 bits. -EINVAL otherwise. */
int verity_params_validate(const VerityParams *p);

/* The 4096-byte superblock block for p. */
void verity_superblock_build(const VerityParams *p, uint8_t ret[static VERITY_BLOCK_SIZE]);

/* Reads back a superblock block written by verity_superblock_build() (or veritysetup): the
 * data block count, salt and UUID into *ret (hash_offset untouched). -EBADMSG when it is not
 * a version 1, hash type 1, sha256, 4096/4096 superblock. */
int verity_superblock_parse(const uint8_t block[static VERITY_BLOCK_SIZE], VerityParams *ret);

/* Called from one worker thread (never concurrently) after each chunk; done/total count
 * blocks (data and hash blocks). */
typedef void (*VerityProgressFn)(uint64_t done, uint64_t total, void *userdata);

typedef struct VerityOptions {
        unsigned threads; /* 0: one per online CPU */
        VerityProgressFn progress;
        void *userdata;
} VerityOptions;

/* Writes the superblock and the tree of the data in fd (opened read-write) at p->hash_offset,
 * and returns the root hash. */
int verity_format(int fd, const VerityParams *p, const VerityOptions *o,
                  uint8_t ret_root_hash[static SHA256_DIGEST_SIZE]);

/* Where a verification failed. */
typedef struct VerityFailure {
        uint64_t offset; /* byte offset in the file of the first block that does not match */
        bool hash_block; /* the block is part of the hash area (superblock or tree) */
} VerityFailure;

/* Checks the superblock against p, then every hash block from the root down and every data
 * block against the tree, and that unused bytes in hash blocks are zero. Returns 0, -EUCLEAN
 * (with *failure filled, when given) on a mismatch, -EIO on read errors or a short file. */
int verity_verify(int fd, const VerityParams *p, const uint8_t root_hash[static SHA256_DIGEST_SIZE],
                  const VerityOptions *o, VerityFailure *failure);

/* Online CPUs, at least 1, at most 64. */
unsigned verity_default_threads(void);
