/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The image store: an OCI image layout (image-spec 1.1 image-layout.md): DIR/oci-layout
 * ({"imageLayoutVersion":"1.0.0"}), DIR/index.json and DIR/blobs/sha256/<hex>. Images are
 * tagged with the annotation org.opencontainers.image.ref.name = "NAME:TAG" on their
 * index.json entry.
 *
 * Writes: a blob goes to a temporary file in blobs/sha256, is fsynced, its digest is checked
 * against the bytes read back from that file, and only then renamed to its name; index.json is
 * replaced atomically. Nothing half-written is ever visible under a final name.
 *
 * Concurrency: two advisory locks (flock), both on directories of the layout, so the layout
 * holds no extra files:
 *   - the blobs/ directory: shared by everyone who writes or reads blobs (build, verify,
 *     inspect), exclusive for gc, so gc never removes a blob that a running build has written
 *     but not yet tagged;
 *   - the layout directory: exclusive around each read-modify-write of index.json (tagging,
 *     rm, gc), so concurrent updates are serialised and none is lost. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "macro.h"
#include "oci-image.h"

typedef enum OciLayoutFlags {
        OCI_LAYOUT_CREATE = 1 << 0,    /* create DIR (empty or missing) as a new layout */
        OCI_LAYOUT_EXCLUSIVE = 1 << 1, /* take the blobs lock exclusively (gc) */
} OciLayoutFlags;

typedef struct OciLayout OciLayout;

/* -ENOENT when DIR does not exist (without CREATE), -EBADMSG when it is not an OCI layout
 * (message in *ret_error). */
int oci_layout_open(const char *path, OciLayoutFlags flags, OciLayout **ret, char **ret_error);
OciLayout *oci_layout_free(OciLayout *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(OciLayout *, oci_layout_free);

const char *oci_layout_path(const OciLayout *l);

/* index.json, parsed. */
int oci_layout_read_index(OciLayout *l, OciIndex **ret, char **ret_error);

/* Read-modify-write of index.json under the index lock; fn may change the index in place. */
int oci_layout_update_index(OciLayout *l, int (*fn)(OciIndex *index, void *userdata),
                            void *userdata, char **ret_error);

/* Points NAME:TAG at the descriptor (replacing an earlier entry with that name). */
int oci_layout_tag(OciLayout *l, const char *ref, const OciDescriptor *manifest, char **ret_error);
/* Removes the entry of NAME:TAG; -ENOENT when there is none. */
int oci_layout_untag(OciLayout *l, const char *ref, char **ret_error);
/* The index.json entry of NAME:TAG (a copy; -ENOENT when missing). */
int oci_layout_resolve(OciLayout *l, const char *ref, OciDescriptor *ret, char **ret_error);

/* "blobs/sha256/<hex>" relative to the layout. */
char *oci_layout_blob_path(const Digest *d);
int oci_layout_open_blob(OciLayout *l, const Digest *d, int *ret_fd, uint64_t *ret_size);
/* Reads a blob into memory and checks it against the descriptor: size (and at most max
 * bytes) and digest. -EBADMSG "digest mismatch"/"size mismatch", -ENOENT missing. */
int oci_layout_read_blob(OciLayout *l, const Digest *d, uint64_t size, size_t max, char **ret,
                         char **ret_error);
/* Streams a blob from the layout and checks its size and digest without keeping it: -ENOENT
 * "missing", -EBADMSG "size mismatch"/"digest mismatch" (message in *ret_error). */
int oci_layout_check_blob(OciLayout *l, const Digest *d, uint64_t size, char **ret_error);
/* Stores data as a blob (temporary file, fsync, read back and check, rename). */
int oci_layout_write_blob(OciLayout *l, const void *data, size_t size, Digest *ret);

/* Streaming: a temporary file (read-write) in blobs/sha256 ... */
int oci_layout_blob_tmpfile(OciLayout *l, int *ret_fd, char **ret_tmp_path);
/* ... committed under its digest, which the caller computed from the file's bytes as read
 * back from fd. fsyncs, renames, fsyncs the directory. */
int oci_layout_blob_commit(OciLayout *l, int fd, const char *tmp_path, const Digest *d);
void oci_layout_blob_abort(OciLayout *l, const char *tmp_path);

/* Removes every file in blobs/sha256 that no index.json entry reaches (through image indexes,
 * manifests, their configs and layers), temporary files included. Needs OCI_LAYOUT_EXCLUSIVE.
 * Refuses (-EBADMSG) when a reachable manifest or index cannot be read, so that nothing it
 * might reference is removed. */
int oci_layout_gc(OciLayout *l, uint64_t *ret_removed, uint64_t *ret_bytes, char **ret_error);
