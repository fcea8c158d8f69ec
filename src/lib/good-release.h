/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* "Release R booted good" (docs/appliance.md, "Boot good"; docs/tpm.md, "Counters"): mosd
 * writes this record on the configuration partition once every service runs; the next boot's
 * mos-init, before it locks PCR 7, may move the TPM's minimum-release counter up to R. The
 * record is not authenticated (anyone with the disk can write the partition), so it names the
 * exact manifest that booted good: mos-init acts on it only when it verified that manifest's
 * signature in the same boot (good_release_matches()), and never moves the counter above the
 * release of a manifest signed for this product. The worst a forged record can do is move the
 * counter to a release that is signed and installed anyway.
 *
 *   config partition: state/good-release.json
 *   {"manifest-sha256":"<64 hex: SHA-256 of manifest.json's bytes>","release":R,"version":1}
 *
 * Canonical JSON, strict parse (unknown fields refused, fuzzed). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define GOOD_RELEASE_FILE "state/good-release.json"
#define GOOD_RELEASE_MAX_SIZE 4096u

typedef struct GoodRelease {
        uint64_t release;
        uint8_t manifest_sha256[SHA256_DIGEST_SIZE];
} GoodRelease;

/* The record for a manifest's bytes and its release. */
int good_release_from_manifest(const void *manifest, size_t size, uint64_t release,
                               GoodRelease *ret);
int good_release_format(const GoodRelease *g, char **ret, size_t *ret_size);
/* -EBADMSG with *ret_error (may be NULL) naming the field, -EFBIG. */
int good_release_parse(const char *data, size_t size, GoodRelease *ret, char **ret_error);

/* config_dir/state/good-release.json, written atomically (state/ created when missing) and
 * fsynced; read back with the parse above (-ENOENT when there is none). */
int good_release_write(const char *config_dir, const GoodRelease *g);
int good_release_read(const char *config_dir, GoodRelease *ret, char **ret_error);

/* True when the record is for exactly these manifest bytes with this release. */
bool good_release_matches(const GoodRelease *g, const void *manifest, size_t size,
                          uint64_t release);
