/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The product manifest (docs/manifest.md, schema format 1): one signed JSON document that says
 * everything an appliance may run. This module parses it strictly, validates it, writes its
 * canonical form, builds it from the vendor's product description (the "spec", YAML or JSON)
 * and verifies its detached CMS signature, in the order docs/manifest.md fixes.
 *
 * Errors: -EFBIG (over MANIFEST_MAX_SIZE), -EBADMSG (malformed: *ret_error names the field),
 * -EKEYREJECTED (signature, chain, profile or product refused), -EKEYEXPIRED (signer or CA
 * outside its validity period), -ESTALE (release below the minimum). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "json.h"
#include "macro.h"
#include "uuid-util.h"

#define MANIFEST_FORMAT 1
#define MANIFEST_MAX_SIZE (1024u * 1024) /* manifests and specs */
#define MANIFEST_MAX_TARGETS 64
#define MANIFEST_MAX_LAYERS 128
#define MANIFEST_MAX_VOLUMES 32
#define MANIFEST_NAME_MAX 32 /* target names, volume labels, userns groups */
#define MANIFEST_VERSION_MAX 64
#define MANIFEST_VERITY_BLOCK_SIZE 4096 /* data and hash blocks, fixed by the architecture */
#define MANIFEST_VERITY_SALT_MAX 256    /* bytes, as veritysetup */

typedef enum TargetType {
        TARGET_HOSTFS,
        TARGET_CONTAINER,
        TARGET_FS_ONLY,
        TARGET_BOOT,
        _TARGET_TYPE_MAX,
} TargetType;

typedef enum NetworkMode {
        NETWORK_NONE,
        NETWORK_HOST,
        _NETWORK_MODE_MAX,
} NetworkMode;

typedef enum RestartPolicy {
        RESTART_NO,
        RESTART_ON_FAILURE,
        RESTART_ALWAYS,
        _RESTART_POLICY_MAX,
} RestartPolicy;

const char *target_type_to_string(TargetType t);   /* "hostfs", "container", "fs-only", "boot" */
const char *network_mode_to_string(NetworkMode m); /* "none", "host" */
const char *restart_policy_to_string(RestartPolicy p); /* "no", "on-failure", "always" */

/* dm-verity parameters of a layer (kernel Documentation/admin-guide/device-mapper/verity.rst,
 * format 1, SHA-256, 4 KiB data and hash blocks): the tree is in the same blob as the data,
 * starting hash_offset bytes in. */
typedef struct ManifestVerity {
        uint8_t root_hash[SHA256_DIGEST_SIZE];
        uint8_t *salt;
        size_t salt_size;
        uint64_t data_blocks;
        uint64_t hash_offset; /* bytes */
} ManifestVerity;

typedef struct ManifestLayer {
        char *digest; /* "sha256:<64 hex>" (OCI image-spec descriptor digest) */
        uint64_t size;
        ManifestVerity verity;
} ManifestLayer;

typedef struct ManifestImage {
        char *reference; /* "NAME:TAG" it was built from; NULL when not known */
        char *digest;    /* of the OCI image manifest */
        uint64_t size;   /* of the OCI image manifest */
        ManifestLayer *layers;
        size_t n_layers;
} ManifestImage;

typedef struct ManifestVolume {
        char *label;
        char *mount_path;
        bool persistent;
        uint64_t size; /* bytes */
} ManifestVolume;

typedef struct ManifestContainer {
        char **command;
        char **args;
        char **env; /* "NAME=value" */
        char *working_dir;
        char *userns_group;
        NetworkMode network;
        ManifestVolume *volumes;
        size_t n_volumes;
        RestartPolicy restart;
} ManifestContainer;

typedef struct ManifestTarget {
        char *name;
        TargetType type;
        ManifestImage image;
        ManifestContainer *container; /* for TARGET_CONTAINER only */
} ManifestTarget;

typedef struct Manifest {
        uint8_t product[UUID_SIZE];
        uint64_t release;
        char *version;
        char *created; /* RFC 3339 UTC */
        ManifestTarget *targets;
        size_t n_targets;
        /* Optional sizes for `mos disk create`: 0 = not given. */
        uint64_t data_size;
        uint64_t store_size;
} Manifest;

