/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Positional I/O on blobs and images: exactly n bytes or an error, and hashing a range. */

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

/* -EIO when the file ends before n bytes (a short file is a damaged file here). */
int pread_full(int fd, void *buf, size_t n, uint64_t offset);
int pwrite_full(int fd, const void *buf, size_t n, uint64_t offset);

/* Feeds [from, to) of fd into h, in 1 MiB reads. */
int hash_fd_range(int fd, CryptoHash *h, uint64_t from, uint64_t to);
