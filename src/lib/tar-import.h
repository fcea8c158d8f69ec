/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Tar archives through libarchive: the only module that includes <archive.h>.
 *
 * Accepted: tar (ustar, pax, GNU) either plain or compressed with gzip or zstd, nothing else.
 * A TarReader reads from a range of a file or from the current member of another TarReader
 * (a layer inside a `docker save` archive), and can hash every byte of its input (the
 * compressed stream), so a caller can check a blob's digest while it is being imported;
 * tar_reader_input_digest() reads what libarchive left unread so the digest covers the whole
 * input.
 *
 * tar_reader_import() turns an archive into an FsTree (which enforces the path, link, xattr
 * and whiteout rules) and streams regular files' contents to an FsDataSink.
 *
 * Errors: -EBADMSG for a malformed, truncated or corrupt archive or a member that breaks a
 * rule, -EFBIG for a member larger than the limit; tar_reader_error() says which member and
 * what. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "fs-tree.h"
#include "macro.h"

#define TAR_MEMBER_SIZE_MAX (UINT64_C(1) << 40) /* 1 TiB */
#define TAR_SMALL_MEMBER_MAX (4U * 1024U * 1024U)

typedef struct TarReader TarReader;

typedef struct TarInput {
        int fd; /* read from fd at [offset, offset + size)... */
        uint64_t offset;
        uint64_t size;    /* UINT64_MAX: to the end of the file */
        TarReader *outer; /* ...or, when set, from the current member of outer */
        bool digest;      /* hash the input bytes (see tar_reader_input_digest()) */
} TarInput;

int tar_reader_new(const TarInput *in, TarReader **ret);
TarReader *tar_reader_free(TarReader *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(TarReader *, tar_reader_free);

const char *tar_reader_error(const TarReader *r);

/* Advances to the next member and returns 1 with its path in *ret_path (valid until the next
 * call), or 0 at the end of the archive. */
int tar_reader_next(TarReader *r, const char **ret_path);
/* The current member's symlink target, or NULL when it is not a symlink. */
const char *tar_reader_member_symlink(TarReader *r);
/* Reads the current member's data: bytes read, 0 at its end, or -errno. */
ssize_t tar_reader_read(TarReader *r, void *buf, size_t n);
/* Reads the whole current member into memory, refusing more than max bytes (-EFBIG). */
int tar_reader_read_all(TarReader *r, size_t max, char **ret, size_t *ret_size);

/* Reads the rest of the input through the hash and returns the digest and size of all input
 * bytes. Needs TarInput.digest. */
int tar_reader_input_digest(TarReader *r, Digest *ret, uint64_t *ret_size);

typedef struct TarImportOptions {
        uint64_t member_size_max; /* 0: TAR_MEMBER_SIZE_MAX */
        /* called after each member with the bytes of input read so far (progress) */
        void (*progress)(uint64_t input_bytes, void *userdata);
        void *userdata;
} TarImportOptions;

/* Imports every member into tree; file contents go to sink (which may be NULL to discard). */
int tar_reader_import(TarReader *r, FsTree *tree, const FsDataSink *sink,
                      const TarImportOptions *o);