Manifest *manifest_free(Manifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manifest *, manifest_free);

const ManifestTarget *manifest_find_target(const Manifest *m, const char *name);

/* Strict parse of a manifest: size limit, JSON strictness (duplicate keys, trailing data), then
 * the schema (unknown fields, wrong types, missing fields, malformed digests, UUIDs, times) and
 * the cross-field rules. *ret_error (may be NULL, set on failure) names the field. Does NOT look
 * at any signature: use manifest_verify() for anything that will be trusted. */
int manifest_parse(const char *data, size_t size, Manifest **ret, char **ret_error);

/* The canonical JSON form (json_dump_canonical(): sorted keys, no insignificant white space, no
 * trailing newline) of a valid manifest. */
int manifest_to_json(const Manifest *m, json_t **ret);
int manifest_format(const Manifest *m, char **ret, size_t *ret_size);

/* ---- building from a spec ---- */

/* Resolves image NAME:TAG in the OCI image layout at layout_dir (image_resolve(), image.h): the
 * image manifest's digest and size, and for each layer its digest, size and verity parameters.
 * -ENOENT (no layout, no such tag), -EBADMSG (a malformed layout, manifest or annotation), with
 * "cannot resolve 'NAME:TAG' in OCI layout 'DIR': ..." in *ret_error. */
int manifest_resolve_image(const char *layout_dir, const char *reference, ManifestImage *ret,
                           char **ret_error);

typedef enum SpecFormat {
        SPEC_AUTO, /* by content: '{' first means JSON, anything else YAML */
        SPEC_JSON,
        SPEC_YAML,
} SpecFormat;

typedef struct ManifestBuildOptions {
        SpecFormat format;
        const char *layout_dir; /* for images named NAME:TAG; may be NULL */
        const uint8_t *product; /* overrides the spec's "product" when not NULL */
        uint64_t release;       /* overrides the spec's "release" when not 0 */
} ManifestBuildOptions;

/* Builds a manifest from a spec: the spec's defaults filled in, images resolved, "created" from
 * the spec or else $SOURCE_DATE_EPOCH (-EINVAL and a message when neither is there: the output
 * must not depend on the clock). The same spec and layout give the same bytes. */
int manifest_build(const char *spec, size_t size, const ManifestBuildOptions *o, Manifest **ret,
                   char **ret_error);

/* For manifest-build.c: the spec's schema (the manifest's with the spec's optional fields and
 * image references, no rules across fields), the rules across fields, and freeing an image. */
int manifest_parse_spec(json_t *spec, Manifest **ret, char **ret_error);
int manifest_validate(const Manifest *m, char **ret_error);
void manifest_image_done(ManifestImage *i);

/* ---- verification ---- */

typedef struct ManifestVerifyOptions {
        const CryptoCert *ca;   /* the only trust anchor: manifest-ca */
        const uint8_t *product; /* required product UUID, or NULL */
        uint64_t min_release;   /* 0: any */
        int64_t now;            /* time for the validity periods (seconds since the epoch) */
} ManifestVerifyOptions;

/* Verifies a manifest and its detached signature, in this order, stopping at the first failure:
 *   1. size: 1..MANIFEST_MAX_SIZE bytes (-EFBIG, -EBADMSG when empty);
 *   2. the CMS signature over exactly these bytes (-EBADMSG malformed, -EKEYREJECTED);
 *   3. the signer certificate: issued by o->ca, no other anchor, inside its validity period and
 *      the CA's (-EKEYEXPIRED), with the manifest-signing profile (-EKEYREJECTED);
 *   4. strict parse (-EBADMSG);
 *   5. products: signer certificate's == manifest's == o->product (-EKEYREJECTED);
 *   6. release >= o->min_release (-ESTALE).
 * *ret_error (may be NULL, set on failure) is one line naming the reason. On success *ret (may
 * be NULL) gets the parsed manifest. */
int manifest_verify(const char *data, size_t size, const void *sig, size_t sig_size,
                    const ManifestVerifyOptions *o, Manifest **ret, char **ret_error);
