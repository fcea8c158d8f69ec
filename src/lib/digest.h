/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Content digests in the "algorithm:encoded" form of the OCI image-spec (descriptor.md,
 * "Digests"), e.g. "sha256:ba7816bf...". Only sha256 is supported: it is the one algorithm
 * every OCI implementation must accept, and the one MachineOS writes. Generic on purpose:
 * image layouts, manifests and registries all use it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto.h"

#define DIGEST_SHA256_PREFIX "sha256:"
/* "sha256:" + 64 hex digits + NUL */
#define DIGEST_STRING_MAX (sizeof(DIGEST_SHA256_PREFIX) + 2 * SHA256_DIGEST_SIZE)

typedef struct Digest {
        uint8_t sha256[SHA256_DIGEST_SIZE];
} Digest;

/* True when s follows the image-spec digest grammar (any algorithm):
 *   digest    ::= algorithm ":" encoded
 *   algorithm ::= component (separator component)*,  component ::= [a-z0-9]+,
 *   separator ::= [+._-],  encoded ::= [a-zA-Z0-9=_-]+
 * plus the registered-algorithm rule for sha256 (exactly 64 lower-case hex digits). */
bool digest_string_is_valid(const char *s);

/* Parses "sha256:<64 lower-case hex>". -EBADMSG when s does not follow the grammar,
 * -EOPNOTSUPP for a well-formed digest of another algorithm (e.g. sha512). */
int digest_parse(const char *s, Digest *ret);

/* Writes "sha256:<hex>" into buf (DIGEST_STRING_MAX bytes); returns buf. */
char *digest_format(const Digest *d, char buf[static DIGEST_STRING_MAX]);
/* Newly allocated "sha256:<hex>"; NULL on OOM. */
char *digest_to_string(const Digest *d);
/* The 64 hex digits only (for blobs/sha256/<hex>); buf holds 65 bytes. */
char *digest_format_hex(const Digest *d, char buf[static 2 * SHA256_DIGEST_SIZE + 1]);

int digest_compute(const void *data, size_t size, Digest *ret);

static inline bool digest_equal(const Digest *a, const Digest *b) {
        return memcmp(a->sha256, b->sha256, sizeof a->sha256) == 0;
}
