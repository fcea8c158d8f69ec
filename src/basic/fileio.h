/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <sys/types.h>

/* Reads a whole file, refusing files larger than max_size with -EFBIG before reading them.
 * The buffer gets a trailing NUL that is not counted in *ret_size. dir_fd may be AT_FDCWD. */
int read_full_file_at(int dir_fd, const char *path, size_t max_size, char **ret, size_t *ret_size);
static inline int read_full_file(const char *path, size_t max_size, char **ret, size_t *ret_size) {
        return read_full_file_at(AT_FDCWD, path, max_size, ret, ret_size);
}
int read_full_fd(int fd, size_t max_size, char **ret, size_t *ret_size);
/* The same for files that hold secrets (private keys, passphrases, authorization values): every
 * intermediate buffer, and the buffer on failure, is wiped before it is freed. The caller wipes
 * the result (erase_and_free(), memory-util.h). */
int read_full_fd_secret(int fd, size_t max_size, char **ret, size_t *ret_size);
int read_full_file_secret(const char *path, size_t max_size, char **ret, size_t *ret_size);

/* Atomic replacement: writes to a temporary file in the same directory (O_TMPFILE where the
 * file system supports it, else a ".#name.XXXXXX" file), fsyncs it, renames it over path
 * and fsyncs the directory. Either the old or the new content is visible, never a mix. On
 * failure nothing is left behind. With WRITE_NO_REPLACE an existing path is refused with
 * -EEXIST. */
typedef enum WriteFlags {
        WRITE_NO_REPLACE = 1 << 0,
} WriteFlags;
int write_file_atomic_at(int dir_fd, const char *path, const void *data, size_t size, mode_t mode,
                         WriteFlags flags);
static inline int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode,
                                    WriteFlags flags) {
        return write_file_atomic_at(AT_FDCWD, path, data, size, mode, flags);
}

/* A temporary file beside path that becomes path on link_tmpfile_at(). Used by writers that
 * stream (blobs, disk images): open_tmpfile_beside() gives an fd to write into; on success
 * link_tmpfile_at() fsyncs and links/renames it into place. */
int open_tmpfile_beside_at(int dir_fd, const char *path, mode_t mode, char **ret_tmp_path);
int link_tmpfile_at(int fd, int dir_fd, const char *tmp_path, const char *path, WriteFlags flags);
/* Removes a temporary file made by open_tmpfile_beside_at() (tmp_path may be NULL). */
void unlink_tmpfile_at(int dir_fd, const char *tmp_path);

/* fsyncs the directory that contains path. */
int fsync_parent_at(int dir_fd, const char *path);
