/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <unistd.h>

#include "fd-util.h"
#include "io-util.h"
#include "macro.h"

#define HASH_CHUNK (1U << 20)

int hash_fd_range(int fd, CryptoHash *h, uint64_t from, uint64_t to) {
        _cleanup_free_ uint8_t *buf = NULL;
        int r;

        buf = malloc(HASH_CHUNK);
        if (!buf)
                return -ENOMEM;
        while (from < to) {
                size_t n = (size_t) MIN((uint64_t) HASH_CHUNK, to - from);
                r = pread_full(fd, buf, n, from);
                if (r < 0)
                        return r;
                r = crypto_hash_update(h, buf, n);
                if (r < 0)
                        return r;
                from += n;
        }
        return 0;
}
