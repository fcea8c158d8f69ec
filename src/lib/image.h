/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* MachineOS images in an OCI image layout (docs/image-format.md): building them from a
 * directory, a tar archive, another OCI layout or a `docker save` archive; resolving NAME:TAG
 * to the manifest and the per-layer verity parameters (what a product manifest records); and
 * verifying every digest and every block.
 *
 * Each source layer becomes one layer blob: a squashfs image (zstd) padded with zeros to a
 * multiple of 4096 bytes, followed by its dm-verity hash area (a veritysetup superblock block,
 * then the tree). hash offset = size of the padded squashfs; data blocks = hash offset / 4096;
 * salt = SHA-256 of the squashfs superblock and of everything from its inode table to the
 * hash offset (the metadata), so the same image gives the same salt, tree and digest; the
 * superblock's UUID is the first 16 bytes of the salt, marked as an RFC 9562 version 8 UUID.
 * A raw dm-verity table skips the superblock block: hash_start_block = hash offset / 4096 + 1.
 * docs/image-format.md has the details. */

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "macro.h"
#include "oci-image.h"
#include "oci-layout.h"
#include "verity.h"

/* Progress of a long operation: what (a short phrase), done and total in the unit of what
 * (total 0: unknown). */
typedef void (*ImageProgressFn)(const char *what, uint64_t done, uint64_t total, void *userdata);

typedef struct ImageLayer {
        Digest digest;
        uint64_t size;
        MosLayerVerity verity;
} ImageLayer;

typedef struct Image {
        char *ref;
        Digest manifest_digest;
        uint64_t manifest_size;
        Digest config_digest;
        uint64_t config_size;
        ImageLayer *layers;
        size_t n_layers;
        OciImageConfig *config;
} Image;

Image *image_free(Image *i);
DEFINE_TRIVIAL_CLEANUP_FUNC(Image *, image_free);

typedef struct ImageBuildOptions {
        const char *
                source; /* DIR, FILE (tar, tar.gz, tar.zst), oci:DIR[:REF], docker-archive:FILE[:REF] */
        const char *ref;            /* NAME:TAG */
        unsigned threads;           /* 0: one per online CPU */
        unsigned compression_level; /* zstd; 0: the default */
        bool have_epoch;            /* SOURCE_DATE_EPOCH */
        uint64_t epoch;
        ImageProgressFn progress;
        void *userdata;
} ImageBuildOptions;

/* Builds and tags the image. On failure nothing is tagged; blobs already written stay
 * untagged until `gc`. Errors: -EBADMSG/-EFBIG for bad input (message in *ret_error), -ENOENT
 * for a missing source, -errno otherwise. */
int image_build(OciLayout *l, const ImageBuildOptions *o, Image **ret, char **ret_error);

/* NAME:TAG to the manifest digest and size, the config and each layer's digest, size and
 * verity parameters. The manifest and config blobs are read and their digests checked. */
int image_resolve(OciLayout *l, const char *ref, Image **ret, char **ret_error);
/* The same for the image manifest blob with this digest and size, tagged or not (a product
 * manifest names its images by digest); ref names the image in messages and in ret->ref. */
int image_load(OciLayout *l, const char *ref, const Digest *manifest, uint64_t manifest_size,
               Image **ret, char **ret_error);

typedef struct ImageVerifyOptions {
        unsigned threads;
        ImageProgressFn progress;
        void *userdata;
} ImageVerifyOptions;

/* Checks the manifest and config digests, then for every layer its size, digest, every data
 * and hash block against its verity root hash, and its squashfs superblock. -EUCLEAN when a
 * block does not match (the message names the layer and the block's offset), -EBADMSG for
 * digest, size or format errors. */
int image_verify(OciLayout *l, const char *ref, const ImageVerifyOptions *o, Image **ret,
                 char **ret_error);

/* The dm-verity parameters of a layer: data blocks, hash offset and salt from the
 * annotations, the superblock UUID derived from the salt. */
void image_layer_verity_params(const MosLayerVerity *v, VerityParams *ret);

/* The GOARCH name of the machine ("amd64", "arm64", ...). */
const char *image_host_architecture(void);
