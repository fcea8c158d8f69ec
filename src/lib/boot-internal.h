/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The state of one boot, shared by boot.c and boot-factory.c only. */

#include "boot.h"
#include "manifest.h"
#include "memory-util.h"
#include "tpm-policy.h"
#include "tpm2.h"
#include "uuid-util.h"

/* Indices into Boot.devices for the production sequence. */
enum {
        DEV_CONFIG = 0,
        DEV_STORE = 1,
        DEV_DATA = 2,
};

struct Boot {
        BootSayFn say;
        void *userdata;
        BootOptions opts;
        BootPhase phases[BOOT_PHASES_MAX];
        size_t n_phases;
        char *reason;

        char **devices; /* partition device nodes, in the order they were asked for */
        Tpm2Context *tpm;
        TpmPolicySet policies; /* the vendor's signed PCR 7 policies of the initramfs */
        uint8_t *sealed;       /* the sealed data-volume key */
        size_t sealed_size;
        bool first_boot;
        SecretBuffer secret; /* the unsealed data-volume key, wiped once the volume is open */
        uint8_t *cert;       /* device identity certificate (DER) from TPM NV */
        size_t cert_size;
        uint8_t product[UUID_SIZE];
        uint64_t min_release;
        char *manifest_data; /* the bytes verified */
        size_t manifest_size;
        uint8_t *signature;
        size_t signature_size;
        bool config_mounted;
        Manifest *manifest;
};

/* Checks that a device identity certificate (DER, from the factory exchange area or TPM NV) was
 * issued by the vendor's sudi-ca of the initramfs and has the device-identity profile, so that
 * the product it names can be trusted. Validity periods are not checked (no trusted clock at
 * boot). Returns 0, or -EKEYREJECTED with *ret_error (why) set; other -errno for a CA that does
 * not load. */
int boot_check_identity_certificate(const uint8_t *der, size_t size, char **ret_error);
