/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* OCI image-spec 1.1 documents: descriptors (descriptor.md), image manifests (manifest.md),
 * image indexes (image-index.md) and image configurations (config.md), plus the Docker
 * "v2 schema 2" equivalents found in layouts made from Docker images, and the MachineOS layer
 * descriptor annotations (docs/image-format.md).
 *
 * Parsing is strict about what the spec defines (types, mandatory fields, digest and media
 * type grammar, schemaVersion 2, size limits) and ignores unknown fields, as the spec asks of
 * readers ("Implementations MUST ignore unknown properties"... manifest.md, config.md). Errors
 * are -EBADMSG (or -EFBIG for the size limit) with a message naming the field. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "json.h"
#include "macro.h"

#define OCI_MEDIA_TYPE_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MEDIA_TYPE_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MEDIA_TYPE_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_MEDIA_TYPE_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"
#define OCI_MEDIA_TYPE_LAYER_TAR_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_MEDIA_TYPE_LAYER_TAR_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define DOCKER_MEDIA_TYPE_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_MEDIA_TYPE_MANIFEST_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define DOCKER_MEDIA_TYPE_CONFIG "application/vnd.docker.container.image.v1+json"
#define DOCKER_MEDIA_TYPE_LAYER_TAR_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define DOCKER_MEDIA_TYPE_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"

/* A MachineOS layer: a squashfs image followed by its dm-verity hash area. */
#define MOS_MEDIA_TYPE_LAYER "application/vnd.machineos.image.layer.v1.squashfs+verity"

#define OCI_ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"
#define OCI_ANNOTATION_CREATED "org.opencontainers.image.created"
#define MOS_ANNOTATION_VERITY_ROOT_HASH "org.machineos.verity.root-hash"
#define MOS_ANNOTATION_VERITY_SALT "org.machineos.verity.salt"
#define MOS_ANNOTATION_VERITY_DATA_BLOCKS "org.machineos.verity.data-blocks"
#define MOS_ANNOTATION_VERITY_HASH_OFFSET "org.machineos.verity.hash-offset"

/* distribution-spec: registries accept manifests of at least 4 MiB; we refuse larger. */
#define OCI_MANIFEST_SIZE_MAX (4U * 1024U * 1024U)
#define OCI_INDEX_SIZE_MAX (4U * 1024U * 1024U)
#define OCI_CONFIG_SIZE_MAX (8U * 1024U * 1024U)
#define OCI_LAYERS_MAX 256U

typedef struct OciPlatform {
        char *architecture;
        char *os;
        char *variant;
} OciPlatform;

typedef struct OciDescriptor {
        char *media_type;
        Digest digest;
        uint64_t size;
        json_t *annotations; /* object of strings, or NULL */
        char *artifact_type;
        bool has_platform;
        OciPlatform platform;
} OciDescriptor;

typedef struct OciManifest {
        char *media_type; /* may be NULL (optional in OCI manifests) */
        char *artifact_type;
        OciDescriptor config;
        OciDescriptor *layers;
        size_t n_layers;
        json_t *annotations;
} OciManifest;

typedef struct OciIndex {
        char *media_type;
        OciDescriptor *manifests;
        size_t n_manifests;
        json_t *annotations;
} OciIndex;

/* The parts of an image configuration MachineOS keeps. */
typedef struct OciImageConfig {
        char *architecture;
        char *os;
        char *variant;
        char *created;
        json_t *config; /* "config": User, Env, Entrypoint, Cmd, WorkingDir, Labels, ... */
        Digest *diff_ids;
        size_t n_diff_ids;
} OciImageConfig;

void oci_descriptor_done(OciDescriptor *d);
OciManifest *oci_manifest_free(OciManifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(OciManifest *, oci_manifest_free);
OciIndex *oci_index_free(OciIndex *i);
DEFINE_TRIVIAL_CLEANUP_FUNC(OciIndex *, oci_index_free);
OciImageConfig *oci_image_config_free(OciImageConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(OciImageConfig *, oci_image_config_free);

int oci_manifest_parse(const char *data, size_t size, OciManifest **ret, char **ret_error);
int oci_index_parse(const char *data, size_t size, OciIndex **ret, char **ret_error);
int oci_image_config_parse(const char *data, size_t size, OciImageConfig **ret, char **ret_error);

/* Canonical JSON (json.h) of our own documents. */
int oci_manifest_format(const OciManifest *m, char **ret, size_t *ret_size);
int oci_index_format(const OciIndex *i, char **ret, size_t *ret_size);
/* schemaVersion-less config.md document with rootfs.diff_ids from c->diff_ids. */
int oci_image_config_format(const OciImageConfig *c, char **ret, size_t *ret_size);

/* RFC 6838 "type/subtype" as media types must be (descriptor.md). */
bool oci_media_type_is_valid(const char *s);
bool oci_media_type_is_manifest(const char *s);
bool oci_media_type_is_index(const char *s);

/* Tags and names (distribution-spec "Pulling manifests"):
 *   name ::= [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
 *   tag  ::= [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
 * "NAME:TAG" splits at the last ':'. -EINVAL when either part is invalid. */
bool oci_name_is_valid(const char *s);
bool oci_tag_is_valid(const char *s);
int oci_reference_split(const char *ref, char **ret_name, char **ret_tag);

/* The dm-verity parameters a MachineOS layer descriptor carries in its annotations. */
typedef struct MosLayerVerity {
        uint8_t root_hash[32];
        uint8_t salt[256];
        size_t salt_size;
        uint64_t data_blocks;
        uint64_t hash_offset;
} MosLayerVerity;

int mos_layer_verity_from_descriptor(const OciDescriptor *d, MosLayerVerity *ret, char **ret_error);
int mos_layer_verity_to_annotations(const MosLayerVerity *v, json_t *annotations);

/* `docker save` archives (moby image/tarexport): manifest.json is an array of
 *   {"Config": "<member>", "RepoTags": ["name:tag", ...] or null, "Layers": ["<member>", ...]}
 * (other fields ignored). Member names must be safe relative paths. */
typedef struct DockerArchiveEntry {
        char *config;
        char **repo_tags;
        char **layers;
} DockerArchiveEntry;

typedef struct DockerArchiveManifest {
        DockerArchiveEntry *entries;
        size_t n_entries;
} DockerArchiveManifest;

#define DOCKER_ARCHIVE_MANIFEST_SIZE_MAX (1U * 1024U * 1024U)

int docker_archive_manifest_parse(const char *data, size_t size, DockerArchiveManifest **ret,
                                  char **ret_error);
DockerArchiveManifest *docker_archive_manifest_free(DockerArchiveManifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(DockerArchiveManifest *, docker_archive_manifest_free);
