/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Hashing a range of a file; the positional I/O it uses (pread_full(), pwrite_full()) is in
 * fd-util.h. */

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "fd-util.h"

/* Feeds [from, to) of fd into h, in 1 MiB reads. */
int hash_fd_range(int fd, CryptoHash *h, uint64_t from, uint64_t to);
