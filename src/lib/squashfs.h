/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* squashfs images through libsquashfs (squashfs-tools-ng): the only module that includes
 * <sqfs/...>.
 *
 * Writing: file contents stream in through squashfs_writer_begin_file/append/end_file (or the
 * FsDataSink from squashfs_writer_data_sink()) while the caller builds the FsTree; then
 * squashfs_writer_finish() writes inodes, directories and tables in a fixed order (post-order
 * by sorted names) and pads the image with zeros to a multiple of 4096 bytes. Settings that
 * change the bytes are fixed: squashfs 4.0, zstd, 128 KiB blocks, fragments and
 * deduplication on (checked byte for byte), no NFS export table. With the same inputs the
 * image is the same whatever the thread count. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs-tree.h"
#include "macro.h"

#define SQUASHFS_BLOCK_SIZE (128U * 1024U)
#define SQUASHFS_ALIGN 4096U
#define SQUASHFS_ZSTD_LEVEL_DEFAULT 3U
#define SQUASHFS_ZSTD_LEVEL_MAX 22U

typedef struct SquashfsOptions {
        unsigned compression_level; /* zstd 1..22; 0: SQUASHFS_ZSTD_LEVEL_DEFAULT */
        unsigned threads;           /* compressor threads; 0: one */
        uint32_t mkfs_time;         /* superblock modification time */
} SquashfsOptions;

typedef struct SquashfsWriter SquashfsWriter;

/* fd: an empty file opened read-write; the writer does not close it. */
int squashfs_writer_new(int fd, const SquashfsOptions *o, SquashfsWriter **ret);
SquashfsWriter *squashfs_writer_free(SquashfsWriter *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(SquashfsWriter *, squashfs_writer_free);

/* The payload_free to put in FsTreeOptions for trees whose files this writer stores. */
void squashfs_payload_free(void *payload);

int squashfs_writer_begin_file(SquashfsWriter *w, FsNode *n);
int squashfs_writer_append(SquashfsWriter *w, const void *data, size_t size);
int squashfs_writer_end_file(SquashfsWriter *w);
void squashfs_writer_data_sink(SquashfsWriter *w, FsDataSink *ret);

/* Writes the tree (finalized with fs_tree_finalize()) and the tables. Returns the image size,
 * padded to 4096 bytes. -EFBIG when the tree exceeds what squashfs can hold (more than 65536
 * owners, directories too large). */
int squashfs_writer_finish(SquashfsWriter *w, FsTree *tree, uint64_t *ret_size);

/* After squashfs_writer_finish(): where the metadata tables start (the inode table; everything
 * before it but the superblock and compressor options is file data). */
uint64_t squashfs_writer_tables_start(const SquashfsWriter *w);

#define SQUASHFS_SUPERBLOCK_SIZE 96U

typedef struct SquashfsInfo {
        uint64_t bytes_used;
        uint32_t inode_count;
        uint32_t block_size;
        uint16_t compression_id;
        uint32_t mkfs_time;
} SquashfsInfo;

/* Reads and checks the superblock of the image at the start of fd: magic, version 4.0, block
 * size, a compressor, table offsets inside bytes_used, and bytes_used <= limit. -EBADMSG with
 * *ret_error (when given) saying what is wrong. */
int squashfs_check_superblock(int fd, uint64_t limit, SquashfsInfo *ret, const char **ret_error);

/* A listing of the whole image, one line per entry in path order:
 *   "<path> <type><perm octal> <uid>:<gid> <mtime> nlink=<n> [-> target] [dev=M:m]
 *    [size=<n> sha256=<hex>] [xattr <name>=<hex>]..."
 * The root is ".". For tests and debugging (reads every file). */
int squashfs_list(int fd, char **ret);
