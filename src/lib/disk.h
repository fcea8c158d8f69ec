/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The appliance's disk image (docs/disk.md): a GPT with
 *   1 "mos-esp"     EFI system partition, FAT32: signed systemd-boot (also at the removable
 *                   media path) and the signed UKI in EFI/Linux with a boot counter in its name
 *   2 "mos-config"  FAT32: the signed manifest and its signature
 *   3 "mos-store"   FAT32: an OCI image layout with the images the manifest references
 *   4 "mos-data"    left empty: mos-init formats it as LUKS2 on first boot with the key it
 *                   seals in the device's TPM (the key never exists on the build host)
 * written without mounting anything, sparse, and byte-for-byte the same for the same inputs
 * (GUIDs, volume ids and timestamps are derived from the inputs). */

#include <stddef.h>
#include <stdint.h>

#include "fat.h"

#define DISK_LABEL_ESP "mos-esp"
#define DISK_LABEL_CONFIG "mos-config"
#define DISK_LABEL_STORE "mos-store"
#define DISK_LABEL_DATA "mos-data"
#define DISK_ALIGN (UINT64_C(1) << 20)
#define DISK_DEFAULT_DATA_SIZE (UINT64_C(256) << 20)
#define DISK_DEFAULT_BOOT_TRIES 3u
#define DISK_ESP_UKI_DIR "EFI/Linux"

typedef struct DiskParams {
        const uint8_t *boot_loader; /* signed systemd-boot */
        size_t boot_loader_size;
        const uint8_t *uki;   /* the signed UKI, the bytes that were verified (the file is not */
        size_t uki_size;      /* read again, so what was checked is what is written) */
        const char *uki_name; /* "machineos-0.1.0": the file becomes EFI/Linux/NAME+TRIES.efi */
        unsigned boot_tries;  /* 0: no boot counting */
        FatFile *config_files;
        size_t n_config_files;
        FatFile *store_files;
        size_t n_store_files;
        uint64_t esp_size, config_size, store_size, data_size; /* 0: computed / default */
        uint64_t store_min_size; /* with a computed store size: at least this much */
        uint64_t timestamp;      /* of every FAT entry */
        uint8_t seed[32];        /* derives the disk and partition GUIDs and the volume ids */
} DiskParams;

typedef struct DiskLayout {
        uint64_t disk_size;
        uint64_t offset[4], size[4]; /* ESP, config, store, data */
} DiskLayout;

/* Writes the image atomically (a temporary file beside out, renamed at the end). */
int disk_create(const DiskParams *p, const char *out, DiskLayout *ret_layout);

/* "EFI/Linux/machineos-0.1.0+3.efi" for name "machineos-0.1.0" and 3 tries; newly allocated. */
char *disk_uki_path(const char *name, unsigned tries);

/* A GUID (version 4 layout) derived from seed and a purpose string. */
void disk_derive_guid(const uint8_t seed[32], const char *purpose, uint8_t ret[16]);

/* ---- what goes into the config and store partitions (disk-content.c) ---- */

#define DISK_CONFIG_MANIFEST "manifest.json"
#define DISK_CONFIG_SIGNATURE "manifest.json.sig"

typedef struct DiskContent {
        FatFile *config;
        size_t n_config;
        FatFile *store;
        size_t n_store;
        char **owned_paths;   /* paths and sources the FatFiles point to */
        uint8_t **owned_data; /* buffers they point to */
        size_t n_owned_data;
        uint8_t manifest_digest[32];
        uint64_t data_size, store_size; /* the manifest's storage minimums (0: not given) */
} DiskContent;

void disk_content_done(DiskContent *c);

/* Verifies the signed manifest (manifest_verify(): the keyset's manifest-ca, the product's UUID)
 * and collects from the OCI layout exactly the blobs of the images it references (each image
 * manifest, its config and its layers, each checked against its digest and size, the layers
 * against the manifest's list), with an index.json naming one manifest per target and the
 * oci-layout file. The config partition gets the manifest and its signature as they are.
 * Refusals: -EKEYREJECTED/-EKEYEXPIRED/-EBADMSG/-ESTALE from the manifest (reason in
 * *ret_error), -EBADMSG for a layout blob that does not match (named in *ret_error), -ENOENT for
 * a missing blob or product. */
int disk_content_from_manifest(const char *keyset_dir, const char *product,
                               const char *manifest_path, const char *layout_dir, DiskContent *ret,
                               char **ret_error);
